//go:build matprofile

package track

import (
	"bytes"
	"testing"

	"gocv.io/x/gocv"
)

// With gocv's Mat profile on (go test -tags matprofile), a tracker that
// opens, ends, flushes and abandons tracks leaves no Mat open.
func TestTrackerLeaksNoMats(t *testing.T) {
	before := gocv.MatProfile.Count()
	f := newVoteFuser()
	tk, err := New(Config{}, f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		var obs []Observation
		if i%10 < 6 { // a car every 0.4 s, gone before the next comes
			obs = append(obs, obsAt(plateAt(400, 150+40*(i%10), 20+4*(i%10)), f.read("AB12CDE")))
		}
		obs = append(obs, obsAt(plateAt(900, 500, 30), f.read("XY65ZZT"))) // parked
		step(t, tk, at(i*3), obs...)
	}
	tk.Flush()
	step(t, tk, at(100), obsAt(plateAt(400, 150, 20), f.read("AB12CDE")))
	tk.Close() // an open track abandoned
	if after := gocv.MatProfile.Count(); after != before {
		var b bytes.Buffer
		gocv.MatProfile.WriteTo(&b, 1)
		t.Errorf("%d Mats open before, %d after:\n%s", before, after, b.String())
	}
}
