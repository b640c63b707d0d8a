package hotlist

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// Entry is one vehicle of interest on a hotlist.
type Entry struct {
	VRM      string    `json:"vrm"`                 // normalised: upper case, no spaces
	List     string    `json:"list"`                // source list: PNC, DVLA, insurance, local...
	Marker   string    `json:"marker"`              // why it is of interest: stolen, firearms...
	Priority int       `json:"priority"`            // 1 (most urgent) to 9
	Action   string    `json:"action,omitempty"`    // advice to the operator
	Added    time.Time `json:"added,omitzero"`      // when it was put on the list (zero: not given)
	Expires  time.Time `json:"expires,omitzero"`    // from when it no longer alerts (zero: never)
	OwnerRef string    `json:"owner_ref,omitempty"` // reference of the record's owner
}

// Priorities run from HighestPriority to LowestPriority.
const (
	HighestPriority = 1
	LowestPriority  = 9
)

// Longest texts kept per entry.
const (
	maxOwnerRefLen = 255
	maxActionLen   = 1000
)

// record is one entry as the index holds it, 40 bytes: its mark and its
// other columns side by side, the owner reference within it when it is
// short, as nearly all are. Checking a candidate and making a hit of it
// then costs one trip to memory (the record lies in one cache line or two
// adjacent ones), not one for the mark, one for the record and one for the
// owner reference. Lists, markers and action texts are ids into small
// tables, times whole minutes.
type record struct {
	key            key
	added, expires minutes
	action         uint16 // index.actions
	list, marker   uint8  // Options vocabularies
	priority       uint8
	ownerLen       uint8
	// owner is the owner reference itself if it has at most len(owner)
	// bytes; else its first four say where the reference lies among the
	// index's long ones.
	owner [18]byte
}

// Owner references too long for their record are kept end to end in
// chunks of ownerChunkSize bytes, which a load fills one after another and
// the index then keeps as they are, rather than in one slice grown and
// copied as it fills. A record says where its reference lies as a
// little-endian uint32: the chunk in the top bits, the offset in the chunk
// in the low ownerChunkBits.
const (
	ownerChunkBits = 23
	ownerChunkSize = 1 << ownerChunkBits
	maxOwnerChunks = 1 << (32 - ownerChunkBits) // 4 GiB in all
)

// minutes is a time in whole minutes since 1900-01-01 UTC; 0 is "not
// given". Times are floored, so an expiry takes effect up to 59 seconds
// early rather than late: an expired entry never alerts.
type minutes uint32

var epoch1900 = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// minutesOf floors t to the minute; ok is false outside 1900 to about 10000.
func minutesOf(t time.Time) (minutes, bool) {
	s := t.Unix() - epoch1900
	m := s / 60
	if s < 0 && s%60 != 0 {
		m--
	}
	if m < 1 || m > 1<<32-1 {
		return 0, false
	}
	return minutes(m), true
}

// readMinute is minutesOf for a read's time, clamped rather than refused.
func readMinute(t time.Time) int64 {
	s := t.Unix() - epoch1900
	if s < 0 {
		return 0
	}
	return s / 60
}

func (m minutes) time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.Unix(epoch1900+int64(m)*60, 0).UTC()
}

//go:embed data/markers.txt
var defaultMarkers string

//go:embed data/lists.txt
var defaultLists string

// DefaultMarkers returns the markers in the embedded data/markers.txt.
func DefaultMarkers() []string { return words(defaultMarkers) }

// DefaultLists returns the source lists in the embedded data/lists.txt.
func DefaultLists() []string { return words(defaultLists) }

// words reads the first word of each line, '#' comments and blank lines
// skipped.
func words(text string) []string {
	var out []string
	s := bufio.NewScanner(strings.NewReader(text))
	for s.Scan() {
		line := s.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}

// vocabulary is a closed set of names (markers or source lists) with small
// ids; lookups ignore case and treat spaces and underscores as hyphens.
type vocabulary struct {
	names []string
	ids   map[string]uint8
}

func newVocabulary(kind string, names []string) (*vocabulary, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no %ss", kind)
	}
	if len(names) > 255 {
		return nil, fmt.Errorf("%d %ss: at most 255", len(names), kind)
	}
	v := &vocabulary{ids: make(map[string]uint8, 2*len(names))}
	for i, name := range names {
		folded := foldWord(name)
		if folded == "" {
			return nil, fmt.Errorf("%s %d is empty", kind, i+1)
		}
		if _, dup := v.ids[folded]; dup {
			return nil, fmt.Errorf("%s %q given twice", kind, name)
		}
		v.names = append(v.names, name)
		v.ids[name] = uint8(i)
		v.ids[folded] = uint8(i)
	}
	return v, nil
}

func (v *vocabulary) lookup(s string) (uint8, bool) {
	if id, ok := v.ids[s]; ok {
		return id, true
	}
	id, ok := v.ids[foldWord(s)]
	return id, ok
}

func (v *vocabulary) String() string { return strings.Join(v.names, ", ") }

// foldWord is s trimmed, in lower case, with spaces and underscores as
// hyphens.
func foldWord(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '_':
			return '-'
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
