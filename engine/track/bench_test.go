package track

import (
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// One 1080p colour frame with two plates, each nearer than before, so that
// every frame is each track's new best and is cut for images: the most a
// frame costs the tracker. A track ends and is encoded every 25 frames.
func BenchmarkUpdate1080pTwoPlates(b *testing.B) {
	f := newVoteFuser()
	tk, err := New(Config{MaxMissedFrames: 1}, f)
	if err != nil {
		b.Fatal(err)
	}
	defer tk.Close()
	frame := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(80, 90, 100, 0), 1080, 1920, gocv.MatTypeCV8UC3)
	defer frame.Close()
	ra, rb := f.read("AB12CDE"), f.read("XY65ZZT")
	passes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % 25
		var obs []Observation
		if k < 24 { // a gap of one frame ends both tracks
			obs = []Observation{obsAt(plateAt(500, 200+30*k, 20+3*k), ra), obsAt(plateAt(1400, 200+30*k, 20+3*k), rb)}
		}
		passes += len(tk.Update(frame, t0.Add(time.Duration(i)*frameGap), obs))
	}
	b.ReportMetric(float64(passes)/float64(b.N), "passes/frame")
}
