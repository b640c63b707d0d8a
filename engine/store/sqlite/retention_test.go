package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"anpr/engine/store"
)

const day = 24 * time.Hour

// A year and a month of reads, one every 6 hours; retention keeps the last
// 365 days, deleting in chunks of 7 so that a run takes many chunks. The
// reads are all in the open segment, or in sealed segments of 50, which
// retention drops once it has emptied them.
func TestRunRetention(t *testing.T) {
	for _, size := range []int{0, 50} {
		t.Run(fmt.Sprintf("segments=%d", size), func(t *testing.T) { testRunRetention(t, size) })
	}
}

func testRunRetention(t *testing.T, segmentReads int) {
	now := t0.AddDate(1, 1, 0)
	clock := steppingClock(now)
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{DeleteChunk: 7, SegmentReads: segmentReads, Now: clock})
	defer s.Close()
	ctx := context.Background()

	var reads []store.Read
	for at := t0; at.Before(now); at = at.Add(6 * time.Hour) {
		reads = append(reads, store.Read{ID: fmt.Sprintf("ret-%d", len(reads)), Camera: "CAM-R", VRM: "RE12TAI",
			Confidence: 0.9, Captured: at})
	}
	for b := range slices.Chunk(reads, 25) {
		if _, err := s.AddReads(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	cutoff := now.Add(-365 * day)
	var wantKept []string
	wantDeleted := 0
	for _, r := range reads {
		if r.Captured.Before(cutoff) {
			wantDeleted++
		} else {
			wantKept = append(wantKept, r.ID)
		}
	}
	if wantDeleted < 3*7 || len(wantKept) == 0 {
		t.Fatalf("test data: %d to delete, %d to keep; want several chunks of each", wantDeleted, len(wantKept))
	}

	before, err := allSegments(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	segsBefore := len(before)
	run, err := s.RunRetention(ctx, 365*day, now)
	if err != nil {
		t.Fatal(err)
	}
	if run.Deleted != int64(wantDeleted) {
		t.Errorf("run deleted %d, want %d", run.Deleted, wantDeleted)
	}
	var kept []string
	for r := range allReads(t, s) {
		kept = append(kept, r.ID)
	}
	slices.Sort(kept)
	slices.Sort(wantKept)
	if !slices.Equal(kept, wantKept) {
		t.Errorf("kept %d reads, want %d: the ones captured at or after %s", len(kept), len(wantKept), cutoff)
	}

	segs, err := allSegments(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range segs {
		if g.first < cutoff.UnixNano() {
			t.Errorf("segment %s holds reads from %s after the run, before the cutoff %s",
				g.table, time.Unix(0, g.first).UTC(), cutoff)
		}
	}
	// (The reads table of schema version 1, empty in a new store, is a
	// segment that never held reads. Sealed segments have a table of runs.)
	var tables, listed, grams int
	if err := s.r.QueryRow(`SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'reads%'),
		(SELECT count(*) FROM read_segments), (SELECT count(*) FROM read_segments WHERE grams = 1)`).Scan(&tables, &listed, &grams); err != nil {
		t.Fatal(err)
	}
	if tables != listed+grams || listed != len(segs)+1 || (segmentReads > 0 && len(segs) >= segsBefore) {
		t.Errorf("%d segment tables, %d listed, %d holding reads, %d before the run: want those emptied dropped",
			tables, listed, len(segs), segsBefore)
	}

	// A second run finds nothing more to delete and is recorded too.
	if run2, err := s.RunRetention(ctx, 365*day, now); err != nil || run2.Deleted != 0 {
		t.Errorf("second run = %+v, %v; want 0 deleted", run2, err)
	}
	runs, err := s.RetentionRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs recorded, want 2: %+v", len(runs), runs)
	}
	if runs[0] != run {
		t.Errorf("recorded run %+v, RunRetention returned %+v", runs[0], run)
	}
	for i, r := range runs {
		wantN := []int64{int64(wantDeleted), 0}[i]
		if !r.Cutoff.Equal(cutoff) || r.Deleted != wantN || r.Err != "" || r.Started.IsZero() || r.Finished.Before(r.Started) {
			t.Errorf("run %d recorded as %+v; want cutoff %s, %d deleted, started and finished, no error", i, r, cutoff, wantN)
		}
	}
}

// A run stopped by its context part way says so in its record, with the
// count of what it had deleted, oldest first.
func TestRetentionCancelled(t *testing.T) {
	now := t0.Add(10 * day)
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{DeleteChunk: 10, Now: steppingClock(now)})
	defer s.Close()
	reads := testReads(100, "CA12NCL")
	if _, err := s.AddReads(context.Background(), reads); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.chunkDeleted = cancel // stop after the first chunk
	run, err := s.RunRetention(ctx, day, now)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled run reported %v, want context.Canceled", err)
	}
	if run.Deleted != 10 {
		t.Errorf("cancelled run deleted %d, want one chunk of 10", run.Deleted)
	}
	runs, err := s.RetentionRuns(context.Background())
	if err != nil || len(runs) != 1 {
		t.Fatalf("RetentionRuns = %+v, %v; want the one run", runs, err)
	}
	if runs[0].Err == "" || runs[0].Finished.IsZero() || runs[0].Deleted != 10 {
		t.Errorf("cancelled run recorded as %+v; want its error, its end and its count, 10", runs[0])
	}
	var left []string
	for r := range allReads(t, s) {
		left = append(left, r.ID)
	}
	if want := idsOf(reads[10:]); !slices.Equal(left, want) {
		t.Errorf("left %v, want all but the oldest 10", left)
	}

	// Cancelled before it starts, a run deletes and records nothing.
	s.chunkDeleted = nil
	if _, err := s.RunRetention(ctx, day, now); err == nil {
		t.Error("a run with a cancelled context reported no error")
	}
	if n := count(t, s); n != 90 {
		t.Errorf("%d reads left, want 90", n)
	}
}

