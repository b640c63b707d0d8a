package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// Filter picks entries for the auditor's view. Zero fields match everything.
type Filter struct {
	Since  time.Time // entries at or after Since
	Until  time.Time // entries before Until
	Actor  string
	Action Action
}

// Match reports whether e passes the filter.
func (f Filter) Match(e *Entry) bool {
	switch {
	case !f.Since.IsZero() && e.Time.Before(f.Since):
		return false
	case !f.Until.IsZero() && !e.Time.Before(f.Until):
		return false
	case f.Actor != "" && e.Actor != f.Actor:
		return false
	case f.Action != "" && e.Action != f.Action:
		return false
	}
	return true
}

// Query reads the log at path and returns the entries that pass f, in the
// order they were written. It needs no key and checks nothing: entries come
// back as recorded, and [Verify] says whether they can be trusted.
func Query(path string, f Filter) ([]Entry, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit query: %w", err)
	}
	defer file.Close()
	return query(file, path, f)
}

func query(r io.Reader, path string, f Filter) ([]Entry, error) {
	var out []Entry
	err := eachLine(r, func(l line) error {
		if !l.complete {
			return fmt.Errorf("audit log %s line %d is incomplete (no newline): run verify", path, l.n)
		}
		e, err := decodeEntry(l)
		if err != nil {
			return fmt.Errorf("audit log %s line %d: %w: run verify", path, l.n, err)
		}
		if f.Match(&e) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// decodeEntry parses one line. Fields the format does not have are refused:
// the hash would not cover them.
func decodeEntry(l line) (Entry, error) {
	if l.tooLong {
		return Entry{}, fmt.Errorf("not an audit entry: longer than %d bytes", maxLine)
	}
	dec := json.NewDecoder(bytes.NewReader(l.text))
	dec.DisallowUnknownFields()
	var e Entry
	if err := dec.Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("not a valid audit entry: %v", err)
	}
	if rest := bytes.TrimSpace(l.text[dec.InputOffset():]); len(rest) > 0 {
		return Entry{}, fmt.Errorf("not a valid audit entry: %q after the entry", truncate(rest, 20))
	}
	return e, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
