package sqlite

import (
	"encoding/binary"
	"errors"
)

// idFilter is a Bloom filter of the read IDs a sealed segment holds: it
// says for certain that an ID is not there, or that it may be, when the
// segment's ID index is asked. Blocked: all of an ID's bits are in one
// 64-byte block, one cache line, so a check costs one memory fetch. At
// filterBitsPerID bits an ID it answers "may be" for about 0.2% of IDs that
// are not there. Reads deleted from the segment stay in it: they cost only
// a needless look in the index.
//
// It is kept in the file with its segment, so its hash must never change:
// hashID is FNV-1a, and the encoding starts with filterMagic.
type idFilter struct {
	blocks [][8]uint64
}

const (
	filterBitsPerID = 16
	filterProbes    = 7 // bits set per ID, 9 bits of the hash each
	filterMagic     = "idbloom1"
)

func newIDFilter(ids int) *idFilter {
	n := max(1, (ids*filterBitsPerID+511)/512)
	return &idFilter{blocks: make([][8]uint64, n)}
}

// hashID hashes a read ID: FNV-1a, then mixed (the splitmix64 finaliser) so
// that every bit depends on every byte.
func hashID(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// block picks the block of hash h: its high half scaled to the block count.
func (f *idFilter) block(h uint64) *[8]uint64 {
	return &f.blocks[(h>>32)*uint64(len(f.blocks))>>32]
}

func (f *idFilter) add(h uint64) {
	b := f.block(h)
	g := h * 0x9e3779b97f4a7c15 // the bits within the block from a second mix
	for range filterProbes {
		bit := g & 511
		b[bit>>6] |= 1 << (bit & 63)
		g >>= 9
	}
}

// mayContain says whether an ID with hash h may be in the segment.
func (f *idFilter) mayContain(h uint64) bool {
	b := f.block(h)
	g := h * 0x9e3779b97f4a7c15
	for range filterProbes {
		bit := g & 511
		if b[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
		g >>= 9
	}
	return true
}

func (f *idFilter) MarshalBinary() ([]byte, error) {
	out := make([]byte, len(filterMagic), len(filterMagic)+64*len(f.blocks))
	copy(out, filterMagic)
	for i := range f.blocks {
		for _, w := range f.blocks[i] {
			out = binary.LittleEndian.AppendUint64(out, w)
		}
	}
	return out, nil
}

func (f *idFilter) UnmarshalBinary(data []byte) error {
	if len(data) < len(filterMagic) || string(data[:len(filterMagic)]) != filterMagic ||
		(len(data)-len(filterMagic))%64 != 0 || len(data) == len(filterMagic) {
		return errors.New("not an ID filter of this version")
	}
	data = data[len(filterMagic):]
	f.blocks = make([][8]uint64, len(data)/64)
	for i := range f.blocks {
		for j := range f.blocks[i] {
			f.blocks[i][j] = binary.LittleEndian.Uint64(data[64*i+8*j:])
		}
	}
	return nil
}
