package hotlist

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// MatchKind says how a read matched a listed mark.
type MatchKind uint8

const (
	// Exact: the read is the listed mark.
	Exact MatchKind = iota + 1
	// Confusion: the read differs from the listed mark only where the
	// confusion model says a reader mistakes one character for another
	// (8 for B, 0 for O...), at no more than Options.MaxConfusions places.
	Confusion
	// OneEdit: the read is one character substituted, missing or extra
	// away from a mark of a high-priority entry (Options.OneEditPriority).
	OneEdit
)

func (k MatchKind) String() string {
	switch k {
	case Exact:
		return "exact"
	case Confusion:
		return "confusion"
	case OneEdit:
		return "one-edit"
	}
	return fmt.Sprintf("MatchKind(%d)", uint8(k))
}

// MarshalText writes the kind as its name, for JSON alerts.
func (k MatchKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind by its name, for clients of those alerts.
func (k *MatchKind) UnmarshalText(b []byte) error {
	for _, c := range []MatchKind{Exact, Confusion, OneEdit} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown match kind %q (want exact, confusion or one-edit)", b)
}

// Difference is one place where a read differs from the listed mark: the
// evidence an operator weighs before acting on a possible misread.
type Difference struct {
	// Position counts from 1: in the listed mark when the read lacks a
	// character, in the read otherwise (substitutions keep positions).
	Position int `json:"position"`
	// Read is the character read there, empty when the read lacks one.
	Read string `json:"read,omitempty"`
	// Listed is the listed mark's character there, empty when the read has
	// an extra one.
	Listed string `json:"listed,omitempty"`
	// Weight is how likely the confusion model says a reader is to read
	// Listed as Read, 0 when it is not a confusion.
	Weight float64 `json:"weight,omitempty"`
}

func (d Difference) String() string {
	switch {
	case d.Read == "":
		return fmt.Sprintf("the read lacks the list's %s at position %d", d.Listed, d.Position)
	case d.Listed == "":
		return fmt.Sprintf("the read has an extra %s at position %d", d.Read, d.Position)
	case d.Weight > 0:
		return fmt.Sprintf("read %s where the list has %s at position %d (confusion weight %.2g)", d.Read, d.Listed, d.Position, d.Weight)
	}
	return fmt.Sprintf("read %s where the list has %s at position %d", d.Read, d.Listed, d.Position)
}

// Hit is a read matching an entry on a hotlist, with how it matched.
type Hit struct {
	Read string    `json:"read"` // the read, normalised
	Kind MatchKind `json:"kind"`
	// Evidence lists where the read differs from Entry.VRM; empty for
	// Exact hits.
	Evidence []Difference `json:"evidence,omitempty"`
	Entry
	Hotlist string `json:"hotlist"` // name the list was loaded under
	Version uint64 `json:"version"` // its version
}

// Explain is the hit in one line for an operator, e.g. "AB12CDE: confusion
// match with A812CDE (PNC, stolen, priority 2): read B where the list has 8
// at position 2 (confusion weight 0.85)".
func (h Hit) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s match with %s (%s, %s, priority %d)", h.Read, h.Kind, h.VRM, h.List, h.Marker, h.Priority)
	for i, d := range h.Evidence {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Matcher checks reads against lists of vehicles of interest. at is when
// the read was made: entries expired by then never hit.
type Matcher interface {
	Match(read string, at time.Time) []Hit
}

// query is one read being matched, worked out once for every list.
type query struct {
	text    string // the read normalised; "" until a hit needs it
	key     key
	folded  key
	hash    uint64 // spread(folded)
	probe   sigProbe
	probeOK bool // probe is made
	minute  int64
	cls     *classes
	maxConf int

	// Entries of the current list already matched, so that none hits
	// twice; more spill into seenMore.
	seen     [8]uint32
	nseen    int
	seenMore []uint32
}

func (q *query) readText() string {
	if q.text == "" {
		q.text = q.key.String()
	}
	return q.text
}

func (q *query) hasSeen(i uint32) bool {
	return slices.Contains(q.seen[:q.nseen], i) || slices.Contains(q.seenMore, i)
}

func (q *query) see(i uint32) {
	if q.nseen < len(q.seen) {
		q.seen[q.nseen] = i
		q.nseen++
	} else {
		q.seenMore = append(q.seenMore, i)
	}
}

// confusions returns how the read differs from a listed mark of the same
// length and folded key, if every difference is a confusion the model
// holds (folding also joins characters only linked through a third) and
// there are no more than allowed.
func (q *query) confusions(listed key) ([]Difference, bool) {
	diff := differing(q.key, listed)
	count := bits.OnesCount64(diff)
	if count > q.maxConf {
		return nil, false
	}
	for d := diff; d != 0; d &= d - 1 {
		sh := bits.TrailingZeros64(d)
		r, l := (q.key>>sh)&charMask, (listed>>sh)&charMask
		if q.cls.direct[r]&(1<<l) == 0 {
			return nil, false
		}
	}
	ev := make([]Difference, 0, count)
	for d := diff; d != 0; d &= d - 1 {
		i := bits.TrailingZeros64(d) / charBits
		r, l := q.key.at(i), listed.at(i)
		ev = append(ev, Difference{Position: i + 1, Read: q.key.text(i), Listed: listed.text(i), Weight: q.cls.model.Weight(rune(l), rune(r))})
	}
	return ev, true
}

// appendMatches appends the live entries of x the read hits.
func (x *index) appendMatches(dst []Hit, q *query, lists, markers *vocabulary) []Hit {
	q.nseen, q.seenMore = 0, q.seenMore[:0]
	b := x.block(q.hash)
	count := b.count
	// The one-edit filter is tried before the block is looked into: its
	// probes do not depend on the block, whose line is mostly still on its
	// way from memory, and the processor works on both at once.
	var maybe [MaxVRMLen + 1]key // probes the filter lets past
	nmaybe := 0
	if x.edit != nil {
		nmaybe = x.edit.filterProbes(q.key, &maybe)
	}
	if !q.probeOK {
		q.probe, q.probeOK = newSigProbe(q.cls.signature(q.key), q.maxConf), true
	}
	for found := b.match(count, q.probe); found != 0; found &= found - 1 {
		dst = x.appendCandidate(dst, q, b.start+uint32(bits.TrailingZeros32(found)), lists, markers)
	}
	for i := b.start + blockLanes; i < b.start+count; i++ { // the rare block with more
		dst = x.appendCandidate(dst, q, i, lists, markers)
	}
	for _, p := range maybe[:nmaybe] {
		dst = x.appendOneEdit(dst, q, p, lists, markers)
	}
	return dst
}

// appendCandidate appends record i if it is live and the read is its mark
// or a confusion of it.
func (x *index) appendCandidate(dst []Hit, q *query, i uint32, lists, markers *vocabulary) []Hit {
	k := x.rec(i).key
	switch {
	case k == q.key:
		q.see(i)
		if x.live(i, q.minute) {
			dst = append(dst, x.hit(i, q, Exact, nil, lists, markers))
		}
	case k.len() == q.key.len() && q.cls.fold(k) == q.folded:
		ev, ok := q.confusions(k)
		if !ok {
			return dst
		}
		q.see(i)
		if x.live(i, q.minute) {
			dst = append(dst, x.hit(i, q, Confusion, ev, lists, markers))
		}
	}
	return dst
}

// appendOneEdit appends the entries of the one-edit index under probe that
// are one edit from the read and not hit already.
func (x *index) appendOneEdit(dst []Hit, q *query, probe key, lists, markers *vocabulary) []Hit {
	lo, hi := x.edit.lookup(probe)
	for j := lo; j < hi; j++ {
		if x.edit.keys[j] != probe {
			continue
		}
		i := x.edit.ents[j]
		if q.hasSeen(i) {
			continue
		}
		d, ok := oneEdit(q.key, x.rec(i).key)
		if !ok {
			continue
		}
		q.see(i)
		if x.live(i, q.minute) {
			dst = append(dst, x.hit(i, q, OneEdit, []Difference{d}, lists, markers))
		}
	}
	return dst
}

func (x *index) hit(i uint32, q *query, kind MatchKind, ev []Difference, lists, markers *vocabulary) Hit {
	h := Hit{
		Read:     q.readText(),
		Kind:     kind,
		Evidence: ev,
		Entry:    x.entry(i, q, lists, markers),
		Hotlist:  x.name,
		Version:  x.version,
	}
	return h
}

// sortHits puts the strongest evidence first, then the most urgent.
func sortHits(hits []Hit) {
	slices.SortStableFunc(hits, func(a, b Hit) int {
		return cmp.Or(
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(len(a.Evidence), len(b.Evidence)),
			cmp.Compare(a.Priority, b.Priority),
			cmp.Compare(a.Hotlist, b.Hotlist),
			cmp.Compare(a.List, b.List),
			cmp.Compare(a.Marker, b.Marker),
		)
	})
}
