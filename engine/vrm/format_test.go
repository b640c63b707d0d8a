package vrm

import "testing"

func TestNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ab12 cde", "AB12CDE"},
		{"AB12CDE", "AB12CDE"},
		{"  a-b 1 2\tc\nde ", "AB12CDE"},
		{"ab12\u00a0cde", "AB12CDE"}, // no-break space
		{"", ""},
		{"   ", ""},
		{"ab12cdé", "AB12CDé"}, // only ASCII changes case
		{"ab\xff12", "AB\uFFFD12"},
		{"\xc2 \xa0", "\uFFFD\uFFFD"}, // broken bytes cannot join into a space
	}
	for _, tt := range tests {
		if got := Normalise(tt.in); got != tt.want {
			t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Normalise(Normalise(tt.in)); got != Normalise(tt.in) {
			t.Errorf("Normalise is not idempotent on %q: %q", tt.in, got)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		text string
		want Format
	}{
		{"AB12CDE", Current},
		{"ab12 cde", Current},
		{"AI12CDE", Current}, // shape only: the I is Parse's business
		{"AB01CDE", Current},
		{"A1BCD", Prefix},
		{"A123BCD", Prefix},
		{"O123BCD", Prefix}, // O is no year letter, but the shape is prefix
		{"Q1ABC", QPlate},
		{"Q123ABC", QPlate},
		{"ABC1D", Suffix},
		{"ABC123D", Suffix},
		{"A1", Dateless},
		{"ABC1234", Dateless},
		{"1A", Dateless},
		{"1234ABC", Dateless},
		{"ABZ1234", NorthernIreland}, // Z makes it Northern Irish, not dateless
		{"IAZ123", NorthernIreland},
		{"Z1", NorthernIreland},
		{"1234AZ", Dateless}, // Northern Irish marks put letters first
		{"", Unknown},
		{"ABCD123", Unknown},  // four letters
		{"AB12345", Unknown},  // five digits
		{"WX123AB", Unknown},  // French style
		{"AB1234CD", Unknown}, // too long
		{"AB12CD", Unknown},   // current needs three letters after the digits
		{"A1B2C3", Unknown},
		{"AB12-CDE", Current},
		{"AB12_CDE", Unknown},
		{"ÅB12CDE", Unknown},
	}
	for _, tt := range tests {
		if got := Classify(tt.text); got != tt.want {
			t.Errorf("Classify(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestFormatDisplay(t *testing.T) {
	tests := []struct{ text, want string }{
		{"AB12CDE", "AB12 CDE"},
		{"ab12cde", "AB12 CDE"},
		{"A123BCD", "A123 BCD"},
		{"A1BCD", "A1 BCD"},
		{"ABC123D", "ABC 123D"},
		{"ABC1D", "ABC 1D"},
		{"ABC123", "ABC 123"},
		{"A1", "A 1"},
		{"1234AB", "1234 AB"},
		{"ABZ1234", "ABZ 1234"},
		{"Q123ABC", "Q123 ABC"},
		{"AB01CDE", "AB01 CDE"}, // invalid, but its shape says where the space goes
		{"WX123AB", "WX123 AB"}, // Unknown: split before the last run
		{"HHAB123", "HHAB 123"},
		{"12ABC3", "12ABC 3"},
		{"AB1234CD", "AB1234 CD"},
		{"ABCD", "ABCD"},
		{"ABC123DEF", "ABC123DEF"}, // too long to be a plate
		{"ABCDEFGHI", "ABCDEFGHI"},
		{"AB€12", "AB€12"},
		{"", ""},
	}
	for _, tt := range tests {
		got := FormatDisplay(tt.text)
		if got != tt.want {
			t.Errorf("FormatDisplay(%q) = %q, want %q", tt.text, got, tt.want)
		}
		if Normalise(got) != Normalise(tt.text) {
			t.Errorf("FormatDisplay(%q) = %q does not normalise back", tt.text, got)
		}
	}
}
