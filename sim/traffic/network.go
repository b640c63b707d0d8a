package traffic

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// OutsideCounty is the district of a node beyond the county boundary.
const OutsideCounty = "outside county"

// RoadClass is the class of a road, which sets its default speed limit,
// lanes, capacity and winding factor in the network file.
type RoadClass uint8

const (
	Motorway RoadClass = iota + 1 // M6, M6 Toll, M54
	Trunk                         // trunk A-roads: A5, A38, A50, A500
	ARoad                         // other A-roads
	Minor                         // B and unclassified roads
)

var roadClassNames = map[RoadClass]string{Motorway: "motorway", Trunk: "trunk", ARoad: "a-road", Minor: "minor"}

func (c RoadClass) String() string {
	if s, ok := roadClassNames[c]; ok {
		return s
	}
	return fmt.Sprintf("RoadClass(%d)", int(c))
}

// ParseRoadClass reads a class as String writes it.
func ParseRoadClass(s string) (RoadClass, error) {
	for c, name := range roadClassNames {
		if s == name {
			return c, nil
		}
	}
	return 0, fmt.Errorf("road class %q is not motorway, trunk, a-road or minor", s)
}

// MarshalText writes the class by name.
func (c RoadClass) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads the class by name.
func (c *RoadClass) UnmarshalText(b []byte) error {
	v, err := ParseRoadClass(string(b))
	if err == nil {
		*c = v
	}
	return err
}

// Node is a town, a junction or an entry point on the county boundary.
type Node struct {
	ID   string // unique key: the network file's id, or a TNTP node number
	Name string // for people: "Stafford", "M6 J13 (Dunston)"
	// Lat and Lon are WGS84 degrees, both 0 where the file gives none (TNTP).
	Lat, Lon float64
	// X and Y are metres east and north on a plane: a local projection of
	// Lat and Lon, or a TNTP file's coordinates as given.
	X, Y float64
	// District is the local authority district the node lies in, or
	// OutsideCounty: camera sites are published by district only.
	District string
	// Weight is how much traffic the node generates and attracts in the
	// gravity model (a population); a node with a weight is a zone.
	Weight float64
	// Entry marks a zone on or beyond the county boundary where traffic
	// enters and leaves: it stands for everything beyond it on its road.
	Entry bool
	// NoThrough nodes may start or end a route but are never passed
	// through (TNTP zone centroids, below FIRST THRU NODE).
	NoThrough bool
}

// IsZone reports whether trips start and end at the node.
func (n Node) IsZone() bool { return n.Weight > 0 || n.Entry }

// LinkID is a link's index in its network.
type LinkID int32

// Link is one direction of a road between two nodes.
type Link struct {
	ID       LinkID
	From, To int // node indices
	Road     string
	Class    RoadClass
	// SpeedMPH is the speed limit. It sets FreeFlow and nothing else: the
	// engine never sees a speed.
	SpeedMPH float64
	Lanes    int     // in this direction
	Length   float64 // metres
	Capacity float64 // vehicles an hour in this direction
	Toll     bool
	// FreeFlow is the time to drive the link at the speed limit: the basis
	// of routing and of the simulated clock.
	FreeFlow time.Duration
}

// Network is a road network: nodes, the directed links between them and
// the zones among the nodes. It is immutable once built and safe for
// concurrent use.
type Network struct {
	Name   string
	Source string // file it came from, for messages

	nodes []Node
	links []Link
	byID  map[string]int
	zones []int
	// out[outStart[n]:outStart[n+1]] are the links leaving node n.
	outStart []int32
	out      []LinkID
	// matrix is the trips from zone to zone of a TNTP trips file, indexed
	// by position in zones; nil when the network has none.
	matrix [][]float64
}

// Nodes returns the nodes; the slice must not be changed.
func (n *Network) Nodes() []Node { return n.nodes }

// Node returns node i.
func (n *Network) Node(i int) Node { return n.nodes[i] }

