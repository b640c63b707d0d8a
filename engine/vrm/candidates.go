package vrm

import (
	"sort"
	"strings"
	"time"
)

// Candidate is a valid mark a reader may have meant by what it read.
type Candidate struct {
	Mark          Mark
	Substitutions int     // characters changed from the read
	Score         float64 // format share on the road times the weight of each substitution; higher is likelier
}

// MaxSubstitutions is the most characters Candidates changes in a read.
const MaxSubstitutions = 3

// maxChecks caps the strings one Candidates call validates, so that no read
// costs more than a fraction of a millisecond.
const maxChecks = 20000

// Candidates returns the valid marks (as of asOf) that raw may be a misread
// of, reachable by replacing up to MaxSubstitutions characters with ones the
// model says a reader confuses them with, best first: fewest substitutions,
// then highest Score, then text. If raw is itself valid it comes first, with
// no substitutions. Only changes that keep to a format's letter and digit
// positions are tried, so "0U13RXF" gives "OU13RXF" (current format) first.
// At most max candidates are returned; max <= 0 returns all found. Reads that
// normalise to anything but 1 to 7 letters and digits give none.
func (m *ConfusionModel) Candidates(raw string, asOf time.Time, max int) []Candidate {
	text := Normalise(raw)
	n := len(text)
	if n == 0 || n > MaxLen || !isAlnum(text) {
		return nil
	}
	s := search{model: m, text: text, limit: limitOf(asOf), buf: make([]byte, n)}
	for _, template := range templates[n] {
		s.template = template
		// required[i] counts the positions from i on whose character is of
		// the wrong kind (a digit where a letter must be, or the reverse) and
		// so must be substituted.
		for i := n - 1; i >= 0; i-- {
			s.required[i] = s.required[i+1]
			if isDigit(text[i]) != (template[i] == 'D') {
				s.required[i]++
			}
		}
		s.walk(0, 0, 1)
	}
	out := s.found
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Substitutions != b.Substitutions {
			return a.Substitutions < b.Substitutions
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Mark.Text < b.Mark.Text
	})
	if max > 0 && len(out) > max {
		out = out[:max:max]
	}
	return out
}

// search is one Candidates call's depth-first walk over substitutions.
type search struct {
	model    *ConfusionModel
	text     string
	template string // 'L' and 'D' per position
	limit    month
	buf      []byte
	required [MaxLen + 1]int
	checks   int
	found    []Candidate
}

func (s *search) walk(i, subs int, weight float64) {
	if s.checks >= maxChecks || subs+s.required[i] > MaxSubstitutions {
		return
	}
	if i == len(s.text) {
		s.checks++
		text := string(s.buf)
		sh, sp, f := check(text, s.limit)
		if f.code == faultNone {
			s.found = append(s.found, Candidate{
				Mark:          Mark{Text: text, Display: display(text, sh.split), Format: sh.format, Period: sp.period()},
				Substitutions: subs,
				Score:         Share(sh.format) * weight,
			})
		}
		return
	}
	c := s.text[i]
	wantDigit := s.template[i] == 'D'
	if isDigit(c) == wantDigit {
		s.buf[i] = c
		s.walk(i+1, subs, weight)
	}
	if subs == MaxSubstitutions {
		return
	}
	alts := s.model.letters[symbolIndex(c)]
	if wantDigit {
		alts = s.model.digits[symbolIndex(c)]
	}
	for _, a := range alts {
		s.buf[i] = a.char
		s.walk(i+1, subs+1, weight*a.weight)
	}
}

// templates lists, by length, the letter ('L') and digit ('D') patterns of
// every UK format; the candidate search only tries strings that fit one.
var templates = buildTemplates()

func buildTemplates() [MaxLen + 1][]string {
	var out [MaxLen + 1][]string
	seen := map[string]bool{}
	add := func(parts ...string) {
		t := strings.Join(parts, "")
		if len(t) <= MaxLen && !seen[t] {
			seen[t] = true
			out[len(t)] = append(out[len(t)], t)
		}
	}
	letters := func(n int) string { return strings.Repeat("L", n) }
	digits := func(n int) string { return strings.Repeat("D", n) }
	add("LLDDLLL") // current
	for k := 1; k <= 3; k++ {
		add("L", digits(k), "LLL") // prefix, Q plate
		add("LLL", digits(k), "L") // suffix
	}
	for l := 1; l <= 3; l++ {
		for d := 1; d <= 4; d++ {
			add(letters(l), digits(d)) // dateless, Northern Ireland
			add(digits(d), letters(l)) // dateless
		}
	}
	return out
}
