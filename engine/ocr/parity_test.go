package ocr

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// The committed models, run through OpenCV from Go, must give what PyTorch
// gave for the same inputs when each was made: the Go side preprocesses
// nothing differently and reads the output in the same order.
func TestModelMatchesPyTorch(t *testing.T) {
	for _, name := range []string{"reader", "patch-reader"} {
		t.Run(name, func(t *testing.T) { checkParity(t, name) })
	}
}

func checkParity(t *testing.T, name string) {
	dir := filepath.Join("..", "..", "fixtures", "models")
	data, err := os.ReadFile(filepath.Join(dir, name+".parity.json"))
	if err != nil {
		t.Fatalf("parity data: %v (make models writes it beside the model)", err)
	}
	var parity struct {
		Cases []struct {
			Label  string      `json:"label"`
			Read   string      `json:"read"`
			Pixels string      `json:"pixels_u8_base64"`
			Logits [][]float64 `json:"logits"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &parity); err != nil {
		t.Fatal(err)
	}
	r, err := Open(filepath.Join(dir, name+".onnx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i, c := range parity.Cases {
		pix, err := base64.StdEncoding.DecodeString(c.Pixels)
		if err != nil || len(pix) != InputHeight*InputWidth {
			t.Fatalf("case %d: bad pixels", i)
		}
		in, err := gocv.NewMatFromBytes(InputHeight, InputWidth, gocv.MatTypeCV8U, pix)
		if err != nil {
			t.Fatal(err)
		}
		got, err := forward(&r.net, in)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		// Both kinds of reader give their scores row-major, as PyTorch wrote them.
		var want []float64
		for _, row := range c.Logits {
			want = append(want, row...)
		}
		if len(want) != len(got) {
			t.Fatalf("case %d: the model gives %d scores, PyTorch gave %d", i, len(got), len(want))
		}
		worst := 0.0
		for k := range want {
			worst = math.Max(worst, math.Abs(float64(got[k])-want[k]))
		}
		if worst > 1e-3 {
			t.Errorf("case %d (%s): logits differ from PyTorch's by up to %.2g", i, c.Label, worst)
		}
	}
}
