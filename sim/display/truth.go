package display

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"anpr/sim/plate"
)

// Shown is one line of the truth log: an item as it was actually shown.
type Shown struct {
	Seq       int          `json:"seq"`
	Plate     string       `json:"plate"`   // normalised, no spaces
	Display   string       `json:"display"` // as laid out on the plate
	Kind      Kind         `json:"kind"`
	Condition string       `json:"condition"`
	Layout    plate.Layout `json:"layout"`
	// ShownAt is when the first frame with the item was drawn, HiddenAt
	// when the first frame without it was, by the display's clock, in UTC.
	ShownAt  time.Time `json:"shown_at"`
	HiddenAt time.Time `json:"hidden_at"`
	// The picture on the screen, the plate in it and the height of the
	// plate's characters, in screen pixels and in millimetres on the
	// monitor's face.
	SizePx  [2]int     `json:"size_px"`
	SizeMM  [2]float64 `json:"size_mm"`
	PlatePx [2]int     `json:"plate_px"`
	PlateMM [2]float64 `json:"plate_mm"`
	CharMM  float64    `json:"char_mm"`
	PxPerMM float64    `json:"px_per_mm"`
	Seed    uint64     `json:"seed"` // the item's seed
}

// TruthWriter writes the truth log, one JSON line per item, each as soon
// as the item is hidden, so that a log cut short by a crash holds every
// item shown before it.
type TruthWriter struct {
	enc *json.Encoder
	n   int
}

// NewTruthWriter writes the truth log to w.
func NewTruthWriter(w io.Writer) *TruthWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &TruthWriter{enc: enc}
}

// Write logs one shown item.
func (t *TruthWriter) Write(s Shown) error {
	s.ShownAt, s.HiddenAt = s.ShownAt.UTC(), s.HiddenAt.UTC()
	if err := t.enc.Encode(s); err != nil {
		return fmt.Errorf("truth log: %w", err)
	}
	t.n++
	return nil
}

// Written is how many items have been logged.
func (t *TruthWriter) Written() int { return t.n }

// ReadTruth reads a truth log; name is the file's name for errors, which
// say the line that is wrong.
func ReadTruth(r io.Reader, name string) ([]Shown, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var out []Shown
	err = eachJSON(data, name, func(raw json.RawMessage, line int) error {
		var s Shown
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		switch {
		case s.Plate == "":
			return fmt.Errorf("%s line %d: not a truth line: no plate", name, line)
		case s.ShownAt.IsZero() || s.HiddenAt.IsZero():
			return fmt.Errorf("%s line %d: item %d: no shown_at or hidden_at", name, line, s.Seq)
		case s.HiddenAt.Before(s.ShownAt):
			return fmt.Errorf("%s line %d: item %d hidden before it was shown", name, line, s.Seq)
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// eachJSON calls fn with every JSON value in data (JSON lines, or values
// spread over several lines) and the line it starts on.
func eachJSON(data []byte, name string, fn func(raw json.RawMessage, line int) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	line, counted := 1, 0
	for {
		start := int(dec.InputOffset())
		for start < len(data) && isSpace(data[start]) {
			start++
		}
		line += bytes.Count(data[counted:start], []byte{'\n'})
		counted = start
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s line %d: not JSON: %w", name, line, err)
		}
		if err := fn(raw, line); err != nil {
			return err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
