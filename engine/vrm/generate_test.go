package vrm

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestGenerateValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range Formats {
		for range 10000 {
			m := Generate(rng, f, asOf)
			got, err := Parse(m.Text, asOf)
			if err != nil {
				t.Fatalf("Generate(%s) = %+v, which Parse rejects: %v", f, m, err)
			}
			if got != m {
				t.Fatalf("Generate(%s) = %+v, Parse gives %+v", f, m, got)
			}
		}
	}
}

func TestGenerateKeepsToAsOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		f    Format
		asOf time.Time
	}{
		{Current, date(2001, time.September, 1)}, // only 51 issued
		{Current, date(2013, time.June, 1)},
		{Prefix, date(1983, time.August, 1)}, // only A issued
		{Prefix, date(1990, time.January, 1)},
		{Suffix, date(1963, time.March, 1)},
		{Suffix, date(1975, time.January, 1)},
	}
	for _, tt := range tests {
		for range 2000 {
			m := Generate(rng, tt.f, tt.asOf)
			if _, err := Parse(m.Text, tt.asOf); err != nil || m.Format != tt.f {
				t.Fatalf("Generate(%s, %s) = %+v: %v", tt.f, tt.asOf.Format(time.DateOnly), m, err)
			}
		}
	}
	// Before a format began, its first identifier.
	if m := Generate(rng, Current, date(1999, time.January, 1)); m.Text[2:4] != "51" {
		t.Errorf("Generate(current) in 1999 = %s, want age identifier 51", m.Text)
	}
	if m := Generate(rng, Prefix, date(1970, time.January, 1)); m.Text[0] != 'A' {
		t.Errorf("Generate(prefix) in 1970 = %s, want year letter A", m.Text)
	}
}

func TestGenerateUnknown(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		m := Generate(rng, Unknown, asOf)
		if m.Format != Unknown || Classify(m.Text) != Unknown || m.Display != FormatDisplay(m.Text) {
			t.Fatalf("Generate(unknown) = %+v, classified %s", m, Classify(m.Text))
		}
		if _, err := Parse(m.Text, asOf); err == nil {
			t.Fatalf("Generate(unknown) = %s, which Parse accepts", m.Text)
		}
		// Foreign marks still have to fit a plate the size of a UK one.
		if len(m.Text) > 8 {
			t.Fatalf("Generate(unknown) = %s: %d characters, more than any European mark", m.Text, len(m.Text))
		}
	}
}

func TestGenerateIsReproducible(t *testing.T) {
	a, b := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	for range 100 {
		if x, y := GenerateMix(a, asOf), GenerateMix(b, asOf); x != y {
			t.Fatalf("same seed gave %s and %s", x, y)
		}
	}
	if m := Generate(nil, Current, asOf); m.Format != Current {
		t.Errorf("Generate with a nil rng = %+v", m)
	}
}

func TestGenerateMixShares(t *testing.T) {
	const n = 200000
	rng := rand.New(rand.NewPCG(11, 12))
	counts := map[Format]int{}
	ages := map[int]int{} // current marks by age in years
	for range n {
		m := GenerateMix(rng, asOf)
		counts[m.Format]++
		if m.Format == Unknown {
			if _, err := Parse(m.Text, asOf); err == nil {
				t.Fatalf("GenerateMix gave Unknown %s, which Parse accepts", m.Text)
			}
			continue
		}
		if _, err := Parse(m.Text, asOf); err != nil {
			t.Fatalf("GenerateMix gave %+v: %v", m, err)
		}
		if m.Format == Current {
			ages[int(asOf.Sub(m.Period.From).Hours()/24/365.25)]++
		}
	}
	total := 0.0
	for _, f := range append(append([]Format{}, Formats...), Unknown) {
		share := float64(counts[f]) / n
		want := Share(f)
		total += want
		// Within five standard errors of a binomial share.
		if tolerance := 5 * math.Sqrt(want*(1-want)/n); math.Abs(share-want) > tolerance {
			t.Errorf("%s: share %.4f, want %.4f ± %.4f", f, share, want, tolerance)
		}
	}
	if math.Abs(total-1) > 1e-9 {
		t.Errorf("shares add up to %v, want 1", total)
	}
	// Every age appears, recent ones the commonest.
	if ages[0] <= ages[10] || ages[10] <= ages[20] || ages[24] == 0 {
		t.Errorf("current marks by age in years: 0: %d, 10: %d, 20: %d, 24: %d", ages[0], ages[10], ages[20], ages[24])
	}
}
