package vrm

import (
	"testing"
	"time"
)

func TestAgeIdentifier(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
		ok   bool
	}{
		{date(2001, time.August, 31), "", false},
		{date(2001, time.September, 1), "51", true},
		{date(2002, time.February, 28), "51", true},
		{date(2002, time.March, 1), "02", true},
		{date(2013, time.June, 15), "13", true},
		{date(2026, time.March, 1), "26", true},
		{date(2026, time.November, 25), "76", true},
		{date(2049, time.September, 1), "99", true},
		{date(2050, time.March, 1), "50", true},
		{date(2050, time.September, 1), "00", true},
		{date(2051, time.February, 28), "00", true},
		{date(2051, time.March, 1), "", false},
	}
	for _, tt := range tests {
		got, ok := AgeIdentifier(tt.at)
		if got != tt.want || ok != tt.ok {
			t.Errorf("AgeIdentifier(%s) = %q, %v, want %q, %v", tt.at.Format(time.DateOnly), got, ok, tt.want, tt.ok)
		}
	}
}

// The year-letter tables must run without gaps or overlaps from January 1963
// to August 2001, suffix into prefix, and never use I, O, Q, U or Z.
func TestYearLetterTables(t *testing.T) {
	all := append(append([]yearLetter{}, suffixLetters...), prefixLetters...)
	want := monthOf(1963, time.January)
	for _, y := range all {
		if y.span.from != want {
			t.Errorf("year letter %c starts %s, want %s", y.letter, y.span.from.firstDay().Format("2006-01"), want.firstDay().Format("2006-01"))
		}
		if y.span.to < y.span.from {
			t.Errorf("year letter %c ends before it starts", y.letter)
		}
		if hasAny(string(y.letter), "IOQUZ") {
			t.Errorf("year letter %c is one never used", y.letter)
		}
		want = y.span.to + 1
	}
	if want != firstAgeMonth {
		t.Errorf("prefix letters end %s, want the month before September 2001", (want - 1).firstDay().Format("2006-01"))
	}
	if len(suffixLetters) != 21 || len(prefixLetters) != 21 {
		t.Errorf("got %d suffix and %d prefix letters, want 21 each (A-Y less I, O, Q, U)", len(suffixLetters), len(prefixLetters))
	}
}

func TestPeriodContains(t *testing.T) {
	p := Period{From: date(2013, time.March, 1), To: date(2013, time.August, 31)}
	tests := []struct {
		at   time.Time
		want bool
	}{
		{date(2013, time.February, 28), false},
		{date(2013, time.March, 1), true},
		{time.Date(2013, time.August, 31, 23, 59, 0, 0, time.UTC), true},
		{date(2013, time.September, 1), false},
	}
	for _, tt := range tests {
		if got := p.Contains(tt.at); got != tt.want {
			t.Errorf("%s Contains(%s) = %v", p, tt.at, got)
		}
	}
	if (Period{}).Contains(date(2013, time.May, 1)) {
		t.Error("the zero period contains a date")
	}
	if got := (Period{}).String(); got != "none" {
		t.Errorf("zero period String() = %q", got)
	}
}
