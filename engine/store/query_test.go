package store

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParsePattern(t *testing.T) {
	tests := []struct {
		in             string
		want           string // "" when refused
		exact          bool
		prefix, suffix string
	}{
		{"AB12CDE", "AB12CDE", true, "AB12CDE", "AB12CDE"},
		{"ab12 cde", "AB12CDE", true, "AB12CDE", "AB12CDE"},
		{"AB-12-CDE", "AB12CDE", true, "AB12CDE", "AB12CDE"},
		{"A1", "A1", true, "A1", "A1"}, // an exact mark may be short
		{"AB12*", "AB12*", false, "AB12", ""},
		{"AB1?CDE", "AB1?CDE", false, "AB1", "CDE"},
		{"*12CDE", "*12CDE", false, "", "12CDE"},
		{"?B12CDE", "?B12CDE", false, "", "B12CDE"},
		{"?B12*", "?B12*", false, "", ""},
		{"ABC*******", "ABC*******", false, "ABC", ""}, // 10 characters, 3 fixed
		{"*", "", false, "", ""},
		{"AB*", "", false, "", ""},
		{"A?B?", "", false, "", ""},
		{"ABC********", "", false, "", ""}, // 11 characters
		{"ABCDEFGHIJK", "", false, "", ""},
		{"", "", false, "", ""},
		{"   ", "", false, "", ""},
		{"AB%12", "", false, "", ""},
		{"AB_12", "", false, "", ""},
		{"AB'12", "", false, "", ""},
		{"AB;12", "", false, "", ""},
		{"ÄB12CDE", "", false, "", ""},
		{"AB12\xffCD", "", false, "", ""},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.in)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("ParsePattern(%q) = %q, %v; want a refusal wrapping ErrInvalid", tt.in, p, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tt.in, err)
			continue
		}
		if p.String() != tt.want || p.Exact() != tt.exact || p.Prefix() != tt.prefix || p.Suffix() != tt.suffix {
			t.Errorf("ParsePattern(%q) = %q exact %v prefix %q suffix %q; want %q exact %v prefix %q suffix %q",
				tt.in, p, p.Exact(), p.Prefix(), p.Suffix(), tt.want, tt.exact, tt.prefix, tt.suffix)
		}
	}
}

func TestPatternLongestRun(t *testing.T) {
	for in, want := range map[string]string{
		"*12C*": "12C", "A?B12*": "B12", "AB12CDE": "AB12CDE", "*AB*CD*EF": "AB", "?B12CDE": "B12CDE", "*A?B?C*": "A",
	} {
		p, err := ParsePattern(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.LongestRun(); got != want {
			t.Errorf("%q.LongestRun() = %q, want %q", in, got, want)
		}
	}
}

// Pattern.Match is the meaning every store's search must have, so it is
// checked against a regular expression on many random patterns and marks.
func TestPatternMatchAgreesWithRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	const chars = "AB1*?"
	random := func(alphabet string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		pattern := random(chars, 1+rng.IntN(8))
		mark := random("AB1", rng.IntN(9))
		re := regexp.MustCompile("^" + strings.NewReplacer("*", ".*", "?", ".").Replace(pattern) + "$")
		if got, want := glob(pattern, mark), re.MatchString(mark); got != want {
			t.Fatalf("glob(%q, %q) = %v, want %v", pattern, mark, got, want)
		}
	}
}

func TestQueryCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	bst := time.FixedZone("BST", 3600)
	t.Run("defaults and normalising", func(t *testing.T) {
		s, err := Query{VRM: "ab12 c*", From: t0.In(bst), Cameras: []string{"B", "A", "B"}}.Check()
		if err != nil {
			t.Fatal(err)
		}
		if s.VRM.String() != "AB12C*" || s.Limit != DefaultLimit || s.From != t0 || strings.Join(s.Cameras, ",") != "A,B" {
			t.Errorf("Check = %+v", s)
		}
	})
	refused := []struct {
		name string
		q    Query
		say  string
	}{
		{"empty", Query{}, "restricts nothing"},
		{"bad pattern", Query{VRM: "A*"}, "fixed characters"},
		{"limit", Query{VRM: "AB12CDE", Limit: MaxLimit + 1}, "limit"},
		{"negative limit", Query{VRM: "AB12CDE", Limit: -5}, "negative"},
		{"range", Query{From: t0, To: t0.Add(-time.Second)}, "not after"},
		{"from before 1970", Query{From: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}, "from time"},
		{"camera", Query{Cameras: []string{"A", "B\x00"}}, "cameras[1]"},
		{"cursor without time", Query{VRM: "AB12CDE", After: Cursor{ID: "x"}}, "cursor"},
	}
	for _, tt := range refused {
		_, err := tt.q.Check()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.say) {
			t.Errorf("%s: Check = %v, want a refusal mentioning %q", tt.name, err, tt.say)
		}
	}
}

func TestReadCheck(t *testing.T) {
	good := Read{ID: "r1", Camera: "CAM-1", VRM: "AB12CDE", Confidence: 1, Captured: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	if err := good.Check(); err != nil {
		t.Fatalf("a good read: %v", err)
	}
	bad := []struct {
		change func(*Read)
		say    string
	}{
		{func(r *Read) { r.VRM = "AB12cde" }, `byte 4 ('c')`},
		{func(r *Read) { r.VRM = "AB12 CDE" }, `byte 4 (' ')`},
		{func(r *Read) { r.Camera = "" }, "camera is empty"},
		{func(r *Read) { r.Captured = time.Time{} }, "captured time is not set"},
		{func(r *Read) { r.Confidence = -0.1 }, "confidence"},
		{func(r *Read) { r.OverviewRef = "/etc/passwd" }, "overview ref"},
		{func(r *Read) { r.Direction = strings.Repeat("N", MaxLabelLen+1) }, "direction"},
	}
	for _, b := range bad {
		r := good
		b.change(&r)
		if err := r.Check(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), b.say) {
			t.Errorf("Check(%+v) = %v, want a refusal mentioning %q", r, err, b.say)
		}
	}
}

func TestCheckBatch(t *testing.T) {
	good := Read{ID: "r1", Camera: "CAM-1", VRM: "AB12CDE", Confidence: 1, Captured: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	batch := []Read{good, good, good}
	batch[2].VRM = "AB 12"
	err := CheckBatch(batch, 0)
	var be *BatchError
	if !errors.As(err, &be) || be.Index != 2 || !errors.Is(err, ErrInvalid) {
		t.Errorf("CheckBatch = %v, want a BatchError at index 2 wrapping ErrInvalid", err)
	}
	if err := CheckBatch(batch[:2], 1); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "limit of 1") {
		t.Errorf("CheckBatch over the limit = %v, want a refusal", err)
	}
	if err := CheckBatch(nil, 0); err != nil {
		t.Errorf("CheckBatch(nil) = %v, want nil", err)
	}
}

func TestLikePattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AB12CDE", "AB12CDE"},
		{"AB12*", "AB12%"},
		{"?B12C*E", "_B12C%E"},
		{`A%B_C\`, `A\%B\_C\\`}, // never admitted by ParsePattern; escaped all the same
	}
	for _, tt := range tests {
		if got := LikePattern(tt.in); got != tt.want {
			t.Errorf("LikePattern(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"AB1", "AB2", true},
		{"AZ", "A[", true},
		{"A9", "A:", true},
		{"A\xff", "B", true},
		{"\xff\xff", "", false},
	}
	for _, tt := range tests {
		if got, ok := PrefixEnd(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
