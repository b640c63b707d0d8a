package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Log is an open audit log, appended to by one process at a time. Its
// methods are safe for concurrent use.
type Log struct {
	path  string
	key   []byte
	clock func() time.Time

	mu   sync.Mutex
	f    *os.File // nil once closed
	dir  *os.File // the log's directory, synced after each head rename
	seq  uint64   // of the last entry
	last string   // hash of the last entry, Genesis when empty
	size int64    // bytes of complete entries

	err error // once set, the log takes no more entries
}

// Open opens the log at path for appending, creating it (and its head file)
// if it does not exist. clock gives entry times (time.Now when nil).
//
// Open continues the chain from the last entry. It refuses, with an error
// naming the line, a log it could not extend without hiding something: a
// last line cut short by a crash, a last line that is not a valid entry or
// does not verify with key, a head file that is missing, altered or records
// more entries than the log holds. It does not check the rest of the log:
// that is [Verify]'s work. The one thing it repairs is a head file one entry
// behind a log whose last entry verifies and follows it, which is what a
// crash between writing an entry and updating the head leaves.
func Open(path string, key []byte, clock func() time.Time) (*Log, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = time.Now
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open audit log directory: %w", err)
	}
	l := &Log{path: path, key: append([]byte(nil), key...), clock: clock, f: f, dir: dir, last: Genesis}
	if err := l.resume(); err != nil {
		f.Close()
		dir.Close()
		return nil, err
	}
	return l, nil
}

