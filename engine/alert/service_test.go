package alert_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/hotlist"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

// clock is a clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newService returns a service over a real store in a temporary file, and
// its clock.
func newService(t testing.TB, opts alert.Options) (*alert.Service, *sqlite.Store, *clock) {
	t.Helper()
	c := &clock{t: t0}
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "anpr.db"), sqlite.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	opts.Now = c.Now
	return alert.NewService(s, opts), s, c
}

// lists returns hotlists in which AB12CDE is on the PNC as stolen (priority
// 2) and on a local list for drugs (priority 5), and XY51ABC is on the PNC
// for firearms (priority 1).
func lists(t testing.TB) *hotlist.Hotlists {
	t.Helper()
	h, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, feed := range map[string]string{
		"national": "vrm,list,marker,priority,action\nAB12CDE,PNC,stolen,2,Stop and check\nXY51ABC,PNC,firearms,1,Do not stop: report\n",
		"force":    "vrm,list,marker,priority,action\nAB12CDE,local,drugs,5,Intelligence only\n",
	} {
		if _, err := h.Load(ctx, name, strings.NewReader(feed), hotlist.CSV); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

var readSeq int

func newRead(camera, vrm string) store.Read {
	readSeq++
	return store.Read{ID: fmt.Sprintf("%s-%s-%06d", camera, vrm, readSeq),
		Camera: camera, VRM: vrm, Confidence: 0.95, Captured: t0, PatchRef: "20260302-" + strings.Repeat("0a", 32)}
}

// raise raises the alerts of a read of vrm at camera against lists.
func raise(t testing.TB, svc *alert.Service, h *hotlist.Hotlists, camera, vrm string) []alert.Alert {
	t.Helper()
	r := newRead(camera, vrm)
	out, err := svc.Raise(ctx, r, h.Match(r.VRM, r.Captured))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A read that hits two entries raises two alerts, each with its entry,
// stored and published; the same read again raises nothing more.
func TestRaise(t *testing.T) {
	svc, _, _ := newService(t, alert.Options{})
	events, cancel := svc.Subscribe()
	defer cancel()
	h := lists(t)
	r := newRead("CAM-1", "AB12CDE")
	hits := h.Match(r.VRM, r.Captured)
	got, err := svc.Raise(ctx, r, hits)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d alerts from a read hitting 2 entries", len(got))
	}
	for i, a := range got {
		if a.Kind != alert.KindHotlist || a.State != alert.StateNew || !a.Raised.Equal(t0) || a.Read != r ||
			a.Hit == nil || a.Hit.Entry != hits[i].Entry || a.Priority != hits[i].Priority {
			t.Errorf("alert %d = %+v, want one on %+v", i, a, hits[i])
		}
		if e := <-events; e.Type != alert.EventRaised || e.Alert.ID != a.ID {
			t.Errorf("event %d = %s %s, want raised %s", i, e.Type, e.Alert.ID, a.ID)
		}
		stored, err := svc.Alert(ctx, a.ID)
		if err != nil || stored.Hit.Action != hits[i].Action {
			t.Errorf("stored alert %s = %+v, %v", a.ID, stored, err)
		}
	}
	if got[0].ID == got[1].ID {
		t.Error("the two alerts share an ID")
	}

	// Redelivered after one of them was decided: nothing new, nothing
	// published, and the alerts come back as they stand.
	if _, err := svc.Decide(ctx, got[0].ID, alert.Decision{Kind: alert.Misread, By: "op1"}); err != nil {
		t.Fatal(err)
	}
	<-events
	again, err := svc.Raise(ctx, r, hits)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 2 || again[0].ID != got[0].ID || again[0].State != alert.StateClosed || again[1].ID != got[1].ID {
		t.Errorf("raising again gave %+v", again)
	}
	select {
	case e := <-events:
		t.Errorf("raising again published %s %s", e.Type, e.Alert.ID)
	default:
	}
	if all, _ := svc.Alerts(ctx, alert.Query{}); len(all) != 2 {
		t.Errorf("%d alerts stored, want 2", len(all))
	}

	if out, err := svc.Raise(ctx, r, nil); out != nil || err != nil {
		t.Errorf("Raise without hits = %v, %v; want nothing", out, err)
	}
	bad := r
	bad.Camera = ""
	if _, err := svc.Raise(ctx, bad, hits); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("a bad read: err = %v, want ErrInvalid", err)
	}
	other := newRead("CAM-1", "XY51ABC")
	if _, err := svc.Raise(ctx, other, hits); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("hits of another read: err = %v, want ErrInvalid", err)
	}
}

