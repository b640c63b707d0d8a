package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/alert/alerttest"
	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// The behaviour every alert.Repository must have.
func TestAlertRepository(t *testing.T) {
	alerttest.Run(t, func(t *testing.T, now func() time.Time) alert.Repository {
		s := openTest(t, filepath.Join(t.TempDir(), "anpr.db"), Options{Now: now, DeleteChunk: 7})
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	})
}

func testHit(read store.Read, list, marker string, priority int) hotlist.Hit {
	return hotlist.Hit{Read: read.VRM, Kind: hotlist.Exact, Hotlist: "national", Version: 1,
		Entry: hotlist.Entry{VRM: read.VRM, List: list, Marker: marker, Priority: priority, Action: "Stop and check"}}
}

// An alert raised, decided and closed is in the file, as it was, after the
// store is closed and opened again.
func TestAlertsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anpr.db")
	clock := steppingClock(t0)
	s := openTest(t, path, Options{Now: clock})
	svc := alert.NewService(s, alert.Options{Now: clock})
	ctx := context.Background()
	read := testReads(1, "RE12OPN")[0]
	raised, err := svc.Raise(ctx, read, []hotlist.Hit{testHit(read, "PNC", "stolen", 1)})
	if err != nil {
		t.Fatal(err)
	}
	id := raised[0].ID
	if _, err := svc.Decide(ctx, id, alert.Decision{Kind: alert.Deploy, Resource: "TANGO-21", By: "op1"}); err != nil {
		t.Fatal(err)
	}
	want, err := svc.RecordOutcome(ctx, id, alert.Outcome{Kind: alert.Arrest, Note: "driver arrested", By: "TANGO-21"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path, Options{})
	defer s.Close()
	got, err := s.Alert(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != alert.StateClosed || got.Decision == nil || got.Decision.Resource != "TANGO-21" ||
		got.Outcome == nil || got.Outcome.Kind != alert.Arrest || got.Read != want.Read {
		t.Errorf("after reopening got %+v, want %+v", got, want)
	}
	if err := got.Check(); err != nil {
		t.Errorf("the reopened alert fails its check: %v", err)
	}
}

// A file made by the program before alerts existed (schema version 1)
// gains them on opening, its reads untouched.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anpr.db")
	abs, _ := filepath.Abs(path)
	db := openPool(abs, 8, true)
	for _, stmt := range []string{
		`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT`,
		migrations[0],
		`INSERT INTO schema_version VALUES (1, 0)`,
		`INSERT INTO reads (` + readColumns + `) VALUES ('old-1', 'CAM-1', 'OL12DER', 0.9, 1, '', '', '', '', '')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := openTest(t, path, Options{})
	defer s.Close()
	if n := count(t, s); n != 1 {
		t.Errorf("%d reads after migrating, want the 1 there was", n)
	}
	var versions []int
	rows, err := s.r.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	rows.Close()
	if !slices.Equal(versions, []int{1, 2, 3, 4}) {
		t.Errorf("schema versions = %v, want [1 2 3 4]", versions)
	}
	if _, err := s.Alerts(context.Background(), alert.Query{}); err != nil {
		t.Errorf("listing alerts after migrating: %v", err)
	}
}

// Deleting alerts by age is recorded, in a record of its own: the record
// of read deletions does not change.
func TestAlertRetentionRecorded(t *testing.T) {
	now := t0.AddDate(0, 3, 0)
	s := openTest(t, filepath.Join(t.TempDir(), "anpr.db"), Options{Now: steppingClock(now), DeleteChunk: 2})
	defer s.Close()
	ctx := context.Background()
	var alerts []alert.Alert
	for i, r := range testReads(5, "AL12RET") {
		alerts = append(alerts, alert.Alert{ID: r.ID, Kind: alert.KindHotlist, Raised: t0.AddDate(0, i, 0), Read: r,
			Hit: new(testHit(r, "PNC", "stolen", 3)), Priority: 3, State: alert.StateNew})
	}
	if err := s.AddAlerts(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	cutoff := t0.AddDate(0, 2, 0) // alerts 0 and 1 are older
	if n, err := s.DeleteAlertsBefore(ctx, cutoff); err != nil || n != 2 {
		t.Fatalf("DeleteAlertsBefore = %d, %v; want 2", n, err)
	}
	if _, err := s.DeleteAlertsBefore(ctx, now.AddDate(0, 0, 1)); err == nil {
		t.Error("a cutoff after now was not refused")
	}
	runs, err := s.AlertRetentionRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Fatalf("%d alert retention runs recorded, want 1 (a refused one is not a run): %+v", len(runs), runs)
	}
	r := runs[0]
	if r.Deleted != 2 || !r.Cutoff.Equal(cutoff) || r.Err != "" || r.Finished.IsZero() || !r.Finished.After(r.Started) {
		t.Errorf("recorded run = %+v; want 2 deleted before %s, finished", r, cutoff)
	}
	if runs, err := s.RetentionRuns(ctx); err != nil || len(runs) != 0 {
		t.Errorf("read retention runs = %+v, %v; want none", runs, err)
	}

	// A run cut short says so.
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.DeleteAlertsBefore(c, now); err == nil {
		t.Error("a cancelled deletion reported success")
	}
}

// Listing alerts by camera or state reads an index, not the whole table.
func TestAlertQueriesUseIndexes(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "anpr.db"), Options{})
	defer s.Close()
	for _, q := range []alert.Query{
		{Camera: "CAM-1"},
		{States: []alert.State{alert.StateNew}},
		{List: "PNC"},
		{VRM: "AB12CDE"},
		{Since: t0},
		{},
	} {
		q, err := q.Check()
		if err != nil {
			t.Fatal(err)
		}
		text, args := alertsSQL(q, &cursor{raised: 1, id: "x"})
		rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+text, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			rows.Scan(&id, &parent, &notused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, "USING INDEX alerts_") || strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("query %+v: plan %q: want an alerts index giving the order", q, joined)
		}
	}
}
