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
