package traffic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// NetworkFormat is the value of the "format" member every network file
// carries, so that a file of another kind is refused at once.
const NetworkFormat = "anpr-road-network/1"

// InputError is a fault in an input file: where it is and what is wrong.
type InputError struct {
	File    string
	Line    int    // 1-based; 0 when not known
	Path    string // JSON path such as roads[3].route[2]; empty for TNTP files
	Problem string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Problem)
	return b.String()
}

// jsonNode is one member of "nodes" in a network file.
type jsonNode struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Lat        *float64 `json:"lat"`
	Lon        *float64 `json:"lon"`
	District   string   `json:"district"`
	Population float64  `json:"population"`
	Entry      bool     `json:"entry"`
	Note       string   `json:"note"`
}

// jsonRoad is one member of "roads": a stretch of road with the same
// attributes throughout, as the nodes it passes.
type jsonRoad struct {
	Ref       string    `json:"ref"`
	Class     string    `json:"class"`
	Dual      *bool     `json:"dual"`
	SpeedMPH  float64   `json:"speed_mph"`
	Lanes     int       `json:"lanes"`
	Capacity  float64   `json:"capacity_vph"`
	Winding   float64   `json:"winding"`
	Toll      bool      `json:"toll"`
	OneWay    bool      `json:"oneway"`
	Route     []string  `json:"route"`
	LengthsKM []float64 `json:"lengths_km"`
	Note      string    `json:"note"`
}

// LoadNetworkFile reads a network file in the package's JSON format (see
// the package documentation) and checks that it is connected.
func LoadNetworkFile(path string) (*Network, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load network: %w", err)
	}
	return ParseNetwork(path, data)
}

// ReadNetwork is LoadNetworkFile from a reader; name is the file name used
// in messages.
func ReadNetwork(name string, r io.Reader) (*Network, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("load network %s: %w", name, err)
	}
	return ParseNetwork(name, data)
}

// ParseNetwork reads a network in the package's JSON format from data; name
// is the file name used in messages. Every fault is an *InputError naming
// the line and JSON path.
func ParseNetwork(name string, data []byte) (*Network, error) {
	p := &jsonParser{file: name, data: data}
	return p.parse()
}

type jsonParser struct {
	file string
	data []byte
}

func (p *jsonParser) lineAt(off int64) int {
	off = min(max(off, 0), int64(len(p.data)))
	return 1 + bytes.Count(p.data[:off], []byte{'\n'})
}

func (p *jsonParser) fail(off int64, path, format string, args ...any) error {
	return &InputError{File: p.file, Line: p.lineAt(off), Path: path, Problem: fmt.Sprintf(format, args...)}
}

