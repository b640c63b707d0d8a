package hotlist

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

func buildEditIndex(mainKeys []key, recs []record, maxPriority uint8) *editIndex {
	var keys []key
	var ents []uint32
	entries := 0
	for i, k := range mainKeys {
		if recs[i].priority > maxPriority {
			continue
		}
		entries++
		keys = append(keys, k)
		ents = append(ents, uint32(i))
		if k.len() < 2 {
			continue
		}
		for j := range k.len() {
			// Deleting either of two equal neighbours gives the same key.
			if j > 0 && k.at(j) == k.at(j-1) {
				continue
			}
			keys = append(keys, k.without(j))
			ents = append(ents, uint32(i))
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

// lookup returns the positions of the keys that may equal k: an empty range
// when the filter rules k out.
func (e *editIndex) lookup(k key) (lo, hi uint32) {
	if !e.filter.has(k) {
		return 0, 0
	}
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
		return Difference{Position: i + 1, Read: string(read.at(i)), Listed: string(listed.at(i))}, true
	case rn == ln+1 && rest(i+1, i):
		return Difference{Position: i + 1, Read: string(read.at(i))}, true
	case rn+1 == ln && rest(i, i+1):
		return Difference{Position: i + 1, Listed: string(listed.at(i))}, true
	}
	return Difference{}, false
}