// A suspected clone from the detector is an alert of its own kind, at the
// configured priority.
func TestRaiseClone(t *testing.T) {
	svc, _, _ := newService(t, alert.Options{ClonePriority: 3})
	tt := hotlist.NewTravelTimes()
	if err := tt.Set("CAM-N", "CAM-S", 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	d := hotlist.NewCloneDetector(tt)
	d.Observe("AB12CDE", "CAM-N", t0)
	r := newRead("CAM-S", "AB12CDE")
	r.Captured = t0.Add(5 * time.Minute)
	c, ok := d.Observe(r.VRM, r.Camera, r.Captured)
	if !ok {
		t.Fatal("no clone alert from the detector")
	}
	a, err := svc.RaiseClone(ctx, r, c)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != alert.KindClone || a.Priority != 3 || a.Clone == nil || a.Clone.Least != 30*time.Minute || a.Hit != nil {
		t.Errorf("clone alert = %+v", a)
	}
	st, err := svc.Stats(ctx, time.Time{}, time.Time{})
	if err != nil || st.Total.Alerts != 1 || len(st.ByList) != 0 || len(st.ByKind) != 1 || st.ByKind[0].Key != "clone" {
		t.Errorf("stats with one clone alert = %+v, %v", st, err)
	}
	if again, err := svc.RaiseClone(ctx, r, c); err != nil || again.ID != a.ID {
		t.Errorf("raising the clone again = %s, %v; want the same alert", again.ID, err)
	}
	elsewhere := r
	elsewhere.Camera = "CAM-E"
	if _, err := svc.RaiseClone(ctx, elsewhere, c); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("a clone with a read from neither camera: err = %v, want ErrInvalid", err)
	}
}

// Each step of an alert's handling is allowed only in turn.
func TestStateMachine(t *testing.T) {
	type step struct {
		do    func(svc *alert.Service, id string) (alert.Alert, error)
		err   error       // nil: succeeds
		state alert.State // after the step
	}
	ack := func(by string) func(*alert.Service, string) (alert.Alert, error) {
		return func(s *alert.Service, id string) (alert.Alert, error) { return s.Acknowledge(ctx, id, by) }
	}
	decide := func(d alert.Decision) func(*alert.Service, string) (alert.Alert, error) {
		return func(s *alert.Service, id string) (alert.Alert, error) { return s.Decide(ctx, id, d) }
	}
	outcome := func(k alert.OutcomeKind) func(*alert.Service, string) (alert.Alert, error) {
		return func(s *alert.Service, id string) (alert.Alert, error) {
			return s.RecordOutcome(ctx, id, alert.Outcome{Kind: k, By: "TANGO-21"})
		}
	}
	deploy := alert.Decision{Kind: alert.Deploy, Resource: "TANGO-21", By: "op1"}
	misread := alert.Decision{Kind: alert.Misread, By: "op1"}
	noAction := alert.Decision{Kind: alert.NoAction, Reason: "no unit free", By: "op1"}
	const (
		n, a, d, c = alert.StateNew, alert.StateAcknowledged, alert.StateDecided, alert.StateClosed
	)
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"acknowledge, deploy, outcome", []step{{ack("op1"), nil, a}, {decide(deploy), nil, d}, {outcome(alert.Arrest), nil, c}}},
		{"deploy without acknowledging", []step{{decide(deploy), nil, d}, {outcome(alert.NotLocated), nil, c}}},
		{"misread closes", []step{{ack("op1"), nil, a}, {decide(misread), nil, c}}},
		{"not the vehicle closes", []step{{decide(alert.Decision{Kind: alert.NotVehicle, By: "op2"}), nil, c}}},
		{"no action closes", []step{{decide(noAction), nil, c}}},
		{"decide twice", []step{{decide(misread), nil, c}, {decide(deploy), alert.ErrConflict, c}}},
		{"deploy twice", []step{{decide(deploy), nil, d}, {decide(deploy), alert.ErrConflict, d}}},
		{"outcome before a decision", []step{{ack("op1"), nil, a}, {outcome(alert.Stopped), alert.ErrConflict, a}}},
		{"outcome on a new alert", []step{{outcome(alert.Stopped), alert.ErrConflict, n}}},
		{"outcome after a misread", []step{{decide(misread), nil, c}, {outcome(alert.Stopped), alert.ErrConflict, c}}},
		{"outcome twice", []step{{decide(deploy), nil, d}, {outcome(alert.Stopped), nil, c}, {outcome(alert.Arrest), alert.ErrConflict, c}}},
		{"no action without a reason", []step{{decide(alert.Decision{Kind: alert.NoAction, By: "op1"}), alert.ErrInvalid, n}}},
		{"deploy without a resource", []step{{ack("op1"), nil, a}, {decide(alert.Decision{Kind: alert.Deploy, By: "op1"}), alert.ErrInvalid, a}}},
		{"decision by nobody", []step{{decide(alert.Decision{Kind: alert.Misread}), alert.ErrInvalid, n}}},
		{"outcome of no kind", []step{{decide(deploy), nil, d}, {outcome(""), alert.ErrInvalid, d}}},
		{"acknowledge twice, same operator", []step{{ack("op1"), nil, a}, {ack("op1"), nil, a}}},
		{"acknowledge twice, another operator", []step{{ack("op1"), nil, a}, {ack("op2"), alert.ErrConflict, a}}},
		{"another operator decides", []step{{ack("op1"), nil, a}, {decide(alert.Decision{Kind: alert.Misread, By: "sup1"}), nil, c}}},
		{"acknowledge after deciding", []step{{decide(misread), nil, c}, {ack("op1"), alert.ErrConflict, c}}},
		{"acknowledge by nobody", []step{{ack(""), alert.ErrInvalid, n}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, _, clk := newService(t, alert.Options{})
			id := raise(t, svc, lists(t), "CAM-1", "XY51ABC")[0].ID
			for i, s := range tc.steps {
				clk.Advance(time.Minute)
				before, _ := svc.Alert(ctx, id)
				got, err := s.do(svc, id)
				switch {
				case s.err == nil && err != nil:
					t.Fatalf("step %d: %v", i+1, err)
				case s.err != nil && !errors.Is(err, s.err):
					t.Fatalf("step %d: err = %v, want %v", i+1, err, s.err)
				case s.err == nil && got.State != s.state:
					t.Fatalf("step %d: state %s, want %s", i+1, got.State, s.state)
				}
				stored, err := svc.Alert(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if stored.State != s.state {
					t.Fatalf("step %d: stored state %s, want %s", i+1, stored.State, s.state)
				}
				if s.err != nil && !sameJSON(t, stored, before) {
					t.Errorf("step %d failed but changed the alert", i+1)
				}
			}
		})
	}
}

