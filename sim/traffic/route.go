package traffic

import (
	"math"
	"sync"
	"time"
)

// DefaultTollCostPerKm is what a kilometre of toll road costs a driver who
// weighs the toll, as time: about 13 minutes for the M6 Toll's 32 km in
// the default network. With DefaultTollShare it splits the traffic
// between the M6 Toll and the A5 beside it about evenly.
const DefaultTollCostPerKm = 25 * time.Second

// RouterOptions configures a Router.
type RouterOptions struct {
	// TollCostPerKm is added to the free-flow time of toll links when
	// choosing routes (not when timing them); 0 means
	// DefaultTollCostPerKm, negative means none.
	TollCostPerKm time.Duration
}

// Router finds routes of least generalised cost: free-flow time, plus the
// toll as time on toll links. It keeps the shortest-path tree of every
// origin it is asked about and every route it has built; it is safe for
// concurrent use.
type Router struct {
	net  *Network
	cost []float64 // seconds, by link
	// Compact adjacency: edges of node n are [start[n], start[n+1]).
	start []int32
	to    []int32
	w     []float64
	link  []LinkID

	trees []treeSlot

	mu     sync.Mutex
	routes map[[2]int32]*Route
}

type treeSlot struct {
	once sync.Once
	tree *Tree
}

// NewRouter returns a router over net.
func NewRouter(net *Network, opts RouterOptions) *Router {
	toll := opts.TollCostPerKm
	if toll == 0 {
		toll = DefaultTollCostPerKm
	}
	toll = max(toll, 0)
	r := &Router{net: net, cost: make([]float64, len(net.links)), trees: make([]treeSlot, len(net.nodes)), routes: map[[2]int32]*Route{}}
	for i, l := range net.links {
		r.cost[i] = l.FreeFlow.Seconds()
		if l.Toll {
			r.cost[i] += l.Length / 1000 * toll.Seconds()
		}
	}
	r.start = make([]int32, len(net.nodes)+1)
	for n := range net.nodes {
		out := net.Out(n)
		r.start[n+1] = r.start[n] + int32(len(out))
		for _, id := range out {
			r.to = append(r.to, int32(net.links[id].To))
			r.w = append(r.w, r.cost[id])
			r.link = append(r.link, id)
		}
	}
	return r
}

// Network returns the network the router routes on.
func (r *Router) Network() *Network { return r.net }

// Cost returns the generalised cost of link id in seconds.
func (r *Router) Cost(id LinkID) float64 { return r.cost[id] }

// Tree is the shortest-path tree of one origin: the least cost to every
// node and the link each is reached by.
type Tree struct {
	Origin int
	// Cost is the least generalised cost in seconds from Origin to each
	// node; +Inf where unreachable.
	Cost []float64
	// Pred is the last link of the least-cost route to each node; -1 at
	// the origin and where unreachable.
	Pred []LinkID
}

// Reaches reports whether node n can be reached from the origin.
func (t *Tree) Reaches(n int) bool { return !math.IsInf(t.Cost[n], 1) }

// Tree returns the shortest-path tree from origin, computing it the first
// time.
func (r *Router) Tree(origin int) *Tree {
	s := &r.trees[origin]
	s.once.Do(func() { s.tree = r.dijkstra(origin) })
	return s.tree
}

// dijkstra is Dijkstra's algorithm with a binary heap over the compact
// adjacency; no-through nodes other than the origin are settled but not
// expanded.
func (r *Router) dijkstra(origin int) *Tree {
	n := len(r.net.nodes)
	t := &Tree{Origin: origin, Cost: make([]float64, n), Pred: make([]LinkID, n)}
	for i := range t.Cost {
		t.Cost[i] = math.Inf(1)
		t.Pred[i] = -1
	}
	t.Cost[origin] = 0
	h := costHeap{{0, int32(origin)}}
	for len(h) > 0 {
		top := h.pop()
		u := int(top.node)
		if top.cost > t.Cost[u] {
			continue // a stale entry
		}
		if u != origin && r.net.nodes[u].NoThrough {
			continue
		}
		for e := r.start[u]; e < r.start[u+1]; e++ {
			v, c := r.to[e], top.cost+r.w[e]
			if c < t.Cost[v] {
				t.Cost[v] = c
				t.Pred[v] = r.link[e]
				h.push(costItem{c, v})
			}
		}
	}
	return t
}

type costItem struct {
	cost float64
	node int32
}

// costHeap is a binary min-heap of costItems; container/heap's interface
// calls cost more than the search itself on small networks.
type costHeap []costItem

func (h *costHeap) push(x costItem) {
	*h = append(*h, x)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if s[p].cost <= s[i].cost {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *costHeap) pop() costItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		m := l
		if r := l + 1; r < len(s) && s[r].cost < s[l].cost {
			m = r
		}
		if s[i].cost <= s[m].cost {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// Route is the route of least generalised cost between two nodes, timed at
// free-flow speed. Routes are shared: their slices must not be changed.
type Route struct {
	From, To int
	Links    []LinkID
	// At[i] is when the route enters Links[i], from its start at free-flow
	// speed; At[len(Links)] is when it arrives.
	At []time.Duration
	// Cost is the generalised cost in seconds the route was chosen by.
	Cost float64
	id   int32 // dense, for per-run caches
}

// Duration is the free-flow time of the whole route.
func (rt *Route) Duration() time.Duration { return rt.At[len(rt.At)-1] }

// Route returns the least-cost route from node from to node to, or false
// when there is none or they are the same node.
func (r *Router) Route(from, to int) (*Route, bool) {
	key := [2]int32{int32(from), int32(to)}
	r.mu.Lock()
	rt, ok := r.routes[key]
	r.mu.Unlock()
	if ok {
		return rt, rt != nil
	}
	t := r.Tree(from)
	if from != to && t.Reaches(to) {
		rt = &Route{From: from, To: to, Cost: t.Cost[to]}
		for n := to; n != from; {
			id := t.Pred[n]
			rt.Links = append(rt.Links, id)
			n = r.net.links[id].From
		}
		for i, j := 0, len(rt.Links)-1; i < j; i, j = i+1, j-1 {
			rt.Links[i], rt.Links[j] = rt.Links[j], rt.Links[i]
		}
		rt.At = make([]time.Duration, len(rt.Links)+1)
		for i, id := range rt.Links {
			rt.At[i+1] = rt.At[i] + r.net.links[id].FreeFlow
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.routes[key]; ok { // built meanwhile by another caller
		return prev, prev != nil
	}
	if rt != nil {
		rt.id = int32(len(r.routes))
	}
	r.routes[key] = rt
	return rt, rt != nil
}
