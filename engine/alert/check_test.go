package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/store"
)

func TestDecisionCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Decision
		want string // part of the error; "" for none
	}{
		{"misread", Decision{Kind: Misread, By: "op1"}, ""},
		{"misread with a reason", Decision{Kind: Misread, Reason: "8 for B", By: "op1"}, ""},
		{"not the vehicle", Decision{Kind: NotVehicle, By: "op1"}, ""},
		{"no action with a reason", Decision{Kind: NoAction, Reason: "no unit free", By: "op1"}, ""},
		{"no action without a reason", Decision{Kind: NoAction, By: "op1"}, "reason is required"},
		{"no action with a blank reason", Decision{Kind: NoAction, Reason: "  \n", By: "op1"}, "reason is required"},
		{"deploy", Decision{Kind: Deploy, Resource: "TANGO-21", By: "op1"}, ""},
		{"deploy without a resource", Decision{Kind: Deploy, By: "op1"}, "resource deployed is required"},
		{"a resource without deploying", Decision{Kind: Misread, Resource: "TANGO-21", By: "op1"}, "for a deployment only"},
		{"no kind", Decision{By: "op1"}, "kind is not given"},
		{"unknown kind", Decision{Kind: "speeding", By: "op1"}, `kind "speeding"`},
		{"nobody", Decision{Kind: Misread}, "by is empty"},
		{"reason over several lines", Decision{Kind: NoAction, Reason: "one\ntwo", By: "op1"}, ""},
		{"control character in by", Decision{Kind: Misread, By: "op\x001"}, "control character"},
		{"reason too long", Decision{Kind: NoAction, Reason: strings.Repeat("x", MaxReasonLen+1), By: "op1"}, "over the limit"},
	} {
		err := c.d.Check()
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
}

func TestOutcomeCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Outcome
		want string
	}{
		{"stopped", Outcome{Kind: Stopped, By: "TANGO-21"}, ""},
		{"arrest with a note", Outcome{Kind: Arrest, Note: "driver arrested\nvehicle seized", By: "TANGO-21"}, ""},
		{"nothing found", Outcome{Kind: NothingFound, By: "op1"}, ""},
		{"not located", Outcome{Kind: NotLocated, By: "op1"}, ""},
		{"no kind", Outcome{By: "op1"}, "kind is not given"},
		{"unknown kind", Outcome{Kind: "fined", By: "op1"}, `kind "fined"`},
		{"nobody", Outcome{Kind: Stopped}, "by is empty"},
		{"bad note", Outcome{Kind: Stopped, By: "op1", Note: "\x1b[2J"}, "control character"},
	} {
		err := c.o.Check()
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrInvalid saying %q", c.name, err, c.want)
		}
	}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func validAlert() Alert {
	r := store.Read{ID: "r1", Camera: "CAM-1", VRM: "AB12CDE", Confidence: 0.9, Captured: t0}
	return Alert{ID: "a1", Kind: KindHotlist, Raised: t0, Read: r, Priority: 2, State: StateNew,
		Hit: &hotlist.Hit{Read: "AB12CDE", Kind: hotlist.Exact, Entry: hotlist.Entry{VRM: "AB12CDE", List: "PNC", Marker: "stolen", Priority: 2}}}
}

// An alert's state must agree with what it records.
func TestAlertCheck(t *testing.T) {
	ack := &Ack{By: "op1", At: t0}
	deploy := &Decision{Kind: Deploy, Resource: "T1", By: "op1", At: t0}
	misread := &Decision{Kind: Misread, By: "op1", At: t0}
	outcome := &Outcome{Kind: Stopped, By: "T1", At: t0}
	for _, c := range []struct {
		name string
		edit func(*Alert)
		ok   bool
	}{
		{"new", func(a *Alert) {}, true},
		{"acknowledged", func(a *Alert) { a.State, a.Acknowledged = StateAcknowledged, ack }, true},
		{"acknowledged without an ack", func(a *Alert) { a.State = StateAcknowledged }, false},
		{"decided: deployed", func(a *Alert) { a.State, a.Acknowledged, a.Decision = StateDecided, ack, deploy }, true},
		{"decided: misread", func(a *Alert) { a.State, a.Acknowledged, a.Decision = StateDecided, ack, misread }, false},
		{"closed: misread", func(a *Alert) { a.State, a.Acknowledged, a.Decision = StateClosed, ack, misread }, true},
		{"closed: deployed, no outcome", func(a *Alert) { a.State, a.Acknowledged, a.Decision = StateClosed, ack, deploy }, false},
		{"closed: deployed, outcome", func(a *Alert) { a.State, a.Acknowledged, a.Decision, a.Outcome = StateClosed, ack, deploy, outcome }, true},
		{"closed: misread, outcome", func(a *Alert) { a.State, a.Acknowledged, a.Decision, a.Outcome = StateClosed, ack, misread, outcome }, false},
		{"new with a decision", func(a *Alert) { a.Decision = misread }, false},
		{"decision without a time", func(a *Alert) {
			a.State, a.Acknowledged, a.Decision = StateClosed, ack, &Decision{Kind: Misread, By: "op1"}
		}, false},
		{"unknown state", func(a *Alert) { a.State = "lost" }, false},
		{"escalated without a time", func(a *Alert) { a.Escalated = true }, false},
		{"escalated", func(a *Alert) { a.Escalated, a.EscalatedAt = true, &t0 }, true},
		{"priority not the entry's", func(a *Alert) { a.Priority = 1 }, false},
		{"priority out of range", func(a *Alert) { a.Priority, a.Hit.Priority = 10, 10 }, false},
		{"no hit", func(a *Alert) { a.Hit = nil }, false},
		{"hit and clone", func(a *Alert) { a.Clone = &hotlist.CloneAlert{VRM: "AB12CDE"} }, false},
		{"clone without a clone", func(a *Alert) { a.Kind, a.Hit = KindClone, nil }, false},
		{"clone of another mark", func(a *Alert) { a.Kind, a.Hit, a.Clone = KindClone, nil, &hotlist.CloneAlert{VRM: "XY12ABC"} }, false},
		{"clone", func(a *Alert) { a.Kind, a.Hit, a.Clone = KindClone, nil, &hotlist.CloneAlert{VRM: "AB12CDE"} }, true},
		{"unknown kind", func(a *Alert) { a.Kind = "speed" }, false},
		{"raised before 1970", func(a *Alert) { a.Raised = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, false},
		{"bad id", func(a *Alert) { a.ID = "a 1" }, false},
		{"long id", func(a *Alert) { a.ID = strings.Repeat("a", MaxIDLen+1) }, false},
		{"bad read", func(a *Alert) { a.Read.Confidence = 2 }, false},
	} {
		a := validAlert()
		c.edit(&a)
		err := a.Check()
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", c.name, err)
		}
	}
}

