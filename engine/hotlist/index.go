package hotlist

import (
	"encoding/binary"
	"math/bits"
	"time"
	"unsafe"
)

// index is one version of one loaded hotlist. It is immutable once built,
// so any number of goroutines match against it while a newer version is
// built beside it.
//
// Entries are grouped by a hash of their folded key (see classes): the
// entries that can match a read exactly or by confusion all lie in one
// block. A block is one cache line that says where its entries' records
// start and holds each one's signature (see classes.signature): enough to
// tell a read which, if any, of those records may be a match, so that
// most reads touch that one line and no record. That costs 40 bytes of
// record (the owner reference within it unless it is longer than 18
// bytes) and about 4 of block per entry.
type index struct {
	name    string
	file    string
	version uint64
	loaded  time.Time

	recs   []record // grouped by block, in file order within a block
	blocks []block

	owners  [][]byte // owner references too long for their record (see ownerChunkBits)
	actions []string // action texts; actions[0] is ""

	edit *editIndex // entries that also match one edit away; nil if none
}

// Multipliers for hashing keys; different ones keep the main index, the
// one-edit index and its filter independent.
const (
	hashMain   = 0x9E3779B97F4A7C15
	hashEdit   = 0xC2B2AE3D27D4EB4F
	hashFilter = 0x165667B19E3779F9
)

const (
	// blockLanes is how many entries a block describes: a block's entries
	// beyond that many are checked by their records.
	blockLanes = 28
	// blockLoad is how many entries a block holds on average. Were folded
	// keys spread evenly, hardly a block would have more than blockLanes,
	// but marks crowd some of them: against the synthetic national list
	// about one read in 200 meets such a block (one in 30 with 16 a block).
	blockLoad = 12

	lanes      = 0x0001000100010001 // the lowest bit of each 16-bit lane
	lanesHigh  = 0x8000800080008000 // the highest
	lanesEven  = 0x5555555555555555
	lanesPairs = 0x3333333333333333
	lanesNibs  = 0x0F0F0F0F0F0F0F0F
	lanesBytes = 0x00FF00FF00FF00FF
)

// block is one cache line: the records its entries take in index.recs
// (start, count) and the signatures of the first blockLanes of them, four
// to a word, that of record start+j in lane j.
type block struct {
	start, count uint32
	lanes        [blockLanes / 4]uint64
}

// spread hashes a folded key to 64 well-mixed bits, of which blockOf takes
// the top 32.
func spread(folded key) uint64 {
	h := uint64(folded) * hashMain
	h ^= h >> 32
	h *= hashFilter
	return h ^ h>>29
}

// blockOf maps a hash onto one of n blocks by its top 32 bits.
func blockOf(h uint64, n int) uint64 { return (h >> 32) * uint64(n) >> 32 }

// block is the block for hash h.
func (x *index) block(h uint64) *block { return &x.blocks[blockOf(h, len(x.blocks))] }

// sigProbe is what a block is searched with for one read: its signature in
// every lane, and how far a lane's signature may differ from it.
type sigProbe struct {
	sig uint64 // the read's signature in every lane
	far uint64 // in every lane 0x7FFF less the most positions allowed to differ
}

func newSigProbe(sig uint16, maxDiff int) sigProbe {
	return sigProbe{sig: uint64(sig) * lanes, far: uint64(0x7FFF-min(maxDiff, MaxVRMLen)) * lanes}
}

// match returns, as a bit set over the block's first blockLanes records,
// those whose signature differs from the probe's at no more than the
// positions allowed. Records start+blockLanes on, if the block has any,
// are not in the set.
func (b *block) match(count uint32, p sigProbe) uint32 {
	n := min(count, blockLanes)
	var found uint32
	for w := uint32(0); 4*w < n; w++ {
		v := b.lanes[w]
		// Set the low bit of each pair of bits that differs, then count
		// them in each lane.
		d := v ^ p.sig
		d = (d | d>>1) & lanesEven
		d = d&lanesPairs + d>>2&lanesPairs
		d = (d + d>>4) & lanesNibs
		d = (d + d>>8) & lanesBytes
		// A lane's high bit is set where more differ than allowed.
		near := ^(d + p.far) & lanesHigh
		for ; near != 0; near &= near - 1 {
			found |= 1 << (4*w + uint32(bits.TrailingZeros64(near))/16)
		}
	}
	return found & (1<<n - 1)
}