// The service stamps decisions with its clock, records who acknowledged,
// and keeps the first acknowledgement when someone else decides.
func TestDecisionRecord(t *testing.T) {
	svc, _, clk := newService(t, alert.Options{})
	id := raise(t, svc, lists(t), "CAM-1", "XY51ABC")[0].ID
	clk.Advance(40 * time.Second)
	if _, err := svc.Acknowledge(ctx, id, "op1"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	a, err := svc.Decide(ctx, id, alert.Decision{Kind: alert.Deploy, Resource: "TANGO-21", By: "sup1", At: t0.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Acknowledged.By != "op1" || !a.Acknowledged.At.Equal(t0.Add(40*time.Second)) ||
		a.Decision.By != "sup1" || !a.Decision.At.Equal(t0.Add(100*time.Second)) {
		t.Errorf("acknowledged %+v, decision %+v", a.Acknowledged, a.Decision)
	}
	clk.Advance(time.Hour)
	a, err = svc.RecordOutcome(ctx, id, alert.Outcome{Kind: alert.Stopped, Note: "words of advice", By: "TANGO-21"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome.By != "TANGO-21" || !a.Outcome.At.Equal(t0.Add(time.Hour+100*time.Second)) || a.Outcome.Note != "words of advice" {
		t.Errorf("outcome %+v", a.Outcome)
	}
	if _, err := svc.Decide(ctx, "no-such-alert", alert.Decision{Kind: alert.Misread, By: "op1"}); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("deciding a missing alert: err = %v, want ErrNotFound", err)
	}
}

// An alert left new EscalateAfter is escalated once; one picked up in time
// never is.
func TestEscalation(t *testing.T) {
	svc, _, clk := newService(t, alert.Options{EscalateAfter: 3 * time.Minute})
	events, cancel := svc.Subscribe()
	defer cancel()
	h := lists(t)
	left := raise(t, svc, h, "CAM-1", "XY51ABC")[0]
	acked := raise(t, svc, h, "CAM-2", "XY51ABC")[0]
	decided := raise(t, svc, h, "CAM-3", "XY51ABC")[0]
	clk.Advance(time.Minute)
	later := raise(t, svc, h, "CAM-4", "XY51ABC")[0] // raised a minute after the others
	for range 4 {
		<-events
	}
	if _, err := svc.Acknowledge(ctx, acked.ID, "op1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, decided.ID, alert.Decision{Kind: alert.Misread, By: "op1"}); err != nil {
		t.Fatal(err)
	}
	<-events
	<-events

	escalate := func(want ...string) {
		t.Helper()
		got, err := svc.EscalateDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("at %s escalated %v, want %v", clk.Now().Sub(t0), ids(got), want)
		}
		for _, a := range got {
			if !a.Escalated || a.EscalatedAt == nil || !a.EscalatedAt.Equal(clk.Now()) || a.State != alert.StateNew {
				t.Errorf("escalated alert %+v", a)
			}
			if e := <-events; e.Type != alert.EventEscalated || e.Alert.ID != a.ID {
				t.Errorf("event %s %s, want escalated %s", e.Type, e.Alert.ID, a.ID)
			}
		}
	}
	clk.Advance(2*time.Minute - time.Nanosecond)
	escalate() // 3 minutes less a nanosecond after the first three
	clk.Advance(time.Nanosecond)
	escalate(left.ID)
	escalate() // once only
	clk.Advance(time.Minute)
	escalate(later.ID)
	clk.Advance(time.Hour)
	escalate()

	// Acknowledged late, it stays marked as escalated.
	a, err := svc.Acknowledge(ctx, left.ID, "op2")
	if err != nil || !a.Escalated || a.State != alert.StateAcknowledged {
		t.Errorf("acknowledging an escalated alert = %+v, %v", a, err)
	}
	st, err := svc.Stats(ctx, time.Time{}, time.Time{})
	if err != nil || st.Total.Escalated != 2 {
		t.Errorf("stats count %d escalated (%v), want 2", st.Total.Escalated, err)
	}
}

// Escalation pages through more due alerts than one page holds.
func TestEscalationManyDue(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand synced transactions")
	}
	svc, s, clk := newService(t, alert.Options{})
	var batch []alert.Alert
	h := lists(t)
	for range alert.MaxLimit + 5 {
		r := newRead("CAM-1", "XY51ABC")
		hit := h.Match(r.VRM, r.Captured)[0]
		batch = append(batch, alert.Alert{ID: strings.ReplaceAll(r.ID, "-", ""), Kind: alert.KindHotlist, Raised: t0, Read: r,
			Hit: &hit, Priority: hit.Priority, State: alert.StateNew})
	}
	if err := s.AddAlerts(ctx, batch[:alert.MaxLimit]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAlerts(ctx, batch[alert.MaxLimit:]); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	got, err := svc.EscalateDue(ctx)
	if err != nil || len(got) != len(batch) {
		t.Errorf("escalated %d, %v; want %d", len(got), err, len(batch))
	}
}

// Every subscriber gets every change in order; one that falls behind is
// cut off, and the others, and Raise, never wait for it.
func TestSubscribers(t *testing.T) {
	svc, _, _ := newService(t, alert.Options{Buffer: 3})
	h := lists(t)
	slow, cancelSlow := svc.Subscribe()
	defer cancelSlow()
	fast, cancelFast := svc.Subscribe()
	defer cancelFast()
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range fast {
			got = append(got, e.Type+" "+e.Alert.ID)
		}
	}()

	var want []string
	for range 4 {
		a := raise(t, svc, h, "CAM-1", "XY51ABC")[0] // the slow subscriber's buffer fills, and Raise goes on
		want = append(want, "raised "+a.ID)
		if _, err := svc.Acknowledge(ctx, a.ID, "op1"); err != nil {
			t.Fatal(err)
		}
		want = append(want, "updated "+a.ID)
		if _, err := svc.Decide(ctx, a.ID, alert.Decision{Kind: alert.Misread, By: "op1"}); err != nil {
			t.Fatal(err)
		}
		want = append(want, "updated "+a.ID)
	}
	var slowGot []string
	for e := range slow { // ends: the slow subscriber was cut off, its channel closed
		slowGot = append(slowGot, e.Type+" "+e.Alert.ID)
	}
	if !slices.Equal(slowGot, want[:3]) {
		t.Errorf("the slow subscriber got %v before being cut off, want the first 3 of %v", slowGot, want)
	}
	cancelSlow() // after being cut off: no effect
	cancelFast()
	cancelFast()
	<-done
	if !slices.Equal(got, want) {
		t.Errorf("the fast subscriber got\n%v\nwant\n%v", got, want)
	}

	// After cancelling, nothing more arrives, and publishing does not
	// block on the gone subscribers.
	raise(t, svc, h, "CAM-2", "XY51ABC")
	if _, ok := <-fast; ok {
		t.Error("an event after cancelling")
	}
}

// Run escalates in the background and returns when its context ends.
func TestRun(t *testing.T) {
	svc, _, clk := newService(t, alert.Options{CheckEvery: time.Millisecond})
	events, cancelSub := svc.Subscribe()
	defer cancelSub()
	a := raise(t, svc, lists(t), "CAM-1", "XY51ABC")[0]
	<-events
	clk.Advance(alert.DefaultEscalateAfter)
	c, cancel := context.WithCancel(ctx)
	ran := make(chan error)
	go func() { ran <- svc.Run(c) }()
	if e := <-events; e.Type != alert.EventEscalated || e.Alert.ID != a.ID {
		t.Errorf("event %s %s, want escalated %s", e.Type, e.Alert.ID, a.ID)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run = %v, want nil once its context ends", err)
	}
}

func TestDeleteExpired(t *testing.T) {
	svc, s, clk := newService(t, alert.Options{Keep: 30 * 24 * time.Hour})
	h := lists(t)
	old := raise(t, svc, h, "CAM-1", "XY51ABC")[0]
	clk.Advance(20 * 24 * time.Hour)
	kept := raise(t, svc, h, "CAM-1", "XY51ABC")[0]
	clk.Advance(10*24*time.Hour + time.Second)
	n, err := svc.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
	}
	if _, err := svc.Alert(ctx, old.ID); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("the expired alert: err = %v, want ErrNotFound", err)
	}
	if _, err := svc.Alert(ctx, kept.ID); err != nil {
		t.Errorf("the alert within the period: %v", err)
	}
	if runs, err := s.AlertRetentionRuns(ctx); err != nil || len(runs) != 1 || runs[0].Deleted != 1 {
		t.Errorf("recorded runs %+v, %v", runs, err)
	}
	noKeep, _, _ := newService(t, alert.Options{})
	if _, err := noKeep.DeleteExpired(ctx); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("DeleteExpired without Keep: err = %v, want ErrInvalid", err)
	}
}

