// Package alerttest checks that an implementation of alert.Repository does
// what the interface promises: every implementation runs the same suite, so
// that one can replace another. An implementation's tests call Run.
package alerttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// Opener returns a new, empty repository whose clock reads now(). It
// arranges its own closing (t.Cleanup).
type Opener func(t *testing.T, now func() time.Time) alert.Repository

// T0 is the time the suite's alerts are raised from; the repository's
// clock reads 30 days later.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var clockNow = T0.AddDate(0, 0, 30)

// Run runs the suite against repositories from open, each test on one of
// its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(*testing.T, alert.Repository)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"Idempotent", testIdempotent},
		{"BadBatchStoresNothing", testBadBatch},
		{"Query", testQuery},
		{"Paging", testPaging},
		{"Update", testUpdate},
		{"UpdateIsAtomic", testUpdateAtomic},
		{"Stats", testStats},
		{"StatsMatchReference", testStatsReference},
		{"DeleteAlertsBefore", testDelete},
		{"AlertImageRefs", testImageRefs},
		{"SQLShapedInputIsLiteral", testSQLShaped},
		{"ConcurrentAdds", testConcurrentAdds},
		{"CancelledAddStoresNothing", testCancelledAdd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, open(t, func() time.Time { return clockNow }))
		})
	}
}

var ctx = context.Background()

func minutes(m int) time.Time { return T0.Add(time.Duration(m) * time.Minute) }

func read(id, camera, vrm string, at time.Time) store.Read {
	return store.Read{ID: id, Camera: camera, VRM: vrm, Confidence: 0.93, Captured: at, Lane: "1", Direction: "N",
		Format: "current", PatchRef: "20261130-" + strings.Repeat("ab", 32), OverviewRef: "20261130-" + strings.Repeat("cd", 32)}
}

// hotlistAlert is a new alert on an exact hit.
func hotlistAlert(id, camera, vrm, list, marker string, raised time.Time) alert.Alert {
	h := &hotlist.Hit{Read: vrm, Kind: hotlist.Exact, Hotlist: "national", Version: 3, Entry: hotlist.Entry{
		VRM: vrm, List: list, Marker: marker, Priority: 2, Action: "Stop and check the driver",
		Added: T0.AddDate(0, -1, 0), OwnerRef: "CRIME/2026/0042"}}
	return alert.Alert{ID: id, Kind: alert.KindHotlist, Raised: raised, Read: read("r-"+id, camera, vrm, raised.Add(-time.Second)),
		Hit: h, Priority: 2, State: alert.StateNew}
}

// confusionAlert is a new alert on a confusion hit, with its evidence.
func confusionAlert(id, camera, list, marker string, raised time.Time) alert.Alert {
	a := hotlistAlert(id, camera, "A812CDE", list, marker, raised)
	a.Hit.Kind = hotlist.Confusion
	a.Hit.Entry.VRM = "AB12CDE"
	a.Hit.Evidence = []hotlist.Difference{{Position: 2, Read: "8", Listed: "B", Weight: 0.85}}
	a.Hit.Expires = T0.AddDate(1, 0, 0)
	return a
}

// cloneAlert is a new clone alert raised by the later sighting's read.
func cloneAlert(id, camera, vrm string, raised time.Time) alert.Alert {
	later := raised.Add(-time.Second)
	c := &hotlist.CloneAlert{VRM: vrm, Earlier: hotlist.Sighting{Camera: "CAM-FAR", At: later.Add(-4 * time.Minute)},
		Later: hotlist.Sighting{Camera: camera, At: later}, Apart: 4 * time.Minute, Least: 25 * time.Minute}
	return alert.Alert{ID: id, Kind: alert.KindClone, Raised: raised, Read: read("r-"+id, camera, vrm, later),
		Clone: c, Priority: 2, State: alert.StateNew}
}

func acked(a alert.Alert, by string) alert.Alert {
	a.Acknowledged = &alert.Ack{By: by, At: a.Raised.Add(30 * time.Second)}
	a.State = alert.StateAcknowledged
	return a
}

