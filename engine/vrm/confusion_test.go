package vrm

import (
	"strings"
	"testing"
)

// Every confusion set in the project facts is in the default model.
func TestDefaultConfusionsHoldFactSets(t *testing.T) {
	m := DefaultConfusions()
	sets := []string{"0ODQ", "1ITL", "2Z", "5S", "6G", "8B", "4A", "7T", "MNH", "UV", "CG", "EF", "PR"}
	for _, set := range sets {
		for _, a := range set {
			for _, b := range set {
				if !m.Confusable(a, b) {
					t.Errorf("Confusable(%c, %c) = false; the facts list them together", a, b)
				}
			}
		}
	}
	for _, pair := range []string{"AB", "0 1", "OI", "XY", "3E"} {
		if m.Confusable(rune(pair[0]), rune(pair[len(pair)-1])) {
			t.Errorf("Confusable(%c, %c) = true", pair[0], pair[len(pair)-1])
		}
	}
	if !m.Confusable('o', '0') {
		t.Error("lower-case letters are not looked up")
	}
	if m.Confusable('€', '0') || m.Weight('-', '-') != 0 {
		t.Error("characters outside A-Z and 0-9 are confusable")
	}
	// A two-character line singles out the likeliest pair of its set.
	if m.Weight('0', 'O') <= m.Weight('0', 'D') || m.Weight('0', 'D') <= m.Weight('0', 'Q') {
		t.Errorf("weights 0-O %v, 0-D %v, 0-Q %v: want 0-O likeliest", m.Weight('0', 'O'), m.Weight('0', 'D'), m.Weight('0', 'Q'))
	}
	if m.Weight('A', 'A') != 1 {
		t.Errorf("Weight(A, A) = %v, want 1", m.Weight('A', 'A'))
	}
	if DefaultConfusions() != m {
		t.Error("DefaultConfusions parses the embedded file on every call")
	}
}

func TestLoadConfusions(t *testing.T) {
	m, err := LoadConfusions(strings.NewReader("# comment\n\n0 O D  weight=0.3 # trailing\n0 O weight=0.9\nM N\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a, b rune
		want float64
	}{
		{'0', 'O', 0.9},
		{'O', '0', 0.9},
		{'0', 'D', 0.3},
		{'O', 'D', 0.3},
		{'M', 'N', DefaultWeight},
		{'M', 'H', 0},
		{'Q', '0', 0},
	}
	for _, tt := range tests {
		if got := m.Weight(tt.a, tt.b); got != tt.want {
			t.Errorf("Weight(%c, %c) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLoadConfusionsErrors(t *testing.T) {
	tests := []struct{ data, want string }{
		{"0 O\nOO 0\n", "confusions line 2: \"OO\" is not one character A-Z or 0-9"},
		{"0 o\n", "confusions line 1: \"o\" is not one character A-Z or 0-9"},
		{"\n\n0\n", "confusions line 3: a set needs at least two characters"},
		{"weight=0.5\n", "confusions line 1: a set needs at least two characters"},
		{"0 O weight=2\n", "confusions line 1: weight \"2\" is not a number in (0, 1]"},
		{"0 O weight=0\n", "confusions line 1: weight \"0\" is not a number in (0, 1]"},
		{"0 O weight=x\n", "confusions line 1: weight \"x\" is not a number in (0, 1]"},
		{"0 O weight=NaN\n", "confusions line 1: weight \"NaN\" is not a number in (0, 1]"},
		{"0 O 0\n", "confusions line 1: 0 appears twice"},
		{"# ok\n0 O weight=0.5 1\n", "confusions line 2: \"weight=0.5\" is not one character A-Z or 0-9"},
	}
	for _, tt := range tests {
		_, err := LoadConfusions(strings.NewReader(tt.data))
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadConfusions(%q) error %v, want %q", tt.data, err, tt.want)
		}
	}
}
