package hotlist

import (
	"bytes"
	"context"
	"encoding/binary"
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
	lists, markers names

	// The rows kept, by part (the top bits of their hash: see buildIndex),
	// in file order within each, in chunks of rowChunk: a list of millions
	// is never copied to grow it.
	cls    *classes
	parts  [1 << partBits][][]record
	nrows  int
	slab   []record // what is left of the slab chunks are cut from
	owners [][]byte // owner references too long for their record (see ownerChunkBits)

	actions       []string
	actionIDs     map[string]uint16
	recentActions recent[uint16]

	rejected int
	errors   []RowError

	added, expires timeCache
}

// A builder's chunks hold rowChunk rows, 40 KiB of them. After a part's
// first few rows, which grow in a slice of their own, its chunks are cut
// from slabs of slabRows: memory the kernel is asked to back with huge
// pages, as a list of millions of rows first touches hundreds of megabytes
// and, measured on a virtual machine, a page fault for each 4 KiB of them
// took a fifth of a reload's time.
const (
	rowChunk = 1 << 10
	slabRows = 1 << 18 // 10 MiB
)

// chunk returns an empty chunk of rowChunk rows.
func (b *builder) chunk() []record {
	if len(b.slab) < rowChunk {
		b.slab = make([]record, slabRows)
		adviseHugePages(b.slab)
	}
	c := b.slab[:0:rowChunk]
	b.slab = b.slab[rowChunk:]
	return c
}

func newBuilder(file string, lists, markers *vocabulary, cls *classes) *builder {
	return &builder{file: file, cls: cls,
		lists:   names{v: lists, spellings: map[string]uint8{}},
		markers: names{v: markers, spellings: map[string]uint8{}},
		actions: []string{""}, actionIDs: map[string]uint16{"": 0}}
}

// rows is how many rows have been kept.
func (b *builder) rows() int { return b.nrows }