// resume finds where the chain ends and checks the end against the head.
func (l *Log) resume() error {
	var last line
	var lastText []byte
	var size int64
	err := eachLine(io.NewSectionReader(l.f, 0, 1<<62), func(ln line) error {
		last = ln
		lastText = append(lastText[:0], ln.text...)
		if ln.complete {
			size += int64(len(ln.text)) + 1
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read audit log %s: %w", l.path, err)
	}
	last.text = lastText
	hp := headPath(l.path)
	h, herr := readHead(hp, l.key)
	if last.n == 0 { // an empty log
		switch {
		case errors.Is(herr, fs.ErrNotExist):
			return writeHead(hp, newHead(l.key, 0, Genesis), l.dir)
		case herr != nil:
			return herr
		case h.Seq != 0:
			return fmt.Errorf("audit log %s is empty but its head file records %d entries: they were cut off; run 'anpr audit verify' and keep both files as evidence", l.path, h.Seq)
		}
		return nil
	}
	if !last.complete {
		return fmt.Errorf("audit log %s line %d is incomplete (%d bytes, no newline): an append was cut short, probably by a crash; nothing is added after it: run 'anpr audit verify', keep the file and start a new log", l.path, last.n, len(last.text))
	}
	e, err := decodeEntry(last)
	if err != nil {
		return fmt.Errorf("audit log %s line %d (the last): %w; nothing is added after it: run 'anpr audit verify'", l.path, last.n, err)
	}
	if !sameHash(e.Hash, entryHash(l.key, &e)) {
		return fmt.Errorf("audit log %s line %d (entry %d, the last) does not verify with this key: the wrong key, or the entry was altered", l.path, last.n, e.Seq)
	}
	switch {
	case errors.Is(herr, fs.ErrNotExist):
		return fmt.Errorf("audit log %s has %d lines but no head file %s: there is no telling whether entries were cut off the end; run 'anpr audit verify'", l.path, last.n, hp)
	case herr != nil:
		return herr
	case h.Seq == e.Seq && sameHash(h.Hash, e.Hash):
	case e.Seq == h.Seq+1 && sameHash(e.Prev, h.Hash):
		// Written and synced, but the process stopped before the head caught up.
		if err := writeHead(hp, newHead(l.key, e.Seq, e.Hash), l.dir); err != nil {
			return err
		}
	case e.Seq < h.Seq:
		return fmt.Errorf("audit log %s ends at entry %d (line %d) but its head file records %d entries: entries were cut off the end; run 'anpr audit verify' and keep both files as evidence", l.path, e.Seq, last.n, h.Seq)
	default:
		return fmt.Errorf("audit log %s ends at entry %d (line %d), which is not the last entry its head file records (entry %d); run 'anpr audit verify'", l.path, e.Seq, last.n, h.Seq)
	}
	l.seq, l.last, l.size = e.Seq, e.Hash, size
	return nil
}

// Append records e and returns it as written, with Seq, Time, Prev and Hash
// filled in. The entry is on disk (fsync'd) when Append returns nil.
//
// The caller fills Actor, Action, Outcome (all required), Role, Target and
// Detail. Bytes that are not UTF-8 are replaced with U+FFFD.
//
// After a failure that may have left the file or its head in doubt (a failed
// sync, a failed head update) the Log refuses every later Append; reopening
// it checks the file again.
func (l *Log) Append(e Entry) (Entry, error) {
	if e.Actor == "" {
		return Entry{}, errors.New("audit append: no actor")
	}
	if !e.Action.Valid() {
		return Entry{}, fmt.Errorf("audit append: unknown action %q", e.Action)
	}
	if !e.Outcome.Valid() {
		return Entry{}, fmt.Errorf("audit append: unknown outcome %q", e.Outcome)
	}
	e.Actor, e.Role, e.Target = validUTF8(e.Actor), validUTF8(e.Role), validUTF8(e.Target)
	if len(e.Detail) > 0 {
		d := make(map[string]string, len(e.Detail))
		for k, v := range e.Detail {
			d[validUTF8(k)] = validUTF8(v)
		}
		e.Detail = d
	} else {
		e.Detail = nil
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return Entry{}, fmt.Errorf("audit append to %s: log closed", l.path)
	}
	if l.err != nil {
		return Entry{}, l.err
	}
	e.Seq = l.seq + 1
	e.Time = l.clock().UTC()
	e.Prev = l.last
	e.Hash = entryHash(l.key, &e)
	b, err := json.Marshal(&e)
	if err != nil {
		return Entry{}, fmt.Errorf("audit append entry %d: %w", e.Seq, err)
	}
	b = append(b, '\n')
	if _, err := l.f.Write(b); err != nil {
		// Take back whatever part of the line got in, so the next entry starts
		// on a line of its own.
		if terr := l.f.Truncate(l.size); terr != nil {
			l.err = fmt.Errorf("audit log %s: a failed write could not be undone (%v); it takes no more entries", l.path, terr)
		}
		return Entry{}, fmt.Errorf("audit append entry %d to %s: %w", e.Seq, l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		l.err = fmt.Errorf("audit log %s: sync failed after entry %d (%v); it takes no more entries", l.path, e.Seq, err)
		return Entry{}, l.err
	}
	l.seq, l.last, l.size = e.Seq, e.Hash, l.size+int64(len(b))
	if err := writeHead(headPath(l.path), newHead(l.key, e.Seq, e.Hash), l.dir); err != nil {
		l.err = fmt.Errorf("audit log %s: entry %d written but its head not updated (%v); it takes no more entries", l.path, e.Seq, err)
		return Entry{}, l.err
	}
	return e, nil
}

// Query returns the log's entries that pass f, in order. Entries appended
// while it reads are left out.
func (l *Log) Query(f Filter) ([]Entry, error) {
	l.mu.Lock()
	file, size := l.f, l.size
	l.mu.Unlock()
	if file == nil {
		return nil, fmt.Errorf("audit query %s: log closed", l.path)
	}
	// Appends only add after size, so the bytes before it can be read
	// without holding up appenders.
	return query(io.NewSectionReader(file, 0, size), l.path, f)
}

// Path returns the file the log is in, for Verify.
func (l *Log) Path() string { return l.path }

// Head returns the number and hash of the last entry (0 and Genesis when
// the log is empty): what to send off the machine to pin the log's end.
func (l *Log) Head() (seq uint64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.last
}

// Close closes the log. Later Appends fail.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	if derr := l.dir.Close(); err == nil {
		err = derr
	}
	l.f, l.dir = nil, nil
	return err
}
