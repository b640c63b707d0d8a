package vrm

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Shares of each format among the marks on UK roads, for GenerateMix and as
// the format prior in candidate scores. They are rough figures judged from
// the age of the fleet, not measurements: most vehicles are less than 20
// years old, so current marks dominate, and a small share of what cameras see
// fits no UK format (foreign vehicles, misspaced personal plates).
const (
	shareCurrent         = 0.878
	sharePrefix          = 0.06
	shareSuffix          = 0.01
	shareDateless        = 0.03
	shareNorthernIreland = 0.015
	shareQPlate          = 0.002
	shareUnknown         = 0.005
)

// currentAgeDecayYears shapes the age of current marks in GenerateMix: the
// share of an age identifier falls by a factor e every this many years of
// age, so recent ones are the commonest (the average car on UK roads is about
// 8 years old).
const currentAgeDecayYears = 7.0

// Share returns the share of a format among the marks on UK roads (Unknown
// included); it is 0 for a Format that is not one of the constants.
func Share(f Format) float64 {
	switch f {
	case Current:
		return shareCurrent
	case Prefix:
		return sharePrefix
	case Suffix:
		return shareSuffix
	case Dateless:
		return shareDateless
	case NorthernIreland:
		return shareNorthernIreland
	case QPlate:
		return shareQPlate
	case Unknown:
		return shareUnknown
	}
	return 0
}

