package vrm

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCandidatesFirst(t *testing.T) {
	m := DefaultConfusions()
	tests := []struct {
		raw   string
		first string
		subs  int
	}{
		{"0U13RXF", "OU13RXF", 1},  // digit read for the memory tag's O
		{"AB12CDE", "AB12CDE", 0},  // a valid read is its own best candidate
		{"ab12 cde", "AB12CDE", 0}, // after normalising
		{"AB12CD8", "AB12CDB", 1},  // 8 read for B in the random letters
		{"AB12C0E", "AB12COE", 1},  // 0 read for O in the random letters
		{"A8I2CDE", "A812CDE", 1},  // the prefix reading needs one change, the current two
		{"ABI2CDE", "AB12CDE", 1},  // I read for 1 in the age identifier
		{"AB1ZCDE", "AB12CDE", 1},  // Z read for 2
		{"5AB123D", "SAB123D", 1},  // suffix
		{"QI23ABC", "Q123ABC", 1},  // Q plate
		{"ABZ I234", "ABZ1234", 1}, // Northern Ireland
	}
	for _, tt := range tests {
		got := m.Candidates(tt.raw, asOf, 5)
		if len(got) == 0 {
			t.Errorf("Candidates(%q) = none, want %s first", tt.raw, tt.first)
			continue
		}
		if got[0].Mark.Text != tt.first || got[0].Substitutions != tt.subs {
			t.Errorf("Candidates(%q)[0] = %s with %d substitutions, want %s with %d", tt.raw, got[0].Mark.Text, got[0].Substitutions, tt.first, tt.subs)
		}
	}
}

func TestCandidatesAreValidAndRanked(t *testing.T) {
	m := DefaultConfusions()
	for _, raw := range []string{"0U13RXF", "AB12CDE", "8817C0E", "1234AB", "A1", "S0I2DOO", "I0O"} {
		got := m.Candidates(raw, asOf, 0)
		raw = Normalise(raw)
		for i, c := range got {
			mark, err := Parse(c.Mark.Text, asOf)
			if err != nil || mark != c.Mark {
				t.Errorf("Candidates(%q) gave %+v; Parse gives %+v, %v", raw, c.Mark, mark, err)
			}
			if c.Substitutions != differences(raw, c.Mark.Text) {
				t.Errorf("Candidates(%q) gave %s with %d substitutions, but they differ in %d", raw, c.Mark.Text, c.Substitutions, differences(raw, c.Mark.Text))
			}
			if c.Substitutions > MaxSubstitutions {
				t.Errorf("Candidates(%q) gave %s with %d substitutions", raw, c.Mark.Text, c.Substitutions)
			}
			for j := range len(raw) {
				if a, b := rune(raw[j]), rune(c.Mark.Text[j]); !m.Confusable(a, b) {
					t.Errorf("Candidates(%q) gave %s: %c for %c is no known confusion", raw, c.Mark.Text, b, a)
				}
			}
			if i > 0 {
				prev := got[i-1]
				if prev.Substitutions > c.Substitutions || prev.Substitutions == c.Substitutions && prev.Score < c.Score {
					t.Errorf("Candidates(%q) out of order: %+v before %+v", raw, prev, c)
				}
			}
		}
	}
}

func differences(a, b string) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

func TestCandidatesLimits(t *testing.T) {
	m := DefaultConfusions()
	if got := m.Candidates("0U13RXF", asOf, 2); len(got) != 2 {
		t.Errorf("max 2 gave %d candidates", len(got))
	}
	if all, some := m.Candidates("0U13RXF", asOf, 0), m.Candidates("0U13RXF", asOf, 3); len(all) <= 3 || all[2] != some[2] {
		t.Errorf("max 0 gave %d candidates, want all, in the same order", len(all))
	}
	// An identifier from the future is no candidate, but a past reading is.
	for _, c := range m.Candidates("AB77CDE", asOf, 0) {
		if c.Mark.Text == "AB77CDE" {
			t.Error("AB77CDE is from the future on asOf but was a candidate")
		}
	}
	if got := m.Candidates("AB77CDE", date(2027, time.October, 1), 1); len(got) != 1 || got[0].Mark.Text != "AB77CDE" {
		t.Errorf("AB77CDE in October 2027: %+v", got)
	}
	for _, raw := range []string{"", "   ", "AB12CDEF", "ABCDEFGHIJK", "AB12€DE", "AB.12"} {
		if got := m.Candidates(raw, asOf, 10); len(got) != 0 {
			t.Errorf("Candidates(%q) = %+v, want none", raw, got)
		}
	}
}

// Random reads of any length and alphabet never panic and stay bounded.
func TestCandidatesRandomReads(t *testing.T) {
	m := DefaultConfusions()
	rng := rand.New(rand.NewPCG(7, 7))
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -é"
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		got := m.Candidates(b.String(), asOf, 0)
		if len(got) > maxChecks {
			t.Fatalf("Candidates(%q) gave %d candidates", b.String(), len(got))
		}
	}
}