func decided(a alert.Alert, kind alert.DecisionKind) alert.Alert {
	if a.Acknowledged == nil {
		a = acked(a, "op1")
	}
	d := &alert.Decision{Kind: kind, By: a.Acknowledged.By, At: a.Raised.Add(time.Minute)}
	switch kind {
	case alert.NoAction:
		d.Reason = "no unit free"
	case alert.Deploy:
		d.Resource = "TANGO-21"
	}
	a.Decision = d
	a.State = alert.StateClosed
	if kind == alert.Deploy {
		a.State = alert.StateDecided
	}
	return a
}

func closed(a alert.Alert, kind alert.OutcomeKind) alert.Alert {
	if a.Decision == nil {
		a = decided(a, alert.Deploy)
	}
	a.Outcome = &alert.Outcome{Kind: kind, Note: "driver spoken to", By: "TANGO-21", At: a.Raised.Add(time.Hour)}
	a.State = alert.StateClosed
	return a
}

func escalated(a alert.Alert) alert.Alert {
	at := a.Raised.Add(2 * time.Minute)
	a.Escalated, a.EscalatedAt = true, &at
	return a
}

func add(t *testing.T, r alert.Repository, alerts ...alert.Alert) {
	t.Helper()
	if err := r.AddAlerts(ctx, alerts); err != nil {
		t.Fatalf("AddAlerts: %v", err)
	}
}

func get(t *testing.T, r alert.Repository, id string) alert.Alert {
	t.Helper()
	a, err := r.Alert(ctx, id)
	if err != nil {
		t.Fatalf("Alert(%s): %v", id, err)
	}
	return a
}

// sameAlert reports whether two alerts hold the same, by their JSON: the
// whole of what an alert says, and blind to how a time's zone is held.
func sameAlert(t *testing.T, got, want alert.Alert) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Logf("got  %s\nwant %s", g, w)
		return false
	}
	return true
}

func ids(alerts []alert.Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = a.ID
	}
	return out
}

// Every kind of alert, in every state, comes back as it went in.
func testRoundTrip(t *testing.T, r alert.Repository) {
	alerts := []alert.Alert{
		hotlistAlert("a-new", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0)),
		confusionAlert("a-conf", "CAM-2", "local", "drugs", minutes(1)),
		cloneAlert("a-clone", "CAM-3", "XY51ABC", minutes(2)),
		acked(hotlistAlert("a-ack", "CAM-1", "AB12CDF", "PNC", "wanted", minutes(3)), "op7"),
		decided(hotlistAlert("a-mis", "CAM-1", "AB12CDG", "DVLA", "no-tax", minutes(4)), alert.Misread),
		decided(cloneAlert("a-noact", "CAM-3", "XY51ABD", minutes(5)), alert.NoAction),
		decided(hotlistAlert("a-dep", "CAM-2", "AB12CDH", "PNC", "firearms", minutes(6)), alert.Deploy),
		closed(escalated(hotlistAlert("a-out", "CAM-2", "AB12CDJ", "insurance", "no-insurance", minutes(7))), alert.Arrest),
	}
	add(t, r, alerts...)
	for _, want := range alerts {
		if got := get(t, r, want.ID); !sameAlert(t, got, want) {
			t.Errorf("alert %s came back changed", want.ID)
		}
	}
}

func testNotFound(t *testing.T, r alert.Repository) {
	add(t, r, hotlistAlert("there", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0)))
	if _, err := r.Alert(ctx, "not-there"); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("Alert of a missing ID: err = %v, want ErrNotFound", err)
	}
	called := false
	_, err := r.UpdateAlert(ctx, "not-there", func(*alert.Alert) error { called = true; return nil })
	if !errors.Is(err, alert.ErrNotFound) || called {
		t.Errorf("UpdateAlert of a missing ID: err = %v, fn called %v; want ErrNotFound, not called", err, called)
	}
	if _, err := r.Alert(ctx, "no such'id"); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("Alert of an impossible ID: err = %v, want ErrInvalid", err)
	}
}

