package siting

// bitset is a set of small non-negative integers: trips, vehicle-days,
// route units. Every measure is arithmetic on sets like these.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

func (b bitset) set(i int) { b[i>>6] |= 1 << (i & 63) }
