package hotlist

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Watch loads the file at once and again whenever it changes; a change that
// would be refused leaves the version in force, and a file gone missing is
// reported.
func TestWatchPicksUpChangedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "national.csv")
	stamp := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	// replace puts a complete new file in place, as writers should, with a
	// modification time of its own so that the change shows however coarse
	// the file system's clock.
	replace := func(text string) {
		t.Helper()
		tmp := filepath.Join(dir, "national.tmp")
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		stamp = stamp.Add(time.Minute)
		if err := os.Chtimes(tmp, stamp, stamp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	loads := make(chan LoadReport, 16)
	h := newHotlists(t, Options{OnLoad: func(rep LoadReport) { loads <- rep }})
	// next waits for the next load report; the deadline only stops a broken
	// Watch from hanging the test.
	next := func() LoadReport {
		t.Helper()
		select {
		case rep := <-loads:
			return rep
		case <-time.After(20 * time.Second):
			t.Fatal("no load reported")
		}
		return LoadReport{}
	}

	replace(csvOf("AB12CDE,PNC,stolen,2,,,,"))
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan error)
	go func() { watching <- h.Watch(ctx, "national", path, 5*time.Millisecond) }()

	if rep := next(); rep.Refused || rep.Version != 1 || rep.File != path {
		t.Fatalf("first load: %+v", rep)
	}
	replace(csvOf("CD34EFG,PNC,stolen,2,,,,", "EF56GHI,PNC,stolen,2,,,,"))
	if rep := next(); rep.Refused || rep.Version != 2 || rep.Accepted != 2 {
		t.Fatalf("load of the changed file: %+v", rep)
	}
	if len(h.Match("AB12CDE", readAt)) != 0 || len(h.Match("CD34EFG", readAt)) != 1 {
		t.Error("the changed file is not the version in force")
	}

	replace(csvOf("GH78JKL,PNC,stolen,12,,,,"))
	if rep := next(); !rep.Refused || rep.Version != 2 {
		t.Fatalf("load of a bad file: %+v, want refused with version 2 in force", rep)
	}
	if len(h.Match("CD34EFG", readAt)) != 1 {
		t.Error("a refused change dropped the version in force")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if rep := next(); !rep.Refused || rep.Version != 2 {
		t.Fatalf("file gone: %+v, want a refusal with version 2 in force", rep)
	}
	replace(csvOf("JK90LMN,PNC,stolen,2,,,,"))
	if rep := next(); rep.Refused || rep.Version != 3 {
		t.Fatalf("file back: %+v", rep)
	}
	if len(h.Match("JK90LMN", readAt)) != 1 {
		t.Error("the file put back is not the version in force")
	}

	cancel()
	if err := <-watching; err != nil {
		t.Errorf("Watch returned %v when its context ended, want nil", err)
	}
	select {
	case rep := <-loads:
		t.Errorf("an unchanged file was loaded again: %+v", rep)
	default:
	}
}
