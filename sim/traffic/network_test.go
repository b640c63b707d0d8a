package traffic

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestDefaultNetworkSize(t *testing.T) {
	net := staffordshire(t)
	if n := len(net.Nodes()); n < 60 || n > 150 {
		t.Errorf("%d nodes, want 60 to 150: enough for realistic routes, few enough to check by hand", n)
	}
	if n := len(net.Links()); n < 150 || n > 400 {
		t.Errorf("%d directed links, want 150 to 400", n)
	}
	t.Logf("%d nodes, %d links, %d zones", len(net.Nodes()), len(net.Links()), len(net.Zones()))
}

// Every zone must reach every other zone, or the gravity model would send
// trips nowhere.
func TestDefaultNetworkStronglyConnected(t *testing.T) {
	net := staffordshire(t)
	if err := net.CheckConnected(false); err != nil {
		t.Fatal(err)
	}
	r := NewRouter(net, RouterOptions{})
	for _, o := range net.Zones() {
		tree := r.Tree(o)
		for _, d := range net.Zones() {
			if !tree.Reaches(d) {
				t.Errorf("%s cannot reach %s", net.Node(o).Name, net.Node(d).Name)
			}
		}
	}
}

func TestDefaultNetworkPlaces(t *testing.T) {
	net := staffordshire(t)
	// The places of the issue and of the public consultation, with their
	// districts; camera sites are published by district.
	places := []struct {
		id, district string
		lat, lon     float64 // where given, within 2 km
	}{
		{"stafford", "Stafford", 0, 0},
		{"stoke-hanley", "Stoke-on-Trent", 0, 0},
		{"newcastle", "Newcastle-under-Lyme", 0, 0},
		{"cannock", "Cannock Chase", 0, 0},
		{"lichfield", "Lichfield", 52.68, -1.83},
		{"tamworth", "Tamworth", 0, 0},
		{"burton", "East Staffordshire", 0, 0},
		{"rugeley", "Cannock Chase", 0, 0},
		{"uttoxeter", "East Staffordshire", 0, 0},
		{"leek", "Staffordshire Moorlands", 0, 0},
		{"norton-canes", "Cannock Chase", 52.67, -1.97},
		{"bassetts-pole", "Lichfield", 52.60, -1.77},
		{"penkridge", "South Staffordshire", 0, 0},
	}
	for _, p := range places {
		n := net.Node(nodeOf(t, net, p.id))
		if n.District != p.district {
			t.Errorf("%s is in %q, want %q", n.Name, n.District, p.district)
		}
		if p.lat != 0 {
			if d := GreatCircle(n.Lat, n.Lon, p.lat, p.lon); d > 2000 {
				t.Errorf("%s is %.1f km from %.2f N %.2f W", n.Name, d/1000, p.lat, -p.lon)
			}
		}
	}
	districts := map[string]bool{OutsideCounty: true}
	for _, d := range []string{"Stafford", "Cannock Chase", "Lichfield", "Tamworth", "East Staffordshire", "Stoke-on-Trent",
		"Newcastle-under-Lyme", "Staffordshire Moorlands", "South Staffordshire"} {
		districts[d] = true
	}
	entries := 0
	for _, n := range net.Nodes() {
		if !districts[n.District] {
			t.Errorf("%s: district %q is not a Staffordshire district or %q", n.Name, n.District, OutsideCounty)
		}
		// Everything is within a box around the county and its borders.
		if n.Lat < 52.4 || n.Lat > 53.25 || n.Lon < -2.5 || n.Lon > -1.5 {
			t.Errorf("%s at %.3f, %.3f is far outside Staffordshire", n.Name, n.Lat, n.Lon)
		}
		if n.Entry {
			entries++
			if n.District != OutsideCounty {
				t.Errorf("entry %s is in %s, not beyond the boundary", n.Name, n.District)
			}
		}
	}
	if entries < 12 {
		t.Errorf("%d entry zones; the county has borders with six counties and the West Midlands", entries)
	}
}

