package vrm

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Mark is a registration mark: a valid UK mark, unless Format is Unknown
// (an invalid mark from Parse, or a foreign one from Generate).
type Mark struct {
	Text    string // normalised: upper case, no spaces, e.g. "AB12CDE"
	Display string // with the group space: "AB12 CDE", "A123 BCD", "ABC 123D", "ABC 123", "1234 AB", "ABZ 1234", "Q123 ABC"
	Format  Format
	Period  Period // zero when the format implies no date
}

func (m Mark) String() string { return m.Display }

// ParseError says why a mark is not a valid UK mark.
type ParseError struct {
	Input  string // the mark as given
	Text   string // normalised
	Format Format // the format the mark's shape suggests (see Classify); Unknown if none
	Reason string // e.g. "age identifier 01 was never issued"
}

func (e *ParseError) Error() string { return e.Reason }

// Parse validates a mark as of a date and returns it normalised, formatted
// and dated. asOf decides which age identifiers and year letters have been
// issued: on 25 November 2026 the latest is 76, so "AB77 CDE" is invalid; a
// zero asOf skips that check.
//
// The error, a *ParseError, explains what is wrong (for example `memory tag
// may not contain I, Q or Z` or `too long: 9 characters`). With it Parse
// returns the normalised text and display form, and Format Unknown.
func Parse(raw string, asOf time.Time) (Mark, error) {
	text := Normalise(raw)
	s, sp, f := check(text, limitOf(asOf))
	if f.code != faultNone {
		return Mark{Text: text, Display: FormatDisplay(text), Format: Unknown},
			&ParseError{Input: raw, Text: text, Format: s.format, Reason: f.message(asOf)}
	}
	return Mark{Text: text, Display: display(text, s.split), Format: s.format, Period: sp.period()}, nil
}

// display inserts the group space at split.
func display(text string, split int) string {
	if split <= 0 || split >= len(text) {
		return text
	}
	return text[:split] + " " + text[split:]
}

type faultCode uint8

const (
	faultNone faultCode = iota
	faultEmpty
	faultTooLong
	faultCharacter
	faultShape
	faultMemoryTag
	faultRandomLetters
	faultAgeNeverIssued
	faultAgeFuture
	faultYearLetter
	faultYearFuture
	faultSerialLetters
	faultDatelessLetters
	faultLeadingZero
)

// fault is why a mark is invalid, kept small and free of allocation so that
// the candidate search can reject thousands of strings cheaply; message turns
// it into words only when someone asks.
type fault struct {
	code   faultCode
	format Format
	char   rune
	number int
}

func (f fault) message(asOf time.Time) string {
	switch f.code {
	case faultEmpty:
		return "empty mark"
	case faultTooLong:
		return fmt.Sprintf("too long: %d characters", f.number)
	case faultCharacter:
		return fmt.Sprintf("invalid character %q: marks hold only letters and digits", f.char)
	case faultShape:
		return "letters and digits fit no UK format"
	case faultMemoryTag:
		return "memory tag may not contain I, Q or Z"
	case faultRandomLetters:
		return "random letters may not contain I or Q"
	case faultAgeNeverIssued:
		return "age identifier 01 was never issued"
	case faultAgeFuture:
		return fmt.Sprintf("age identifier %02d is from the future on %s", f.number, asOf.Format(time.DateOnly))
	case faultYearLetter:
		return fmt.Sprintf("%c was never a %s year letter", f.char, f.format)
	case faultYearFuture:
		return fmt.Sprintf("%s year letter %c is from the future on %s", f.format, f.char, asOf.Format(time.DateOnly))
	case faultSerialLetters:
		return fmt.Sprintf("the three letters of a %s mark may not contain I, Q or Z", humanName(f.format))
	case faultDatelessLetters:
		return "dateless letters may not contain I, Q or Z"
	case faultLeadingZero:
		return "number may not start with 0"
	}
	return ""
}

// humanName is how a message names a format.
func humanName(f Format) string {
	if f == QPlate {
		return "Q plate"
	}
	return string(f)
}

// check validates normalised text against the rules of the format its shape
// gives it, accepting identifiers issued up to the month limit.
func check(text string, limit month) (shape, span, fault) {
	if len(text) == 0 {
		return shape{format: Unknown}, span{}, fault{code: faultEmpty}
	}
	for i, r := range text {
		if r >= utf8.RuneSelf || !isLetter(text[i]) && !isDigit(text[i]) {
			return shape{format: Unknown}, span{}, fault{code: faultCharacter, char: r}
		}
	}
	if len(text) > MaxLen { // all ASCII now: bytes are characters
		return shape{format: Unknown}, span{}, fault{code: faultTooLong, number: len(text)}
	}
	s := classify(text)
	if s.format == Unknown {
		return s, span{}, fault{code: faultShape}
	}
	if s.format != Current && text[s.digitsFrom] == '0' {
		return s, span{}, fault{code: faultLeadingZero}
	}
	switch s.format {
	case Current:
		sp, f := checkCurrent(text, limit)
		return s, sp, f
	case Prefix, QPlate:
		if hasAny(text[len(text)-3:], "IQZ") {
			return s, span{}, fault{code: faultSerialLetters, format: s.format}
		}
		if s.format == QPlate {
			return s, span{}, fault{}
		}
		sp, f := checkYearLetter(prefixLetters, Prefix, text[0], limit)
		return s, sp, f
	case Suffix:
		if hasAny(text[:3], "IQZ") {
			return s, span{}, fault{code: faultSerialLetters, format: s.format}
		}
		sp, f := checkYearLetter(suffixLetters, Suffix, text[len(text)-1], limit)
		return s, sp, f
	case Dateless:
		// The letters are what is not the digit run.
		if hasAny(text[:s.digitsFrom], "IQZ") || hasAny(text[s.digitsTo:], "IQZ") {
			return s, span{}, fault{code: faultDatelessLetters}
		}
	}
	return s, span{}, fault{}
}

func checkCurrent(text string, limit month) (span, fault) {
	if hasAny(text[:2], "IQZ") {
		return span{}, fault{code: faultMemoryTag}
	}
	if hasAny(text[4:], "IQ") {
		return span{}, fault{code: faultRandomLetters}
	}
	id := int(text[2]-'0')*10 + int(text[3]-'0')
	sp, ok := ageSpan(id)
	if !ok {
		return span{}, fault{code: faultAgeNeverIssued}
	}
	if sp.from > limit {
		return span{}, fault{code: faultAgeFuture, number: id}
	}
	return sp, fault{}
}

func checkYearLetter(table []yearLetter, f Format, letter byte, limit month) (span, fault) {
	sp, ok := findLetter(table, letter)
	if !ok {
		return span{}, fault{code: faultYearLetter, format: f, char: rune(letter)}
	}
	if sp.from > limit {
		return span{}, fault{code: faultYearFuture, format: f, char: rune(letter)}
	}
	return sp, fault{}
}

// hasAny reports whether s holds any of the ASCII letters in set.
func hasAny(s, set string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(set); j++ {
			if s[i] == set[j] {
				return true
			}
		}
	}
	return false
}