// Links returns the links, indexed by LinkID; the slice must not be changed.
func (n *Network) Links() []Link { return n.links }

// Link returns link id.
func (n *Network) Link(id LinkID) Link { return n.links[id] }

// NodeIndex returns the index of the node with the given ID.
func (n *Network) NodeIndex(id string) (int, bool) {
	i, ok := n.byID[id]
	return i, ok
}

// Out returns the links leaving node i; the slice must not be changed.
func (n *Network) Out(i int) []LinkID { return n.out[n.outStart[i]:n.outStart[i+1]] }

// Zones returns the indices of the nodes that are zones, in node order.
func (n *Network) Zones() []int { return n.zones }

// Matrix returns the trips between zones from the network's TNTP trips
// file, indexed by position in Zones, or nil when it has none.
func (n *Network) Matrix() [][]float64 { return n.matrix }

// LinkName names a link for people: "M6 M6 J13 (Dunston) → M6 J14 (Stafford)".
func (n *Network) LinkName(id LinkID) string {
	l := n.links[id]
	return fmt.Sprintf("%s %s → %s", l.Road, n.nodes[l.From].Name, n.nodes[l.To].Name)
}

// FindLink returns the first link from node id from to node id to.
func (n *Network) FindLink(from, to string) (LinkID, bool) {
	f, ok1 := n.byID[from]
	t, ok2 := n.byID[to]
	if !ok1 || !ok2 {
		return 0, false
	}
	for _, id := range n.Out(f) {
		if n.links[id].To == t {
			return id, true
		}
	}
	return 0, false
}

// Graph returns the network as a gonum weighted directed graph: node i has
// ID i, and an edge's weight is the shortest free-flow time in seconds of
// the links it stands for (parallel links become one edge). It is built
// afresh on each call.
func (n *Network) Graph() *simple.WeightedDirectedGraph {
	g := simple.NewWeightedDirectedGraph(0, math.Inf(1))
	for i := range n.nodes {
		g.AddNode(simple.Node(i))
	}
	for _, l := range n.links {
		w := l.FreeFlow.Seconds()
		if e := g.WeightedEdge(int64(l.From), int64(l.To)); e != nil && e.Weight() <= w {
			continue
		}
		g.SetWeightedEdge(g.NewWeightedEdge(simple.Node(l.From), simple.Node(l.To), w))
	}
	return g
}

// build checks nodes and links, then indexes them. Node IDs must be
// unique and links must join nodes that exist; the caller reports where.
func build(name, source string, nodes []Node, links []Link) (*Network, error) {
	n := &Network{Name: name, Source: source, nodes: nodes, links: links, byID: make(map[string]int, len(nodes))}
	for i, node := range nodes {
		if _, dup := n.byID[node.ID]; dup {
			return nil, fmt.Errorf("node %q is given twice", node.ID)
		}
		n.byID[node.ID] = i
		if node.IsZone() {
			n.zones = append(n.zones, i)
		}
	}
	n.outStart = make([]int32, len(nodes)+1)
	for i := range links {
		l := &links[i]
		l.ID = LinkID(i)
		if l.From < 0 || l.From >= len(nodes) || l.To < 0 || l.To >= len(nodes) {
			return nil, fmt.Errorf("link %d joins a node that does not exist", i)
		}
		if l.From == l.To {
			return nil, fmt.Errorf("link %d starts and ends at node %q", i, nodes[l.From].ID)
		}
		if l.FreeFlow < 0 {
			return nil, fmt.Errorf("link %d (%s → %s) has a negative free-flow time", i, nodes[l.From].ID, nodes[l.To].ID)
		}
		n.outStart[l.From+1]++
	}
	for i := range nodes {
		n.outStart[i+1] += n.outStart[i]
	}
	n.out = make([]LinkID, len(links))
	fill := slices.Clone(n.outStart[:len(nodes)])
	for i, l := range links {
		n.out[fill[l.From]] = LinkID(i)
		fill[l.From]++
	}
	if len(n.zones) < 2 {
		return nil, fmt.Errorf("network has %d zones: at least two nodes need a weight (population) or entry", len(n.zones))
	}
	return n, nil
}