// partBits sets how many parts a builder sorts rows into as it reads them,
// by the top bits of their hash: as blockOf keeps the order of hashes,
// each part's rows go to a run of blocks and records of their own.
const partBits = 8

// buildIndex turns a builder's rows into an index; the builder is not used
// afterwards. Rows are placed by a counting sort on their block, part by
// part, so that a reload of millions of entries takes two passes over them
// and each pass writes to a window of the index small enough for the
// processor's caches rather than all over it.
func buildIndex(b *builder, cls *classes, oneEditPriority int, loaded time.Time) *index {
	n := b.rows()
	x := &index{
		loaded:  loaded,
		recs:    make([]record, n),
		blocks:  make([]block, max(1, (n+blockLoad-1)/blockLoad)),
		owners:  b.owners,
		actions: b.actions,
	}
	adviseHugePages(x.recs)
	adviseHugePages(x.blocks)
	nb := len(x.blocks)
	// Count each block's rows. Hashing again is cheaper than keeping each
	// row's hash between the passes.
	for _, part := range &b.parts {
		for _, chunk := range part {
			for i := range chunk {
				x.blocks[blockOf(spread(cls.fold(chunk[i].key)), nb)].count++
			}
		}
	}
	var sum uint32
	for i := range x.blocks {
		x.blocks[i].start = sum
		sum += x.blocks[i].count
		x.blocks[i].count = 0 // counted again as rows are placed
	}
	for p, part := range &b.parts {
		for _, chunk := range part {
			for i := range chunk {
				r := &chunk[i]
				blk := &x.blocks[blockOf(spread(cls.fold(r.key)), nb)]
				j := blk.count
				blk.count++
				x.recs[blk.start+j] = *r
				if j < blockLanes {
					blk.lanes[j/4] |= uint64(cls.signature(r.key)) << (16 * (j % 4))
				}
			}
		}
		b.parts[p] = nil
	}
	if oneEditPriority > 0 {
		x.edit = buildEditIndex(x.recs, uint8(oneEditPriority))
	}
	return x
}

// rec is record i.
func (x *index) rec(i uint32) *record { return &x.recs[i] }

// live reports whether record i alerts at minute m.
func (x *index) live(i uint32, m int64) bool {
	e := x.rec(i).expires
	return e == 0 || m < int64(e)
}

// entry rebuilds record i for a hit on a read.
func (x *index) entry(i uint32, q *query, lists, markers *vocabulary) Entry {
	r := x.rec(i)
	vrm := q.readText() // saves making the string on exact hits
	if r.key != q.key {
		vrm = r.key.String()
	}
	var owner string
	if n := int(r.ownerLen); n <= len(r.owner) {
		owner = string(r.owner[:n])
	} else {
		ref := binary.LittleEndian.Uint32(r.owner[:])
		at := ref & (ownerChunkSize - 1)
		owner = string(x.owners[ref>>ownerChunkBits][at : at+uint32(n)])
	}
	return Entry{
		VRM:      vrm,
		List:     lists.names[r.list],
		Marker:   markers.names[r.marker],
		Priority: int(r.priority),
		Action:   x.actions[r.action],
		Added:    r.added.time(),
		Expires:  r.expires.time(),
		OwnerRef: owner,
	}
}

// bytes is the memory the index holds, for reports.
func (x *index) bytes() int {
	n := int(unsafe.Sizeof(record{}))*len(x.recs) + 64*len(x.blocks)
	for _, c := range x.owners {
		n += cap(c) + 24
	}
	for _, a := range x.actions {
		n += len(a) + 16
	}
	if x.edit != nil {
		n += x.edit.bytes()
	}
	return n
}