func TestQueryCheck(t *testing.T) {
	q, err := Query{States: []State{StateNew, StateNew, StateClosed}, VRM: "ab12 cde", Since: t0.In(time.FixedZone("BST", 3600))}.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.States) != 2 || q.VRM != "AB12CDE" || q.Limit != DefaultLimit || q.Since.Location() != time.UTC {
		t.Errorf("checked query = %+v", q)
	}
	for _, bad := range []Query{
		{Limit: -1}, {Limit: MaxLimit + 1}, {States: []State{"x"}}, {Kind: "x"}, {VRM: "AB?"},
		{Camera: "CAM\n1"}, {Since: t0, Until: t0}, {Before: "a b"},
	} {
		if _, err := bad.Check(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Query %+v: err = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, c := range []struct {
		o  Options
		ok bool
	}{
		{Options{}, true},
		{Options{EscalateAfter: time.Minute, ClonePriority: 1, Buffer: 8, CheckEvery: time.Second, Keep: 90 * 24 * time.Hour}, true},
		{Options{EscalateAfter: -1}, false},
		{Options{ClonePriority: 10}, false},
		{Options{ClonePriority: -1}, false},
		{Options{Buffer: -1}, false},
		{Options{CheckEvery: -1}, false},
		{Options{Keep: time.Hour}, false},
		{Options{Keep: -1}, false},
	} {
		if err := c.o.Check(); (err == nil) != c.ok {
			t.Errorf("Options %+v: err = %v, want ok %v", c.o, err, c.ok)
		}
	}
}

// An alert's JSON names the read's fields in lower case like the rest, and
// reads back as written.
func TestAlertJSON(t *testing.T) {
	a := validAlert()
	a.Read.PatchRef = "20261130-" + strings.Repeat("ab", 32)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"read":{"id":"r1","camera":"CAM-1","vrm":"AB12CDE","confidence":0.9,`, `"patch_ref":"20261130-abab`,
		`"hit":{"read":"AB12CDE","kind":"exact","vrm":"AB12CDE","list":"PNC","marker":"stolen","priority":2`, `"state":"new"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s\nlacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "Camera") {
		t.Errorf("JSON %s has a Go field name", b)
	}
	var back Alert
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Read != a.Read || back.Hit.Entry != a.Hit.Entry || back.ID != a.ID || back.State != a.State {
		t.Errorf("read back %+v, want %+v", back, a)
	}
	// Pointers to an Alert marshal the same way.
	if pb, _ := json.Marshal(&a); string(pb) != string(b) {
		t.Errorf("*Alert marshals to %s, Alert to %s", pb, b)
	}
}

// A stable ID: the same read and entry give the same ID; another entry,
// list or read another.
func TestHitID(t *testing.T) {
	a := validAlert()
	h := *a.Hit
	id := hitID(a.Read, h)
	if len(id) != 32 || CheckID(id) != nil {
		t.Errorf("id %q", id)
	}
	if hitID(a.Read, h) != id {
		t.Error("same read and hit, another id")
	}
	h2 := h
	h2.List = "local"
	r2 := a.Read
	r2.ID = "r2"
	if hitID(a.Read, h2) == id || hitID(r2, h) == id {
		t.Error("another list or read, same id")
	}
}
