package siting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"anpr/sim/traffic"
)

// jsonFile reads the package's JSON files (sites, proposals) so that every
// fault names the file, the line and the JSON path, as the network loader
// does: a planner editing a file by hand needs to know where to look.
type jsonFile struct {
	name string
	data []byte
}

func (f *jsonFile) lineAt(off int64) int {
	off = min(max(off, 0), int64(len(f.data)))
	return 1 + bytes.Count(f.data[:off], []byte{'\n'})
}

func (f *jsonFile) fail(off int64, path, format string, args ...any) error {
	return &traffic.InputError{File: f.name, Line: f.lineAt(off), Path: path, Problem: fmt.Sprintf(format, args...)}
}

// decodeErr turns an encoding/json error about the value at off into an
// InputError at its line; offsets in the error count from base.
func (f *jsonFile) decodeErr(base, off int64, path string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return f.fail(max(base+se.Offset, off), path, "%v", se)
	case errors.As(err, &te):
		if te.Field != "" {
			path += "." + te.Field
		}
		return f.fail(base+te.Offset, path, "%s is not a %s", te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return f.fail(int64(len(f.data)), path, "the file ends in the middle of a value")
	}
	return f.fail(off, path, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// element is one member of an array in the file, with where it starts.
type element struct {
	raw  json.RawMessage
	at   int64
	path string
}

// parse reads a JSON object whose members are scalars decoded into
// scalars[name], or arrays of objects listed in arrays: each element is
// kept raw with its offset. Any other member is refused, so that a misspelt
// one is not silently ignored.
func (f *jsonFile) parse(scalars map[string]any, arrays map[string]*[]element) error {
	dec := json.NewDecoder(bytes.NewReader(f.data))
	start := func() int64 {
		off := dec.InputOffset()
		for off < int64(len(f.data)) && strings.IndexByte(" \t\r\n,:", f.data[off]) >= 0 {
			off++
		}
		return off
	}
	if tok, err := dec.Token(); err != nil {
		return f.decodeErr(0, 0, "", err)
	} else if tok != json.Delim('{') {
		return f.fail(0, "", "the file is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		keyAt := start()
		tok, err := dec.Token()
		if err != nil {
			return f.decodeErr(0, keyAt, "", err)
		}
		key := tok.(string)
		if seen[key] {
			return f.fail(keyAt, key, "given twice")
		}
		seen[key] = true
		at := start()
		if dst, ok := scalars[key]; ok {
			if err := dec.Decode(dst); err != nil {
				return f.decodeErr(0, at, key, err)
			}
			continue
		}
		list, ok := arrays[key]
		if !ok {
			return f.fail(keyAt, key, "unknown member (members: %s)", memberNames(scalars, arrays))
		}
		if tok, err := dec.Token(); err != nil {
			return f.decodeErr(0, at, key, err)
		} else if tok != json.Delim('[') {
			return f.fail(at, key, "is not an array")
		}
		for i := 0; dec.More(); i++ {
			elemAt := start()
			e := element{at: elemAt, path: fmt.Sprintf("%s[%d]", key, i)}
			if err := dec.Decode(&e.raw); err != nil {
				return f.decodeErr(0, elemAt, e.path, err)
			}
			*list = append(*list, e)
		}
		if _, err := dec.Token(); err != nil {
			return f.decodeErr(0, start(), key, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return f.decodeErr(0, start(), "", err)
	}
	if off := start(); off < int64(len(f.data)) {
		return f.fail(off, "", "text after the JSON object")
	}
	return nil
}

// strict decodes an element into v, refusing members v does not have.
func (f *jsonFile) strict(e element, v any) error {
	dec := json.NewDecoder(bytes.NewReader(e.raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return f.decodeErr(e.at, e.at, e.path, err)
	}
	return nil
}

func memberNames(scalars map[string]any, arrays map[string]*[]element) string {
	var names []string
	for k := range scalars {
		names = append(names, k)
	}
	for k := range arrays {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