// A redelivered alert is stored once, as first delivered: it may have been
// dealt with since.
func testIdempotent(t *testing.T, r alert.Repository) {
	first := hotlistAlert("dup", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0))
	add(t, r, first)
	handled := decided(first, alert.Misread)
	if _, err := r.UpdateAlert(ctx, first.ID, func(a *alert.Alert) error { *a = handled; return nil }); err != nil {
		t.Fatal(err)
	}
	other := hotlistAlert("other", "CAM-1", "AB12CDF", "PNC", "stolen", minutes(1))
	add(t, r, first, other, other)
	if got := get(t, r, first.ID); !sameAlert(t, got, handled) {
		t.Error("adding an alert again undid what was done with it")
	}
	all, err := r.Alerts(ctx, alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"other", "dup"}; !slices.Equal(ids(all), want) {
		t.Errorf("stored %v, want %v", ids(all), want)
	}
}

// A batch with one bad alert is refused whole.
func testBadBatch(t *testing.T, r alert.Repository) {
	good := hotlistAlert("good", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0))
	for _, bad := range []struct {
		name string
		edit func(*alert.Alert)
	}{
		{"no id", func(a *alert.Alert) { a.ID = "" }},
		{"bad state", func(a *alert.Alert) { a.State = "lost" }},
		{"decided without a decision", func(a *alert.Alert) { a.State = alert.StateDecided }},
		{"bad read", func(a *alert.Alert) { a.Read.VRM = "ab 12" }},
		{"hit for another read", func(a *alert.Alert) { a.Hit.Read = "ZZ99ZZZ" }},
		{"no raised time", func(a *alert.Alert) { a.Raised = time.Time{} }},
	} {
		b := hotlistAlert("bad", "CAM-1", "AB12CDF", "PNC", "stolen", minutes(1))
		bad.edit(&b)
		if err := r.AddAlerts(ctx, []alert.Alert{good, b}); !errors.Is(err, alert.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", bad.name, err)
		}
	}
	if _, err := r.Alert(ctx, good.ID); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("the good alert of a refused batch was stored (err = %v)", err)
	}
}

// queryAlerts are 36 alerts over six cameras, three lists and every
// state; some share a raised time, so their order rests on their IDs.
func queryAlerts() []alert.Alert {
	var out []alert.Alert
	lists := []string{"PNC", "DVLA", "local"}
	for i := range 36 {
		id := fmt.Sprintf("q%02d", (i*7)%36) // IDs not in raised order
		cam := fmt.Sprintf("CAM-%d", i%6)
		raised := minutes(i / 2 * 10)
		vrm := fmt.Sprintf("AB%02dCDE", i%5)
		var a alert.Alert
		if i%9 == 4 {
			a = cloneAlert(id, cam, vrm, raised)
		} else {
			a = hotlistAlert(id, cam, vrm, lists[i%3], "stolen", raised)
		}
		switch i % 6 {
		case 1:
			a = acked(a, "op1")
		case 2:
			a = decided(a, alert.Misread)
		case 3:
			a = decided(a, alert.Deploy)
		case 4:
			a = closed(a, alert.NothingFound)
		}
		if i%4 == 0 {
			a = escalated(a)
		}
		out = append(out, a)
	}
	return out
}

func reference(all []alert.Alert, q alert.Query) []string {
	q, err := q.Check()
	if err != nil {
		panic(err)
	}
	var out []alert.Alert
	for i := range all {
		if q.Match(&all[i]) {
			out = append(out, all[i])
		}
	}
	slices.SortFunc(out, func(a, b alert.Alert) int { return alert.NewestFirst(&a, &b) })
	return ids(out[:min(len(out), q.Limit)])
}