// Letters each part of a mark is drawn from.
const (
	memoryTagLetters = "ABCDEFGHJKLMNOPRSTUVWXY"  // no I, Q, Z
	randomLetters    = "ABCDEFGHJKLMNOPRSTUVWXYZ" // no I, Q
	serialLetters    = "ABCDEFGHJKLMNOPRSTUVWXY"  // no I, Q, Z: prefix, suffix, Q plate and dateless letters
	anyLetters       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// Generate returns a random valid mark of format f issued no later than asOf
// (a zero asOf sets no limit). Dated formats keep to their own years: when
// asOf is before a format began, the mark carries its first identifier. For
// Unknown, and any Format not among the constants, the mark is a
// foreign-looking one that fits no UK format. A nil rng draws from a random
// seed.
func Generate(rng *rand.Rand, f Format, asOf time.Time) Mark {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	limit := limitOf(asOf)
	switch f {
	case Current:
		latest := latestHalf(limit)
		return markOf(currentMark(rng, rng.IntN(latest+1)))
	case Prefix:
		return markOf(prefixMark(rng, pickLetter(rng, prefixLetters, limit)))
	case Suffix:
		return markOf(suffixMark(rng, pickLetter(rng, suffixLetters, limit)))
	case Dateless:
		return markOf(datelessMark(rng))
	case NorthernIreland:
		return markOf(northernIrishMark(rng))
	case QPlate:
		return markOf("Q" + number(rng, 999) + letters(rng, serialLetters, 3))
	}
	text := foreignMark(rng)
	return Mark{Text: text, Display: FormatDisplay(text), Format: Unknown}
}

// GenerateMix returns a random mark as a camera on a UK road would see it:
// formats in their on-road shares (see Share), and current marks of every age
// issued by asOf, recent ones the commonest.
func GenerateMix(rng *rand.Rand, asOf time.Time) Mark {
	if rng == nil {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	r := rng.Float64()
	for _, f := range Formats {
		if r -= Share(f); r < 0 {
			if f == Current {
				return markOf(currentMark(rng, recentHalf(rng, latestHalf(limitOf(asOf)))))
			}
			return Generate(rng, f, asOf)
		}
	}
	return Generate(rng, Unknown, asOf)
}

// markOf dates a generated mark; every generator above makes only valid
// marks, which the tests check by the ten thousand.
func markOf(text string) Mark {
	s, sp, _ := check(text, noLimit)
	return Mark{Text: text, Display: display(text, s.split), Format: s.format, Period: sp.period()}
}

// latestHalf is the index of the latest age identifier issued by the month
// limit (0 = 51, September 2001), at least 0.
func latestHalf(limit month) int {
	since := int(limit - firstAgeMonth)
	switch {
	case limit == noLimit || since/6 > lastAgeHalf:
		return lastAgeHalf
	case since < 0:
		return 0
	}
	return since / 6
}

// recentHalf draws a half-year index up to latest, each half-year back less
// likely by the factor exp(-0.5/currentAgeDecayYears): a truncated geometric
// distribution of age, sampled by inverting its distribution function.
func recentHalf(rng *rand.Rand, latest int) int {
	q := math.Exp(-0.5 / currentAgeDecayYears)
	tail := 1 - math.Pow(q, float64(latest+1))
	age := int(math.Ceil(math.Log(1-rng.Float64()*tail)/math.Log(q))) - 1
	return latest - min(max(age, 0), latest)
}

func currentMark(rng *rand.Rand, half int) string {
	id := ageFromHalf(half)
	return letters(rng, memoryTagLetters, 2) + string([]byte{'0' + byte(id/10), '0' + byte(id%10)}) + letters(rng, randomLetters, 3)
}

func prefixMark(rng *rand.Rand, year byte) string {
	return string(year) + number(rng, 999) + letters(rng, serialLetters, 3)
}

func suffixMark(rng *rand.Rand, year byte) string {
	return letters(rng, serialLetters, 3) + number(rng, 999) + string(year)
}

// pickLetter draws a year letter issued by the month limit, or the table's
// first when none was.
func pickLetter(rng *rand.Rand, table []yearLetter, limit month) byte {
	issued := 0
	for issued < len(table) && table[issued].span.from <= limit {
		issued++
	}
	if issued == 0 {
		return table[0].letter
	}
	return table[rng.IntN(issued)].letter
}

// datelessMark draws from the common dateless styles: three letters and up
// to three digits (the 1932-1963 series), two letters and up to four digits,
// and the reversed "1234 AB" forms.
func datelessMark(rng *rand.Rand) string {
	switch r := rng.Float64(); {
	case r < 0.55:
		return letters(rng, serialLetters, 3) + number(rng, 999)
	case r < 0.70:
		return letters(rng, serialLetters, 2) + number(rng, 9999)
	case r < 0.75:
		return letters(rng, serialLetters, 1) + number(rng, 9999)
	case r < 0.90:
		return number(rng, 9999) + letters(rng, serialLetters, 1+rng.IntN(2))
	default:
		return number(rng, 999) + letters(rng, serialLetters, 3)
	}
}

// northernIrishMark draws a Northern Irish code (a letter and Z, or I and a
// letter), usually after a serial letter, then up to four digits.
func northernIrishMark(rng *rand.Rand) string {
	code := "I" + letters(rng, serialLetters, 1)
	if rng.IntN(2) == 0 {
		code = letters(rng, serialLetters, 1) + "Z"
	}
	if rng.Float64() < 0.7 {
		code = letters(rng, serialLetters, 1) + code
	}
	return code + number(rng, 9999)
}

// foreignMark draws a mark in a foreign style that fits no UK format: French
// "AB-123-CD", German "HH-AB 123", Dutch "12-ABC-3", Irish "231-D-4567".
func foreignMark(rng *rand.Rand) string {
	const foreignMaxLen = 8 // no European mark in these styles is longer
	for range 8 {
		var text string
		switch rng.IntN(4) {
		case 0:
			text = letters(rng, anyLetters, 2) + digitString(rng, 3) + letters(rng, anyLetters, 2)
		case 1:
			// A German mark has at most eight characters in all.
			text = letters(rng, anyLetters, 1+rng.IntN(3)) + letters(rng, anyLetters, 1+rng.IntN(2))
			text += number(rng, []int{0, 9, 99, 999, 9999}[min(4, foreignMaxLen-len(text))])
		case 2:
			text = digitString(rng, 2) + letters(rng, anyLetters, 3) + digitString(rng, 1)
		default:
			text = digitString(rng, 3) + letters(rng, anyLetters, 1) + number(rng, 9999)
		}
		if classify(text).format == Unknown {
			return text
		}
	}
	return letters(rng, anyLetters, 2) + digitString(rng, 3) + letters(rng, anyLetters, 2)
}

func letters(rng *rand.Rand, from string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = from[rng.IntN(len(from))]
	}
	return string(b)
}

// number is a number from 1 to most, written without leading zeros.
func number(rng *rand.Rand, most int) string {
	return strconv.Itoa(1 + rng.IntN(most))
}

// digitString is n random digits, leading zeros allowed.
func digitString(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0' + byte(rng.IntN(10))
	}
	return string(b)
}
