package hotlist

import "math/bits"

// filter is a blocked Bloom filter of keys: three bits in one 64-bit word
// per key. Far smaller than what it guards, it stays in cache and spares
// most probes of keys it does not hold a trip to memory: with 16 bits a key
// about one in 130 gets past it, with 26 (sizes are rounded up to powers of
// two) one in 380.
type filter struct {
	words []uint64
	shift uint
}

func newFilter(n, bitsPerKey int) filter {
	wbits := uint(max(1, bits.Len(uint(n*bitsPerKey/64))))
	return filter{words: make([]uint64, 1<<wbits), shift: 64 - wbits}
}

// slot picks the word from the top bits of the key's product with a
// constant and the three bits from the 18 bits below them, which depend on
// nearly all of the key too (the product's lowest bits depend only on a
// mark's first characters, and would let far more absent keys past).
func (f filter) slot(k key) (word uint64, mask uint64) {
	h := uint64(k) * hashFilter
	m := h << (64 - f.shift)
	return h >> f.shift, 1<<(m>>58) | 1<<((m>>52)&63) | 1<<((m>>46)&63)
}

func (f filter) add(k key) {
	w, mask := f.slot(k)
	f.words[w] |= mask
}

func (f filter) has(k key) bool {
	w, mask := f.slot(k)
	return f.words[w]&mask == mask
}

func (f filter) bytes() int { return 8 * len(f.words) }
