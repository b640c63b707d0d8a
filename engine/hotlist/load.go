package hotlist

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"anpr/engine/vrm"
)

// Format is the file format of a hotlist.
//
// CSV has a header row naming its columns, in any order: vrm, list, marker
// and priority are required; action, added, expires and owner_ref optional.
// JSON is an array of objects with the same fields (or one object after
// another, as in JSON Lines); priority may be a number or a string. Dates
// are YYYY-MM-DD (midnight UTC) or RFC 3339. An entry alerts from when it
// is loaded until its expiry; added is for the operator.
type Format int

const (
	CSV Format = iota + 1
	JSON
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSON:
		return "json"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf tells a hotlist file's format by its extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".json", ".jsonl", ".ndjson":
		return JSON, nil
	}
	return 0, fmt.Errorf("hotlist %s: extension is not .csv, .json, .jsonl or .ndjson", path)
}

// LoadReport says what became of one load of a list: how many rows were
// accepted, which were rejected and why, and whether the file was refused.
type LoadReport struct {
	List    string        `json:"list"`
	File    string        `json:"file"`
	At      time.Time     `json:"at"`
	Took    time.Duration `json:"took_ns"`
	Version uint64        `json:"version"` // version in force after the load
	// Accepted counts the rows loaded; 0 when the file is refused.
	Accepted int `json:"accepted"`
	// RejectedRows counts the rows rejected; Rejected lists the first
	// MaxReportedRows of them.
	RejectedRows int        `json:"rejected_rows"`
	Rejected     []RowError `json:"rejected,omitempty"`
	Refused      bool       `json:"refused"`
	Reason       string     `json:"reason,omitempty"` // why it was refused
}

// RowError is a rejected row.
type RowError struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// Columns of a hotlist file.
const (
	colVRM = iota
	colList
	colMarker
	colPriority
	colAction
	colAdded
	colExpires
	colOwnerRef
	numColumns
)

var columnNames = [numColumns]string{"vrm", "list", "marker", "priority", "action", "added", "expires", "owner_ref"}

const requiredColumns = 4 // the first four

// builder collects the rows of one load.
type builder struct {
	file           string
	lists, markers *vocabulary

	keys   []key
	recs   []record
	owners []byte

	actions   []string
	actionIDs map[string]uint16

	rejected int
	errors   []RowError

	added, expires timeCache
}

func newBuilder(file string, lists, markers *vocabulary) *builder {
	return &builder{file: file, lists: lists, markers: markers, actions: []string{""}, actionIDs: map[string]uint16{"": 0}}
}