func idsOf(reads []store.Read) []string {
	var out []string
	for _, r := range reads {
		out = append(out, r.ID)
	}
	return out
}

func TestRetentionRefuses(t *testing.T) {
	now := t0.Add(10 * day)
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{Now: func() time.Time { return now }})
	defer s.Close()
	if _, err := s.AddReads(context.Background(), testReads(10, "RE12FUS")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		keep time.Duration
		now  time.Time
	}{
		{"zero keep", 0, now},
		{"negative keep", -day, now},
		{"no now", day, time.Time{}},
		{"a now in the future that puts the cutoff after the clock", day, now.Add(2 * day)},
	}
	for _, tt := range tests {
		if _, err := s.RunRetention(context.Background(), tt.keep, tt.now); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: err = %v, want a refusal", tt.name, err)
		}
	}
	if n := count(t, s); n != 10 {
		t.Errorf("%d reads left after refused runs, want 10", n)
	}
	if runs, _ := s.RetentionRuns(context.Background()); len(runs) != 0 {
		t.Errorf("refused runs were recorded: %+v", runs)
	}
	// A keep longer than the Unix era deletes nothing and still records.
	if run, err := s.RunRetention(context.Background(), 200*365*day, now); err != nil || run.Deleted != 0 {
		t.Errorf("keeping 200 years: %+v, %v; want nothing deleted", run, err)
	}
}

// steppingClock starts at start and moves on a millisecond each call, so
// that a run's start and finish differ.
func steppingClock(start time.Time) func() time.Time {
	next := start
	return func() time.Time {
		t := next
		next = next.Add(time.Millisecond)
		return t
	}
}

// allReads yields every stored read.
func allReads(t *testing.T, s *Store) func(func(store.Read) bool) {
	return func(yield func(store.Read) bool) {
		q := store.Query{From: time.Unix(0, 0), Limit: store.MaxLimit}
		for {
			page, err := s.SearchReads(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				if !yield(r) {
					return
				}
			}
			if len(page) < q.Limit {
				return
			}
			q.After = store.CursorOf(page[len(page)-1])
		}
	}
}
