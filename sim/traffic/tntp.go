package traffic

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TNTPOptions says where a TNTP network's other files are and what units
// its numbers are in: the format leaves units to each network's notes.
type TNTPOptions struct {
	// Nodes is the node coordinates file (_node.tntp); "" for none.
	Nodes string
	// Trips is the origin-destination demand file (_trips.tntp); "" for none.
	Trips string
	// TimeUnit is the unit of free_flow_time; 0 means a minute (Sioux
	// Falls: hundredths of an hour, "often viewed as minutes").
	// Birmingham's is an hour.
	TimeUnit time.Duration
	// LengthUnit is the unit of length in metres; 0 means a mile.
	// Birmingham's is a kilometre.
	LengthUnit float64
	// Class, if set, gives a link's road class from its link_type;
	// otherwise every link is Minor.
	Class func(linkType int) RoadClass
}

// LoadTNTP reads a network in the TNTP format of the Transportation
// Networks collection: the links file (_net.tntp), and as opts says the
// node coordinates and the trips matrix. Nodes 1 to NUMBER OF ZONES are
// zones; those below FIRST THRU NODE are never passed through. Every zone
// must reach every other (other nodes may be one-way dead ends, as in real
// networks). Faults are *InputErrors naming the file and line.
func LoadTNTP(netPath string, opts TNTPOptions) (*Network, error) {
	if opts.TimeUnit == 0 {
		opts.TimeUnit = time.Minute
	}
	if opts.LengthUnit == 0 {
		opts.LengthUnit = metresPerMile
	}
	f, err := os.Open(netPath)
	if err != nil {
		return nil, fmt.Errorf("load tntp: %w", err)
	}
	defer f.Close()
	meta, links, err := readTNTPLinks(netPath, f, opts)
	if err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) error {
		return &InputError{File: netPath, Problem: fmt.Sprintf(format, args...)}
	}
	nNodes, nZones, firstThru, nLinks := meta["NUMBER OF NODES"], meta["NUMBER OF ZONES"], meta["FIRST THRU NODE"], meta["NUMBER OF LINKS"]
	switch {
	case nNodes <= 0:
		return nil, fail("<NUMBER OF NODES> is missing or not positive")
	case nZones <= 0 || nZones > nNodes:
		return nil, fail("<NUMBER OF ZONES> %d is not 1 to the number of nodes", nZones)
	case nLinks != len(links):
		return nil, fail("<NUMBER OF LINKS> says %d links but the file has %d", nLinks, len(links))
	}
	if firstThru == 0 {
		firstThru = 1
	}
	nodes := make([]Node, nNodes)
	for i := range nodes {
		id := strconv.Itoa(i + 1)
		nodes[i] = Node{ID: id, Name: "node " + id, District: OutsideCounty}
		if i < nZones {
			nodes[i].Weight = 1
			nodes[i].Name = "zone " + id
		}
		nodes[i].NoThrough = i+1 < firstThru
	}
	for _, l := range links {
		if l.From >= nNodes || l.To >= nNodes {
			return nil, &InputError{File: netPath, Line: l.line, Problem: fmt.Sprintf("link %d → %d: node %d does not exist (<NUMBER OF NODES> is %d)", l.From+1, l.To+1, max(l.From, l.To)+1, nNodes)}
		}
	}
	if opts.Nodes != "" {
		if err := readTNTPNodes(opts.Nodes, nodes); err != nil {
			return nil, err
		}
	}
	out := make([]Link, len(links))
	for i, l := range links {
		out[i] = l.Link
	}
	net, err := build(strings.TrimSuffix(filepath.Base(netPath), "_net.tntp"), netPath, nodes, out)
	if err != nil {
		return nil, fail("%v", err)
	}
	if opts.Trips != "" {
		if net.matrix, err = readTNTPTrips(opts.Trips, nZones); err != nil {
			return nil, err
		}
	}
	if err := net.CheckConnected(true); err != nil {
		return nil, fail("%v", err)
	}
	return net, nil
}