func testQuery(t *testing.T, r alert.Repository) {
	all := queryAlerts()
	add(t, r, all...)
	yes, no := true, false
	for _, q := range []alert.Query{
		{},
		{Limit: 5},
		{States: []alert.State{alert.StateNew}},
		{States: []alert.State{alert.StateNew, alert.StateAcknowledged, alert.StateNew}},
		{States: []alert.State{alert.StateDecided}, Camera: "CAM-3"},
		{Camera: "CAM-2"},
		{Camera: "CAM-9"},
		{List: "PNC"},
		{List: "local", States: []alert.State{alert.StateClosed}},
		{Kind: alert.KindClone},
		{Kind: alert.KindHotlist, Camera: "CAM-0"},
		{VRM: "ab03 cde"},
		{Escalated: &yes},
		{Escalated: &no, States: []alert.State{alert.StateNew}},
		{Since: minutes(50)},
		{Until: minutes(50)},
		{Since: minutes(40), Until: minutes(120), Camera: "CAM-1"},
		{Since: minutes(40), Until: minutes(41)},
	} {
		got, err := r.Alerts(ctx, q)
		if err != nil {
			t.Errorf("Alerts(%+v): %v", q, err)
			continue
		}
		if want := reference(all, q); !slices.Equal(ids(got), want) {
			t.Errorf("Alerts(%+v) = %v, want %v", q, ids(got), want)
		}
	}
	for _, q := range []alert.Query{
		{Limit: -1},
		{Limit: alert.MaxLimit + 1},
		{States: []alert.State{"lost"}},
		{Kind: "speeding"},
		{VRM: "AB*"},
		{Since: minutes(10), Until: minutes(10)},
		{Before: "not an id"},
	} {
		if _, err := r.Alerts(ctx, q); !errors.Is(err, alert.ErrInvalid) {
			t.Errorf("Alerts(%+v): err = %v, want ErrInvalid", q, err)
		}
	}
}

// Paging through every alert with Before gives each once, in order.
func testPaging(t *testing.T, r alert.Repository) {
	all := queryAlerts()
	add(t, r, all...)
	want := reference(all, alert.Query{Limit: alert.MaxLimit})
	for _, limit := range []int{1, 2, 5, 36, 40} {
		q := alert.Query{Limit: limit}
		var got []string
		for pages := 0; ; pages++ {
			if pages > 40 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page, err := r.Alerts(ctx, q)
			if err != nil {
				t.Fatalf("limit %d: %v", limit, err)
			}
			got = append(got, ids(page)...)
			if len(page) < limit {
				break
			}
			q.Before = page[len(page)-1].ID
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: paged %v, want %v", limit, got, want)
		}
	}
	// Paging within a filter.
	q := alert.Query{States: []alert.State{alert.StateClosed}, Limit: 2}
	wantClosed := reference(all, alert.Query{States: q.States, Limit: alert.MaxLimit})
	var got []string
	for {
		page, err := r.Alerts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(page)...)
		if len(page) < q.Limit {
			break
		}
		q.Before = page[len(page)-1].ID
	}
	if !slices.Equal(got, wantClosed) {
		t.Errorf("paging closed alerts: %v, want %v", got, wantClosed)
	}
	if _, err := r.Alerts(ctx, alert.Query{Before: "never-stored"}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("a cursor naming no stored alert: err = %v, want ErrInvalid", err)
	}
}

func testUpdate(t *testing.T, r alert.Repository) {
	a := hotlistAlert("upd", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0))
	add(t, r, a)
	want := acked(a, "op3")
	got, err := r.UpdateAlert(ctx, a.ID, func(x *alert.Alert) error {
		if !sameAlert(t, *x, a) {
			t.Error("fn was given another alert than the one stored")
		}
		*x = acked(*x, "op3")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sameAlert(t, got, want) || !sameAlert(t, get(t, r, a.ID), want) {
		t.Error("UpdateAlert did not return and store the changed alert")
	}
	// Queries see the change too.
	if page, err := r.Alerts(ctx, alert.Query{States: []alert.State{alert.StateAcknowledged}}); err != nil || !slices.Equal(ids(page), []string{a.ID}) {
		t.Errorf("acknowledged alerts after the update: %v, %v", ids(page), err)
	}

	errNo := errors.New("operator changed their mind")
	for _, c := range []struct {
		name string
		fn   func(*alert.Alert) error
		is   error
	}{
		{"fn fails", func(x *alert.Alert) error { x.State = alert.StateClosed; return errNo }, errNo},
		{"fn makes it invalid", func(x *alert.Alert) error { x.State = alert.StateDecided; return nil }, alert.ErrInvalid},
		{"fn changes the id", func(x *alert.Alert) error { x.ID = "another"; return nil }, alert.ErrInvalid},
	} {
		if _, err := r.UpdateAlert(ctx, a.ID, c.fn); !errors.Is(err, c.is) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.is)
		}
		if !sameAlert(t, get(t, r, a.ID), want) {
			t.Errorf("%s: the stored alert changed", c.name)
		}
	}
	if _, err := r.Alert(ctx, "another"); !errors.Is(err, alert.ErrNotFound) {
		t.Error("an update that changed the ID stored an alert under the new one")
	}
}

