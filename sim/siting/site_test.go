package siting

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"anpr/sim/traffic"
)

func TestParseSites(t *testing.T) {
	net := toyNetwork(t)
	sites, err := ParseSites("sites.json", []byte(`{
  "format": "anpr-sites/1",
  "network": "toy",
  "notes": ["two sites"],
  "sites": [
    {"id": "S1", "name": "B to C", "from": "b", "to": "c", "end_of_life": "2027-03-31"},
    {"id": "S2", "link": 4, "cost": 2.5},
    {"id": "S3", "link": 6, "from": "b", "to": "e", "note": "both ways of giving the place, agreeing"}
  ]
}`), net)
	if err != nil {
		t.Fatal(err)
	}
	want := []Site{
		{ID: "S1", Name: "B to C", Link: 2, EndOfLife: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), Cost: 1},
		{ID: "S2", Link: 4, Cost: 2.5},
		{ID: "S3", Link: 6, Cost: 1},
	}
	if len(sites) != len(want) {
		t.Fatalf("got %d sites, want %d", len(sites), len(want))
	}
	for i := range want {
		if sites[i] != want[i] {
			t.Errorf("site %d: %+v, want %+v", i, sites[i], want[i])
		}
	}
	if d := District(net, 2); d != "North" {
		t.Errorf("district of b→c: %q, want North (its start)", d)
	}
	// Written and read back, the sites are the same.
	var buf bytes.Buffer
	if err := WriteSites(&buf, net, sites, "round trip"); err != nil {
		t.Fatal(err)
	}
	again, err := ParseSites("again.json", buf.Bytes(), net)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	for i := range sites {
		if again[i] != sites[i] {
			t.Errorf("site %d after writing and reading: %+v, want %+v", i, again[i], sites[i])
		}
	}
	if due := DueBy(sites, time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)); len(due) != 1 || due[0].ID != "S1" {
		t.Errorf("due by the end of 2027: %v", due)
	}
}

// Bad sites files are refused naming the file, the line, the site and what
// is wrong.
func TestParseSitesRefuses(t *testing.T) {
	net := toyNetwork(t)
	head := `{"format": "anpr-sites/1", "sites": [` + "\n"
	cases := []struct {
		name, text string
		want       []string
	}{
		{"link that does not exist", head + `{"id": "S1", "link": 2},` + "\n" + `{"id": "S2", "from": "a", "to": "c"}]}`,
			[]string{"bad.json:3", "sites[1] (S2)", `no link from "a" to "c"`}},
		{"link number beyond the network", head + `{"id": "S9", "link": 8}]}`, []string{"bad.json:2", "sites[0] (S9)", "link 8 does not exist"}},
		{"node that does not exist", head + `{"id": "S1", "from": "a", "to": "z"}]}`, []string{"sites[0] (S1)", `node "z" does not exist`}},
		{"link and nodes disagree", head + `{"id": "S1", "link": 0, "from": "b", "to": "c"}]}`, []string{"sites[0] (S1)", `link 0 runs from "a" to "b"`}},
		{"no place", head + `{"id": "S1"}]}`, []string{"sites[0] (S1)", "no place"}},
		{"only from", head + `{"id": "S1", "from": "a"}]}`, []string{"give both from and to"}},
		{"repeated id", head + `{"id": "S1", "link": 0},` + "\n" + `{"id": "S1", "link": 2}]}`, []string{"bad.json:3", "sites[1] (S1).id", "also the id of sites[0]"}},
		{"empty id", head + `{"link": 0}]}`, []string{"sites[0]", "id is empty"}},
		{"id with a space", head + `{"id": "S 1", "link": 0}]}`, []string{"white space"}},
		{"bad date", head + `{"id": "S1", "link": 0, "end_of_life": "31/03/2027"}]}`, []string{"end_of_life", "YYYY-MM-DD"}},
		{"negative cost", head + `{"id": "S1", "link": 0, "cost": -1}]}`, []string{"cost -1"}},
		{"misspelt member", head + `{"id": "S1", "link": 0, "end_of_lief": "2027-01-01"}]}`, []string{"sites[0]", "end_of_lief"}},
		{"unknown top member", `{"format": "anpr-sites/1", "camera": []}`, []string{"camera", "unknown member"}},
		{"wrong format", `{"format": "anpr-road-network/1", "sites": []}`, []string{"format", "anpr-sites/1"}},
		{"other network", `{"format": "anpr-sites/1", "network": "sioux-falls", "sites": []}`, []string{"network", `"sioux-falls"`}},
		{"not JSON", `{"format": "anpr-sites/1", "sites": [}`, []string{"bad.json:1"}},
		{"cut short", head + `{"id": "S1", "link": 0}`, []string{"bad.json"}},
		{"link as text", head + `{"id": "S1", "link": "2"}]}`, []string{"sites[0].link", "not a int"}},
	}
	for _, c := range cases {
		_, err := ParseSites("bad.json", []byte(c.text), net)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var ie *traffic.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: %T is not an *traffic.InputError: %v", c.name, err, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", c.name, err, w)
			}
		}
	}
}

// The committed sample files load on the default network.
func TestFixtureSites(t *testing.T) {
	net := staffordshire(t)
	current, err := LoadSites(defaultSitesPath, net)
	if err != nil {
		t.Fatal(err)
	}
	cands, err := LoadSites(candidatesPath, net)
	if err != nil {
		t.Fatal(err)
	}
	if len(current) < 10 || len(cands) < 200 {
		t.Errorf("%d current sites and %d candidates: want the samples' 16 and 268", len(current), len(cands))
	}
	p, err := LoadProposal(proposalPath, net)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Apply(current); err != nil {
		t.Error(err)
	}
	if every := EveryLink(net); len(every) == 0 || len(every) >= len(net.Links()) {
		t.Errorf("%d candidates on every county link of %d links", len(every), len(net.Links()))
	}
}
