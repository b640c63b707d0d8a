package ocr

import (
	"fmt"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/onnx"
	"anpr/engine/vrm"
)

// Options configure a Reader.
type Options struct {
	// Now gives the date marks are checked against (age identifiers from
	// the future are not valid); time.Now when nil.
	Now func() time.Time
	// Confusions is the OCR confusion model; vrm.DefaultConfusions when nil.
	Confusions *vrm.ConfusionModel
	// MaxPriorPenalty is how many times less likely than the model's own
	// best text a valid UK mark may be and still be chosen; 30 when zero.
	MaxPriorPenalty float64
	// SHA256, when set, must match the model file's hash.
	SHA256 string
}

// Reader reads plate crops. It is not safe for concurrent use: give each
// worker its own.
type Reader struct {
	net  gocv.Net
	opts Options
}

// Open loads a reader model after checking it in a child process (see
// ServeModelCheck), so that a broken model gives an error, not an abort.
func Open(path string, opts Options) (*Reader, error) {
	net, err := onnx.Load(modelSpec(path, opts.SHA256))
	if err != nil {
		return nil, fmt.Errorf("reader %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Confusions == nil {
		opts.Confusions = vrm.DefaultConfusions()
	}
	if opts.MaxPriorPenalty == 0 {
		opts.MaxPriorPenalty = 30
	}
	return &Reader{net: net, opts: opts}, nil
}

// Close frees the network.
func (r *Reader) Close() error { return r.net.Close() }

// Read reads one plate crop (BGR, BGRA or grey).
func (r *Reader) Read(crop gocv.Mat) (Read, error) {
	in, err := Preprocess(crop)
	if err != nil {
		return Read{}, err
	}
	defer in.Close()
	scores, err := forward(&r.net, in)
	if err != nil {
		return Read{}, err
	}
	if len(scores) != Slots*Classes {
		return Read{}, fmt.Errorf("model gave %d scores, want %d", len(scores), Slots*Classes)
	}
	return decode(scores, r.decodeOptions()), nil
}
