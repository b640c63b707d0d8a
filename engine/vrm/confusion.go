package vrm

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// defaultConfusions is the confusion model for UK plates read by the
// project's readers; see the file for its format and where it comes from.
//
//go:embed data/gb-confusions.txt
var defaultConfusions string

// symbols is the size of the alphabet marks are written in: 0-9 then A-Z.
const symbols = 36

func symbolIndex(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case isLetter(c):
		return 10 + int(c-'A')
	}
	return -1
}

func symbolAt(i int) byte {
	if i < 10 {
		return '0' + byte(i)
	}
	return 'A' + byte(i-10)
}

// alternative is a character a reader may have read in place of another, and
// how likely that misread is.
type alternative struct {
	char   byte
	weight float64
}

// ConfusionModel holds which characters a reader mistakes for which, and how
// likely each misread is. It is immutable once loaded and safe for
// concurrent use.
type ConfusionModel struct {
	weight [symbols][symbols]float64
	// letters and digits are, per character, its confusable letters and
	// digits, likeliest first.
	letters, digits [symbols][]alternative
}

// DefaultWeight is the weight of a set whose line gives none.
const DefaultWeight = 0.5

// LoadConfusions reads a confusion model: one set of mutually confusable
// characters per line, as two or more of A-Z and 0-9 separated by spaces,
// optionally followed by weight=W (0 < W <= 1, default DefaultWeight). Blank
// lines and text after '#' are ignored. A character may be in several sets;
// a pair's weight is the highest of the sets holding both. Errors name the
// line.
func LoadConfusions(r io.Reader) (*ConfusionModel, error) {
	m := &ConfusionModel{}
	scanner := bufio.NewScanner(r)
	line := 0
	for scanner.Scan() {
		line++
		text := scanner.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		weight := DefaultWeight
		if last := fields[len(fields)-1]; strings.HasPrefix(last, "weight=") {
			w, err := strconv.ParseFloat(strings.TrimPrefix(last, "weight="), 64)
			if err != nil || !(w > 0 && w <= 1) {
				return nil, fmt.Errorf("confusions line %d: weight %q is not a number in (0, 1]", line, strings.TrimPrefix(last, "weight="))
			}
			weight = w
			fields = fields[:len(fields)-1]
		}
		var set []int
		for _, field := range fields {
			if len(field) != 1 || symbolIndex(field[0]) < 0 {
				return nil, fmt.Errorf("confusions line %d: %q is not one character A-Z or 0-9", line, field)
			}
			i := symbolIndex(field[0])
			for _, j := range set {
				if i == j {
					return nil, fmt.Errorf("confusions line %d: %s appears twice", line, field)
				}
			}
			set = append(set, i)
		}
		if len(set) < 2 {
			return nil, fmt.Errorf("confusions line %d: a set needs at least two characters", line)
		}
		for _, i := range set {
			for _, j := range set {
				if i != j && weight > m.weight[i][j] {
					m.weight[i][j] = weight
				}
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("confusions line %d: %w", line+1, err)
	}
	for i := range symbols {
		for j := range symbols {
			if m.weight[i][j] == 0 {
				continue
			}
			alt := alternative{char: symbolAt(j), weight: m.weight[i][j]}
			if j < 10 {
				m.digits[i] = append(m.digits[i], alt)
			} else {
				m.letters[i] = append(m.letters[i], alt)
			}
		}
		for _, alts := range [][]alternative{m.digits[i], m.letters[i]} {
			sort.SliceStable(alts, func(a, b int) bool { return alts[a].weight > alts[b].weight })
		}
	}
	return m, nil
}

// defaultModel parses the embedded model once; the model is immutable, so
// every caller can share it.
var defaultModel = sync.OnceValue(func() *ConfusionModel {
	m, err := LoadConfusions(strings.NewReader(defaultConfusions))
	if err != nil {
		panic("vrm: embedded data/gb-confusions.txt: " + err.Error()) // caught by the package tests
	}
	return m
})

// DefaultConfusions returns the model embedded from data/gb-confusions.txt:
// the UK confusion sets 0/O/D/Q, 1/I/T/L, 2/Z, 5/S, 6/G, 8/B, 4/A, 7/T,
// M/N/H, U/V, C/G, E/F and P/R.
func DefaultConfusions() *ConfusionModel { return defaultModel() }

// Confusable reports whether a reader may read a as b (or b as a; the model
// is symmetric). A character is confusable with itself. ASCII letters of
// either case are accepted.
func (m *ConfusionModel) Confusable(a, b rune) bool {
	return m.Weight(a, b) > 0
}

// Weight is how likely a reader is to read a as b, from 0 (never) to 1; it is
// 1 when a and b are the same character.
func (m *ConfusionModel) Weight(a, b rune) float64 {
	i, j := runeIndex(a), runeIndex(b)
	if i < 0 || j < 0 {
		return 0
	}
	if i == j {
		return 1
	}
	return m.weight[i][j]
}

func runeIndex(r rune) int {
	if r >= 'a' && r <= 'z' {
		r -= 'a' - 'A'
	}
	if r < 0 || r > 'Z' {
		return -1
	}
	return symbolIndex(byte(r))
}
