package vrm

import (
	"errors"
	"testing"
	"time"
)

// asOf is the date the tests check marks against: on it the latest age
// identifier issued is 76 (September 2026).
var asOf = date(2026, time.November, 25)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseValid(t *testing.T) {
	tests := []struct {
		raw      string
		text     string
		display  string
		format   Format
		from, to string // period, empty when none
	}{
		// Current: March-August is the year, September-February year+50.
		{"AB12 CDE", "AB12CDE", "AB12 CDE", Current, "2012-03-01", "2012-08-31"},
		{"ab13cde", "AB13CDE", "AB13 CDE", Current, "2013-03-01", "2013-08-31"},
		{"OU13 RXF", "OU13RXF", "OU13 RXF", Current, "2013-03-01", "2013-08-31"},
		{"AB51 CDE", "AB51CDE", "AB51 CDE", Current, "2001-09-01", "2002-02-28"},
		{"AB02 CDE", "AB02CDE", "AB02 CDE", Current, "2002-03-01", "2002-08-31"},
		{"AB69 CDE", "AB69CDE", "AB69 CDE", Current, "2019-09-01", "2020-02-29"}, // leap year
		{"AB26 CDE", "AB26CDE", "AB26 CDE", Current, "2026-03-01", "2026-08-31"},
		{"AB76 CDE", "AB76CDE", "AB76 CDE", Current, "2026-09-01", "2027-02-28"}, // latest on asOf
		{"AB12 ZZZ", "AB12ZZZ", "AB12 ZZZ", Current, "2012-03-01", "2012-08-31"}, // Z allowed in the random letters
		{"OA12 CDE", "OA12CDE", "OA12 CDE", Current, "2012-03-01", "2012-08-31"},
		// Prefix: yearly on 1 August, six-monthly from March 1999.
		{"A123 BCD", "A123BCD", "A123 BCD", Prefix, "1983-08-01", "1984-07-31"},
		{"A1 BCD", "A1BCD", "A1 BCD", Prefix, "1983-08-01", "1984-07-31"},
		{"R999 ABC", "R999ABC", "R999 ABC", Prefix, "1997-08-01", "1998-07-31"},
		{"S123 ABC", "S123ABC", "S123 ABC", Prefix, "1998-08-01", "1999-02-28"},
		{"T123 ABC", "T123ABC", "T123 ABC", Prefix, "1999-03-01", "1999-08-31"},
		{"V123 ABC", "V123ABC", "V123 ABC", Prefix, "1999-09-01", "2000-02-29"},
		{"W123 ABC", "W123ABC", "W123 ABC", Prefix, "2000-03-01", "2000-08-31"},
		{"X123 ABC", "X123ABC", "X123 ABC", Prefix, "2000-09-01", "2001-02-28"},
		{"Y123 ABC", "Y123ABC", "Y123 ABC", Prefix, "2001-03-01", "2001-08-31"},
		// Suffix: on 1 January to E (1967), then on 1 August.
		{"ABC 123A", "ABC123A", "ABC 123A", Suffix, "1963-01-01", "1963-12-31"},
		{"ABC 1E", "ABC1E", "ABC 1E", Suffix, "1967-01-01", "1967-07-31"},
		{"ABC 123F", "ABC123F", "ABC 123F", Suffix, "1967-08-01", "1968-07-31"},
		{"CCW 925Y", "CCW925Y", "CCW 925Y", Suffix, "1982-08-01", "1983-07-31"},
		// Q plates, Northern Ireland and dateless imply no period.
		{"Q123 ABC", "Q123ABC", "Q123 ABC", QPlate, "", ""},
		{"Q1 ABC", "Q1ABC", "Q1 ABC", QPlate, "", ""},
		{"ABZ 1234", "ABZ1234", "ABZ 1234", NorthernIreland, "", ""},
		{"IAZ 123", "IAZ123", "IAZ 123", NorthernIreland, "", ""},
		{"IA 1", "IA1", "IA 1", NorthernIreland, "", ""},
		{"OIQ 12", "OIQ12", "OIQ 12", NorthernIreland, "", ""},
		{"ABC 123", "ABC123", "ABC 123", Dateless, "", ""},
		{"A 1", "A1", "A 1", Dateless, "", ""},
		{"AB 1234", "AB1234", "AB 1234", Dateless, "", ""},
		{"1234 AB", "1234AB", "1234 AB", Dateless, "", ""},
		{"1 ABC", "1ABC", "1 ABC", Dateless, "", ""},
		{"ABC 1234", "ABC1234", "ABC 1234", Dateless, "", ""},
	}
	for _, tt := range tests {
		m, err := Parse(tt.raw, asOf)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
			continue
		}
		if m.Text != tt.text || m.Display != tt.display || m.Format != tt.format {
			t.Errorf("Parse(%q) = %q %q %s, want %q %q %s", tt.raw, m.Text, m.Display, m.Format, tt.text, tt.display, tt.format)
		}
		from, to := "", ""
		if !m.Period.IsZero() {
			from, to = m.Period.From.Format(time.DateOnly), m.Period.To.Format(time.DateOnly)
		}
		if from != tt.from || to != tt.to {
			t.Errorf("Parse(%q) period %s to %s, want %s to %s", tt.raw, from, to, tt.from, tt.to)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		raw    string
		asOf   time.Time
		format Format // the format the shape suggests
		reason string
	}{
		{"", asOf, Unknown, "empty mark"},
		{" - ", asOf, Unknown, "empty mark"},
		{"ABCDEFGHI", asOf, Unknown, "too long: 9 characters"},
		{"AB12 CDEF", asOf, Unknown, "too long: 8 characters"},
		{"ÅÅÅÅÅÅÅÅ", asOf, Unknown, "invalid character 'Å': marks hold only letters and digits"},
		{"AB12.CDE", asOf, Unknown, "invalid character '.': marks hold only letters and digits"},
		{"AB12ÇDE", asOf, Unknown, "invalid character 'Ç': marks hold only letters and digits"},
		{"WX123AB", asOf, Unknown, "letters and digits fit no UK format"},
		{"ABCD 123", asOf, Unknown, "letters and digits fit no UK format"},
		// Current.
		{"AB01 CDE", asOf, Current, "age identifier 01 was never issued"},
		{"AB77 CDE", asOf, Current, "age identifier 77 is from the future on 2026-11-25"},
		{"AB27 CDE", asOf, Current, "age identifier 27 is from the future on 2026-11-25"},
		{"AB50 CDE", asOf, Current, "age identifier 50 is from the future on 2026-11-25"},
		{"AB00 CDE", asOf, Current, "age identifier 00 is from the future on 2026-11-25"},
		{"AB76 CDE", date(2026, time.August, 31), Current, "age identifier 76 is from the future on 2026-08-31"},
		{"AB51 CDE", date(2001, time.August, 31), Current, "age identifier 51 is from the future on 2001-08-31"},
		{"AI12 CDE", asOf, Current, "memory tag may not contain I, Q or Z"},
		{"QA12 CDE", asOf, Current, "memory tag may not contain I, Q or Z"},
		{"ZA12 CDE", asOf, Current, "memory tag may not contain I, Q or Z"},
		{"AB12 CQE", asOf, Current, "random letters may not contain I or Q"},
		{"AB12 ICE", asOf, Current, "random letters may not contain I or Q"},
		// Prefix and suffix.
		{"I123 ABC", asOf, Prefix, "I was never a prefix year letter"},
		{"O123 ABC", asOf, Prefix, "O was never a prefix year letter"},
		{"U123 ABC", asOf, Prefix, "U was never a prefix year letter"},
		{"Z123 ABC", asOf, Prefix, "Z was never a prefix year letter"},
		{"A012 BCD", asOf, Prefix, "number may not start with 0"},
		{"A0 BCD", asOf, Prefix, "number may not start with 0"},
		{"A123 BZD", asOf, Prefix, "the three letters of a prefix mark may not contain I, Q or Z"},
		{"Y123 ABC", date(2001, time.February, 28), Prefix, "prefix year letter Y is from the future on 2001-02-28"},
		{"ABC 123O", asOf, Suffix, "O was never a suffix year letter"},
		{"ABC 123Q", asOf, Suffix, "Q was never a suffix year letter"},
		{"AIC 123D", asOf, Suffix, "the three letters of a suffix mark may not contain I, Q or Z"},
		{"ABC 012D", asOf, Suffix, "number may not start with 0"},
		{"ABC 123B", date(1963, time.June, 1), Suffix, "suffix year letter B is from the future on 1963-06-01"},
		// Q plates, Northern Ireland, dateless.
		{"Q012 ABC", asOf, QPlate, "number may not start with 0"},
		{"Q123 ABQ", asOf, QPlate, "the three letters of a Q plate mark may not contain I, Q or Z"},
		{"ABZ 0123", asOf, NorthernIreland, "number may not start with 0"},
		{"ABC 0", asOf, Dateless, "number may not start with 0"},
		{"0123 AB", asOf, Dateless, "number may not start with 0"},
		{"Q 12", asOf, Dateless, "dateless letters may not contain I, Q or Z"},
		{"1234 AZ", asOf, Dateless, "dateless letters may not contain I, Q or Z"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.raw, tt.asOf)
		if err == nil {
			t.Errorf("Parse(%q) = %+v, want error %q", tt.raw, m, tt.reason)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T is not a *ParseError", tt.raw, err)
			continue
		}
		if err.Error() != tt.reason {
			t.Errorf("Parse(%q) error %q, want %q", tt.raw, err, tt.reason)
		}
		if pe.Format != tt.format || pe.Input != tt.raw || pe.Text != Normalise(tt.raw) {
			t.Errorf("Parse(%q) error %+v, want format %s", tt.raw, pe, tt.format)
		}
		if m.Format != Unknown || m.Text != Normalise(tt.raw) || m.Display != FormatDisplay(tt.raw) {
			t.Errorf("Parse(%q) invalid mark = %+v, want Unknown with text and display", tt.raw, m)
		}
	}
}

