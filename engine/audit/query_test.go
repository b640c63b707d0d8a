package audit

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQueryFilters(t *testing.T) {
	// Entries 1..15 at t0, t0+1s, ...; actors pc1234, pc5678, sgt0042 in
	// turn; actions search, view-read, view-image, alert-decision, export in turn.
	path := newLog(t, t.TempDir(), 15)
	l, err := Open(path, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	cases := []struct {
		name string
		f    Filter
		want []uint64
	}{
		{"everything", Filter{}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
		{"one actor", Filter{Actor: "sgt0042"}, []uint64{3, 6, 9, 12, 15}},
		{"one action", Filter{Action: ActionExport}, []uint64{5, 10, 15}},
		{"since, inclusive", Filter{Since: at(12)}, []uint64{13, 14, 15}},
		{"until, exclusive", Filter{Until: at(3)}, []uint64{1, 2, 3}},
		{"time window", Filter{Since: at(4), Until: at(8)}, []uint64{5, 6, 7, 8}},
		{"actor and action", Filter{Actor: "pc1234", Action: ActionViewRead}, []uint64{7}},
		{"all four", Filter{Actor: "pc5678", Action: ActionSearch, Since: at(0), Until: at(11)}, []uint64{11}},
		{"unknown actor", Filter{Actor: "nobody"}, nil},
		{"empty window", Filter{Since: at(5), Until: at(5)}, nil},
	}
	for _, c := range cases {
		for _, source := range []string{"Log.Query", "Query"} {
			var got []Entry
			if source == "Query" {
				got, err = Query(path, c.f)
			} else {
				got, err = l.Query(c.f)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", source, c.name, err)
			}
			var seqs []uint64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, c.want) {
				t.Errorf("%s %s: got entries %v, want %v", source, c.name, seqs, c.want)
			}
		}
	}
}

// Query names the line it cannot read rather than skipping it.
func TestQueryNamesBadLine(t *testing.T) {
	path := newLog(t, t.TempDir(), 3)
	lines := fileLines(t, path)
	writeLines(t, path, append(lines[:1:1], append([][]byte{[]byte("not json\n")}, lines[1:]...)...))
	if _, err := Query(path, Filter{}); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("query over a bad line: %v, want an error naming line 2", err)
	}
}
