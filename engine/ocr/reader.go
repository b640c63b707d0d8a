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
	// lines: the model is a line (CTC) reader, not a slot reader.
	lines bool
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
	r := &Reader{net: net, opts: opts}
	// Which kind of reader this is shows in the size of its output.
	probe := gocv.NewMatWithSize(InputHeight, InputWidth, gocv.MatTypeCV8U)
	defer probe.Close()
	out, err := forward(&r.net, probe)
	if err != nil {
		net.Close()
		return nil, fmt.Errorf("reader %s: %w", path, err)
	}
	r.lines = len(out) == Frames*Classes
	return r, nil
}

// Lines says whether the model is a line (CTC) reader.
func (r *Reader) Lines() bool { return r.lines }

// Close frees the network.
func (r *Reader) Close() error { return r.net.Close() }

// Read reads one plate crop (BGR, BGRA or grey).
func (r *Reader) Read(crop gocv.Mat) (Read, error) {
	preprocess := Preprocess
	if r.lines {
		preprocess = PreprocessLines
	}
	in, err := preprocess(crop)
	if err != nil {
		return Read{}, err
	}
	defer in.Close()
	scores, err := forward(&r.net, in)
	if err != nil {
		return Read{}, err
	}
	if r.lines {
		read, err := r.readLine(scores)
		if err != nil || (read.Valid && read.Confidence >= secondLookBelow) {
			return read, err
		}
		// A doubtful read may be of a plate with light characters on a
		// dark ground: look again with the grey levels inverted, and keep
		// the better of the two reads.
		inv, err := preprocessInverted(crop)
		if err != nil {
			return Read{}, err
		}
		defer inv.Close()
		scores, err := forward(&r.net, inv)
		if err != nil {
			return Read{}, err
		}
		again, err := r.readLine(scores)
		if err != nil {
			return Read{}, err
		}
		if better(again, read) {
			return again, nil
		}
		return read, nil
	}
	if len(scores) != Slots*Classes {
		return Read{}, fmt.Errorf("model gave %d scores, want %d", len(scores), Slots*Classes)
	}
	return decode(scores, r.decodeOptions()), nil
}

// secondLookBelow is the confidence under which a line reader's read, or
// any read that is not a valid UK mark, is checked against a second look at
// the crop inverted.
const secondLookBelow = 0.5

func (r *Reader) readLine(scores []float32) (Read, error) {
	if len(scores) != Frames*Classes {
		return Read{}, fmt.Errorf("model gave %d scores, want %d", len(scores), Frames*Classes)
	}
	p := framesToSlots(scores)
	read := decodeProbs(&p, r.decodeOptions())
	if read.Valid {
		return read, nil
	}
	// The side band at a plate's left (GB, UK, ENG, the EU stars, a flag)
	// can be read as a character or two before the mark. When the read is
	// no valid mark but becomes one without its first one or two
	// characters, take that.
	for k := 1; k <= 2 && k < len(read.Text)-1; k++ {
		var q slotProbs
		copy(q[:], p[k:])
		for s := Slots - k; s < Slots; s++ {
			q[s][0] = 1
		}
		alt := decodeProbs(&q, r.decodeOptions())
		if alt.Valid {
			alt.Raw, alt.Prior = read.Text, "band"
			if read.Raw != "" {
				alt.Raw = read.Raw
			}
			return alt, nil
		}
	}
	return read, nil
}

// better says whether read a is to be preferred to b: the more confident.
// Validity does not count: the format rules can make a valid mark of
// garbage read from the wrong polarity.
func better(a, b Read) bool { return a.Confidence > b.Confidence }
