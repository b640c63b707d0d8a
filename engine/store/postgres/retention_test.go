package postgres

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"anpr/engine/store"
)

func exec(t *testing.T, s *Store, sql string) {
	t.Helper()
	if _, err := s.pool.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestRetention(t *testing.T) {
	now := t0.AddDate(1, 0, 0)
	// One read an hour for five days from 2026-03-02 09:00.
	reads := testReads(5*24, "RE12TAN", time.Hour)
	tests := []struct {
		name    string
		cutoff  time.Time
		deleted int64
		tables  []string // day tables left
	}{
		{"before every read", t0.Add(-48 * time.Hour), 0,
			[]string{"reads_20260302", "reads_20260303", "reads_20260304", "reads_20260305", "reads_20260306", "reads_20260307"}},
		{"midnight: whole days only", time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), 15 + 24,
			[]string{"reads_20260304", "reads_20260305", "reads_20260306", "reads_20260307"}},
		{"part way through a day", time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC), 15 + 24 + 11,
			[]string{"reads_20260304", "reads_20260305", "reads_20260306", "reads_20260307"}},
		{"a nanosecond after a read: the read goes", time.Date(2026, 3, 4, 10, 0, 0, 1, time.UTC), 15 + 24 + 11,
			[]string{"reads_20260304", "reads_20260305", "reads_20260306", "reads_20260307"}},
		{"at a read: the read stays", time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), 15 + 24 + 10,
			[]string{"reads_20260304", "reads_20260305", "reads_20260306", "reads_20260307"}},
		{"after every read", now, int64(len(reads)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{Now: func() time.Time { return now }, DeleteChunk: 4})
			defer s.Close()
			ctx := context.Background()
			if _, err := s.AddReads(ctx, reads); err != nil {
				t.Fatal(err)
			}
			// The last read is at 2026-03-07 08:00; no table for the 8th
			// (the clock is a year on, so no day is today).
			n, err := s.DeleteReadsBefore(ctx, tt.cutoff)
			if err != nil || n != tt.deleted {
				t.Fatalf("DeleteReadsBefore(%s) = %d, %v; want %d", tt.cutoff, n, err, tt.deleted)
			}
			if got := dayTables(t, s); !slices.Equal(got, tt.tables) {
				t.Errorf("day tables left = %v, want %v", got, tt.tables)
			}
			var want []store.Read
			for _, r := range reads {
				if !r.Captured.Before(tt.cutoff) {
					want = append(want, r)
				}
			}
			got, err := s.SearchReads(ctx, store.Query{VRM: "RE12TAN", Limit: store.MaxLimit})
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("left %d reads, %v; want the %d captured at or after the cutoff", len(got), err, len(want))
			}
			if ids := count(t, s, "read_ids"); ids != int64(len(want)) {
				t.Errorf("%d IDs kept, want %d, one for each read left", ids, len(want))
			}
			runs, err := s.RetentionRuns(ctx)
			if err != nil || len(runs) != 1 {
				t.Fatalf("RetentionRuns = %+v, %v; want one run", runs, err)
			}
			if r := runs[0]; r.Deleted != tt.deleted || !r.Cutoff.Equal(tt.cutoff) || r.Err != "" || !r.Started.Equal(now) || !r.Finished.Equal(now) {
				t.Errorf("run recorded as %+v, want %d deleted before %s, finished, no error", r, tt.deleted, tt.cutoff)
			}
			// The reads deleted can be stored again: their IDs went with them.
			if added, err := s.AddReads(ctx, reads); err != nil || added != int(tt.deleted) {
				t.Errorf("storing the reads again: added %d, %v; want %d", added, err, tt.deleted)
			}
		})
	}
}

func TestRunRetention(t *testing.T) {
	now := t0.Add(30 * 24 * time.Hour)
	s := openTest(t, Options{Now: func() time.Time { return now }})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.AddReads(ctx, testReads(30, "KE12EPS", 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		keep time.Duration
		now  time.Time
	}{{0, now}, {-time.Hour, now}, {time.Hour, time.Time{}}, {-time.Hour, now.Add(2 * time.Hour)}} {
		if _, err := s.RunRetention(ctx, bad.keep, bad.now); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("RunRetention(%v, %v) = %v, want a refusal", bad.keep, bad.now, err)
		}
	}
	run, err := s.RunRetention(ctx, 10*24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	// Reads at 09:00 on each of 30 days; the cutoff is 09:00 twenty days in.
	if run.Deleted != 20 || !run.Cutoff.Equal(t0.Add(20*24*time.Hour)) {
		t.Errorf("RunRetention = %+v, want 20 deleted before %s", run, t0.Add(20*24*time.Hour))
	}
	if n := len(dayTables(t, s)); n != 10 {
		t.Errorf("%d day tables left, want 10", n)
	}
}

// A run that stopped between detaching a day and dropping it (a crash)
// leaves the table detached; the next run drops it and counts its reads.
func TestRetentionFinishesAnInterruptedRun(t *testing.T) {
	now := t0.AddDate(1, 0, 0)
	s := openTest(t, Options{Now: func() time.Time { return now }})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.AddReads(ctx, testReads(72, "CR12ASH", time.Hour)); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `ALTER TABLE reads DETACH PARTITION reads_20260302`)
	n, err := s.DeleteReadsBefore(ctx, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 15+24 {
		t.Errorf("DeleteReadsBefore = %d, %v; want %d (the detached day's reads counted)", n, err, 15+24)
	}
	var left int64
	s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename IN ('reads_20260302', 'reads_20260303')`, s.opts.Schema).Scan(&left)
	if left != 0 {
		t.Errorf("%d of the dropped days' tables are still there", left)
	}
}

// A batch with a read of a day whose table a stopped run left detached
// attaches it again rather than fail or lose what it holds.
func TestBatchReattachesALeftoverDay(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	ctx := context.Background()
	reads := testReads(10, "LE12FTO", time.Hour)
	if _, err := s.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `ALTER TABLE reads DETACH PARTITION reads_20260302`)
	// A second store, as another writer would be, that has not seen the
	// day yet; then the first, which thinks the day is attached.
	s2 := openTest(t, Options{Schema: s.opts.Schema})
	defer s2.Close()
	late := testReads(12, "LE12FTO", time.Hour)
	if added, err := s2.AddReads(ctx, late[10:11]); err != nil || added != 1 {
		t.Fatalf("AddReads of a read of the detached day = %d, %v; want 1, nil", added, err)
	}
	exec(t, s, `ALTER TABLE reads DETACH PARTITION reads_20260302`)
	if added, err := s.AddReads(ctx, late[11:]); err != nil || added != 1 {
		t.Fatalf("AddReads, by a store that thought the day attached = %d, %v; want 1, nil", added, err)
	}
	got, err := s.SearchReads(ctx, store.Query{VRM: "LE12FTO"})
	if err != nil || !slices.Equal(got, late) {
		t.Errorf("after reattaching, %d reads found, %v; want all %d", len(got), err, len(late))
	}
}