// decodeErr turns an encoding/json error about the value at off into an
// InputError at the line the fault is on. The offsets in the error count
// from base: 0 for the file's decoder, the value's start for a decoder of
// the value alone.
func (p *jsonParser) decodeErr(base, off int64, path string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return p.fail(max(base+se.Offset, off), path, "%v", se)
	case errors.As(err, &te):
		if te.Field != "" {
			path += "." + te.Field
		}
		return p.fail(base+te.Offset, path, "%s is not a %s", te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return p.fail(int64(len(p.data)), path, "the file ends in the middle of a value")
	}
	return p.fail(off, path, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// strict decodes raw into v, refusing members v does not have: a
// misspelt member ("lanse") would otherwise be silently ignored.
func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (p *jsonParser) parse() (*Network, error) {
	dec := json.NewDecoder(bytes.NewReader(p.data))
	// start is where the next value begins, past white space, commas and
	// colons.
	start := func() int64 {
		off := dec.InputOffset()
		for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
			off++
		}
		return off
	}
	if tok, err := dec.Token(); err != nil {
		return nil, p.decodeErr(0, 0, "", err)
	} else if tok != json.Delim('{') {
		return nil, p.fail(0, "", "a network file is a JSON object")
	}
	var (
		format, name string
		nodes        []jsonNode
		roads        []jsonRoad
		nodeAt       []int64
		roadAt       []int64
		seen         = map[string]bool{}
	)
	for dec.More() {
		keyAt := start()
		tok, err := dec.Token()
		if err != nil {
			return nil, p.decodeErr(0, keyAt, "", err)
		}
		key := tok.(string)
		if seen[key] {
			return nil, p.fail(keyAt, key, "given twice")
		}
		seen[key] = true
		at := start()
		switch key {
		case "format", "name":
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, p.decodeErr(0, at, key, err)
			}
			if key == "format" {
				format = s
			} else {
				name = s
			}
		case "notes":
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, p.decodeErr(0, at, key, err)
			}
		case "nodes", "roads":
			if tok, err := dec.Token(); err != nil {
				return nil, p.decodeErr(0, at, key, err)
			} else if tok != json.Delim('[') {
				return nil, p.fail(at, key, "is not an array")
			}
			for i := 0; dec.More(); i++ {
				elemAt := start()
				path := fmt.Sprintf("%s[%d]", key, i)
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, p.decodeErr(0, elemAt, path, err)
				}
				if key == "nodes" {
					var n jsonNode
					if err := strict(raw, &n); err != nil {
						return nil, p.decodeErr(elemAt, elemAt, path, err)
					}
					nodes, nodeAt = append(nodes, n), append(nodeAt, elemAt)
				} else {
					var r jsonRoad
					if err := strict(raw, &r); err != nil {
						return nil, p.decodeErr(elemAt, elemAt, path, err)
					}
					roads, roadAt = append(roads, r), append(roadAt, elemAt)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, p.decodeErr(0, start(), key, err)
			}
		default:
			return nil, p.fail(keyAt, key, "unknown member (members: format, name, notes, nodes, roads)")
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, p.decodeErr(0, start(), "", err)
	}
	if off := start(); off < int64(len(p.data)) {
		return nil, p.fail(off, "", "text after the network object")
	}
	switch {
	case format != NetworkFormat:
		return nil, p.fail(0, "format", "is %q, not %q", format, NetworkFormat)
	case len(nodes) == 0:
		return nil, p.fail(0, "nodes", "no nodes")
	case len(roads) == 0:
		return nil, p.fail(0, "roads", "no roads")
	}
	if name == "" {
		name = p.file
	}

	out := make([]Node, len(nodes))
	byID := make(map[string]int, len(nodes))
	for i, n := range nodes {
		path, at := fmt.Sprintf("nodes[%d]", i), nodeAt[i]
		switch {
		case n.ID == "":
			return nil, p.fail(at, path+".id", "is empty")
		case n.Name == "":
			return nil, p.fail(at, path+".name", "is empty")
		case n.Lat == nil || n.Lon == nil:
			return nil, p.fail(at, path, "node %q needs lat and lon", n.ID)
		case *n.Lat < -90 || *n.Lat > 90:
			return nil, p.fail(at, path+".lat", "%g is not a latitude", *n.Lat)
		case *n.Lon < -180 || *n.Lon > 180:
			return nil, p.fail(at, path+".lon", "%g is not a longitude", *n.Lon)
		case n.District == "":
			return nil, p.fail(at, path+".district", "is empty (use %q beyond the county)", OutsideCounty)
		case n.Population < 0 || math.IsNaN(n.Population):
			return nil, p.fail(at, path+".population", "%g is negative", n.Population)
		}
		if j, dup := byID[n.ID]; dup {
			return nil, p.fail(at, path+".id", "%q is also the id of nodes[%d]", n.ID, j)
		}
		byID[n.ID] = i
		out[i] = Node{ID: n.ID, Name: n.Name, Lat: *n.Lat, Lon: *n.Lon, District: n.District, Weight: n.Population, Entry: n.Entry}
	}
	project(out)

	var links []Link
	given := map[[2]int]int{} // from, to -> road index
	for i, r := range roads {
		path, at := fmt.Sprintf("roads[%d]", i), roadAt[i]
		if r.Ref != "" {
			path += " (" + r.Ref + ")"
		}
		spec, err := r.spec()
		if err != nil {
			return nil, p.fail(at, path, "%v", err)
		}
		route := make([]int, len(r.Route))
		for j, id := range r.Route {
			k, ok := byID[id]
			if !ok {
				return nil, p.fail(at, fmt.Sprintf("%s.route[%d]", path, j), "node %q does not exist", id)
			}
			route[j] = k
		}
		for j := 1; j < len(route); j++ {
			a, b := route[j-1], route[j]
			if a == b {
				return nil, p.fail(at, fmt.Sprintf("%s.route[%d]", path, j), "node %q follows itself", r.Route[j])
			}
			length := GreatCircle(out[a].Lat, out[a].Lon, out[b].Lat, out[b].Lon) * spec.winding
			if r.LengthsKM != nil && r.LengthsKM[j-1] > 0 {
				length = r.LengthsKM[j-1] * 1000
			}
			if length < 1 {
				return nil, p.fail(at, fmt.Sprintf("%s.route[%d]", path, j), "nodes %q and %q are in the same place", r.Route[j-1], r.Route[j])
			}
			dirs := [][2]int{{a, b}, {b, a}}
			if r.OneWay {
				dirs = dirs[:1]
			}
			for _, d := range dirs {
				if k, dup := given[d]; dup {
					return nil, p.fail(at, fmt.Sprintf("%s.route[%d]", path, j), "the link %s → %s is also given by roads[%d]", out[d[0]].ID, out[d[1]].ID, k)
				}
				given[d] = i
				links = append(links, Link{
					From: d[0], To: d[1], Road: r.Ref, Class: spec.class, SpeedMPH: spec.speed, Lanes: spec.lanes,
					Length: length, Capacity: spec.capacity, Toll: r.Toll, FreeFlow: freeFlow(length, spec.speed),
				})
			}
		}
	}
	net, err := build(name, p.file, out, links)
	if err != nil {
		return nil, &InputError{File: p.file, Problem: err.Error()}
	}
	if err := net.CheckConnected(false); err != nil {
		return nil, &InputError{File: p.file, Problem: err.Error()}
	}
	return net, nil
}

