package sqlite

import (
	"fmt"
	"strings"
	"testing"
)

// A filter never says an ID it holds is absent, says "may be" for few of
// the IDs it does not hold, and reads back from its encoding the same.
func TestIDFilter(t *testing.T) {
	const n = 100000
	f := newIDFilter(n)
	for i := range n {
		f.add(hashID(fmt.Sprintf("CAM-%d-%d", i%1000, i)))
	}
	blob, err := f.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var g idFilter
	if err := g.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if id := fmt.Sprintf("CAM-%d-%d", i%1000, i); !g.mayContain(hashID(id)) {
			t.Fatalf("the filter lost %s", id)
		}
	}
	false_ := 0
	for i := range n {
		if g.mayContain(hashID(fmt.Sprintf("CAM-%d-%d-other", i%1000, i))) {
			false_++
		}
	}
	t.Logf("%.3f%% of absent IDs may be there", 100*float64(false_)/n)
	// About 0.2% expected at 16 bits an ID; 0.5% would make every batch
	// look in more segments' indexes than it need.
	if rate := float64(false_) / n; rate > 0.005 {
		t.Errorf("%.2f%% of absent IDs may be there, want under 0.5%%", 100*rate)
	}
	for _, bad := range [][]byte{nil, []byte("idbloom1"), []byte("idbloom2" + string(make([]byte, 64))), []byte("idbloom1xyz")} {
		if err := new(idFilter).UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%q) took it", bad)
		}
	}
}

// The check of IDs a filter lets through is a look in the segment's ID
// index, not a scan of it.
func TestIDLookupUsesIndex(t *testing.T) {
	s := openTest(t, t.TempDir()+"/reads.db", Options{SegmentReads: 10})
	defer s.Close()
	if _, err := s.AddReads(t.Context(), testReads(10, "ID12LKP")); err != nil {
		t.Fatal(err)
	}
	plan := queryPlan(t, s, `SELECT id FROM reads_000001 WHERE id IN (SELECT value FROM json_each(?))`, `["a"]`)
	if got := fmt.Sprint(plan); !strings.Contains(got, "USING COVERING INDEX reads_000001_id (id=?)") {
		t.Errorf("plan %s, want a search of reads_000001_id", got)
	}
}
