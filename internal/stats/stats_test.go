package stats

import (
	"math"
	"testing"
)

// Values checked against published Wilson intervals (e.g. Newcombe 1998,
// table I: 81/263 gives 0.2553 to 0.3662).
func TestWilsonKnownValues(t *testing.T) {
	for _, c := range []struct {
		k, n      int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{20, 20, 0.8389, 1},
	} {
		got := Wilson(c.k, c.n)
		if math.Abs(got.Low-c.low) > 5e-4 || math.Abs(got.High-c.high) > 5e-4 {
			t.Errorf("Wilson(%d, %d) = %.4f..%.4f, want %.4f..%.4f", c.k, c.n, got.Low, got.High, c.low, c.high)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"AB12CDE", "AB12CDE", 0}, {"AB12CDE", "A812CDE", 1}, {"AB12CDE", "AB12CD", 1}, {"", "ABC", 3}, {"W668AHK", "EW668AHK", 1}} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
