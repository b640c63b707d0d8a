package vrm

import (
	"fmt"
	"time"
)

// Period is the registration period a mark implies: the first and last days
// (both included, at midnight UTC) of the age identifier or year letter it
// carries. It is zero for marks that imply none (dateless, Northern Irish and
// Q plate marks).
type Period struct {
	From, To time.Time
}

// IsZero reports whether the period is empty: the mark implies no date.
func (p Period) IsZero() bool { return p.From.IsZero() && p.To.IsZero() }

// Contains reports whether the calendar day of t (in t's own location) falls
// within the period.
func (p Period) Contains(t time.Time) bool {
	if p.IsZero() {
		return false
	}
	day := dayOf(t)
	return !day.Before(p.From) && !day.After(p.To)
}

func (p Period) String() string {
	if p.IsZero() {
		return "none"
	}
	return p.From.Format(time.DateOnly) + " to " + p.To.Format(time.DateOnly)
}

// dayOf is the calendar day of t, in t's own location, at midnight UTC.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// month counts calendar months: year*12 + (month-1). Every registration
// period starts on the first of a month and ends on the last day of one, so
// months are enough to compare them.
type month int

func monthOf(year int, m time.Month) month { return month(year*12 + int(m) - 1) }

func monthOfTime(t time.Time) month {
	y, m, _ := t.Date()
	return monthOf(y, m)
}

func (m month) year() int           { return int(m) / 12 }
func (m month) month() time.Month   { return time.Month(int(m)%12 + 1) }
func (m month) firstDay() time.Time { return time.Date(m.year(), m.month(), 1, 0, 0, 0, 0, time.UTC) }
func (m month) lastDay() time.Time  { return time.Date(m.year(), m.month()+1, 0, 0, 0, 0, 0, time.UTC) }

// span is a run of whole months, both ends included; the zero span is none.
type span struct{ from, to month }

func (s span) period() Period {
	if s == (span{}) {
		return Period{}
	}
	return Period{From: s.from.firstDay(), To: s.to.lastDay()}
}

// noLimit, as the latest month a check accepts, skips the future check.
const noLimit = month(1 << 40)

// limitOf is the latest month whose identifiers were issued on asOf; a zero
// asOf sets no limit.
func limitOf(asOf time.Time) month {
	if asOf.IsZero() {
		return noLimit
	}
	return monthOfTime(asOf)
}

// The current format's age identifiers change every six months, on 1 March
// and 1 September, starting with 51 in September 2001 and ending with 00 in
// September 2050 (the 98th half-year after the first).
var firstAgeMonth = monthOf(2001, time.September)

const lastAgeHalf = 98

// ageFromHalf returns the age identifier of the half-th half-year since
// September 2001: March uses the year's last two digits, September adds 50.
func ageFromHalf(half int) int {
	start := firstAgeMonth + month(6*half)
	id := start.year() - 2000
	if start.month() == time.September {
		id += 50
	}
	return id % 100
}

// ageSpan returns the six months an age identifier (0 to 99) covers; false
// for 01, which was never issued.
func ageSpan(id int) (span, bool) {
	var from month
	switch {
	case id == 0:
		from = monthOf(2050, time.September)
	case id >= 2 && id <= 50:
		from = monthOf(2000+id, time.March)
	case id >= 51 && id <= 99:
		from = monthOf(2000+id-50, time.September)
	default:
		return span{}, false
	}
	return span{from: from, to: from + 5}, true
}

// AgeIdentifier returns the current-format age identifier issued on the day
// of t ("76" on 25 November 2026), and false outside September 2001 to
// February 2051.
func AgeIdentifier(t time.Time) (string, bool) {
	since := int(monthOfTime(t) - firstAgeMonth)
	if since < 0 || since/6 > lastAgeHalf {
		return "", false
	}
	return fmt.Sprintf("%02d", ageFromHalf(since/6)), true
}

// yearLetter is the period one prefix or suffix year letter was issued in.
type yearLetter struct {
	letter byte
	span   span
}

