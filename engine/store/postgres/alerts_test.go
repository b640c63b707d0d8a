package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/alert/alerttest"
	"anpr/engine/hotlist"
	"anpr/engine/store"

	"github.com/jackc/pgx/v5"
)

// The behaviour every alert.Repository must have.
func TestAlertRepository(t *testing.T) {
	alerttest.Run(t, func(t *testing.T, now func() time.Time) alert.Repository {
		s := openTest(t, Options{Now: now, DeleteChunk: 7})
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

// Two processes (two Stores on one schema, as a matcher and a console
// would be) see each other's alerts, and an alert raised through one and
// decided through the other is as the second left it.
func TestAlertsSharedBetweenProcesses(t *testing.T) {
	matcher := openTest(t, Options{})
	defer matcher.Close()
	console := openTest(t, Options{Schema: matcher.opts.Schema})
	defer console.Close()
	ctx := context.Background()
	read := testReads(1, "SH12ARE", 0)[0]
	raised, err := alert.NewService(matcher, alert.Options{}).Raise(ctx, read, []hotlist.Hit{testHit(read, "PNC", "stolen", 2)})
	if err != nil {
		t.Fatal(err)
	}
	svc := alert.NewService(console, alert.Options{})
	if _, err := svc.Decide(ctx, raised[0].ID, alert.Decision{Kind: alert.Misread, By: "op1"}); err != nil {
		t.Fatal(err)
	}
	got, err := matcher.Alert(ctx, raised[0].ID)
	if err != nil || got.State != alert.StateClosed || got.Decision == nil || got.Decision.Kind != alert.Misread {
		t.Errorf("the matcher's view after the console decided: %+v, %v", got, err)
	}
	// The matcher raising it again (its read redelivered) changes nothing.
	again, err := alert.NewService(matcher, alert.Options{}).Raise(ctx, read, []hotlist.Hit{testHit(read, "PNC", "stolen", 2)})
	if err != nil || again[0].State != alert.StateClosed {
		t.Errorf("raising again: %+v, %v; want the closed alert as stored", again, err)
	}
}

// Deleting alerts by age is recorded, in a record of its own: the record
// of read deletions does not change.
func TestAlertRetentionRecorded(t *testing.T) {
	now := t0.AddDate(0, 3, 0)
	s := openTest(t, Options{Now: func() time.Time { return now }, DeleteChunk: 2})
	defer s.Close()
	ctx := context.Background()
	var alerts []alert.Alert
	for i, r := range testReads(5, "AL12RET", 0) {
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
	if r := runs[0]; r.Deleted != 2 || !r.Cutoff.Equal(cutoff) || r.Err != "" || r.Finished.IsZero() {
		t.Errorf("recorded run = %+v; want 2 deleted before %s, finished", r, cutoff)
	}
	if runs, err := s.RetentionRuns(ctx); err != nil || len(runs) != 0 {
		t.Errorf("read retention runs = %+v, %v; want none", runs, err)
	}

	// A run cut short says so, in its record.
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.DeleteAlertsBefore(c, now); err == nil {
		t.Error("a cancelled deletion reported success")
	}
}

// Listing alerts by camera, state, list or VRM, and escalation's query,
// read an index rather than the whole table.
func TestAlertQueriesUseIndexes(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	ctx := context.Background()
	// Enough rows, and fresh statistics, for the planner to prefer an
	// index to a scan where an index serves.
	var alerts []alert.Alert
	for i, r := range testReads(1000, "IX12DEX", time.Second) {
		r.Camera = []string{"CAM-1", "CAM-2", "CAM-3", "CAM-4"}[i%4]
		a := alert.Alert{ID: r.ID, Kind: alert.KindHotlist, Raised: r.Captured, Read: r,
			Hit: new(testHit(r, "PNC", "stolen", 3)), Priority: 3, State: alert.StateNew}
		if i%20 != 0 { // most are picked up in time: escalation looks for the few that are not
			a.State, a.Acknowledged = alert.StateAcknowledged, &alert.Ack{By: "op1", At: r.Captured}
		}
		alerts = append(alerts, a)
	}
	for from := 0; from < len(alerts); from += MaxAlertBatch {
		if err := s.AddAlerts(ctx, alerts[from:min(from+MaxAlertBatch, len(alerts))]); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, s, `ANALYZE alerts`)
	no := false
	for _, q := range []alert.Query{
		{Camera: "CAM-1"},
		{States: []alert.State{alert.StateNew}},
		{List: "PNC"},
		{VRM: "AB12CDE"},
		{Since: t0},
		{},
		{States: []alert.State{alert.StateNew}, Escalated: &no, Until: t0.Add(time.Hour), Limit: alert.MaxLimit},
	} {
		q, err := q.Check()
		if err != nil {
			t.Fatal(err)
		}
		text, args := alertsSQL(q, &alertCursor{raised: t0.Add(time.Hour).UnixNano(), id: "x"})
		joined := explain(t, s, text, args)
		if !strings.Contains(joined, " on alerts_") && !strings.Contains(joined, " using alerts_") || strings.Contains(joined, "Seq Scan") {
			t.Errorf("query %+v: want an alerts index, not a scan of the table; plan:\n%s", q, joined)
		}
	}
}

// A schema made by the program before alerts existed (version 1) gains
// them on opening, its reads untouched.
func TestMigrateFromVersion1(t *testing.T) {
	url := testDB(t)
	schema := freshSchema(t, url)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	for _, stmt := range []string{
		`CREATE SCHEMA ` + ident,
		`SET search_path = ` + ident,
		`CREATE TABLE schema_version (version integer PRIMARY KEY, applied bigint NOT NULL)`,
		migrations[0],
		`INSERT INTO schema_version VALUES (1, 0)`,
	} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			c.Close(ctx)
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	c.Close(ctx)

	s := openTest(t, Options{Schema: schema})
	defer s.Close()
	reads := testReads(3, "OL12DER", time.Hour)
	if _, err := s.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAlerts(ctx, []alert.Alert{{ID: "a1", Kind: alert.KindHotlist, Raised: t0, Read: reads[0],
		Hit: new(testHit(reads[0], "PNC", "stolen", 3)), Priority: 3, State: alert.StateNew}}); err != nil {
		t.Errorf("adding an alert after migrating: %v", err)
	}
	if got, err := s.Alerts(ctx, alert.Query{}); err != nil || len(got) != 1 {
		t.Errorf("alerts after migrating: %d, %v; want 1", len(got), err)
	}
}
