package vrm

// Format names a UK registration mark format.
type Format string

const (
	Current         Format = "current"          // AB12 CDE, since September 2001
	Prefix          Format = "prefix"           // A123 BCD, August 1983 to August 2001
	Suffix          Format = "suffix"           // ABC 123D, 1963 to July 1983
	Dateless        Format = "dateless"         // ABC 123 or 1234 AB
	NorthernIreland Format = "northern-ireland" // ABZ 1234: letters holding I or Z, then digits
	QPlate          Format = "q-plate"          // Q123 ABC
	Unknown         Format = "unknown"          // fits no UK format
)

// Formats lists the UK formats, Unknown excluded.
var Formats = []Format{Current, Prefix, Suffix, Dateless, NorthernIreland, QPlate}

// MaxLen is the length of the longest UK mark, without spaces.
const MaxLen = 7

// shape is what the order and lengths of a mark's letter and digit runs say
// about it, before any rule about which letters or numbers were issued.
type shape struct {
	format Format
	// split is where the display form puts the group space (0: none).
	split int
	// Start and end of the digit run, the one group every UK format has.
	digitsFrom, digitsTo int
}

// classify finds the shape of normalised text. Shapes are told apart by their
// runs: current 2-2-3 (letters, digits, letters), prefix and Q plate 1-n-3,
// suffix 3-n-1, Northern Ireland and dateless letters-digits, dateless also
// digits-letters. Only two pairs share a shape: I or Z in the letters makes a
// letters-digits mark Northern Irish rather than dateless, and a leading Q
// makes the prefix shape a Q plate (Q is never a year letter).
func classify(text string) shape {
	n := len(text)
	if n == 0 || n > MaxLen {
		return shape{format: Unknown}
	}
	// Up to three runs of letters or digits.
	var runs [3]struct {
		digits     bool
		start, end int
	}
	count := 0
	for i := 0; i < n; i++ {
		c := text[i]
		var digit bool
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
		default:
			return shape{format: Unknown}
		}
		if count > 0 && runs[count-1].digits == digit {
			runs[count-1].end = i + 1
			continue
		}
		if count == len(runs) {
			return shape{format: Unknown}
		}
		runs[count].digits, runs[count].start, runs[count].end = digit, i, i+1
		count++
	}
	length := func(i int) int { return runs[i].end - runs[i].start }
	switch {
	case count == 3 && !runs[0].digits:
		first, mid, last := length(0), length(1), length(2)
		s := shape{digitsFrom: runs[1].start, digitsTo: runs[1].end}
		switch {
		case first == 2 && mid == 2 && last == 3:
			s.format, s.split = Current, 4
		case first == 1 && mid <= 3 && last == 3:
			s.format, s.split = Prefix, n-3
			if text[0] == 'Q' {
				s.format = QPlate
			}
		case first == 3 && mid <= 3 && last == 1:
			s.format, s.split = Suffix, 3
		default:
			return shape{format: Unknown}
		}
		return s
	case count == 2 && !runs[0].digits:
		letters, digits := length(0), length(1)
		if letters > 3 || digits > 4 {
			return shape{format: Unknown}
		}
		s := shape{format: Dateless, split: letters, digitsFrom: letters, digitsTo: n}
		for i := 0; i < letters; i++ {
			if text[i] == 'I' || text[i] == 'Z' {
				s.format = NorthernIreland
			}
		}
		return s
	case count == 2 && runs[0].digits:
		digits, letters := length(0), length(1)
		if letters > 3 || digits > 4 {
			return shape{format: Unknown}
		}
		return shape{format: Dateless, split: digits, digitsFrom: 0, digitsTo: digits}
	}
	return shape{format: Unknown}
}

// Classify reports the format the shape of a mark puts it in: the order and
// lengths of its letter and digit groups, and the letters that tell Northern
// Irish and Q plate marks apart. It does not check that the letters and
// numbers were ever issued; Parse does. Text is normalised first.
func Classify(text string) Format {
	return classify(Normalise(text)).format
}

// FormatDisplay returns the display form of a mark: normalised, with the
// space between its two groups ("AB12 CDE", "ABC 123D", "1234 AB"). Text of
// up to 8 letters and digits that fits no UK format is split before its last
// run of letters or of digits ("WX123 AB"); anything else comes back
// normalised, without a space.
func FormatDisplay(text string) string {
	text = Normalise(text)
	s := classify(text)
	if s.format != Unknown {
		return display(text, s.split)
	}
	if len(text) > MaxLen+1 || !isAlnum(text) {
		return text
	}
	split := len(text) - 1
	for split > 0 && isDigit(text[split-1]) == isDigit(text[split]) {
		split--
	}
	return display(text, split)
}

// isAlnum reports whether s holds only A-Z and 0-9.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
