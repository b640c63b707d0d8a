package siting

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestProposalApply(t *testing.T) {
	net := toyNetwork(t)
	current := []Site{
		{ID: "S1", Link: 2, EndOfLife: day("2026-06-30"), Cost: 1},
		{ID: "S2", Link: 4, EndOfLife: day("2030-01-01"), Cost: 1},
		{ID: "S3", Link: 0, Cost: 1},
	}
	p, err := ParseProposal("p.json", []byte(`{
  "format": "anpr-siting-proposal/1",
  "network": "toy",
  "name": "review",
  "changes": [
    {"op": "replace", "id": "S1", "end_of_life": "2033-06-30"},
    {"op": "move", "id": "S2", "from": "d", "to": "c"},
    {"op": "remove", "id": "S3", "note": "no longer needed"},
    {"op": "add", "site": {"id": "N1", "link": 6, "end_of_life": "2034-01-01"}},
    {"op": "replace", "id": "N1", "link": 7, "end_of_life": "2035-01-01"}
  ]
}`), net)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Apply(current)
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{ID: "S1", Link: 2, EndOfLife: day("2033-06-30"), Cost: 1},
		{ID: "S2", Link: 5, EndOfLife: day("2030-01-01"), Cost: 1},
		{ID: "N1", Link: 7, EndOfLife: day("2035-01-01"), Cost: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("applied: %+v\nwant %+v", got, want)
	}
	if current[0].EndOfLife != day("2026-06-30") || len(current) != 3 {
		t.Errorf("Apply changed the current sites: %+v", current)
	}
	retire := RetireDue(current, day("2026-12-31"))
	if len(retire.Changes) != 1 || retire.Changes[0].ID != "S1" || retire.Changes[0].Op != Remove {
		t.Errorf("retire due by the end of 2026: %+v", retire)
	}
}

func TestProposalRefuses(t *testing.T) {
	net := toyNetwork(t)
	current := []Site{{ID: "S1", Link: 2, Cost: 1}}
	head := `{"format": "anpr-siting-proposal/1", "changes": [` + "\n"
	parseCases := []struct {
		name, text string
		want       []string
	}{
		{"unknown op", head + `{"op": "rotate", "id": "S1"}]}`, []string{"p.json:2", "changes[0] (rotate S1)", "not add, remove, move or replace"}},
		{"move nowhere", head + `{"op": "move", "id": "S1"}]}`, []string{"move needs where to"}},
		{"move to no link", head + `{"op": "move", "id": "S1", "from": "a", "to": "d"}]}`, []string{`no link from "a" to "d"`}},
		{"replace without end of life", head + `{"op": "replace", "id": "S1"}]}`, []string{"end_of_life"}},
		{"add without a site", head + `{"op": "add", "id": "N1"}]}`, []string{`add needs "site"`}},
		{"add a site on no link", head + `{"op": "add", "site": {"id": "N1", "link": 99}}]}`, []string{"changes[0] (add N1)", "link 99 does not exist"}},
		{"remove with a place", head + `{"op": "remove", "id": "S1", "link": 0}]}`, []string{`remove takes only "id"`}},
		{"misspelt member", head + `{"op": "remove", "idd": "S1"}]}`, []string{"changes[0]", "idd"}},
	}
	for _, c := range parseCases {
		_, err := ParseProposal("p.json", []byte(c.text), net)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
	applyCases := map[string]Change{
		"remove a site not there":      {Op: Remove, ID: "S9"},
		"add a site whose id is taken": {Op: Add, ID: "S1", Site: Site{ID: "S1", Link: 0}},
		"move where it is":             {Op: Move, ID: "S1", Link: 2, HasLink: true},
	}
	for name, c := range applyCases {
		_, err := Proposal{Name: "p", Changes: []Change{c}}.Apply(current)
		if err == nil || !strings.Contains(err.Error(), "change 1") {
			t.Errorf("%s: %v, want an error naming change 1", name, err)
		}
	}
}

// Every difference is proposed less current, seed by seed; a measure both
// sets share moves alike, so its paired interval is narrower than either.
func TestCompareArithmetic(t *testing.T) {
	net := toyNetwork(t)
	var recs []*Recording
	for seed := uint64(1); seed <= 4; seed++ {
		recs = append(recs, randomRecording(t, net, seed, 60))
	}
	current := []Site{{ID: "S1", Link: 2, EndOfLife: day("2027-01-01")}, {ID: "S2", Link: 4}, {ID: "S3", Link: 0}}
	p := Proposal{Name: "p", Changes: []Change{
		{Op: Remove, ID: "S2"},
		{Op: Move, ID: "S3", Link: 6, HasLink: true},
		{Op: Replace, ID: "S1", EndOfLife: day("2032-01-01")},
		{Op: Add, ID: "N1", Site: Site{ID: "N1", Link: 7}},
	}}
	proposed, err := p.Apply(current)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Evaluate(recs, current, Options{})
	if err != nil {
		t.Fatal(err)
	}
	prop, err := Evaluate(recs, proposed, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compare(cur, prop, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Measures) != len(cur.Measures) {
		t.Fatalf("%d measures compared, %d measured", len(c.Measures), len(cur.Measures))
	}
	for _, m := range c.Measures {
		a, _ := cur.Measure(m.Key)
		b, _ := prop.Measure(m.Key)
		if m.Current != a.Estimate || m.Proposed != b.Estimate {
			t.Errorf("%s: sides %+v and %+v, measured %+v and %+v", m.Key, m.Current, m.Proposed, a.Estimate, b.Estimate)
		}
		if a.N == 4 && b.N == 4 && !near(m.Difference.Mean, b.Mean-a.Mean) {
			t.Errorf("%s: difference %g, want %g - %g", m.Key, m.Difference.Mean, b.Mean, a.Mean)
		}
	}
	trips, _ := c.measure("traffic.trips_per_day")
	if trips.Difference.Mean != 0 || trips.Difference.Low != 0 || trips.Difference.High != 0 || trips.Current.Low == trips.Current.High {
		t.Errorf("trips a day, the same traffic both sides: %+v", trips)
	}
	status := map[string]string{}
	for _, s := range c.Sites {
		status[s.ID] = s.Status
	}
	want := map[string]string{"S1": Replaced, "S2": Removed, "S3": Moved, "N1": Added}
	for id, w := range want {
		if status[id] != w {
			t.Errorf("%s: status %q, want %q", id, status[id], w)
		}
	}
	for _, s := range c.Sites {
		for _, m := range s.Measures {
			switch s.Status {
			case Removed:
				if m.Proposed.N != 0 || m.Difference.N != 0 {
					t.Errorf("removed %s %s: %+v", s.ID, m.Key, m)
				}
			case Added:
				if m.Current.N != 0 || m.Difference.N != 0 {
					t.Errorf("added %s %s: %+v", s.ID, m.Key, m)
				}
			case Replaced: // same place, same traffic
				if m.Difference.N > 0 && m.Key == "reads_per_day" && m.Difference.Mean != 0 {
					t.Errorf("replaced %s %s: difference %g", s.ID, m.Key, m.Difference.Mean)
				}
			}
		}
	}
	// Reports of different traffic are not compared.
	other, err := Evaluate(recs[:2], current, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compare(cur, other, "x"); err == nil {
		t.Error("compared reports of different seeds")
	}
}

func (c *Comparison) measure(key string) (MeasureDiff, bool) {
	for _, m := range c.Measures {
		if m.Key == key {
			return m, true
		}
	}
	return MeasureDiff{}, false
}
