package hotlist

import "anpr/engine/vrm"

// MaxVRMLen is the longest mark a hotlist holds: UK marks have at most 7
// characters and the foreign marks the engine knows at most 8.
const MaxVRMLen = 8

// key is a normalised mark packed into 64 bits: character i (A-Z, 0-9, coded
// 1 to 36) in bits 6i to 6i+5, the length in bits 48 to 51. Equal marks have
// equal keys, and no mark has key 0.
type key uint64

const (
	charBits = 6
	charMask = 1<<charBits - 1
	lenShift = MaxVRMLen * charBits
	textMask = 1<<lenShift - 1
)

// codeOf is a character's code (0: not allowed in a mark); charOf inverts it.
var codeOf, charOf = func() (codes [256]uint8, chars [64]byte) {
	for i := range 36 {
		c := byte('0' + i)
		if i >= 10 {
			c = byte('A' + i - 10)
		}
		codes[c] = uint8(i + 1)
		chars[i+1] = c
	}
	return
}()

// packKey packs a normalised mark; ok is false for an empty or too long
// mark, or one with a character other than A-Z and 0-9.
func packKey(text string) (k key, ok bool) {
	n := len(text)
	if n == 0 || n > MaxVRMLen {
		return 0, false
	}
	var x uint64
	for i := 0; i < n; i++ {
		c := codeOf[text[i]]
		if c == 0 {
			return 0, false
		}
		x |= uint64(c) << (charBits * i)
	}
	return key(x | uint64(n)<<lenShift), true
}

// markCode is how packMark takes each byte: a character's code, with
// markDirty set for a lower-case letter; markSkip (dirty too) for a byte
// normalising drops; 0 for any other.
var markCode = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == ' ' || c == '-' || c >= '\t' && c <= '\r':
			t[c] = markSkip | markDirty
		case c >= 'a' && c <= 'z':
			t[c] = codeOf[c-'a'+'A'] | markDirty
		default:
			t[c] = codeOf[c]
		}
	}
	return
}()

const (
	markDirty = 1 << 6
	markSkip  = 1 << 7
)

// packMark normalises and packs a mark in one pass, as vrm.Normalise then
// packKey would, without making a string: spaces and hyphens dropped,
// letters put in upper case. ok is false for anything but a mark of ASCII
// letters, digits, spaces and hyphens, which callers then take the long
// way. clean says the mark needed no normalising.
func packMark[S string | []byte](s S) (k key, clean, ok bool) {
	var x uint64
	n := 0
	var dirty uint8
	for i := 0; i < len(s); i++ {
		t := markCode[s[i]]
		dirty |= t
		if t&markSkip != 0 {
			continue
		}
		if t == 0 || n == MaxVRMLen {
			return 0, false, false
		}
		x |= uint64(t&charMask) << (charBits * n)
		n++
	}
	if n == 0 {
		return 0, false, false
	}
	return key(x | uint64(n)<<lenShift), dirty&markDirty == 0, true
}

func (k key) len() int { return int(k >> lenShift) }

// at is the character at position i (from 0).
func (k key) at(i int) byte { return charOf[(k>>(charBits*i))&charMask] }

// charText is each character as a string, so that a hit's evidence does not
// allocate one.
var charText = func() (t [64]string) {
	for code := 1; code <= 36; code++ {
		t[code] = string(charOf[code : code+1])
	}
	return
}()

// text is the character at position i as a string.
func (k key) text(i int) string { return charText[(k>>(charBits*i))&charMask] }

func (k key) String() string {
	var b [MaxVRMLen]byte
	n := k.len()
	for i := range n {
		b[i] = k.at(i)
	}
	return string(b[:n])
}

// without is the key of the mark with its character at position i removed.
func (k key) without(i int) key {
	low := uint64(k) & (1<<(charBits*i) - 1)
	high := (uint64(k) & textMask) >> (charBits * (i + 1)) << (charBits * i)
	return key(low | high | uint64(k.len()-1)<<lenShift)
}

// classes folds each character to one representative of its confusion class:
// the characters a reader may mistake for one another, directly or through a
// chain (1/I, I/T and T/7 put 1 and 7 in one class). Two marks of one length
// whose folded keys are equal are candidates for a confusion match; the
// model's own pairs then say whether each differing position really is a
// confusion.
type classes struct {
	model *vrm.ConfusionModel
	// fold2 folds two characters (12 bits) at once.
	fold2 [1 << (2 * charBits)]uint16
	// direct has bit b of direct[a] set when the model itself pairs the
	// characters coded a and b.
	direct [64]uint64
	// sig holds each character's bits in a signature at each position.
	sig [MaxVRMLen][64]uint16
}

func newClasses(m *vrm.ConfusionModel) *classes {
	// Union-find over the model's confusable pairs: the pairs are data
	// (engine/vrm/data/gb-confusions.txt), so the classes follow the file.
	var parent [64]uint8
	var direct [64]uint64
	for i := range parent {
		parent[i] = uint8(i)
	}
	var find func(uint8) uint8
	find = func(x uint8) uint8 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for a := 1; a <= 36; a++ {
		for b := a + 1; b <= 36; b++ {
			if m.Confusable(rune(charOf[a]), rune(charOf[b])) {
				direct[a] |= 1 << b
				direct[b] |= 1 << a
				ra, rb := find(uint8(a)), find(uint8(b))
				if ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	var fold [64]uint16
	for i := range uint8(64) {
		fold[i] = uint16(find(i))
	}
	c := &classes{model: m, direct: direct}
	for x := range len(c.fold2) {
		c.fold2[x] = fold[x&charMask] | fold[x>>charBits]<<charBits
	}
	// A character's signature bits at a position are its place among its
	// class's characters, mixed with a hash of the class and the position.
	var member, members [64]uint16
	for code := 1; code <= 36; code++ {
		member[code] = members[fold[code]]
		members[fold[code]]++
	}
	for pos := range MaxVRMLen {
		for code := 1; code <= 36; code++ {
			h := (uint64(fold[code])*hashMain + uint64(pos)*hashEdit) * hashFilter >> 60
			c.sig[pos][code] = (member[code] ^ uint16(h)) & 3 << (2 * pos)
		}
	}
	return c
}

// signature is a 16-bit digest of a mark, two bits for each position, such
// that the signatures of two marks of one length differ at no more
// positions than the marks do. Marks of one folded key differ at a position
// exactly when their signatures do (but where a class has more than four
// characters), so the signatures tell which of them may be a confusion of
// a read; other marks' signatures agree at a position one time in four.
func (c *classes) signature(k key) uint16 {
	var s uint16
	for i := range k.len() {
		s |= c.sig[i][k>>(charBits*i)&charMask]
	}
	return s
}

// fold is the key with every character replaced by its class's
// representative.
func (c *classes) fold(k key) key {
	x := uint64(k)
	out := x &^ textMask
	for sh := 0; sh < lenShift; sh += 2 * charBits {
		out |= uint64(c.fold2[(x>>sh)&(1<<(2*charBits)-1)]) << sh
	}
	return key(out)
}

// lowBits has the lowest bit of each character's field set.
const lowBits = 0x041041041041

// differing returns the positions (bit 6i for position i) at which two keys
// of the same length differ.
func differing(a, b key) uint64 {
	d := uint64(a^b) & textMask
	// Gather each field's six bits into its lowest: spans of 2, 4, then 6.
	// One more (a shift of 3) would take in the next field's lowest bit.
	d |= d >> 1
	d |= d >> 2
	d |= d >> 2
	return d & lowBits
}
