package vrm

import (
	"math/rand/v2"
	"testing"
)

// benchReads mixes valid marks of each format with misreads and junk, as a
// reader's output would.
var benchReads = []string{"AB12 CDE", "0U13RXF", "A123 BCD", "ABC 123D", "ABZ 1234", "1234 AB", "Q123 ABC", "WX123AB", "AB01CDE", "ab76cde"}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Parse(benchReads[i%len(benchReads)], asOf)
		i++
	}
}

func BenchmarkParseValidCurrent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Parse("AB12CDE", asOf)
	}
}

func BenchmarkNormalise(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Normalise("ab12 cde")
	}
}

func BenchmarkCandidates(b *testing.B) {
	m := DefaultConfusions()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Candidates(benchReads[i%len(benchReads)], asOf, 10)
		i++
	}
}

// The costliest reads: every character has confusions and the search runs to
// three substitutions.
func BenchmarkCandidatesWorstCase(b *testing.B) {
	m := DefaultConfusions()
	b.ReportAllocs()
	for b.Loop() {
		m.Candidates("TT11TTT", asOf, 10)
	}
}

func BenchmarkGenerateMix(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	for b.Loop() {
		GenerateMix(rng, asOf)
	}
}
