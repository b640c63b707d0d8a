package detect

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// A threshold no centre score can be measured against is refused when the
// detector is opened, saying which, instead of finding every cell a plate
// or none; zero is the default.
func TestOpenRefusesThresholdsOutsideScores(t *testing.T) {
	model := filepath.Join("..", "..", "fixtures", "models", "detector.onnx")
	for _, th := range []float64{-0.1, 1, 1.5, math.NaN()} {
		d, err := Open(model, Options{Threshold: th})
		if err == nil {
			d.Close()
			t.Errorf("threshold %g: opened, want an error", th)
			continue
		}
		if !strings.Contains(err.Error(), "threshold") {
			t.Errorf("threshold %g: error %q does not say it is the threshold", th, err)
		}
	}
	d, err := Open(model, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.opts.Threshold != DefaultThreshold {
		t.Errorf("zero threshold became %g, want the default %g", d.opts.Threshold, DefaultThreshold)
	}
}
