package planner

import (
	"bytes"
	"maps"
	"testing"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

func byID(sites []siting.Site) map[string]traffic.LinkID {
	m := map[string]traffic.LinkID{}
	for _, s := range sites {
		m[s.ID] = s.Link
	}
	return m
}

// Every edit leaves a proposal that turns the current sites into the
// proposed ones, also once written as a file and read back.
func TestEditorProposalMakesTheProposedSites(t *testing.T) {
	net := toyNetwork(t)
	current := []siting.Site{{ID: "S1", Link: 0, Cost: 1}, {ID: "S2", Link: 2, Cost: 1, EndOfLife: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}}
	e := NewEditor(net, current, nil)
	check := func(step string, want map[string]traffic.LinkID) {
		t.Helper()
		if got := byID(e.Proposed()); !maps.Equal(got, want) {
			t.Fatalf("%s: proposed %v, want %v", step, got, want)
		}
		p := e.Proposal("test")
		applied, err := p.Apply(current)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got := byID(applied); !maps.Equal(got, want) {
			t.Fatalf("%s: the proposal makes %v, want %v", step, got, want)
		}
		var buf bytes.Buffer
		if err := WriteProposal(&buf, net, p); err != nil {
			t.Fatal(err)
		}
		read, err := siting.ParseProposal("proposal.json", buf.Bytes(), net)
		if err != nil {
			t.Fatalf("%s: the written proposal does not read back: %v\n%s", step, err, buf.String())
		}
		again, err := read.Apply(current)
		if err != nil || !maps.Equal(byID(again), want) {
			t.Fatalf("%s: the written proposal makes %v (%v), want %v", step, byID(again), err, want)
		}
	}
	check("start", map[string]traffic.LinkID{"S1": 0, "S2": 2})
	p1, err := e.Add(4)
	if err != nil || p1.ID != "P01" {
		t.Fatalf("add: %v, %v", p1, err)
	}
	check("add P01 on c→d", map[string]traffic.LinkID{"S1": 0, "S2": 2, "P01": 4})
	if _, err := e.Add(4); err == nil {
		t.Error("a second site on c→d was accepted")
	}
	if err := e.Move("S1", 6); err != nil {
		t.Fatal(err)
	}
	check("move S1 to b→e", map[string]traffic.LinkID{"S1": 6, "S2": 2, "P01": 4})
	if e.Status("S1") != siting.Moved || e.Status("P01") != siting.Added || e.Status("S2") != siting.Kept {
		t.Errorf("statuses S1 %s, P01 %s, S2 %s", e.Status("S1"), e.Status("P01"), e.Status("S2"))
	}
	if err := e.Move("P01", 2); err == nil {
		t.Error("moving P01 onto S2's link was accepted")
	}
	if err := e.Remove("S2"); err != nil {
		t.Fatal(err)
	}
	check("remove S2", map[string]traffic.LinkID{"S1": 6, "P01": 4})
	if e.Status("S2") != siting.Removed || len(e.Removed()) != 1 {
		t.Errorf("S2 is %s; removed %v", e.Status("S2"), e.Removed())
	}
	p2, _ := e.Add(2)
	check("add P02 where S2 was", map[string]traffic.LinkID{"S1": 6, "P01": 4, "P02": 2})
	if err := e.Restore("S2"); err == nil {
		t.Error("S2 was restored onto P02's link")
	}
	if err := e.Remove(p2.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.Restore("S2"); err != nil {
		t.Fatal(err)
	}
	check("restore S2", map[string]traffic.LinkID{"S1": 6, "P01": 4, "S2": 2})
	for range 2 {
		e.Undo()
	}
	check("undo twice", map[string]traffic.LinkID{"S1": 6, "P01": 4, "P02": 2})
	e.Reset()
	check("reset", map[string]traffic.LinkID{"S1": 0, "S2": 2})
	e.Undo()
	check("undo the reset", map[string]traffic.LinkID{"S1": 6, "P01": 4, "P02": 2})
}

// A proposal file's replacements (new cameras at end of life) survive
// editing.
func TestEditorKeepsReplacements(t *testing.T) {
	net := staffordshire(t)
	current := currentSites(t, net)
	prop, err := siting.LoadProposal(proposalPath, net)
	if err != nil {
		t.Fatal(err)
	}
	proposed, err := prop.Apply(current)
	if err != nil {
		t.Fatal(err)
	}
	e := NewEditor(net, current, proposed)
	ops := map[siting.Op]int{}
	for _, c := range e.Proposal("x").Changes {
		ops[c.Op]++
	}
	want := map[siting.Op]int{siting.Remove: 1, siting.Replace: 2, siting.Move: 1, siting.Add: 2}
	if !maps.Equal(ops, want) {
		t.Errorf("the editor's proposal has %v; the file's has %v", ops, want)
	}
	if e.Status("S01") != siting.Replaced || e.Status("S07") != siting.Removed || e.Status("N01") != siting.Added {
		t.Errorf("statuses S01 %s, S07 %s, N01 %s", e.Status("S01"), e.Status("S07"), e.Status("N01"))
	}
}
