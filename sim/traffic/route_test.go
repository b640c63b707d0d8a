package traffic

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// handNetwork is small enough to route by hand. Lengths are whole miles
// (1.609344 km), so that at 60 mph a mile takes a minute:
//
//	A-B 3 mi at 60: 180 s    B-C 3 mi at 60: 180 s    C-E 6 mi at 60: 360 s
//	A-D 2 mi at 30: 240 s    D-C 1.5 mi at 30: 180 s
//	A-E 7 mi at 70 on a toll motorway: 360 s
const handNetwork = `{"format": "anpr-road-network/1", "name": "hand",
  "nodes": [
    {"id": "a", "name": "A", "lat": 52.80, "lon": -2.10, "district": "Stafford", "population": 100},
    {"id": "b", "name": "B", "lat": 52.82, "lon": -2.06, "district": "Stafford", "population": 100},
    {"id": "c", "name": "C", "lat": 52.80, "lon": -2.02, "district": "Stafford", "population": 100},
    {"id": "d", "name": "D", "lat": 52.79, "lon": -2.06, "district": "Stafford", "population": 100},
    {"id": "e", "name": "E", "lat": 52.80, "lon": -1.95, "district": "outside county", "entry": true, "population": 100}
  ],
  "roads": [
    {"ref": "A1", "class": "a-road", "lengths_km": [4.828032, 4.828032], "route": ["a", "b", "c"]},
    {"ref": "A2", "class": "a-road", "speed_mph": 30, "lengths_km": [3.218688, 2.414016], "route": ["a", "d", "c"]},
    {"ref": "A3", "class": "a-road", "lengths_km": [9.656064], "route": ["c", "e"]},
    {"ref": "M1", "class": "motorway", "toll": true, "lengths_km": [11.265408], "route": ["a", "e"]}
  ]}`

func hand(t testing.TB) *Network {
	t.Helper()
	net, err := ParseNetwork("hand.json", []byte(handNetwork))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// routeText writes a route as its nodes: "a b c".
func routeText(net *Network, rt *Route) string {
	s := []string{net.Node(rt.From).ID}
	for _, id := range rt.Links {
		s = append(s, net.Node(net.Link(id).To).ID)
	}
	return strings.Join(s, " ")
}

func TestRouteByHand(t *testing.T) {
	net := hand(t)
	tests := []struct {
		from, to string
		toll     time.Duration // RouterOptions.TollCostPerKm
		want     string
		secs     float64 // free-flow time
	}{
		{"a", "c", -1, "a b c", 360},            // beats a d c, 420 s
		{"c", "a", -1, "c b a", 360},            // links go both ways
		{"d", "e", -1, "d c e", 540},            // beats d a e, 600 s
		{"a", "e", -1, "a e", 360},              // the toll road, free
		{"a", "e", time.Second, "a e", 360},     // 360 + 11 s of toll beats 720 s
		{"a", "e", time.Minute, "a b c e", 720}, // 360 + 676 s of toll does not
		{"b", "d", -1, "b c d", 360},            // 180 + 180 beats b a d, 420 s
	}
	for _, tt := range tests {
		r := NewRouter(net, RouterOptions{TollCostPerKm: tt.toll})
		rt, ok := r.Route(nodeOf(t, net, tt.from), nodeOf(t, net, tt.to))
		if !ok {
			t.Errorf("%s to %s: no route", tt.from, tt.to)
			continue
		}
		if got := routeText(net, rt); got != tt.want || math.Abs(rt.Duration().Seconds()-tt.secs) > 1e-6 {
			t.Errorf("%s to %s with toll %v/km: %s in %v, want %s in %gs", tt.from, tt.to, tt.toll, got, rt.Duration(), tt.want, tt.secs)
		}
		// At is the running total of the links' free-flow times.
		if len(rt.At) != len(rt.Links)+1 || rt.At[0] != 0 {
			t.Errorf("%s to %s: At %v for %d links", tt.from, tt.to, rt.At, len(rt.Links))
		}
		for i, id := range rt.Links {
			if rt.At[i+1]-rt.At[i] != net.Link(id).FreeFlow {
				t.Errorf("%s to %s: link %d takes %v, not its free-flow %v", tt.from, tt.to, i, rt.At[i+1]-rt.At[i], net.Link(id).FreeFlow)
			}
		}
	}
	r := NewRouter(net, RouterOptions{})
	if _, ok := r.Route(0, 0); ok {
		t.Error("a route from a node to itself")
	}
}

// The router's least costs agree with gonum's Dijkstra on every pair of
// nodes of the default network (free-flow time, tolls free).
func TestRouterAgreesWithGonum(t *testing.T) {
	net := staffordshire(t)
	r := NewRouter(net, RouterOptions{TollCostPerKm: -1})
	g := net.Graph()
	for from := range net.Nodes() {
		sp := path.DijkstraFrom(simple.Node(from), g)
		tree := r.Tree(from)
		for to := range net.Nodes() {
			if want := sp.WeightTo(int64(to)); math.Abs(tree.Cost[to]-want) > 1e-6 {
				t.Fatalf("%s to %s: %gs, gonum says %gs", net.Node(from).Name, net.Node(to).Name, tree.Cost[to], want)
			}
			if rt, ok := r.Route(from, to); ok && math.Abs(rt.Duration().Seconds()-tree.Cost[to]) > 1e-3 {
				t.Fatalf("%s to %s: route takes %v, tree says %gs", net.Node(from).Name, net.Node(to).Name, rt.Duration(), tree.Cost[to])
			}
		}
	}
}

// A route passes no node that is only a zone centroid (TNTP's nodes below
// FIRST THRU NODE), however much shorter the way through it.
func TestRouteAvoidsNoThroughNodes(t *testing.T) {
	dir := t.TempDir()
	netPath := writeFile(t, dir, "x_net.tntp", `<NUMBER OF ZONES> 3
<NUMBER OF NODES> 4
<FIRST THRU NODE> 4
<NUMBER OF LINKS> 8
<END OF METADATA>
~ init_node term_node capacity length free_flow_time b power speed toll link_type ;
1 2 100 1 1 0.15 4 0 0 1 ;
2 1 100 1 1 0.15 4 0 0 1 ;
2 3 100 1 1 0.15 4 0 0 1 ;
3 2 100 1 1 0.15 4 0 0 1 ;
1 4 100 5 5 0.15 4 0 0 1 ;
4 1 100 5 5 0.15 4 0 0 1 ;
4 3 100 5 5 0.15 4 0 0 1 ;
3 4 100 5 5 0.15 4 0 0 1 ;
`)
	net, err := LoadTNTP(netPath, TNTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(net, RouterOptions{})
	rt, ok := r.Route(0, 2)
	if !ok || routeText(net, rt) != "1 4 3" || rt.Duration() != 10*time.Minute {
		t.Errorf("zone 1 to zone 3: %v; want 1 4 3 in 10m, not through zone 2", rt)
	}
	if rt, ok := r.Route(0, 1); !ok || routeText(net, rt) != "1 2" {
		t.Errorf("zone 1 to zone 2: %v; a route may end at a zone", rt)
	}
}

func TestRouteIsShared(t *testing.T) {
	net := hand(t)
	r := NewRouter(net, RouterOptions{})
	a, _ := r.Route(0, 2)
	b, _ := r.Route(0, 2)
	if a != b {
		t.Error("the same route was built twice")
	}
	if !slices.Equal(a.Links, b.Links) {
		t.Error("routes differ")
	}
}