// Stats through the service: alerts per camera and per list, and what the
// operators made of them.
func TestStats(t *testing.T) {
	svc, _, clk := newService(t, alert.Options{})
	h := lists(t)
	decide := func(a alert.Alert, d alert.Decision) {
		t.Helper()
		if _, err := svc.Decide(ctx, a.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	// CAM-1 reads AB12CDE twice: two alerts each time (PNC and local).
	for range 2 {
		as := raise(t, svc, h, "CAM-1", "AB12CDE")
		decide(as[0], alert.Decision{Kind: alert.Misread, By: "op1"})
		decide(as[1], alert.Decision{Kind: alert.Misread, By: "op1"})
	}
	as := raise(t, svc, h, "CAM-2", "XY51ABC")
	decide(as[0], alert.Decision{Kind: alert.Deploy, Resource: "TANGO-21", By: "op1"})
	clk.Advance(time.Hour)
	raise(t, svc, h, "CAM-2", "AB12CDE") // after the period

	st, err := svc.Stats(ctx, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	summary := func(cs []alert.Count) (out []string) {
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s: %d alerts, %d misread, %d deployed, %d open", c.Key, c.Alerts, c.Misread, c.Deployed, c.Open))
		}
		return out
	}
	if got, want := summary(st.ByCamera), []string{"CAM-1: 4 alerts, 4 misread, 0 deployed, 0 open", "CAM-2: 1 alerts, 0 misread, 1 deployed, 1 open"}; !slices.Equal(got, want) {
		t.Errorf("by camera %v, want %v", got, want)
	}
	if got, want := summary(st.ByList), []string{"PNC: 3 alerts, 2 misread, 1 deployed, 1 open", "local: 2 alerts, 2 misread, 0 deployed, 0 open"}; !slices.Equal(got, want) {
		t.Errorf("by list %v, want %v", got, want)
	}
	if st.Total.MisreadShare != 0.8 || st.Total.DeployedShare != 0.2 {
		t.Errorf("shares: misread %v, deployed %v; want 0.8, 0.2", st.Total.MisreadShare, st.Total.DeployedShare)
	}
	if _, err := svc.Stats(ctx, t0, t0); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("empty period: err = %v, want ErrInvalid", err)
	}
}

func TestNewServicePanicsOnBadOptions(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "clone priority") {
			t.Errorf("recovered %v, want a panic naming the clone priority", r)
		}
	}()
	_, s, _ := newService(t, alert.Options{})
	alert.NewService(s, alert.Options{ClonePriority: 12})
}

func ids(alerts []alert.Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = a.ID
	}
	return out
}

func sameJSON(t *testing.T, a, b alert.Alert) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
