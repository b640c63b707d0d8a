package hotlist

import (
	"math/bits"
	"time"
)

// index is one version of one loaded hotlist. It is immutable once built,
// so any number of goroutines match against it while a newer version is
// built beside it.
//
// Entries are stored by column and grouped by a hash of their folded key
// (see classes): the entries that can match a read exactly or by confusion
// are the few in one bucket, found with one directory lookup. That costs
// about 8 bytes of mark, 20 of record, 2 to 4 of directory and the owner
// reference's own bytes per entry.
type index struct {
	name    string
	file    string
	version uint64
	loaded  time.Time

	keys  []key    // exact marks, grouped by bucket
	recs  []record // recs[i] belongs to keys[i]
	dir   []uint32 // bucket b holds keys[dir[b]:dir[b+1]]
	shift uint     // bucket = hash >> shift
	// folded holds the folded keys, so that most reads that match nothing
	// are told so without touching dir or keys.
	folded filter

	owners  []byte   // owner references, end to end
	actions []string // action texts; actions[0] is ""

	edit *editIndex // entries that also match one edit away; nil if none
}

// Multipliers for Fibonacci-style hashing of keys; different ones keep the
// main index, the one-edit index and its filter independent.
const (
	hashMain   = 0x9E3779B97F4A7C15
	hashEdit   = 0xC2B2AE3D27D4EB4F
	hashFilter = 0x165667B19E3779F9
)

// bucketBits is the directory size for n entries: a power of two at most n,
// so buckets hold one or two entries on average.
func bucketBits(n int) uint {
	return uint(max(1, bits.Len(uint(n))-1))
}

// groupByBucket orders entries by bucket (stably) with a counting sort, so
// that a reload of millions of entries takes linear time, and returns the
// directory and the order: position j of the result holds entry order[j].
func groupByBucket(n int, nbits uint, bucket func(i int) uint64) (dir, order []uint32) {
	nb := 1 << nbits
	dir = make([]uint32, nb+1)
	of := make([]uint32, n)
	for i := range n {
		b := uint32(bucket(i))
		of[i] = b
		dir[b]++
	}
	// dir[b] becomes the end of bucket b, then walking back its start.
	var sum uint32
	for b := range nb {
		sum += dir[b]
		dir[b] = sum
	}
	dir[nb] = sum
	order = make([]uint32, n)
	for i := n - 1; i >= 0; i-- {
		b := of[i]
		dir[b]--
		order[dir[b]] = uint32(i)
	}
	return dir, order
}

// buildIndex turns a builder's rows into an index; the builder's columns
// are not used afterwards.
func buildIndex(b *builder, cls *classes, oneEditPriority int) *index {
	n := len(b.keys)
	nbits := bucketBits(n)
	shift := 64 - nbits
	dir, order := groupByBucket(n, nbits, func(i int) uint64 {
		return uint64(cls.fold(b.keys[i])) * hashMain >> shift
	})
	x := &index{
		keys:    make([]key, n),
		recs:    make([]record, n),
		dir:     dir,
		shift:   shift,
		folded:  newFilter(n, 8),
		owners:  b.owners,
		actions: b.actions,
	}
	for j, i := range order {
		x.keys[j] = b.keys[i]
		x.recs[j] = b.recs[i]
		x.folded.add(cls.fold(b.keys[i]))
	}
	if oneEditPriority > 0 {
		x.edit = buildEditIndex(x.keys, x.recs, uint8(oneEditPriority))
	}
	return x
}

// bucket returns the positions of the entries whose folded key may equal
// folded.
func (x *index) bucket(folded key) (lo, hi uint32) {
	if !x.folded.has(folded) { // most reads are of no listed vehicle: one cache line says so
		return 0, 0
	}
	b := uint64(folded) * hashMain >> x.shift
	return x.dir[b], x.dir[b+1]
}

// live reports whether entry i alerts at minute m.
func (x *index) live(i uint32, m int64) bool {
	e := x.recs[i].expires
	return e == 0 || m < int64(e)
}

// entry rebuilds entry i for a hit on a read.
func (x *index) entry(i uint32, read key, text string, lists, markers *vocabulary) Entry {
	r := &x.recs[i]
	vrm := text // saves making the string on exact hits
	if read != x.keys[i] {
		vrm = x.keys[i].String()
	}
	return Entry{
		VRM:      vrm,
		List:     lists.names[r.list],
		Marker:   markers.names[r.marker],
		Priority: int(r.priority),
		Action:   x.actions[r.action],
		Added:    r.added.time(),
		Expires:  r.expires.time(),
		OwnerRef: string(x.owners[r.owner : r.owner+uint32(r.ownerLen)]),
	}
}

// bytes is the memory the index holds, for reports.
func (x *index) bytes() int {
	n := 8*len(x.keys) + 20*len(x.recs) + 4*len(x.dir) + x.folded.bytes() + len(x.owners)
	for _, a := range x.actions {
		n += len(a) + 16
	}
	if x.edit != nil {
		n += x.edit.bytes()
	}
	return n
}
