package detect

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"anpr/engine/onnx"
)

// The committed detector, run through OpenCV from Go, must give what
// PyTorch gave for the same input when it was made: same input layout,
// same output order.
func TestModelMatchesPyTorch(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "models")
	data, err := os.ReadFile(filepath.Join(dir, "detector.parity.json"))
	if err != nil {
		t.Fatalf("parity data: %v (make models writes it beside the model)", err)
	}
	var parity struct {
		Samples []struct {
			Channel, Y, X int
			Value         float64
		} `json:"samples"`
		Sum float64 `json:"sum"`
	}
	if err := json.Unmarshal(data, &parity); err != nil {
		t.Fatal(err)
	}
	d, err := Open(filepath.Join(dir, "detector.onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// The input training/train_detector.py's parity_input makes.
	pix := make([]byte, InputHeight*InputWidth)
	for r := range InputHeight {
		for c := range InputWidth {
			pix[r*InputWidth+c] = byte((7*c + 13*r + (c*r)%31) % 256)
		}
	}
	in, err := gocv.NewMatFromBytes(InputHeight, InputWidth, gocv.MatTypeCV8U, pix)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	grid, err := onnx.Forward(&d.net, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(grid) != Channels*GridHeight*GridWidth || len(parity.Samples) == 0 {
		t.Fatalf("%d outputs, %d samples", len(grid), len(parity.Samples))
	}
	for _, s := range parity.Samples {
		got := float64(grid[(s.Channel*GridHeight+s.Y)*GridWidth+s.X])
		if math.Abs(got-s.Value) > 1e-3*math.Max(1, math.Abs(s.Value)) {
			t.Errorf("channel %d cell (%d,%d): %.5f, PyTorch gave %.5f", s.Channel, s.X, s.Y, got, s.Value)
		}
	}
	sum := 0.0
	for _, v := range grid {
		sum += float64(v)
	}
	if math.Abs(sum-parity.Sum) > 1e-4*math.Max(1, math.Abs(parity.Sum)) {
		t.Errorf("output sum %.4f, PyTorch gave %.4f", sum, parity.Sum)
	}
}
