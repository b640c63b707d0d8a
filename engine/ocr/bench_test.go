package ocr

import (
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"anpr/internal/cvthreads"
)

// BenchmarkReadCrop reads one 300 x 70 plate crop on one core: the
// preprocessing, the network and the decoding.
func BenchmarkReadCrop(b *testing.B) {
	cvthreads.Set(1)
	defer cvthreads.Set(0)
	r, err := Open(filepath.Join("..", "..", "fixtures", "models", "reader.onnx"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	crop := gocv.NewMatWithSize(70, 300, gocv.MatTypeCV8UC3)
	defer crop.Close()
	gocv.RandU(&crop, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(255, 255, 255, 0))
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Read(crop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode times decoding one read from the model's probabilities:
// the beam over the slots, the format rules and the confusion model. A
// confident valid mark stands at once; a doubtful invalid one goes through
// all of it.
func BenchmarkDecode(b *testing.B) {
	for _, tc := range []struct {
		name  string
		slots []map[string]float64
	}{
		{"valid", sure("AB12CDE")},
		{"doubtful", []map[string]float64{{"A": 0.5, "4": 0.4}, {"B": 0.6, "8": 0.3}, {"I": 0.55, "1": 0.4},
			{"2": 0.7, "Z": 0.2}, {"C": 0.5, "G": 0.4}, {"D": 0.5, "0": 0.4}, {"E": 0.6, "F": 0.3}, {"Q": 0.3, "": 0.6}}},
	} {
		p := softmax(scoresFor(tc.slots...))
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				decodeProbs(&p, opts)
			}
		})
	}
}