func TestDefaultNetworkLinks(t *testing.T) {
	net := staffordshire(t)
	roads := map[string]bool{}
	for _, l := range net.Links() {
		roads[l.Road] = true
		a, b := net.Node(l.From), net.Node(l.To)
		straight := GreatCircle(a.Lat, a.Lon, b.Lat, b.Lon)
		if ratio := l.Length / straight; ratio < 1 || ratio > 1.5 {
			t.Errorf("%s: %.1f km for %.1f km as the crow flies", net.LinkName(l.ID), l.Length/1000, straight/1000)
		}
		want := map[RoadClass][2]float64{Motorway: {70, 70}, Trunk: {50, 70}, ARoad: {30, 70}, Minor: {30, 60}}[l.Class]
		if l.SpeedMPH < want[0] || l.SpeedMPH > want[1] {
			t.Errorf("%s: %v at %g mph", net.LinkName(l.ID), l.Class, l.SpeedMPH)
		}
		if l.Lanes < 1 || l.Capacity < 700*float64(l.Lanes) {
			t.Errorf("%s: %d lanes, capacity %g an hour", net.LinkName(l.ID), l.Lanes, l.Capacity)
		}
		// Free-flow time is length over the speed limit, to the nanosecond.
		if want := l.Length / (l.SpeedMPH * 1609.344 / 3600); math.Abs(l.FreeFlow.Seconds()-want) > 1e-6 {
			t.Errorf("%s: free flow %v, want %.3fs", net.LinkName(l.ID), l.FreeFlow, want)
		}
	}
	for _, r := range []string{"M6", "M6 Toll", "A5", "A38", "A34", "A50", "A500", "A449", "A51", "A446", "A519", "A53", "A52", "A515", "A5121"} {
		if !roads[r] {
			t.Errorf("no %s", r)
		}
	}
	// The M6 from J13 to J14 is about 5.5 miles.
	id, ok := net.FindLink("m6-j13", "m6-j14")
	if !ok {
		t.Fatal("no M6 J13 to J14")
	}
	if l := net.Link(id); l.Length < 7500 || l.Length > 10000 || l.Road != "M6" || l.Toll {
		t.Errorf("M6 J13 to J14 is %.1f km", l.Length/1000)
	}
	if id, ok := net.FindLink("m6toll-t7", "muckley-corner"); !ok || !net.Link(id).Toll {
		t.Error("the M6 Toll is not a toll road")
	}
}

func TestGraph(t *testing.T) {
	net := staffordshire(t)
	g := net.Graph()
	if got := g.Nodes().Len(); got != len(net.Nodes()) {
		t.Errorf("graph has %d nodes, want %d", got, len(net.Nodes()))
	}
	l := net.Links()[0]
	w, ok := g.Weight(int64(l.From), int64(l.To))
	if !ok || w != l.FreeFlow.Seconds() {
		t.Errorf("edge of %s weighs %g, want %g", net.LinkName(0), w, l.FreeFlow.Seconds())
	}
}

// tinyNodes are the nodes of the small networks of the bad-input tests.
const tinyNodes = `
    {"id": "a", "name": "A", "lat": 52.80, "lon": -2.10, "district": "Stafford", "population": 100},
    {"id": "b", "name": "B", "lat": 52.85, "lon": -2.10, "district": "Stafford", "population": 100},
    {"id": "c", "name": "C", "lat": 52.90, "lon": -2.10, "district": "Stafford", "population": 100}`

func TestParseNetworkErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		path, want string
	}{
		{"syntax", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `,
  ],
  "roads": []}`, 6, "nodes[3]", "invalid character ']'"},
		{"missing node", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [
    {"ref": "A1", "class": "a-road", "route": ["a", "b"]},
    {"ref": "A2", "class": "a-road", "route": ["b", "c", "x"]}
  ]}`, 8, "roads[1] (A2).route[2]", `node "x" does not exist`},
		{"unknown member", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [
    {"ref": "A1", "class": "a-road", "lanse": 2, "route": ["a", "b", "c"]}
  ]}`, 7, "roads[0]", `unknown field "lanse"`},
		{"wrong type", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `,
    {"id": "d", "name": "D", "lat": "52.9", "lon": -2.1, "district": "Stafford"}],
  "roads": [{"ref": "A1", "class": "a-road", "route": ["a", "b", "c", "d"]}]}`, 6, "nodes[3].lat", "is not a float64"},
		{"duplicate id", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `,
    {"id": "b", "name": "B again", "lat": 52.95, "lon": -2.1, "district": "Stafford"}],
  "roads": [{"ref": "A1", "class": "a-road", "route": ["a", "b", "c"]}]}`, 6, "nodes[3].id", `"b" is also the id of nodes[1]`},
		{"bad class", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [{"ref": "A1", "class": "A-road", "route": ["a", "b", "c"]}]}`, 6, "roads[0] (A1)", `road class "A-road"`},
		{"bad speed", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [{"ref": "A1", "class": "a-road", "speed_mph": 90, "route": ["a", "b", "c"]}]}`, 6, "roads[0] (A1)", "not a UK speed limit"},
		{"lengths", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [{"ref": "A1", "class": "a-road", "lengths_km": [5], "route": ["a", "b", "c"]}]}`, 6, "roads[0] (A1)", "1 lengths for 2 segments"},
		{"link twice", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [
    {"ref": "A1", "class": "a-road", "route": ["a", "b", "c"]},
    {"ref": "B1", "class": "minor", "route": ["c", "b"]}
  ]}`, 8, "roads[1] (B1).route[1]", "also given by roads[0]"},
		{"format", `{"format": "geojson", "nodes": [` + tinyNodes + `], "roads": [{"ref": "A1", "class": "a-road", "route": ["a", "b"]}]}`,
			1, "format", `is "geojson"`},
		{"unknown top-level member", `{"format": "anpr-road-network/1",
  "links": []}`, 2, "links", "unknown member"},
		{"disconnected", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `,
    {"id": "d", "name": "Island", "lat": 52.95, "lon": -2.1, "district": "Stafford", "population": 10}],
  "roads": [
    {"ref": "A1", "class": "a-road", "route": ["a", "b"]},
    {"ref": "A2", "class": "a-road", "route": ["c", "d"]}
  ]}`, 0, "", "is disconnected"},
		{"one way out", `{"format": "anpr-road-network/1",
  "nodes": [` + tinyNodes + `],
  "roads": [
    {"ref": "A1", "class": "a-road", "route": ["a", "b"]},
    {"ref": "A2", "class": "a-road", "oneway": true, "route": ["b", "c"]}
  ]}`, 0, "", `"c" (C)`},
		{"truncated", `{"format": "anpr-road-network/1", "nodes": [`, 1, "nodes", "ends in the middle"},
		{"not an object", `[1, 2]`, 1, "", "is a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := ParseNetwork("bad.json", []byte(tt.text))
			if err == nil {
				t.Fatalf("loaded %d nodes; want an error", len(net.Nodes()))
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is a %T, not an *InputError", err, err)
			}
			if ie.File != "bad.json" || ie.Line != tt.line || ie.Path != tt.path || !strings.Contains(ie.Problem, tt.want) {
				t.Errorf("got %q (line %d, path %q); want line %d, path %q, problem containing %q", err, ie.Line, ie.Path, tt.line, tt.path, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "bad.json") {
				t.Errorf("message %q does not start with the file", err)
			}
		})
	}
}

