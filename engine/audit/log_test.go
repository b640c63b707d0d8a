package audit

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAppendAndVerifyIntact(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	l, err := Open(path, testKey, stepClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	for i := range 5 {
		e, err := l.Append(sample(i))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	prev := Genesis
	for i, e := range got {
		if e.Seq != uint64(i+1) || !e.Time.Equal(t0.Add(time.Duration(i)*time.Second)) || e.Prev != prev || len(e.Hash) != 64 {
			t.Errorf("entry %d came back as seq %d time %v prev %.8s hash %q", i+1, e.Seq, e.Time, e.Prev, e.Hash)
		}
		prev = e.Hash
	}
	rep, err := Verify(path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries != 5 || rep.LastSeq != 5 || rep.HeadSeq != 5 || !rep.HeadOK || !rep.First.Equal(t0) || !rep.Last.Equal(t0.Add(4*time.Second)) || len(rep.Notes) != 0 {
		t.Errorf("intact log: report %+v", rep)
	}
	if entries, err := Query(path, Filter{}); err != nil || !slices.EqualFunc(entries, got, sameEntry) {
		t.Errorf("read back %+v, %v; want %+v", entries, err, got)
	}
}

func sameEntry(a, b Entry) bool {
	return a.Seq == b.Seq && a.Time.Equal(b.Time) && a.Actor == b.Actor && a.Role == b.Role && a.Action == b.Action &&
		a.Target == b.Target && a.Outcome == b.Outcome && maps.Equal(a.Detail, b.Detail) && a.Prev == b.Prev && a.Hash == b.Hash
}

func TestEmptyLogVerifies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	rep, err := Verify(path, testKey)
	if err != nil || !rep.OK || rep.Entries != 0 {
		t.Errorf("new empty log: %+v, %v", rep, err)
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	const writers, each = 8, 40
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testKey, stepClock(t0))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	seqs := make(chan uint64, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				e, err := l.Append(sample(w*each + i))
				if err != nil {
					t.Error(err)
					return
				}
				seqs <- e.Seq
			}
		})
	}
	// An auditor reading while the writers write sees a prefix of the chain.
	wg.Go(func() {
		for range 20 {
			entries, err := l.Query(Filter{})
			if err != nil {
				t.Error(err)
				return
			}
			for i, e := range entries {
				if e.Seq != uint64(i+1) {
					t.Errorf("query during appends: entry %d has seq %d", i+1, e.Seq)
					return
				}
			}
		}
	})
	wg.Wait()
	close(seqs)
	l.Close()
	var got []uint64
	for s := range seqs {
		got = append(got, s)
	}
	slices.Sort(got)
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("appends were given seqs %v...; want 1 to %d once each", got[:i+1], writers*each)
		}
	}
	rep, err := Verify(path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries != writers*each {
		t.Errorf("after %d concurrent appends: %d entries, problems %v", writers*each, rep.Entries, rep.Problems)
	}
}

func TestReopenContinuesChain(t *testing.T) {
	dir := t.TempDir()
	path := newLog(t, dir, 3)
	l, err := Open(path, testKey, stepClock(t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if seq, _ := l.Head(); seq != 3 {
		t.Errorf("reopened log's head is %d, want 3", seq)
	}
	e, err := l.Append(sample(3))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	lines := fileLines(t, path)
	if e.Seq != 4 || !strings.Contains(string(lines[2]), `"hash":"`+e.Prev+`"`) {
		t.Errorf("after reopening, entry %d has prev %s, not entry 3's hash (%s)", e.Seq, e.Prev, lines[2])
	}
	if rep, err := Verify(path, testKey); err != nil || !rep.OK || rep.Entries != 4 {
		t.Errorf("reopened and extended log: %+v, %v", rep, err)
	}
}

// Open must not extend a log whose end it cannot vouch for: the next head
// update would hide the evidence.
func TestOpenRefusesLogItCannotExtend(t *testing.T) {
	half := func(t *testing.T, path string) {
		lines := fileLines(t, path)
		extra := bytes.Replace(lines[9], []byte(`"seq":10`), []byte(`"seq":11`), 1)
		writeLines(t, path, append(lines, extra[:len(extra)/2]))
	}
	cases := []struct {
		name   string
		key    []byte
		tamper func(t *testing.T, path string)
		want   string
	}{
		{"half-written last line", testKey, half, "line 11 is incomplete"},
		{"garbage appended", testKey, func(t *testing.T, path string) {
			writeLines(t, path, append(fileLines(t, path), []byte("rm -rf /\n")))
		}, "line 11 (the last): not a valid audit entry"},
		{"last 3 lines cut off", testKey, func(t *testing.T, path string) {
			writeLines(t, path, fileLines(t, path)[:7])
		}, "ends at entry 7 (line 7) but its head file records 10 entries"},
		{"every line cut off", testKey, func(t *testing.T, path string) {
			writeLines(t, path, nil)
		}, "empty but its head file records 10 entries"},
		{"last line altered", testKey, func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[9] = bytes.Replace(lines[9], []byte("pc1234"), []byte("pc9999"), 1)
			writeLines(t, path, lines)
		}, "line 10 (entry 10, the last) does not verify"},
		{"head file removed", testKey, func(t *testing.T, path string) {
			os.Remove(path + ".head")
		}, "no head file"},
		{"wrong key", []byte("another key, 16 bytes or more"), func(*testing.T, string) {}, "does not verify with this key"},
		{"short key", []byte("short"), func(*testing.T, string) {}, "at least 16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := newLog(t, t.TempDir(), 10)
			c.tamper(t, path)
			before, _ := os.ReadFile(path)
			l, err := Open(path, c.key, nil)
			if err == nil {
				l.Close()
				t.Fatalf("Open accepted the log")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open: %v\nwant it to say %q", err, c.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("Open changed a log it refused")
			}
		})
	}
}

