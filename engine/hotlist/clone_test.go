package hotlist

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// A mark read at two cameras sooner apart than the least travel time between
// them raises a CloneAlert; no sooner, a pair the table lacks, or the same
// camera do not.
func TestCloneDetector(t *testing.T) {
	times := NewTravelTimes()
	for _, p := range []struct {
		a, b  string
		least time.Duration
	}{{"M1-J10", "M1-J14", 10 * time.Minute}, {"M1-J14", "A14-HUNT", 25 * time.Minute}} {
		if err := times.Set(p.a, p.b, p.least); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	type read struct {
		mark, camera string
		after        time.Duration
	}
	tests := []struct {
		name  string
		reads []read      // observed in this order
		want  *CloneAlert // raised by the last read; nil for none
	}{
		{"sooner than the least", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M1-J14", 9 * time.Minute}},
			&CloneAlert{VRM: "AB12CDE", Earlier: Sighting{"M1-J10", t0}, Later: Sighting{"M1-J14", t0.Add(9 * time.Minute)}, Apart: 9 * time.Minute, Least: 10 * time.Minute}},
		{"the other way", []read{{"AB12CDE", "M1-J14", 0}, {"ab12 cde", "M1-J10", time.Minute}},
			&CloneAlert{VRM: "AB12CDE", Earlier: Sighting{"M1-J14", t0}, Later: Sighting{"M1-J10", t0.Add(time.Minute)}, Apart: time.Minute, Least: 10 * time.Minute}},
		{"arriving out of order", []read{{"AB12CDE", "M1-J14", 5 * time.Minute}, {"AB12CDE", "M1-J10", 0}},
			&CloneAlert{VRM: "AB12CDE", Earlier: Sighting{"M1-J10", t0}, Later: Sighting{"M1-J14", t0.Add(5 * time.Minute)}, Apart: 5 * time.Minute, Least: 10 * time.Minute}},
		{"against the latest sighting", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M1-J14", 30 * time.Minute}, {"AB12CDE", "A14-HUNT", 40 * time.Minute}},
			&CloneAlert{VRM: "AB12CDE", Earlier: Sighting{"M1-J14", t0.Add(30 * time.Minute)}, Later: Sighting{"A14-HUNT", t0.Add(40 * time.Minute)}, Apart: 10 * time.Minute, Least: 25 * time.Minute}},
		{"exactly the least", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M1-J14", 10 * time.Minute}}, nil},
		{"later than the least", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M1-J14", 11 * time.Minute}}, nil},
		{"unknown pair", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "A14-HUNT", time.Second}}, nil},
		{"unknown camera", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M6-J1", time.Second}}, nil},
		{"same camera", []read{{"AB12CDE", "M1-J10", 0}, {"AB12CDE", "M1-J10", time.Second}}, nil},
		{"different marks", []read{{"AB12CDE", "M1-J10", 0}, {"A812CDE", "M1-J14", time.Second}}, nil},
		{"not a mark", []read{{"AB12-CD!", "M1-J10", 0}, {"AB12-CD!", "M1-J14", time.Second}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewCloneDetector(times)
			var alert CloneAlert
			var raised bool
			for i, r := range tt.reads {
				alert, raised = d.Observe(r.mark, r.camera, t0.Add(r.after))
				if raised && i < len(tt.reads)-1 {
					t.Fatalf("read %d raised %+v", i, alert)
				}
			}
			if raised != (tt.want != nil) {
				t.Fatalf("raised %v (%+v), want %v", raised, alert, tt.want != nil)
			}
			if raised && !sameAlert(alert, *tt.want) {
				t.Errorf("alert\n got %+v\nwant %+v", alert, *tt.want)
			}
			if raised && !strings.Contains(alert.Explain(), "suspected cloned plates") {
				t.Errorf("Explain: %s", alert.Explain())
			}
		})
	}
}

func sameAlert(a, b CloneAlert) bool {
	return a.VRM == b.VRM && a.Apart == b.Apart && a.Least == b.Least &&
		a.Earlier.Camera == b.Earlier.Camera && a.Earlier.At.Equal(b.Earlier.At) &&
		a.Later.Camera == b.Later.Camera && a.Later.At.Equal(b.Later.At)
}

// The detector forgets sightings too old to be part of any alert, so its
// memory is bounded by the marks read within the longest travel time.
func TestCloneDetectorForgetsOldSightings(t *testing.T) {
	times := NewTravelTimes()
	if err := times.Set("A", "B", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	d := NewCloneDetector(times)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range sweepEvery - 1 {
		d.Observe(string(rune('A'+i%26))+string(rune('A'+i/26%26))+string(rune('A'+i/676%26))+"1", "A", t0)
	}
	d.Observe("ZZ99ZZZ", "A", t0.Add(time.Hour))
	if n := d.Len(); n != 1 {
		t.Errorf("%d sightings held an hour on, want the latest one only", n)
	}
}

func TestLoadTravelTimes(t *testing.T) {
	table, err := LoadTravelTimes(strings.NewReader("from,to,least\nM1-J10, M1-J14, 12m30s\nM1-J14,A14-HUNT,600\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		a, b string
		want time.Duration
		ok   bool
	}{
		{"M1-J10", "M1-J14", 12*time.Minute + 30*time.Second, true},
		{"M1-J14", "M1-J10", 12*time.Minute + 30*time.Second, true},
		{"A14-HUNT", "M1-J14", 10 * time.Minute, true},
		{"M1-J10", "A14-HUNT", 0, false},
	} {
		if got, ok := table.Least(tt.a, tt.b); got != tt.want || ok != tt.ok {
			t.Errorf("Least(%s, %s) = %v, %v; want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct{ text, want string }{
		{"from,to,speed\nA,B,5m\n", `header is "from,to,speed"`},
		{"from,to,least\nA,B,5m\nA,A,5m\n", "line 3: travel time between \"A\" and \"A\": need two different cameras"},
		{"from,to,least\nA,B,fast\n", `line 2: "fast" is not a duration`},
		{"from,to,least\nA,B,-5m\n", "line 2: travel time between A and B: -5m0s is not above zero"},
		{"from,to,least\nA,B\n", "wrong number of fields"},
		{"", "header"},
	} {
		if _, err := LoadTravelTimes(strings.NewReader(tt.text)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one saying %q", tt.text, err, tt.want)
		}
	}
}

// The clone check works in times only: nothing the package exports, and
// nothing an alert carries or says, is a speed, or a distance to make one
// from.
func TestNothingExposesSpeed(t *testing.T) {
	forbidden := []string{"speed", "velocity", "mph", "kph", "kmh", "km/h", "distance", "metre", "meter", "mile"}
	check := func(what, text string) {
		lower := strings.ToLower(text)
		for _, word := range forbidden {
			if strings.Contains(lower, word) {
				t.Errorf("%s %q mentions %q", what, text, word)
			}
		}
	}
	// Every exported name and JSON field in the package's source.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if n.IsExported() {
					check(file+": name", n.Name)
				}
			case *ast.Field:
				if n.Tag != nil {
					check(file+": field tag", n.Tag.Value)
				}
			}
			return true
		})
	}
	// What an alert carries and says.
	alert := CloneAlert{VRM: "AB12CDE", Earlier: Sighting{"M1-J10", time.Unix(0, 0)}, Later: Sighting{"M1-J14", time.Unix(60, 0)}, Apart: time.Minute, Least: 10 * time.Minute}
	check("CloneAlert.Explain", alert.Explain())
	data, err := json.Marshal(alert)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"apart_ns", "earlier", "later", "least_ns", "vrm"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("CloneAlert JSON fields %v, want %v", keys, want)
	}
}
