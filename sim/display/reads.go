package display

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"anpr/engine/vrm"
)

// Read is one read a camera made, as much of it as scoring needs.
type Read struct {
	Text       string    `json:"text"` // normalised
	Captured   time.Time `json:"captured"`
	Camera     string    `json:"camera,omitempty"`
	Confidence float64   `json:"confidence"`
	Line       int       `json:"line"` // where it is in its file
}

// readJSON is every field a read may come with: a read as the engine's
// ingest API takes it (vrm, captured), a batch of them ({"reads": [...]},
// as posted to the API or returned by its searches), or a vehicle pass as
// `anpr watch` prints it (text, best_at, first_seen).
type readJSON struct {
	Reads      *[]json.RawMessage `json:"reads"`
	VRM        *string            `json:"vrm"`
	Text       *string            `json:"text"`
	Captured   time.Time          `json:"captured"`
	BestAt     time.Time          `json:"best_at"`
	FirstSeen  time.Time          `json:"first_seen"`
	Camera     string             `json:"camera"`
	Confidence float64            `json:"confidence"`
}

// ReadReads reads a camera's reads: JSON lines (or JSON values over
// several lines, or arrays of them), each a read as the engine's ingest
// API takes it, a batch as posted to it or as its searches return, or a
// pass as `anpr watch` prints it; or the CSV the API's exports give. A
// read's capture time is its captured time; a pass's is its best_at (the
// frame its read came from, which `anpr serve` stores as captured), or
// first_seen when that is missing. name is the file's name for errors,
// which say the line that is wrong.
func ReadReads(r io.Reader, name string) ([]Read, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if isCSV(data) {
		return readCSV(data, name)
	}
	var out []Read
	err = eachJSON(data, name, func(raw json.RawMessage, line int) error {
		return decodeReads(raw, name, line, &out)
	})
	return out, err
}

func decodeReads(raw json.RawMessage, name string, line int, out *[]Read) error {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		for _, r := range list {
			if err := decodeReads(r, name, line, out); err != nil {
				return err
			}
		}
		return nil
	}
	var rj readJSON
	if err := json.Unmarshal(raw, &rj); err != nil {
		return fmt.Errorf("%s line %d: %w", name, line, err)
	}
	if rj.Reads != nil {
		for _, r := range *rj.Reads {
			if err := decodeReads(r, name, line, out); err != nil {
				return err
			}
		}
		return nil
	}
	var text string
	switch {
	case rj.VRM != nil:
		text = *rj.VRM
	case rj.Text != nil:
		text = *rj.Text
	default:
		return fmt.Errorf("%s line %d: not a read: no vrm (a read for the ingest API) or text (a pass from anpr watch)", name, line)
	}
	at := rj.Captured
	for _, t := range []time.Time{rj.BestAt, rj.FirstSeen} {
		if at.IsZero() {
			at = t
		}
	}
	if at.IsZero() {
		return fmt.Errorf("%s line %d: read %q has no time: want captured, best_at or first_seen", name, line, text)
	}
	*out = append(*out, Read{Text: vrm.Normalise(text), Captured: at.UTC(), Camera: rj.Camera, Confidence: rj.Confidence, Line: line})
	return nil
}

// isCSV recognises the API's CSV export by its header row.
func isCSV(data []byte) bool {
	first, _, _ := bytes.Cut(data, []byte{'\n'})
	cols := strings.Split(strings.ToLower(strings.TrimSpace(string(first))), ",")
	return slices.Contains(cols, "vrm") && slices.Contains(cols, "captured")
}

func readCSV(data []byte, name string) ([]Read, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s line 1: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Read
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		at, err := time.Parse(time.RFC3339Nano, field(rec, "captured"))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: captured %q: want an RFC 3339 time", name, line, field(rec, "captured"))
		}
		r := Read{Text: vrm.Normalise(field(rec, "vrm")), Captured: at.UTC(), Camera: field(rec, "camera"), Line: line}
		if c := field(rec, "confidence"); c != "" {
			if r.Confidence, err = strconv.ParseFloat(c, 64); err != nil {
				return nil, fmt.Errorf("%s line %d: confidence %q is not a number", name, line, c)
			}
		}
		out = append(out, r)
	}
}
