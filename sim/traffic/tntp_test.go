package traffic

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestLoadTNTPSiouxFalls(t *testing.T) {
	net, err := LoadTNTP(shared(t, "SiouxFalls/SiouxFalls_net.tntp"), TNTPOptions{
		Nodes: shared(t, "SiouxFalls/SiouxFalls_node.tntp"),
		Trips: shared(t, "SiouxFalls/SiouxFalls_trips.tntp"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, l, z := len(net.Nodes()), len(net.Links()), len(net.Zones()); n != 24 || l != 76 || z != 24 {
		t.Errorf("%d nodes, %d links, %d zones; Sioux Falls has 24, 76 and 24", n, l, z)
	}
	// The first link: 1 to 2, capacity 25900.2, free-flow time 6.
	l := net.Link(0)
	if l.From != 0 || l.To != 1 || l.FreeFlow != 6*time.Minute || math.Abs(l.Capacity-25900.20064) > 1e-6 {
		t.Errorf("first link %+v; want 1 → 2, 6 minutes, capacity 25900.2", l)
	}
	if n := net.Node(0); math.Abs(n.X - -96.77041974) > 1e-9 || math.Abs(n.Y-43.61282792) > 1e-9 {
		t.Errorf("node 1 at %g, %g", n.X, n.Y)
	}
	m := net.Matrix()
	var total float64
	for _, row := range m {
		for _, v := range row {
			total += v
		}
	}
	// 360,600 trips less 0 within zones; 1 to 2 is 100, 1 to 10 is 1300.
	if total != 360600 || m[0][1] != 100 || m[0][9] != 1300 {
		t.Errorf("trips total %g, 1→2 %g, 1→10 %g; want 360600, 100, 1300", total, m[0][1], m[0][9])
	}
	d, err := MatrixDemand(net, 0, Profile{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Total() != 360600 {
		t.Errorf("matrix demand %g trips, want the matrix's 360600", d.Total())
	}
}

func TestLoadTNTPBirmingham(t *testing.T) {
	net, err := LoadTNTP(shared(t, "Birmingham-England/Birmingham_Net.tntp"), TNTPOptions{
		Nodes: shared(t, "Birmingham-England/Birmingham_Nodes.tntp"), TimeUnit: time.Hour, LengthUnit: 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, l, z := len(net.Nodes()), len(net.Links()), len(net.Zones()); n != 14639 || l != 33937 || z != 898 {
		t.Errorf("%d nodes, %d links, %d zones; Birmingham has 14639, 33937 and 898", n, l, z)
	}
	// British National Grid metres.
	if n := net.Node(0); n.X != 517965.5 || n.Y != 360214.4688 {
		t.Errorf("node 1 at %g, %g", n.X, n.Y)
	}
	// Zone centroids are not passed through.
	if !net.Node(897).NoThrough || net.Node(898).NoThrough {
		t.Error("nodes below FIRST THRU NODE 899 should be no-through, the rest not")
	}
}

func TestLoadTNTPErrors(t *testing.T) {
	const header = "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> %d\n<END OF METADATA>\n~ init term cap len fft b power speed toll type ;\n"
	link := func(a, b string) string { return "\t" + a + "\t" + b + "\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n" }
	ring := link("1", "2") + link("2", "3") + link("3", "1")
	tests := []struct {
		name, net, nodes, trips string
		file                    string // which file the error names
		line                    int
		want                    string
	}{
		{"few fields", strings.Replace(header, "%d", "3", 1) + link("1", "2") + "\t2\t3\t100\t1\t;\n" + link("3", "1"), "", "", "net", 8, "has 10 fields"},
		{"missing node", strings.Replace(header, "%d", "3", 1) + link("1", "2") + link("2", "7") + link("3", "1"), "", "", "net", 8, "node 7 does not exist"},
		{"not a number", strings.Replace(header, "%d", "3", 1) + link("1", "2") + "\t2\t3\t100\tfar\t1\t0.15\t4\t0\t0\t1\t;\n" + link("3", "1"), "", "", "net", 8, `"far", is not a number`},
		{"link count", strings.Replace(header, "%d", "4", 1) + ring, "", "", "net", 0, "says 4 links but the file has 3"},
		{"disconnected", strings.Replace(header, "%d", "2", 1) + link("1", "3") + link("3", "1"), "", "", "net", 0, `"2" (zone 2)`},
		{"self loop", strings.Replace(header, "%d", "3", 1) + link("1", "1") + link("2", "3") + link("3", "1"), "", "", "net", 7, "same node"},
		{"node file", strings.Replace(header, "%d", "3", 1) + ring, "Node X Y ;\n1 0 0 ;\n9 1 1 ;\n", "", "nodes", 3, `node "9" does not exist`},
		{"trips destination", strings.Replace(header, "%d", "3", 1) + ring, "", "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : 10.0; 5 : 1.0;\n", "trips", 4, "destination 5 is not a zone"},
		{"trips before origin", strings.Replace(header, "%d", "3", 1) + ring, "", "<END OF METADATA>\n 2 : 10.0;\n", "trips", 2, "before the first Origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"net": writeFile(t, dir, "x_net.tntp", tt.net)}
			opts := TNTPOptions{}
			if tt.nodes != "" {
				opts.Nodes = writeFile(t, dir, "x_node.tntp", tt.nodes)
				files["nodes"] = opts.Nodes
			}
			if tt.trips != "" {
				opts.Trips = writeFile(t, dir, "x_trips.tntp", tt.trips)
				files["trips"] = opts.Trips
			}
			_, err := LoadTNTP(files["net"], opts)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v; want an *InputError", err)
			}
			if ie.File != files[tt.file] || ie.Line != tt.line || !strings.Contains(ie.Problem, tt.want) {
				t.Errorf("got %q (line %d); want %s line %d, problem containing %q", err, ie.Line, tt.file, tt.line, tt.want)
			}
		})
	}
}