func (b *builder) reject(line int, format string, args ...any) {
	b.rejected++
	if len(b.errors) < MaxReportedRows {
		b.errors = append(b.errors, RowError{File: b.file, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
}

// add checks one row and keeps it or rejects it.
func (b *builder) add(line int, f *[numColumns]string) {
	text := vrm.Normalise(strings.TrimSpace(f[colVRM]))
	k, ok := packKey(text)
	if !ok {
		switch {
		case text == "":
			b.reject(line, "vrm is empty")
		case strings.IndexFunc(text, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0:
			b.reject(line, "vrm %q has a character other than A-Z and 0-9", f[colVRM])
		default:
			b.reject(line, "vrm %q is longer than %d characters", f[colVRM], MaxVRMLen)
		}
		return
	}
	var r record
	if r.list, ok = b.lists.lookup(f[colList]); !ok {
		if strings.TrimSpace(f[colList]) == "" {
			b.reject(line, "list is empty")
		} else {
			b.reject(line, "unknown list %q (known: %s)", f[colList], b.lists)
		}
		return
	}
	if r.marker, ok = b.markers.lookup(f[colMarker]); !ok {
		if strings.TrimSpace(f[colMarker]) == "" {
			b.reject(line, "marker is empty")
		} else {
			b.reject(line, "unknown marker %q", f[colMarker])
		}
		return
	}
	p := strings.TrimSpace(f[colPriority])
	if len(p) != 1 || p[0] < '0'+HighestPriority || p[0] > '0'+LowestPriority {
		b.reject(line, "priority %q is not a whole number from %d (most urgent) to %d", f[colPriority], HighestPriority, LowestPriority)
		return
	}
	r.priority = p[0] - '0'
	var err error
	if r.added, err = b.added.parse(f[colAdded]); err != nil {
		b.reject(line, "added %v", err)
		return
	}
	if r.expires, err = b.expires.parse(f[colExpires]); err != nil {
		b.reject(line, "expires %v", err)
		return
	}
	if r.added != 0 && r.expires != 0 && r.expires < r.added {
		b.reject(line, "expires %s is before added %s", strings.TrimSpace(f[colExpires]), strings.TrimSpace(f[colAdded]))
		return
	}
	action := strings.TrimSpace(f[colAction])
	id, ok := b.actionIDs[action]
	if !ok {
		switch {
		case len(action) > maxActionLen:
			b.reject(line, "action is longer than %d bytes", maxActionLen)
			return
		case len(b.actions) > 1<<16-1:
			b.reject(line, "more than %d different action texts in one list", 1<<16-1)
			return
		}
		id = uint16(len(b.actions))
		b.actionIDs[action] = id
		b.actions = append(b.actions, action)
	}
	r.action = id
	owner := strings.TrimSpace(f[colOwnerRef])
	if len(owner) > maxOwnerRefLen {
		b.reject(line, "owner_ref is longer than %d bytes", maxOwnerRefLen)
		return
	}
	if len(b.owners)+len(owner) > 1<<32-1 {
		b.reject(line, "owner references of one list exceed 4 GiB")
		return
	}
	r.owner, r.ownerLen = uint32(len(b.owners)), uint8(len(owner))
	b.owners = append(b.owners, owner...)
	b.keys = append(b.keys, k)
	b.recs = append(b.recs, r)
}

// timeCache parses a column's times, remembering the last: lists are often
// sorted or bulk-dated.
type timeCache struct {
	last string
	val  minutes
}

func (c *timeCache) parse(s string) (minutes, error) {
	if s == c.last && s != "" {
		return c.val, nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return 0, err
	}
	m, ok := minutesOf(t)
	if !ok {
		return 0, fmt.Errorf("%q is out of range (1900 on)", s)
	}
	c.last, c.val = s, m
	return m, nil
}

// parseTime reads YYYY-MM-DD (midnight UTC) or RFC 3339.
func parseTime(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if t, ok := parseDay(s); ok {
			return t, nil
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD or RFC 3339 time", s)
}

// parseDay is time.Parse(time.DateOnly, s) without its cost, as a reload
// parses millions of dates.
func parseDay(s string) (time.Time, bool) {
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = 10*n + int(s[i]-'0')
		}
		return n, true
	}
	if s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == d // 30 February comes back as a day in March
}

// read reads all rows; an error means the file cannot be used at all.
func (b *builder) read(ctx context.Context, r io.Reader, format Format) error {
	switch format {
	case CSV:
		return b.readCSV(ctx, r)
	case JSON:
		return b.readJSON(ctx, r)
	}
	return fmt.Errorf("unknown format %v", format)
}

// checkEvery is how many rows a load reads between looks at its context.
const checkEvery = 1 << 16

func (b *builder) readCSV(ctx context.Context, r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // rows with the wrong count are rejected here, by line
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return errors.New("empty file: no header row")
	}
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var cols [numColumns]int
	for i := range cols {
		cols[i] = -1
	}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))
		c := -1
		for j, known := range columnNames {
			if name == known {
				c = j
			}
		}
		switch {
		case c < 0:
			// An unknown column may be a misspelt one, such as "expiry",
			// whose loss would keep entries alerting: refuse rather than guess.
			return fmt.Errorf("header: unknown column %q (columns: %s)", name, strings.Join(columnNames[:], ", "))
		case cols[c] >= 0:
			return fmt.Errorf("header: column %q given twice", name)
		}
		cols[c] = i
	}
	for c := range requiredColumns {
		if cols[c] < 0 {
			return fmt.Errorf("header: no %s column", columnNames[c])
		}
	}
	var fields [numColumns]string
	for row := 0; ; row++ {
		if row%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			if pe.Line > pe.StartLine {
				// A quote left open swallows the lines after it, rows that would
				// then go unreported.
				return fmt.Errorf("line %d: %v: the quoting is broken from here to line %d", pe.StartLine, pe.Err, pe.Line)
			}
			b.reject(pe.StartLine, "%v", pe.Err)
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			b.reject(line, "%d fields where the header has %d", len(rec), len(header))
			continue
		}
		for c, i := range cols {
			if i >= 0 {
				fields[c] = rec[i]
			} else {
				fields[c] = ""
			}
		}
		b.add(line, &fields)
	}
}

// jsonRow is one object of a JSON hotlist.
type jsonRow struct {
	VRM      string          `json:"vrm"`
	List     string          `json:"list"`
	Marker   string          `json:"marker"`
	Priority json.RawMessage `json:"priority"`
	Action   string          `json:"action"`
	Added    string          `json:"added"`
	Expires  string          `json:"expires"`
	OwnerRef string          `json:"owner_ref"`
}

// readJSON reads the whole file first, to give each row its line; national
// lists of millions of rows are better sent as CSV.
func (b *builder) readJSON(ctx context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	dec := json.NewDecoder(bytes.NewReader(data))
	// An unknown field may be a misspelt one ("expiry"): reject the row.
	dec.DisallowUnknownFields()
	line, counted := 1, 0
	lineAt := func(off int) int {
		line += bytes.Count(data[counted:off], []byte{'\n'})
		counted = off
		return line
	}
	// start is where the next value begins: after white space and commas.
	start := func() int {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
			off++
		}
		return off
	}
	first := bytes.TrimLeft(data, " \t\r\n")
	if len(first) == 0 {
		return errors.New("empty file")
	}
	array := first[0] == '['
	if !array && first[0] != '{' {
		return fmt.Errorf("line %d: not a JSON array of objects", lineAt(len(data)-len(first)))
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("line 1: %w", err)
		}
	}
	var fields [numColumns]string
	for row := 0; dec.More(); row++ {
		if row%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		at := lineAt(start())
		var jr jsonRow
		if err := dec.Decode(&jr); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("line %d: %w", at, err)
			}
			b.reject(at, "%v", strings.TrimPrefix(err.Error(), "json: "))
			continue
		}
		priority := strings.Trim(string(jr.Priority), `"`)
		if string(jr.Priority) == "null" {
			priority = ""
		}
		fields = [numColumns]string{jr.VRM, jr.List, jr.Marker, priority, jr.Action, jr.Added, jr.Expires, jr.OwnerRef}
		b.add(at, &fields)
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("line %d: %w", lineAt(start()), err)
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("line %d: text after the hotlist", lineAt(start()))
	}
	return nil
}