// freeFlow is the time to drive length metres at mph.
func freeFlow(length, mph float64) time.Duration {
	return time.Duration(length / (mph * metresPerMile / 3600) * float64(time.Second))
}

// roadSpec is a road's attributes with the defaults filled in.
type roadSpec struct {
	class    RoadClass
	speed    float64
	lanes    int
	capacity float64
	winding  float64
}

// Defaults by class and carriageway: national speed limits (70 mph on
// motorways and dual carriageways, 60 on single carriageways); lanes each
// way; capacity a lane an hour (roughly the design flows of the Design
// Manual for Roads and Bridges, lower on town roads with junctions); and
// the winding factor that turns the great-circle distance between two
// nodes into road length.
const (
	motorwayLaneCapacity = 2000
	dualLaneCapacity     = 1800
	singleLaneCapacity   = 1100
	townLaneCapacity     = 800
	townSpeedMPH         = 40 // at or below this a road is a town road
)

func (r jsonRoad) spec() (roadSpec, error) {
	var s roadSpec
	var err error
	if r.Ref == "" {
		return s, errors.New("ref is empty")
	}
	if s.class, err = ParseRoadClass(r.Class); err != nil {
		return s, err
	}
	if len(r.Route) < 2 {
		return s, fmt.Errorf("route has %d node(s): at least two", len(r.Route))
	}
	if r.LengthsKM != nil && len(r.LengthsKM) != len(r.Route)-1 {
		return s, fmt.Errorf("lengths_km has %d lengths for %d segments", len(r.LengthsKM), len(r.Route)-1)
	}
	for i, l := range r.LengthsKM {
		if l < 0 || math.IsNaN(l) {
			return s, fmt.Errorf("lengths_km[%d] is %g", i, l)
		}
	}
	dual := s.class == Motorway
	if r.Dual != nil {
		dual = *r.Dual
	}
	if s.class == Motorway && !dual {
		return s, errors.New("a motorway is dual")
	}
	s.speed, s.lanes, s.capacity, s.winding = 60, 1, singleLaneCapacity, 1.2
	switch {
	case s.class == Motorway:
		s.speed, s.lanes, s.capacity, s.winding = 70, 3, motorwayLaneCapacity, 1.05
	case dual:
		s.speed, s.lanes, s.capacity, s.winding = 70, 2, dualLaneCapacity, 1.1
	}
	if r.SpeedMPH != 0 {
		if r.SpeedMPH < 5 || r.SpeedMPH > 70 {
			return s, fmt.Errorf("speed_mph %g is not a UK speed limit (5 to 70)", r.SpeedMPH)
		}
		s.speed = r.SpeedMPH
		if s.speed <= townSpeedMPH {
			s.capacity, s.winding = townLaneCapacity, 1.25
		}
	}
	if r.Lanes != 0 {
		if r.Lanes < 1 || r.Lanes > 6 {
			return s, fmt.Errorf("lanes %d is not 1 to 6", r.Lanes)
		}
		s.lanes = r.Lanes
	}
	s.capacity *= float64(s.lanes)
	if r.Capacity != 0 {
		if r.Capacity < 0 {
			return s, fmt.Errorf("capacity_vph %g is negative", r.Capacity)
		}
		s.capacity = r.Capacity
	}
	if r.Winding != 0 {
		if r.Winding < 1 || r.Winding > 3 {
			return s, fmt.Errorf("winding %g is not 1 to 3", r.Winding)
		}
		s.winding = r.Winding
	}
	return s, nil
}
