package track_test

import (
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/engine/track"
)

// A car comes up the lane over three frames. With a nil Fuser the pass
// carries the read of its best (largest) view; give New an *ocr.Reader to
// fuse the reader's evidence from every frame instead.
func Example() {
	tk, err := track.New(track.Config{
		Camera:  "M4-J12-EB",
		Lanes:   []track.Lane{{Name: "1", Region: [][2]float64{{0, 0}, {640, 0}, {640, 720}, {0, 720}}}},
		Towards: "eastbound", Away: "westbound",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tk.Close()
	frame := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC3) // stands in for the camera's frames
	defer frame.Close()
	start := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	for i, text := range []string{"AB12CDF", "AB12CDE", "AB12CDE"} {
		h := 20 + 8*i // the plate grows as the car nears
		box := image.Rect(300, 200+60*i, 300+h*47/10, 200+60*i+h)
		at := start.Add(time.Duration(i) * 40 * time.Millisecond)
		for _, p := range tk.Update(frame, at, []track.Observation{{Box: box, Read: ocr.Read{Text: text}, Score: 0.9}}) {
			fmt.Println("ended early:", p.Read.Text)
		}
	}
	for _, p := range tk.Flush() {
		fmt.Printf("%s: %s in lane %s, %s, %d frames over %v, patch %t\n",
			p.Camera, p.Read.Text, p.Lane, p.Direction, p.Frames, p.LastSeen.Sub(p.FirstSeen), len(p.Patch) > 0)
	}
	// Output: M4-J12-EB: AB12CDE in lane 1, eastbound, 3 frames over 80ms, patch true
}