// Cut returns the nodes cut off from the network proper (the largest set
// of nodes that all reach one another, no-through nodes aside): zones
// that cannot reach or be reached from the other zones, and other nodes
// that cannot. No-through nodes need only a way in from the network proper
// and a way out to it.
func (n *Network) Cut() (zones, others []int) {
	g := simple.NewDirectedGraph()
	for i, node := range n.nodes {
		if !node.NoThrough {
			g.AddNode(simple.Node(i))
		}
	}
	for _, l := range n.links {
		if !n.nodes[l.From].NoThrough && !n.nodes[l.To].NoThrough && !g.HasEdgeFromTo(int64(l.From), int64(l.To)) {
			g.SetEdge(g.NewEdge(simple.Node(l.From), simple.Node(l.To)))
		}
	}
	var main []graph.Node
	for _, c := range topo.TarjanSCC(g) {
		if len(c) > len(main) {
			main = c
		}
	}
	inMain := make([]bool, len(n.nodes))
	for _, v := range main {
		inMain[v.ID()] = true
	}
	in, out := make([]bool, len(n.nodes)), make([]bool, len(n.nodes))
	for _, l := range n.links {
		in[l.To] = in[l.To] || inMain[l.From]
		out[l.From] = out[l.From] || inMain[l.To]
	}
	for i, node := range n.nodes {
		ok := inMain[i]
		if node.NoThrough {
			ok = in[i] && out[i] || n.joinedZone(i)
		}
		switch {
		case ok:
		case node.IsZone():
			zones = append(zones, i)
		default:
			others = append(others, i)
		}
	}
	return zones, others
}

// joinedZone reports whether zone z reaches every zone and every zone
// reaches it, by searches that pass through no no-through node: the exact
// test for a zone that is not simply attached to the network proper (one
// joined to its neighbours by zone-to-zone links, say).
func (n *Network) joinedZone(z int) bool {
	if !n.nodes[z].IsZone() {
		return false
	}
	in := make([][]LinkID, len(n.nodes))
	for _, l := range n.links {
		in[l.To] = append(in[l.To], l.ID)
	}
	for _, forward := range []bool{true, false} {
		seen := make([]bool, len(n.nodes))
		seen[z] = true
		queue := []int{z}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			if u != z && n.nodes[u].NoThrough {
				continue // reached, not passed through
			}
			next := n.Out(u)
			if !forward {
				next = in[u]
			}
			for _, id := range next {
				v := n.links[id].To
				if !forward {
					v = n.links[id].From
				}
				if !seen[v] {
					seen[v] = true
					queue = append(queue, v)
				}
			}
		}
		for _, y := range n.zones {
			if !seen[y] {
				return false
			}
		}
	}
	return true
}

// CheckConnected returns an error naming the nodes cut off from the rest
// of the network (see Cut): every zone must reach every other zone. With
// zonesOnly, other nodes may be cut off: real networks have one-way dead
// ends, which no route between zones uses.
func (n *Network) CheckConnected(zonesOnly bool) error {
	zones, others := n.Cut()
	cut := zones
	if !zonesOnly {
		cut = append(cut, others...)
	}
	if len(cut) == 0 {
		return nil
	}
	const most = 10
	names := make([]string, 0, most)
	for _, i := range cut[:min(most, len(cut))] {
		names = append(names, fmt.Sprintf("%q (%s)", n.nodes[i].ID, n.nodes[i].Name))
	}
	more := ""
	if len(cut) > most {
		more = fmt.Sprintf(" and %d more", len(cut)-most)
	}
	return fmt.Errorf("network %s is disconnected: %d node(s) cannot reach or be reached from the rest: %s%s",
		n.Name, len(cut), strings.Join(names, ", "), more)
}