func letterSpan(letter byte, fromYear int, fromMonth time.Month, toYear int, toMonth time.Month) yearLetter {
	return yearLetter{letter, span{monthOf(fromYear, fromMonth), monthOf(toYear, toMonth)}}
}

// suffixLetters: the suffix letter changed on 1 January from A (1963) to E
// (1967), then on 1 August from F (August 1967) to Y (August 1982 to July
// 1983). I, O, Q, U and Z were never year letters. Some councils only began
// suffix marks in 1964 or 1965; A and B still mean 1963 and 1964.
var suffixLetters = []yearLetter{
	letterSpan('A', 1963, time.January, 1963, time.December),
	letterSpan('B', 1964, time.January, 1964, time.December),
	letterSpan('C', 1965, time.January, 1965, time.December),
	letterSpan('D', 1966, time.January, 1966, time.December),
	letterSpan('E', 1967, time.January, 1967, time.July),
	letterSpan('F', 1967, time.August, 1968, time.July),
	letterSpan('G', 1968, time.August, 1969, time.July),
	letterSpan('H', 1969, time.August, 1970, time.July),
	letterSpan('J', 1970, time.August, 1971, time.July),
	letterSpan('K', 1971, time.August, 1972, time.July),
	letterSpan('L', 1972, time.August, 1973, time.July),
	letterSpan('M', 1973, time.August, 1974, time.July),
	letterSpan('N', 1974, time.August, 1975, time.July),
	letterSpan('P', 1975, time.August, 1976, time.July),
	letterSpan('R', 1976, time.August, 1977, time.July),
	letterSpan('S', 1977, time.August, 1978, time.July),
	letterSpan('T', 1978, time.August, 1979, time.July),
	letterSpan('V', 1979, time.August, 1980, time.July),
	letterSpan('W', 1980, time.August, 1981, time.July),
	letterSpan('X', 1981, time.August, 1982, time.July),
	letterSpan('Y', 1982, time.August, 1983, time.July),
}

// prefixLetters: the prefix letter changed on 1 August from A (1983) to S
// (August 1998), then, to spread new-car sales over the year, every six
// months on 1 March and 1 September: T March 1999, V September 1999, W March
// 2000, X September 2000 and Y March 2001, until the current format began on
// 1 September 2001. I, O, Q, U and Z were never year letters.
var prefixLetters = []yearLetter{
	letterSpan('A', 1983, time.August, 1984, time.July),
	letterSpan('B', 1984, time.August, 1985, time.July),
	letterSpan('C', 1985, time.August, 1986, time.July),
	letterSpan('D', 1986, time.August, 1987, time.July),
	letterSpan('E', 1987, time.August, 1988, time.July),
	letterSpan('F', 1988, time.August, 1989, time.July),
	letterSpan('G', 1989, time.August, 1990, time.July),
	letterSpan('H', 1990, time.August, 1991, time.July),
	letterSpan('J', 1991, time.August, 1992, time.July),
	letterSpan('K', 1992, time.August, 1993, time.July),
	letterSpan('L', 1993, time.August, 1994, time.July),
	letterSpan('M', 1994, time.August, 1995, time.July),
	letterSpan('N', 1995, time.August, 1996, time.July),
	letterSpan('P', 1996, time.August, 1997, time.July),
	letterSpan('R', 1997, time.August, 1998, time.July),
	letterSpan('S', 1998, time.August, 1999, time.February),
	letterSpan('T', 1999, time.March, 1999, time.August),
	letterSpan('V', 1999, time.September, 2000, time.February),
	letterSpan('W', 2000, time.March, 2000, time.August),
	letterSpan('X', 2000, time.September, 2001, time.February),
	letterSpan('Y', 2001, time.March, 2001, time.August),
}

// findLetter returns the period of a year letter in a table; false when the
// letter was never a year letter.
func findLetter(table []yearLetter, letter byte) (span, bool) {
	for _, y := range table {
		if y.letter == letter {
			return y.span, true
		}
	}
	return span{}, false
}