// lineLink is a link with the line it was read from.
type lineLink struct {
	Link
	line int
}

// tntpLines reads a TNTP file's lines: metadata up to <END OF METADATA>,
// then data lines with comments ('~' to the end of the line) removed and
// the closing ';' dropped. Blank lines are skipped.
func tntpLines(r io.Reader, meta func(line int, key, value string) error, data func(line int, fields []string) error) error {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 16*1024*1024)
	inMeta := true
	for line := 1; s.Scan(); line++ {
		text := strings.TrimSpace(s.Text())
		if inMeta && strings.HasPrefix(text, "<") {
			end := strings.IndexByte(text, '>')
			if end < 0 {
				return fmt.Errorf("line %d: metadata tag %q has no '>'", line, text)
			}
			key := strings.TrimSpace(text[1:end])
			if key == "END OF METADATA" {
				inMeta = false
				continue
			}
			if err := meta(line, key, strings.TrimSpace(text[end+1:])); err != nil {
				return err
			}
			continue
		}
		if i := strings.IndexByte(text, '~'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ";"))
		if text == "" {
			continue
		}
		inMeta = false
		if err := data(line, strings.Fields(text)); err != nil {
			return err
		}
	}
	return s.Err()
}

func readTNTPLinks(path string, r io.Reader, opts TNTPOptions) (map[string]int, []lineLink, error) {
	meta := map[string]int{}
	var links []lineLink
	fail := func(line int, format string, args ...any) error {
		return &InputError{File: path, Line: line, Problem: fmt.Sprintf(format, args...)}
	}
	err := tntpLines(r,
		func(line int, key, value string) error {
			switch key {
			case "NUMBER OF ZONES", "NUMBER OF NODES", "FIRST THRU NODE", "NUMBER OF LINKS":
				v, err := strconv.Atoi(value)
				if err != nil {
					return fail(line, "<%s> %q is not a whole number", key, value)
				}
				meta[key] = v
			}
			return nil
		},
		func(line int, f []string) error {
			if len(f) < 10 {
				return fail(line, "a link has 10 fields (init_node term_node capacity length free_flow_time b power speed toll link_type); this line has %d", len(f))
			}
			var num [9]float64
			for i := range num {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil || v != v {
					return fail(line, "field %d, %q, is not a number", i+1, f[i])
				}
				num[i] = v
			}
			linkType, err := strconv.Atoi(strings.TrimSuffix(f[9], ".0"))
			if err != nil {
				return fail(line, "link_type %q is not a whole number", f[9])
			}
			from, to := int(num[0]), int(num[1])
			switch {
			case float64(from) != num[0] || float64(to) != num[1] || from < 1 || to < 1:
				return fail(line, "nodes %s and %s are not node numbers", f[0], f[1])
			case from == to:
				return fail(line, "link %d → %d starts and ends at the same node", from, to)
			case num[4] < 0:
				// Zero is allowed: real networks join coincident nodes.
				return fail(line, "link %d → %d: free_flow_time %s is negative", from, to, f[4])
			case num[2] < 0 || num[3] < 0:
				return fail(line, "link %d → %d: negative capacity or length", from, to)
			}
			class := Minor
			if opts.Class != nil {
				class = opts.Class(linkType)
			}
			l := Link{
				From: from - 1, To: to - 1, Road: "type " + strconv.Itoa(linkType), Class: class,
				Lanes: 1, Length: num[3] * opts.LengthUnit, Capacity: num[2], Toll: num[8] > 0,
				FreeFlow: time.Duration(num[4] * float64(opts.TimeUnit)),
			}
			if l.Length > 0 && l.FreeFlow > 0 {
				l.SpeedMPH = l.Length / metresPerMile / l.FreeFlow.Hours()
			}
			links = append(links, lineLink{l, line})
			return nil
		})
	if err != nil {
		if _, ok := err.(*InputError); !ok {
			err = &InputError{File: path, Problem: err.Error()}
		}
		return nil, nil, err
	}
	return meta, links, nil
}

