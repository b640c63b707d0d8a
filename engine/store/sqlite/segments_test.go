package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/store"
	"anpr/engine/store/storetest"
	"anpr/internal/sqlitefile"
)

// The behaviour every store.Store must have, with segments so small that
// every test's reads are spread over several sealed ones and the open one.
func TestStoreInSmallSegments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{Now: now, SegmentReads: 5})
	})
}

// A full open segment is sealed: it gets its indexes, searches of it use
// them, and the next batch opens a new segment.
func TestSegmentsAreSealedWhenFull(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{SegmentReads: 100})
	defer s.Close()
	ctx := context.Background()
	reads := testReads(1050, "SE12GMT")
	for b := range slices.Chunk(reads, 70) {
		if _, err := s.AddReads(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	segs, err := allSegments(ctx, s.r)
	if err != nil {
		t.Fatal(err)
	}
	var sealed, open []segment
	for _, g := range segs {
		if g.sealed {
			sealed = append(sealed, g)
		} else {
			open = append(open, g)
		}
	}
	// A batch that fills the segment goes in whole, so sealed segments
	// hold 140 reads (two batches of 70), the open one the rest.
	if len(sealed) != 7 || len(open) != 1 || open[0].reads != 1050-7*140 {
		t.Fatalf("segments %+v; want 7 sealed of 140 reads and an open one of 70", segs)
	}
	for _, g := range sealed {
		var n int
		if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?`, g.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(segmentIndexes) || g.reads != 140 {
			t.Errorf("sealed segment %s: %d reads and %d indexes, want 140 and %d", g.table, g.reads, n, len(segmentIndexes))
		}
		search, _ := store.Query{VRM: "SE12*"}.Check()
		text, args := searchSQL(g, search)
		plan := strings.Join(queryPlan(t, s, text, args...), "; ")
		if !strings.Contains(plan, indexName(g.table, "vrm_captured")) {
			t.Errorf("search of sealed segment %s: plan %q, want its VRM index", g.table, plan)
		}
		middle, _ := store.Query{VRM: "*12GM*"}.Check()
		text, args = searchSQL(g, middle)
		plan = strings.Join(queryPlan(t, s, text, args...), "; ")
		if !strings.Contains(plan, gramsTable(g.table)) || strings.Contains(plan, "SCAN "+g.table) {
			t.Errorf("search *12GM* of sealed segment %s: plan %q, want its table of runs, no scan", g.table, plan)
		}
	}
	middle, err := s.SearchReads(ctx, store.Query{VRM: "*12GM*", Limit: store.MaxLimit})
	if err != nil || len(middle) != len(reads) {
		t.Errorf("search *12GM* found %d reads, %v; want all %d", len(middle), err, len(reads))
	}
	got := 0
	for range allReads(t, s) {
		got++
	}
	if got != len(reads) {
		t.Errorf("%d reads found across the segments, want %d", got, len(reads))
	}
}

// A file made before segments (schema version 3) keeps its reads table as
// the first segment: its reads are found, redeliveries of them are still
// stored once, new reads go to a new segment, and retention empties and
// drops the old table.
func TestOpenUpgradesVersion3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	old := sqlitefile.OpenPool(path, nil, true)
	if err := sqlitefile.Migrate(context.Background(), old, migrations[:3], t0); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := old.Exec(`INSERT INTO reads (`+readColumns+`) VALUES (?, 'CAM-A', 'OL12DER', 0.9, ?, '', '', '', '', '')`,
			fmt.Sprintf("old-%d", i), t0.Add(time.Duration(i)*time.Minute).UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s := openTest(t, path, Options{Now: func() time.Time { return t0.AddDate(1, 0, 0) }})
	defer s.Close()
	ctx := context.Background()
	redelivered := store.Read{ID: "old-1", Camera: "CAM-A", VRM: "OL12DER", Confidence: 0.9, Captured: t0.Add(time.Minute)}
	if added, err := s.AddReads(ctx, []store.Read{redelivered}); err != nil || added != 0 {
		t.Errorf("redelivering a read stored before the upgrade: added %d, %v; want 0", added, err)
	}
	if _, err := s.AddReads(ctx, testReads(2, "OL12DER")); err != nil {
		t.Fatal(err)
	}
	got, err := s.SearchReads(ctx, store.Query{VRM: "*12DER"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(got); !slices.Equal(ids, []string{"OL12DER-0000", "old-0", "OL12DER-0001", "old-1", "old-2"}) {
		t.Errorf("search after the upgrade found %v, the old reads and the new in capture order (then ID)", ids)
	}
	if n, err := s.DeleteReadsBefore(ctx, t0.Add(10*time.Minute)); err != nil || n != 5 {
		t.Errorf("DeleteReadsBefore = %d, %v; want 5", n, err)
	}
	var tables int
	if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'reads'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Error("the old reads table is still there, emptied")
	}
}

// After reopening, redeliveries of reads in sealed segments (found through
// the filters kept in the file) and in the open one are still stored once.
func TestRedeliveryAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	opts := Options{SegmentReads: 10}
	ctx := context.Background()
	reads := testReads(40, "RE12DLV")
	s := openTest(t, path, opts)
	// 35 reads sealed in a segment, 3 in the open one.
	for _, b := range [][]store.Read{reads[:35], reads[35:38]} {
		if added, err := s.AddReads(ctx, b); err != nil || added != len(b) {
			t.Fatalf("AddReads = %d, %v", added, err)
		}
	}
	s.Close()
	s = openTest(t, path, opts)
	defer s.Close()
	for _, step := range []struct {
		batch []store.Read
		added int
	}{{reads[:5], 0}, {reads[35:38], 0}, {reads[30:37], 0}, {reads, 2}} {
		if added, err := s.AddReads(ctx, step.batch); err != nil || added != step.added {
			t.Errorf("redelivering %d reads after reopening: added %d, %v; want %d", len(step.batch), added, err, step.added)
		}
	}
	if n := count(t, s); n != 40 {
		t.Errorf("%d reads stored, want 40", n)
	}
}

// The behaviour every store.Store must have, with segments merged in the
// background as the tests run.
func TestStoreWithMerges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{Now: now, SegmentReads: 5, MergeSegments: 2, MergeQuiet: -1})
	})
}

// Sealed segments are merged MergeSegments at a time into one, which keeps
// every read (searches find them, redeliveries are still stored once) and
// which retention deletes from and drops like any other.
func TestMergeSegments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	opts := Options{SegmentReads: 10, MergeSegments: 3, MergeQuiet: -1, Now: func() time.Time { return t0.AddDate(1, 0, 0) }}
	s := openTest(t, path, opts)
	ctx := context.Background()
	reads := testReads(125, "ME12RGE")
	for b := range slices.Chunk(reads, 10) {
		if _, err := s.AddReads(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close() // also waits for the background merger
	s = openTest(t, path, opts)
	defer s.Close()
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	var merged, single, open, building int
	if err := s.r.QueryRow(`SELECT
		(SELECT count(*) FROM read_segments WHERE sealed = 1 AND merged = 1 AND reads = 30),
		(SELECT count(*) FROM read_segments WHERE sealed = 1 AND merged = 0 AND reads > 0),
		(SELECT count(*) FROM read_segments WHERE sealed = 0),
		(SELECT count(*) FROM read_segments WHERE sealed = 2)`).Scan(&merged, &single, &open, &building); err != nil {
		t.Fatal(err)
	}
	// 12 sealed segments of 10 and 5 reads in the open one: four merges of three.
	if merged != 4 || single != 0 || open != 1 || building != 0 {
		t.Errorf("%d merged segments of 30 reads, %d sealed unmerged, %d open, %d being built; want 4, 0, 1, 0",
			merged, single, open, building)
	}
	if got := pageAllIDs(t, s, store.Query{VRM: "*12RG*"}); !slices.Equal(got, idsOf(reads)) {
		t.Errorf("search after merging found %d reads, want all %d in order", len(got), len(reads))
	}
	if added, err := s.AddReads(ctx, reads); err != nil || added != 0 {
		t.Errorf("redelivering every read after merging: added %d, %v; want 0", added, err)
	}
	// The first 70 reads: two merged segments and a third of another.
	if n, err := s.DeleteReadsBefore(ctx, reads[70].Captured); err != nil || n != 70 {
		t.Errorf("DeleteReadsBefore = %d, %v; want 70", n, err)
	}
	if got := pageAllIDs(t, s, store.Query{VRM: "ME12RGE"}); !slices.Equal(got, idsOf(reads[70:])) {
		t.Errorf("after retention found %d reads, want the last %d", len(got), len(reads)-70)
	}
	var tables, listed int
	if err := s.r.QueryRow(`SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'reads%' AND name NOT LIKE '%grams'),
		(SELECT count(*) FROM read_segments)`).Scan(&tables, &listed); err != nil {
		t.Fatal(err)
	}
	if tables != listed {
		t.Errorf("%d segment tables, %d listed: want every table listed, none left over", tables, listed)
	}
}

// pageAllIDs returns the IDs of every read q finds, page by page.
func pageAllIDs(t *testing.T, s *Store, q store.Query) []string {
	t.Helper()
	q.Limit = 7
	var out []string
	for {
		page, err := s.SearchReads(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, idsOf(page)...)
		if len(page) < q.Limit {
			return out
		}
		q.After = store.CursorOf(page[len(page)-1])
	}
}

// What a merge cut short leaves (a segment being made, unseen by searches
// and batches) is dropped by the next merge, and nothing else is touched.
func TestUnfinishedMergeIsDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	s := openTest(t, path, Options{SegmentReads: 10, MergeSegments: -1})
	ctx := context.Background()
	reads := testReads(25, "UN12FIN")
	if _, err := s.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	// A merge stopped after copying some rows of the sealed segment.
	if _, err := s.w.Exec(createSegmentSQL("reads_000099")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO reads_000099 (` + readColumns + `) SELECT ` + readColumns + ` FROM reads_000001 LIMIT 5`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`INSERT INTO read_segments (id, tbl, sealed, reads, merged) VALUES (99, 'reads_000099', 2, 0, 1)`); err != nil {
		t.Fatal(err)
	}
	if got := pageAllIDs(t, s, store.Query{VRM: "UN12FIN"}); !slices.Equal(got, idsOf(reads)) {
		t.Errorf("with a merge unfinished, search found %d reads, want the %d stored once each", len(got), len(reads))
	}
	s.Close()
	s = openTest(t, path, Options{SegmentReads: 10, MergeSegments: 2, MergeQuiet: -1})
	defer s.Close()
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'reads_000099'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Error("the unfinished merge's table is still there")
	}
	if got := pageAllIDs(t, s, store.Query{VRM: "UN12FIN"}); !slices.Equal(got, idsOf(reads)) {
		t.Errorf("after the next merge, search found %d reads, want %d", len(got), len(reads))
	}
}
