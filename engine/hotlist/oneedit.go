package hotlist

import "math/bits"

// editIndex finds the high-priority entries one edit (a character
// substituted, missing or extra) away from a read, by deletion
// neighbourhoods: it holds each such mark and the mark with each one
// character deleted. A read is one edit from a listed mark exactly when the
// read, or the read with one character deleted, is among those keys (and
// the candidate passes an exact check). A read costs one probe per
// character plus one, each first tried against a filter so that most cost
// no memory access beyond it.
type editIndex struct {
	entries int // main index entries held

	keys  []key
	ents  []uint32 // ents[j] is the main index entry keys[j] came from
	dir   []uint32
	shift uint

	filter filter
}

func buildEditIndex(recs []record, maxPriority uint8) *editIndex {
	var keys []key
	var ents []uint32
	entries := 0
	for i := range recs {
		if recs[i].priority <= maxPriority {
			entries++
			keys, ents = appendEditKeys(keys, ents, recs[i].key, uint32(i))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	nbits := bucketBits(len(keys))
	e := &editIndex{entries: entries, shift: 64 - nbits}
	dir, order := groupByBucket(len(keys), nbits, func(i int) uint64 {
		return uint64(keys[i]) * hashEdit >> e.shift
	})
	e.dir = dir
	e.keys = make([]key, len(keys))
	e.ents = make([]uint32, len(keys))
	for j, i := range order {
		e.keys[j], e.ents[j] = keys[i], ents[i]
	}
	e.filter = newFilter(len(e.keys), 16)
	for _, k := range e.keys {
		e.filter.add(k)
	}
	return e
}

// filterProbes puts in maybe the keys a read is to be looked up by that the
// filter lets past, and returns how many: of the read itself and the read
// with each character deleted (one of a run of equal characters, as
// deleting any gives the same key).
func (e *editIndex) filterProbes(read key, maybe *[MaxVRMLen + 1]key) int {
	n := 0
	if e.filter.has(read) {
		maybe[n] = read
		n++
	}
	if read.len() < 2 {
		return n
	}
	prev := key(0)
	for j := range read.len() {
		c := read >> (charBits * j) & charMask
		if c == prev {
			continue
		}
		prev = c
		if d := read.without(j); e.filter.has(d) {
			maybe[n] = d
			n++
		}
	}
	return n
}

// appendEditKeys appends the keys record i, of mark k, is found by: k and k
// with each character deleted.
func appendEditKeys(keys []key, ents []uint32, k key, i uint32) ([]key, []uint32) {
	keys = append(keys, k)
	ents = append(ents, i)
	if k.len() < 2 {
		return keys, ents
	}
	for j := range k.len() {
		// Deleting either of two equal neighbours gives the same key.
		if j > 0 && k.at(j) == k.at(j-1) {
			continue
		}
		keys = append(keys, k.without(j))
		ents = append(ents, i)
	}
	return keys, ents
}

// lookup returns the positions of the keys that may equal k, which the
// caller has tried against the filter.
func (e *editIndex) lookup(k key) (lo, hi uint32) {
	b := uint64(k) * hashEdit >> e.shift
	return e.dir[b], e.dir[b+1]
}

func (e *editIndex) bytes() int {
	return 12*len(e.keys) + 4*len(e.dir) + e.filter.bytes()
}

// oneEdit returns how read differs from listed when they are exactly one
// edit apart.
func oneEdit(read, listed key) (Difference, bool) {
	rn, ln := read.len(), listed.len()
	i := 0 // length of the common prefix
	for i < rn && i < ln && read.at(i) == listed.at(i) {
		i++
	}
	// The rest must agree once the edit at i is stepped over.
	rest := func(ri, li int) bool {
		for ri < rn && li < ln {
			if read.at(ri) != listed.at(li) {
				return false
			}
			ri++
			li++
		}
		return ri == rn && li == ln
	}
	switch {
	case rn == ln && i < rn && rest(i+1, i+1):
		return Difference{Position: i + 1, Read: read.text(i), Listed: listed.text(i)}, true
	case rn == ln+1 && rest(i+1, i):
		return Difference{Position: i + 1, Read: read.text(i)}, true
	case rn+1 == ln && rest(i, i+1):
		return Difference{Position: i + 1, Listed: listed.text(i)}, true
	}
	return Difference{}, false
}

// bucketBits is the directory size for n keys: a power of two at most n,
// so buckets hold one or two keys on average.
func bucketBits(n int) uint {
	return uint(max(1, bits.Len(uint(n))-1))
}

// groupByBucket orders keys by bucket (stably) with a counting sort and
// returns the directory and the order: position j of the result holds key
// order[j].
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