// A crash after an entry is synced but before the head is renamed leaves the
// head one behind; the entry verifies and follows the head, so Open catches
// the head up instead of refusing the log.
func TestOpenCatchesUpHeadOneBehind(t *testing.T) {
	path := newLog(t, t.TempDir(), 9)
	oldHead, err := os.ReadFile(path + ".head")
	if err != nil {
		t.Fatal(err)
	}
	appendSamples(t, path, testKey, t0.Add(time.Hour), 9, 1)
	os.WriteFile(path+".head", oldHead, 0o600)

	rep, err := Verify(path, testKey)
	if err != nil || !rep.OK || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "one entry behind") {
		t.Errorf("head one behind: %+v, %v; want OK with a note", rep, err)
	}
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if rep, err := Verify(path, testKey); err != nil || !rep.OK || len(rep.Notes) != 0 || rep.HeadSeq != 10 {
		t.Errorf("after Open: %+v, %v", rep, err)
	}
}

func TestOneWriterPerLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l2, err := Open(path, testKey, nil); err == nil {
		l2.Close()
		t.Fatal("a second Log opened the same file for appending")
	}
}

func TestAppendRefusesIncompleteEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cases := []struct {
		name string
		e    Entry
	}{
		{"no actor", Entry{Action: ActionSearch, Outcome: OutcomeOK}},
		{"unknown action", Entry{Actor: "pc1", Action: "peek", Outcome: OutcomeOK}},
		{"no outcome", Entry{Actor: "pc1", Action: ActionSearch}},
	}
	for _, c := range cases {
		if _, err := l.Append(c.e); err == nil {
			t.Errorf("%s: Append accepted %+v", c.name, c.e)
		}
	}
	if seq, _ := l.Head(); seq != 0 {
		t.Errorf("refused entries were written: head at %d", seq)
	}
	l.Close()
	if _, err := l.Append(sample(0)); err == nil {
		t.Errorf("Append after Close succeeded")
	}
}

// JSON cannot carry bytes that are not UTF-8; the log must store and hash the
// same text, or a later Verify would call an honest entry altered.
func TestNonUTF8IsStoredAsHashed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := sample(0)
	e.Target = "vrm=AB12\xffCDE"
	e.Detail = map[string]string{"reason\xfe": "bad\xc3"}
	got, err := l.Append(e)
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.Target != "vrm=AB12\uFFFDCDE" {
		t.Errorf("target stored as %q", got.Target)
	}
	if rep, err := Verify(path, testKey); err != nil || !rep.OK {
		t.Errorf("entry with non-UTF-8 input: %+v, %v", rep, err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		content string
		want    []byte
		err     string
	}{
		{"hex with newline", "30313233343536373839616263646566\n", []byte("0123456789abcdef"), ""},
		{"raw bytes", "a raw key of 24 bytes!!\n", []byte("a raw key of 24 bytes!!\n"), ""},
		{"short hex", "deadbeef\n", nil, "4 bytes"},
		{"short raw", "secret", nil, "6 bytes"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
		os.WriteFile(path, []byte(c.content), 0o600)
		got, err := LoadKey(path)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: got key %q, err %v; want an error saying %q", c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := LoadKey(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing key file: %v", err)
	}
}
