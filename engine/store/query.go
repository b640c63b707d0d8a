package store

import (
	"slices"
	"strings"
	"time"

	"anpr/engine/vrm"
)

// Query asks for stored reads. Fields left zero do not restrict the search,
// but a query must restrict it somehow: by VRM, camera or time.
type Query struct {
	// VRM is an exact mark or a pattern in which * stands for any run of
	// characters (none included) and ? for exactly one. It is normalised
	// first ("ab12 c*" is "AB12C*"). A pattern needs at least MinFixed
	// fixed characters and at most MaxPatternLen characters in all.
	VRM      string
	From, To time.Time // reads captured at or after From and before To
	Cameras  []string  // reads by any of these cameras, at most MaxCameras
	Limit    int       // reads a page; 0 means DefaultLimit, at most MaxLimit
	After    Cursor    // the page starts after this read; zero: at the first
}

// Limits on a query.
const (
	MinFixed      = 3  // fixed (not wildcard) characters in a VRM pattern
	MaxPatternLen = 10 // characters in a VRM pattern, wildcards included
	MaxCameras    = 100
	DefaultLimit  = 1000
	MaxLimit      = 10000
)

// Cursor is a position in the order results come in: by capture time, then
// by ID, compared byte by byte.
type Cursor struct {
	Captured time.Time
	ID       string
}

// CursorOf returns the position of r, to ask for the page after it.
func CursorOf(r Read) Cursor { return Cursor{Captured: r.Captured, ID: r.ID} }

// IsZero reports whether c is the zero Cursor, the start of the results.
func (c Cursor) IsZero() bool { return c.Captured.IsZero() && c.ID == "" }

// Before reports whether c comes before d in result order.
func (c Cursor) Before(d Cursor) bool {
	if !c.Captured.Equal(d.Captured) {
		return c.Captured.Before(d.Captured)
	}
	return c.ID < d.ID
}

// Search is a checked Query with its defaults filled in: what a Store runs.
type Search struct {
	VRM     Pattern   // zero: any VRM
	From    time.Time // zero: no lower bound; otherwise in UTC
	To      time.Time // zero: no upper bound; otherwise in UTC
	Cameras []string  // sorted, without repeats; empty: any camera
	Limit   int       // 1 to MaxLimit
	After   Cursor    // zero: from the first read
}

// Check returns the search q asks for, or an error wrapping ErrInvalid that
// says what is wrong with it.
func (q Query) Check() (Search, error) {
	var s Search
	if q.VRM != "" {
		p, err := ParsePattern(q.VRM)
		if err != nil {
			return Search{}, err
		}
		s.VRM = p
	}
	for _, t := range []struct {
		name string
		t    time.Time
		out  *time.Time
	}{{"from", q.From, &s.From}, {"to", q.To, &s.To}} {
		if t.t.IsZero() {
			continue
		}
		if t.t.Before(minCaptured) || t.t.After(maxCaptured) {
			return Search{}, invalid("%s time %s is outside %d to %d", t.name, t.t.UTC().Format(time.RFC3339), minCaptured.Year(), maxCaptured.Year())
		}
		*t.out = t.t.UTC()
	}
	if !s.From.IsZero() && !s.To.IsZero() && !s.From.Before(s.To) {
		return Search{}, invalid("time range is empty: to (%s) is not after from (%s)", s.To.Format(time.RFC3339), s.From.Format(time.RFC3339))
	}
	if len(q.Cameras) > MaxCameras {
		return Search{}, invalid("%d cameras in one search, over the limit of %d", len(q.Cameras), MaxCameras)
	}
	for i, c := range q.Cameras {
		if err := checkText("camera", c, MaxCameraLen, true); err != nil {
			return Search{}, invalid("cameras[%d]: %v", i, err)
		}
	}
	if len(q.Cameras) > 0 {
		s.Cameras = slices.Compact(slices.Sorted(slices.Values(q.Cameras)))
	}
	switch {
	case q.Limit < 0:
		return Search{}, invalid("limit %d is negative", q.Limit)
	case q.Limit == 0:
		s.Limit = DefaultLimit
	case q.Limit > MaxLimit:
		return Search{}, invalid("limit %d is over the most a page holds, %d: page with After", q.Limit, MaxLimit)
	default:
		s.Limit = q.Limit
	}
	if !q.After.IsZero() {
		if q.After.Captured.IsZero() || q.After.ID == "" {
			return Search{}, invalid("cursor needs both the captured time and the ID of the last read of the page before")
		}
		if q.After.Captured.Before(minCaptured) || !q.After.Captured.Before(maxCaptured) {
			return Search{}, invalid("cursor time %s is outside %d to %d", q.After.Captured.UTC().Format(time.RFC3339), minCaptured.Year(), maxCaptured.Year())
		}
		if err := checkText("cursor id", q.After.ID, MaxIDLen, true); err != nil {
			return Search{}, err
		}
		s.After = Cursor{Captured: q.After.Captured.UTC(), ID: q.After.ID}
	}
	if s.VRM.IsZero() && len(s.Cameras) == 0 && s.From.IsZero() && s.To.IsZero() {
		return Search{}, invalid("search restricts nothing: give a VRM, cameras or a time range")
	}
	return s, nil
}