// readTNTPNodes reads "node x y" lines after a header line.
func readTNTPNodes(path string, nodes []Node) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load tntp nodes: %w", err)
	}
	defer f.Close()
	seen := make([]bool, len(nodes))
	header := true
	err = tntpLines(f, func(int, string, string) error { return nil }, func(line int, fields []string) error {
		if header {
			header = false
			if _, err := strconv.Atoi(fields[0]); err != nil {
				return nil // "Node X Y"
			}
		}
		if len(fields) < 3 {
			return &InputError{File: path, Line: line, Problem: fmt.Sprintf("a node line has a number, X and Y; this has %d fields", len(fields))}
		}
		id, err := strconv.Atoi(fields[0])
		if err != nil || id < 1 || id > len(nodes) {
			return &InputError{File: path, Line: line, Problem: fmt.Sprintf("node %q does not exist (the network has nodes 1 to %d)", fields[0], len(nodes))}
		}
		x, err1 := strconv.ParseFloat(fields[1], 64)
		y, err2 := strconv.ParseFloat(fields[2], 64)
		if err1 != nil || err2 != nil {
			return &InputError{File: path, Line: line, Problem: fmt.Sprintf("node %d: coordinates %q %q are not numbers", id, fields[1], fields[2])}
		}
		if seen[id-1] {
			return &InputError{File: path, Line: line, Problem: fmt.Sprintf("node %d is given twice", id)}
		}
		seen[id-1] = true
		nodes[id-1].X, nodes[id-1].Y = x, y
		return nil
	})
	if err != nil {
		if _, ok := err.(*InputError); !ok {
			err = &InputError{File: path, Problem: err.Error()}
		}
		return err
	}
	return nil
}

// readTNTPTrips reads "Origin n" blocks of "dest : trips;" pairs into a
// zones x zones matrix.
func readTNTPTrips(path string, zones int) ([][]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load tntp trips: %w", err)
	}
	defer f.Close()
	m := make([][]float64, zones)
	for i := range m {
		m[i] = make([]float64, zones)
	}
	fail := func(line int, format string, args ...any) error {
		return &InputError{File: path, Line: line, Problem: fmt.Sprintf(format, args...)}
	}
	origin := 0
	err = tntpLines(f, func(int, string, string) error { return nil }, func(line int, fields []string) error {
		text := strings.Join(fields, " ")
		if strings.HasPrefix(text, "Origin") {
			o, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(text, "Origin")))
			if err != nil || o < 1 || o > zones {
				return fail(line, "origin %q is not a zone 1 to %d", strings.TrimPrefix(text, "Origin"), zones)
			}
			origin = o
			return nil
		}
		if origin == 0 {
			return fail(line, "demand before the first Origin line")
		}
		for _, pair := range strings.Split(text, ";") {
			pair = strings.TrimSpace(pair)
			if pair == "" {
				continue
			}
			dest, value, ok := strings.Cut(pair, ":")
			d, err1 := strconv.Atoi(strings.TrimSpace(dest))
			v, err2 := strconv.ParseFloat(strings.TrimSpace(value), 64)
			switch {
			case !ok || err1 != nil || err2 != nil:
				return fail(line, "%q is not \"destination : trips\"", pair)
			case d < 1 || d > zones:
				return fail(line, "destination %d is not a zone 1 to %d", d, zones)
			case v < 0 || v != v:
				return fail(line, "trips %q from %d to %d is negative", value, origin, d)
			}
			if d != origin { // trips within a zone use no link
				m[origin-1][d-1] = v
			}
		}
		return nil
	})
	if err != nil {
		if _, ok := err.(*InputError); !ok {
			err = &InputError{File: path, Problem: err.Error()}
		}
		return nil, err
	}
	return m, nil
}
