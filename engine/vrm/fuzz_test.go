package vrm

import (
	"errors"
	"testing"
)

// FuzzParse checks what must hold for any input: nothing panics, a valid
// mark parses back from its display form, and normalising is stable. Seeds
// are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	model := DefaultConfusions()
	f.Fuzz(func(t *testing.T, raw string) {
		text := Normalise(raw)
		if again := Normalise(text); again != text {
			t.Fatalf("Normalise(%q) = %q, but Normalise of that = %q", raw, text, again)
		}
		if back := Normalise(FormatDisplay(text)); back != text {
			t.Fatalf("FormatDisplay(%q) = %q normalises to %q", text, FormatDisplay(text), back)
		}
		format := Classify(raw)
		m, err := Parse(raw, asOf)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != format || pe.Reason == "" {
				t.Fatalf("Parse(%q) error %#v, Classify says %s", raw, err, format)
			}
			if m.Format != Unknown || m.Text != text {
				t.Fatalf("Parse(%q) invalid mark %+v", raw, m)
			}
		} else {
			if m.Text != text || m.Format != format || m.Format == Unknown {
				t.Fatalf("Parse(%q) = %+v, normalised %q, classified %s", raw, m, text, format)
			}
			again, err := Parse(m.Display, asOf)
			if err != nil || again.Text != m.Text || again.Format != m.Format {
				t.Fatalf("Parse(%q) = %+v but Parse(%q) = %+v, %v", raw, m, m.Display, again, err)
			}
			dated := m.Format == Current || m.Format == Prefix || m.Format == Suffix
			if m.Period.IsZero() == dated {
				t.Fatalf("Parse(%q) = %+v: period and format disagree", raw, m)
			}
		}
		cands := model.Candidates(raw, asOf, 3)
		if err == nil && (len(cands) == 0 || cands[0].Mark != m || cands[0].Substitutions != 0) {
			t.Fatalf("valid %q is not its own first candidate: %+v", raw, cands)
		}
	})
}