func TestLoadNetworkFileMissing(t *testing.T) {
	_, err := LoadNetworkFile("no/such/network.json")
	if err == nil || !strings.Contains(err.Error(), "no/such/network.json") {
		t.Errorf("got %v; want an error naming the file", err)
	}
}

func TestRoadClassText(t *testing.T) {
	for _, c := range []RoadClass{Motorway, Trunk, ARoad, Minor} {
		b, _ := c.MarshalText()
		var back RoadClass
		if err := back.UnmarshalText(b); err != nil || back != c {
			t.Errorf("%v: round trip gave %v, %v", c, back, err)
		}
	}
	if _, err := ParseRoadClass("motorway "); err == nil {
		t.Error("accepted a class with a trailing space")
	}
}

// The default network's demand is tuned so that daily flows on its main
// roads are of the order of the Department for Transport's counts (see
// fixtures/networks/README.md). The test guards that tuning from drifting:
// it runs a third of a day's trips and scales up.
func TestDefaultNetworkFlows(t *testing.T) {
	net := staffordshire(t)
	const scale = 3
	s, err := New(net, Config{Seed: 1, TripsPerDay: DefaultTripsPerDay / scale})
	if err != nil {
		t.Fatal(err)
	}
	sites := []struct {
		from, to string
		lo, hi   int // two-way vehicles a day
	}{
		{"m6-j14", "m6-j15", 90000, 180000},
		{"m6-j10a", "m6-j11", 50000, 150000},
		{"m6toll-t7", "muckley-corner", 20000, 80000},
		{"norton-canes", "ext-brownhills", 20000, 70000},
		{"a5-a38", "streethay", 40000, 110000},
		{"bassetts-pole", "weeford", 40000, 110000},
		{"trentham", "a500-stoke", 25000, 90000},
		{"blythe-bridge", "uttoxeter", 25000, 70000},
		{"cannock", "stafford", 5000, 30000},
	}
	var links []LinkID
	pair := map[LinkID]int{}
	for i, site := range sites {
		for _, dir := range [][2]string{{site.from, site.to}, {site.to, site.from}} {
			id, ok := net.FindLink(dir[0], dir[1])
			if !ok {
				t.Fatalf("no link %s to %s", dir[0], dir[1])
			}
			links = append(links, id)
			pair[id] = i
		}
	}
	flows := make([]int, len(sites))
	day := DefaultEpoch()
	if _, err := s.RunWith(context.Background(), day, day.Add(24*time.Hour), RunOptions{Links: links, Passage: func(p Passage) error {
		flows[pair[p.Link]] += scale
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	for i, site := range sites {
		id, _ := net.FindLink(site.from, site.to)
		t.Logf("%-70s %7d a day both ways", net.LinkName(id), flows[i])
		if flows[i] < site.lo || flows[i] > site.hi {
			t.Errorf("%s: %d vehicles a day, want %d to %d", net.LinkName(id), flows[i], site.lo, site.hi)
		}
	}
}