// Every age identifier, checked against the date each was issued and the day
// before.
func TestParseAgeIdentifiers(t *testing.T) {
	for id := range 100 {
		text := "AB" + string([]byte{'0' + byte(id/10), '0' + byte(id%10)}) + "CDE"
		if id == 1 {
			if _, err := Parse(text, time.Time{}); err == nil || err.Error() != "age identifier 01 was never issued" {
				t.Errorf("Parse(%s): %v, want never issued", text, err)
			}
			continue
		}
		var first time.Time
		switch {
		case id == 0:
			first = date(2050, time.September, 1)
		case id <= 50:
			first = date(2000+id, time.March, 1)
		default:
			first = date(1950+id, time.September, 1)
		}
		m, err := Parse(text, first)
		if err != nil {
			t.Errorf("Parse(%s, %s): %v", text, first.Format(time.DateOnly), err)
			continue
		}
		if !m.Period.From.Equal(first) || !m.Period.To.Equal(first.AddDate(0, 6, -1)) {
			t.Errorf("Parse(%s) period %s", text, m.Period)
		}
		if _, err := Parse(text, first.AddDate(0, 0, -1)); err == nil {
			t.Errorf("Parse(%s, %s) accepted a mark the day before its identifier", text, first.AddDate(0, 0, -1).Format(time.DateOnly))
		}
		if _, err := Parse(text, time.Time{}); err != nil {
			t.Errorf("Parse(%s, zero time): %v, want no date check", text, err)
		}
	}
}

// The future check uses the calendar day of asOf in its own location.
func TestParseAsOfLocation(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	// 1 March 2026 00:30 in London is still 28 February in UTC-5.
	at := time.Date(2026, time.March, 1, 0, 30, 0, 0, london)
	if _, err := Parse("AB26CDE", at); err != nil {
		t.Errorf("Parse on %s: %v", at, err)
	}
	if _, err := Parse("AB26CDE", at.In(time.FixedZone("UTC-5", -5*3600))); err == nil {
		t.Errorf("Parse on 28 February accepted 26")
	}
}