// Updates running at once each see the result of the one before: none is
// lost, and of several racing to decide, exactly one does.
func testUpdateAtomic(t *testing.T, r alert.Repository) {
	a := acked(hotlistAlert("race", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0)), "o")
	add(t, r, a)
	const n = 16
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := r.UpdateAlert(ctx, a.ID, func(x *alert.Alert) error {
				x.Acknowledged.By += "x"
				return nil
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := get(t, r, a.ID).Acknowledged.By; got != "o"+strings.Repeat("x", n) {
		t.Errorf("after %d concurrent appends By = %q: updates were lost", n, got)
	}

	var mu sync.Mutex
	won, conflicts := 0, 0
	for i := range n {
		wg.Go(func() {
			_, err := r.UpdateAlert(ctx, a.ID, func(x *alert.Alert) error {
				if x.Decision != nil {
					return alert.Conflictf("decided already")
				}
				*x = decided(*x, alert.NoAction)
				x.Decision.Reason = fmt.Sprintf("decider %d", i)
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, alert.ErrConflict):
				conflicts++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != n-1 {
		t.Errorf("%d racing decisions: %d won, %d conflicted; want 1 and %d", n, won, conflicts, n-1)
	}
}

// Stats on a small set, checked against figures worked out by hand.
func testStats(t *testing.T, r alert.Repository) {
	add(t, r,
		decided(hotlistAlert("s1", "CAM-A", "AB12CDE", "PNC", "stolen", minutes(0)), alert.Misread),
		decided(hotlistAlert("s2", "CAM-A", "AB12CDF", "PNC", "stolen", minutes(1)), alert.Misread),
		closed(escalated(hotlistAlert("s3", "CAM-A", "AB12CDG", "DVLA", "no-tax", minutes(2))), alert.Arrest),
		decided(confusionAlert("s4", "CAM-B", "PNC", "firearms", minutes(3)), alert.Deploy),
		escalated(hotlistAlert("s5", "CAM-B", "AB12CDJ", "local", "drugs", minutes(4))),
		decided(cloneAlert("s6", "CAM-B", "XY51ABC", minutes(5)), alert.NoAction),
		acked(cloneAlert("s7", "CAM-C", "XY51ABD", minutes(6)), "op2"),
		hotlistAlert("s8", "CAM-C", "AB12CDK", "PNC", "stolen", minutes(60)), // outside the period
	)
	st, err := r.AlertStats(ctx, minutes(0), minutes(60))
	if err != nil {
		t.Fatal(err)
	}
	wantTotal := alert.Count{Alerts: 7, Escalated: 2, Open: 3, Undecided: 2, AwaitingOutcome: 1,
		Decided: 5, Misread: 2, NoAction: 1, Deployed: 2, Arrest: 1, MisreadShare: 0.4, DeployedShare: 0.4}
	if st.Total != wantTotal {
		t.Errorf("total = %+v\nwant    %+v", st.Total, wantTotal)
	}
	wantCameras := []alert.Count{
		{Key: "CAM-A", Alerts: 3, Escalated: 1, Decided: 3, Misread: 2, Deployed: 1, Arrest: 1, MisreadShare: 2.0 / 3, DeployedShare: 1.0 / 3},
		{Key: "CAM-B", Alerts: 3, Escalated: 1, Open: 2, Undecided: 1, AwaitingOutcome: 1, Decided: 2, NoAction: 1, Deployed: 1, DeployedShare: 0.5},
		{Key: "CAM-C", Alerts: 1, Open: 1, Undecided: 1},
	}
	if !slices.Equal(st.ByCamera, wantCameras) {
		t.Errorf("by camera = %+v\nwant        %+v", st.ByCamera, wantCameras)
	}
	wantLists := []alert.Count{
		{Key: "PNC", Alerts: 3, Open: 1, AwaitingOutcome: 1, Decided: 3, Misread: 2, Deployed: 1, MisreadShare: 2.0 / 3, DeployedShare: 1.0 / 3},
		{Key: "DVLA", Alerts: 1, Escalated: 1, Decided: 1, Deployed: 1, Arrest: 1, DeployedShare: 1},
		{Key: "local", Alerts: 1, Escalated: 1, Open: 1, Undecided: 1},
	}
	if !slices.Equal(st.ByList, wantLists) {
		t.Errorf("by list = %+v\nwant      %+v", st.ByList, wantLists)
	}
	keys := func(cs []alert.Count) (out []string) {
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s:%d", c.Key, c.Alerts))
		}
		return out
	}
	for _, c := range []struct {
		name string
		got  []alert.Count
		want []string
	}{
		{"kind", st.ByKind, []string{"hotlist:5", "clone:2"}},
		{"match", st.ByMatch, []string{"exact:4", "confusion:1"}},
		{"marker", st.ByMarker, []string{"stolen:2", "drugs:1", "firearms:1", "no-tax:1"}},
	} {
		if got := keys(c.got); !slices.Equal(got, c.want) {
			t.Errorf("by %s = %v, want %v", c.name, got, c.want)
		}
	}
	if !st.Since.Equal(minutes(0)) || !st.Until.Equal(minutes(60)) {
		t.Errorf("stats period %s to %s, want %s to %s", st.Since, st.Until, minutes(0), minutes(60))
	}
	if _, err := r.AlertStats(ctx, minutes(5), minutes(5)); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("stats over an empty period: err = %v, want ErrInvalid", err)
	}
	empty, err := r.AlertStats(ctx, minutes(-100), minutes(-50))
	if err != nil || empty.Total.Alerts != 0 || len(empty.ByCamera) != 0 {
		t.Errorf("stats over a period without alerts = %+v, %v", empty, err)
	}
}

// Stats over the larger set match a tally of the alerts themselves.
func testStatsReference(t *testing.T, r alert.Repository) {
	all := queryAlerts()
	add(t, r, all...)
	for _, p := range []struct{ since, until time.Time }{
		{},
		{minutes(30), time.Time{}},
		{time.Time{}, minutes(30)},
		{minutes(20), minutes(100)},
	} {
		var tally alert.Tally
		for i := range all {
			a := &all[i]
			if (p.since.IsZero() || !a.Raised.Before(p.since)) && (p.until.IsZero() || a.Raised.Before(p.until)) {
				tally.Add(a.Facts(), 1)
			}
		}
		want := tally.Stats(p.since, p.until)
		got, err := r.AlertStats(ctx, p.since, p.until)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("stats %s to %s:\ngot  %s\nwant %s", p.since, p.until, g, w)
		}
	}
}

func testDelete(t *testing.T, r alert.Repository) {
	var all []alert.Alert
	for i := range 40 {
		a := hotlistAlert(fmt.Sprintf("d%02d", i), "CAM-1", "AB12CDE", "PNC", "stolen", T0.Add(time.Duration(i)*12*time.Hour))
		if i%3 == 0 {
			a = decided(a, alert.Deploy) // open or not, age alone decides
		}
		all = append(all, a)
	}
	add(t, r, all...)
	cutoff := T0.Add(10 * 24 * time.Hour) // alerts 0 to 19 are older
	n, err := r.DeleteAlertsBefore(ctx, cutoff)
	if err != nil || n != 20 {
		t.Fatalf("DeleteAlertsBefore = %d, %v; want 20", n, err)
	}
	left, err := r.Alerts(ctx, alert.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := reference(all, alert.Query{Since: cutoff})
	if !slices.Equal(ids(left), want) {
		t.Errorf("kept %v, want %v", ids(left), want)
	}
	if n, err := r.DeleteAlertsBefore(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("deleting again = %d, %v; want 0", n, err)
	}
	if _, err := r.DeleteAlertsBefore(ctx, clockNow.Add(time.Minute)); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("cutoff after now: err = %v, want ErrInvalid", err)
	}
	if _, err := r.DeleteAlertsBefore(ctx, time.Time{}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("zero cutoff: err = %v, want ErrInvalid", err)
	}
	if n, err := r.DeleteAlertsBefore(ctx, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Errorf("cutoff in 1900 = %d, %v; want 0, nil", n, err)
	}
	if left, _ := r.Alerts(ctx, alert.Query{}); len(left) != 20 {
		t.Errorf("%d alerts left after refused deletions, want 20", len(left))
	}
}

// Input shaped like SQL is matched as text and does nothing else.
func testSQLShaped(t *testing.T, r alert.Repository) {
	a := hotlistAlert("sql", "CAM'; DROP TABLE alerts; --", "AB12CDE", "PNC", "stolen", minutes(0))
	add(t, r, a)
	for _, q := range []alert.Query{
		{Camera: "x' OR '1'='1"},
		{List: "PNC' OR 1=1 --"},
	} {
		if got, err := r.Alerts(ctx, q); err != nil || len(got) != 0 {
			t.Errorf("Alerts(%+v) = %v, %v; want none", q, ids(got), err)
		}
	}
	if got, err := r.Alerts(ctx, alert.Query{Camera: a.Read.Camera}); err != nil || !slices.Equal(ids(got), []string{a.ID}) {
		t.Errorf("the camera named like SQL: %v, %v", ids(got), err)
	}
}

func testConcurrentAdds(t *testing.T, r alert.Repository) {
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			var batch []alert.Alert
			for i := range each {
				batch = append(batch, hotlistAlert(fmt.Sprintf("w%d-%02d", w, i), "CAM-1", "AB12CDE", "PNC", "stolen", minutes(i)))
			}
			// Every writer also redelivers the first writer's first alert.
			batch = append(batch, hotlistAlert("w0-00", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0)))
			if err := r.AddAlerts(ctx, batch); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := r.Alerts(ctx, alert.Query{Limit: alert.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Errorf("%d alerts stored, want %d", len(got), writers*each)
	}
}

func testCancelledAdd(t *testing.T, r alert.Repository) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.AddAlerts(c, []alert.Alert{hotlistAlert("c1", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(0))}); err == nil {
		t.Error("AddAlerts with a cancelled context succeeded")
	}
	if _, err := r.Alert(ctx, "c1"); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("the alert of a cancelled add was stored (err = %v)", err)
	}
}

// The images of stored alerts are known, so that image retention keeps
// them after their reads are gone.
func testImageRefs(t *testing.T, r alert.Repository) {
	a := hotlistAlert("a1", "CAM-1", "AB12CDE", "PNC", "stolen", minutes(1))
	a.Read.PatchRef, a.Read.OverviewRef = "20260302-"+strings.Repeat("0a", 32), "20260302-"+strings.Repeat("0b", 32)
	b := hotlistAlert("a2", "CAM-1", "CD34EFG", "PNC", "stolen", minutes(2))
	b.Read.PatchRef, b.Read.OverviewRef = "20260302-"+strings.Repeat("0c", 32), "" // no overview
	if err := r.AddAlerts(ctx, []alert.Alert{a, b}); err != nil {
		t.Fatal(err)
	}
	refs, err := r.AlertImageRefs(ctx)
	want := []string{a.Read.PatchRef, a.Read.OverviewRef, b.Read.PatchRef}
	if err != nil || len(refs) != len(want) || !refs[want[0]] || !refs[want[1]] || !refs[want[2]] {
		t.Fatalf("AlertImageRefs = %v, %v; want exactly %v", refs, err, want)
	}
}