// Match reports whether r is one of the reads s finds, ignoring Limit. It
// is the meaning every Store's search must have.
func (s Search) Match(r Read) bool {
	switch {
	case !s.VRM.IsZero() && !s.VRM.Match(r.VRM):
		return false
	case !s.From.IsZero() && r.Captured.Before(s.From):
		return false
	case !s.To.IsZero() && !r.Captured.Before(s.To):
		return false
	case len(s.Cameras) > 0 && !slices.Contains(s.Cameras, r.Camera):
		return false
	case !s.After.IsZero() && !s.After.Before(CursorOf(r)):
		return false
	}
	return true
}

// Pattern is a checked VRM search term: an exact mark, or one with
// wildcards, * for any run of characters and ? for one. The zero Pattern
// matches every VRM.
type Pattern struct{ text string }

// ParsePattern normalises s (vrm.Normalise: upper case, no spaces or
// hyphens) and checks it: only A-Z, 0-9, * and ?; at most MaxPatternLen
// characters; at least MinFixed of them A-Z or 0-9. A pattern without
// wildcards is an exact mark and may be shorter.
func ParsePattern(s string) (Pattern, error) {
	text := vrm.Normalise(s)
	if text == "" {
		return Pattern{}, invalid("vrm pattern %q is empty", s)
	}
	if len(text) > MaxPatternLen {
		return Pattern{}, invalid("vrm pattern %q is %d characters long, over the limit of %d", truncate(text, MaxPatternLen), len(text), MaxPatternLen)
	}
	fixed := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case isVRMChar(c):
			fixed++
		case c == '*' || c == '?':
		default:
			return Pattern{}, invalid("vrm pattern %q: byte %d (%q) is not A-Z, 0-9, * or ?", text, i, c)
		}
	}
	if fixed < len(text) && fixed < MinFixed {
		return Pattern{}, invalid("vrm pattern %q has %d fixed characters (A-Z, 0-9); a wildcard search needs at least %d", text, fixed, MinFixed)
	}
	return Pattern{text}, nil
}

// String returns the pattern as normalised, "" for the zero Pattern.
func (p Pattern) String() string { return p.text }

// IsZero reports whether p is the zero Pattern, which matches every VRM.
func (p Pattern) IsZero() bool { return p.text == "" }

// Exact reports whether p has no wildcards: it matches one mark, String().
func (p Pattern) Exact() bool { return p.text != "" && !strings.ContainsAny(p.text, "*?") }

// Prefix returns the fixed characters before p's first wildcard: every
// match starts with them.
func (p Pattern) Prefix() string {
	if i := strings.IndexAny(p.text, "*?"); i >= 0 {
		return p.text[:i]
	}
	return p.text
}

// Suffix returns the fixed characters after p's last wildcard: every match
// ends with them ("*2CDE" ends "2CDE"). For an exact mark it is the mark.
func (p Pattern) Suffix() string {
	return p.text[strings.LastIndexAny(p.text, "*?")+1:]
}

// LongestRun returns p's longest run of fixed characters, the first of
// the longest if several tie ("*12C*" has "12C"; "A?B12*" has "B12"):
// every match contains it.
func (p Pattern) LongestRun() string {
	best := ""
	for _, run := range strings.FieldsFunc(p.text, func(r rune) bool { return r == '*' || r == '?' }) {
		if len(run) > len(best) {
			best = run
		}
	}
	return best
}

// Reverse returns s's bytes in reverse order (marks are ASCII): a mark as
// the stores' reversed-mark indexes hold it, so that a pattern's Suffix,
// reversed, is a prefix there.
func Reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// Match reports whether the stored VRM v matches p.
func (p Pattern) Match(v string) bool {
	if p.text == "" {
		return true
	}
	return glob(p.text, v)
}

// glob matches a pattern of *, ? and literal bytes against s. It keeps the
// position of the last * only, so it runs in time proportional to
// len(pattern) * len(s) at worst.
func glob(pattern, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			pi++
			si++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// LikePattern turns a store pattern (* and ?) into an SQL LIKE pattern
// (% and _), escaping with \ any character LIKE would read as its own
// wildcard, for stores that search with LIKE ... ESCAPE '\'. ParsePattern
// admits none of them today; the escaping keeps that from mattering if it
// ever does.
func LikePattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// PrefixEnd returns the least string greater than every string starting
// with prefix, comparing bytes, or false if there is none (prefix is all
// 0xff): with the prefix, the index range a prefix search reads.
func PrefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