func (b *builder) reject(line int, format string, args ...any) {
	b.rejected++
	if len(b.errors) < MaxReportedRows {
		b.errors = append(b.errors, RowError{File: b.file, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
}

// recent remembers the ids of the first texts met in a column, one for each
// slot its length and end characters pick: columns of lists, markers and
// actions hold few texts, and a row then mostly costs a comparison where a
// map would hash the text.
type recent[ID any] struct {
	slots [64]struct {
		text string
		id   ID
	}
}

func (r *recent[ID]) slot(s []byte) int {
	if len(s) == 0 {
		return 0
	}
	return (len(s) + 7*int(s[0]) + 31*int(s[len(s)-1])) & 63
}

// get returns the id put for s.
func (r *recent[ID]) get(s []byte) (id ID, ok bool) {
	e := &r.slots[r.slot(s)]
	if len(s) > 0 && e.text == string(s) {
		return e.id, true
	}
	return id, false
}

// put remembers s unless its slot is taken, so that texts sharing a slot
// do not take it in turns, each time copying their text.
func (r *recent[ID]) put(s []byte, id ID) {
	if e := &r.slots[r.slot(s)]; len(s) > 0 && e.text == "" {
		e.text, e.id = string(s), id
	}
}

// names finds lists or markers by name for one load.
type names struct {
	v *vocabulary
	// Spellings met other than the vocabulary's own ("dvla", "No Tax"), so
	// that each is folded once.
	spellings map[string]uint8
	recent    recent[uint8]
}

func (n *names) lookup(s []byte) (uint8, bool) {
	if id, ok := n.recent.get(s); ok {
		return id, true
	}
	id, ok := n.v.ids[string(s)]
	if !ok {
		id, ok = n.spellings[string(s)]
	}
	if !ok {
		if id, ok = n.v.lookup(string(s)); ok {
			n.spellings[string(s)] = id
		}
	}
	if ok {
		n.recent.put(s, id)
	}
	return id, ok
}

// add checks one row and keeps it or rejects it. The fields are only
// read: add copies what it keeps.
func (b *builder) add(line int, f *[numColumns][]byte) {
	k, _, ok := packMark(f[colVRM])
	if !ok {
		// The long way, for marks with other characters: most are refused.
		text := vrm.Normalise(string(bytes.TrimSpace(f[colVRM])))
		if k, ok = packKey(text); !ok {
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
	}
	r := record{key: k}
	if r.list, ok = b.lists.lookup(f[colList]); !ok {
		if len(bytes.TrimSpace(f[colList])) == 0 {
			b.reject(line, "list is empty")
		} else {
			b.reject(line, "unknown list %q (known: %s)", f[colList], b.lists.v)
		}
		return
	}
	if r.marker, ok = b.markers.lookup(f[colMarker]); !ok {
		if len(bytes.TrimSpace(f[colMarker])) == 0 {
			b.reject(line, "marker is empty")
		} else {
			b.reject(line, "unknown marker %q", f[colMarker])
		}
		return
	}
	p := bytes.TrimSpace(f[colPriority])
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
		b.reject(line, "expires %s is before added %s", bytes.TrimSpace(f[colExpires]), bytes.TrimSpace(f[colAdded]))
		return
	}
	action := bytes.TrimSpace(f[colAction])
	id, ok := b.recentActions.get(action)
	if !ok {
		id, ok = b.actionIDs[string(action)]
		if ok {
			b.recentActions.put(action, id)
		}
	}
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
		text := string(action)
		b.actionIDs[text] = id
		b.actions = append(b.actions, text)
	}
	r.action = id
	owner := bytes.TrimSpace(f[colOwnerRef])
	if len(owner) > maxOwnerRefLen {
		b.reject(line, "owner_ref is longer than %d bytes", maxOwnerRefLen)
		return
	}
	r.ownerLen = uint8(len(owner))
	if len(owner) <= len(r.owner) {
		copy(r.owner[:], owner)
	} else {
		last := len(b.owners) - 1
		if last < 0 || len(b.owners[last])+len(owner) > ownerChunkSize {
			if last+1 == maxOwnerChunks {
				b.reject(line, "owner references of one list exceed 4 GiB")
				return
			}
			// The first chunk grows as appends grow it, so that a short list
			// holds little; the others are made whole.
			size := ownerChunkSize
			if last < 0 {
				size = 256
			}
			chunk := make([]byte, 0, size)
			adviseHugePages(chunk)
			b.owners = append(b.owners, chunk)
			last++
		}
		binary.LittleEndian.PutUint32(r.owner[:], uint32(last<<ownerChunkBits|len(b.owners[last])))
		b.owners[last] = append(b.owners[last], owner...)
	}
	part := &b.parts[spread(b.cls.fold(k))>>(64-partBits)]
	last := len(*part) - 1
	if last < 0 {
		*part = append(*part, nil)
		last = 0
	} else if len((*part)[last]) == rowChunk {
		*part = append(*part, b.chunk())
		last++
	}
	(*part)[last] = append((*part)[last], r)
	b.nrows++
}

// timeCache parses a column's times, remembering the days it has reckoned
// (a list of millions of rows has a few thousand dates) and the last other
// time, which package time parses: lists are often bulk-dated.
type timeCache struct {
	days [256]struct {
		text [len(time.DateOnly)]byte
		val  minutes
	}
	last []byte
	val  minutes
}

func (c *timeCache) parse(s []byte) (minutes, error) {
	s = bytes.TrimSpace(s)
	if len(s) == 0 {
		return 0, nil
	}
	if len(s) == len(time.DateOnly) {
		e := &c.days[(int(s[9])+10*int(s[8])+31*int(s[6])+97*int(s[3]))&255]
		if string(e.text[:]) == string(s) {
			return e.val, nil
		}
		days, ok := parseDay(s)
		if !ok {
			return 0, fmt.Errorf("%q is not a date YYYY-MM-DD or RFC 3339 time", s)
		}
		if days < 1 { // 1900-01-01 itself is minute 0, "not given"
			return 0, fmt.Errorf("%q is out of range (1900 on)", s)
		}
		copy(e.text[:], s)
		e.val = minutes(days * 24 * 60)
		return e.val, nil
	}
	if bytes.Equal(s, c.last) {
		return c.val, nil
	}
	t, err := time.Parse(time.RFC3339, string(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a date YYYY-MM-DD or RFC 3339 time", s)
	}
	m, ok := minutesOf(t)
	if !ok {
		return 0, fmt.Errorf("%q is out of range (1900 on)", s)
	}
	c.last, c.val = append(c.last[:0], s...), m
	return m, nil
}

// parseDay reads YYYY-MM-DD as days since 1900-01-01, without package
// time's cost: a reload parses millions of dates. Years before 1900 come
// back as days before it.
func parseDay(s []byte) (days int, ok bool) {
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
	if len(s) != len(time.DateOnly) || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := num(0, 4)
	m, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d) - daysFromCivil(1900, 1, 1), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 to a day of the proleptic
// Gregorian calendar, for years 0 on (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := (y+400)/400 - 1 // floor(y/400) for y from -1 on
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
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
	cr := newCSVReader(r)
	header, _, err := cr.read()
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
	width := len(header)
	for i, field := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(string(field), "\uFEFF")))
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
	var fields [numColumns][]byte
	for row := 0; ; row++ {
		if row%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, line, err := cr.read()
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
		if len(rec) != width {
			b.reject(line, "%d fields where the header has %d", len(rec), width)
			continue
		}
		for c, i := range cols {
			if i >= 0 {
				fields[c] = rec[i]
			} else {
				fields[c] = nil
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
	var fields [numColumns][]byte
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
		fields = [numColumns][]byte{[]byte(jr.VRM), []byte(jr.List), []byte(jr.Marker), []byte(priority),
			[]byte(jr.Action), []byte(jr.Added), []byte(jr.Expires), []byte(jr.OwnerRef)}
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
