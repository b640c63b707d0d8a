package ocr

import (
	"fmt"
	"image/color"
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

// Read reads one plate crop (BGR, BGRA or grey), as the detector cut it
// from a frame.
func (r *Reader) Read(crop gocv.Mat) (Read, error) { return r.read(crop, false) }

// ReadPatch reads an image that is a plate patch already (a roadside
// photo cut to the plate, a camera's own plate image): as Read, but a
// line reader's doubtful read is looked at again with slightly different
// margins and the reads vote (see vote), and one still unsure is read again
// with a border round it. Not for detections in frames: there it turns
// lettering that is no plate into valid marks more often.
func (r *Reader) ReadPatch(crop gocv.Mat) (Read, error) {
	read, err := r.read(crop, true)
	if err != nil || !r.lines || (read.Confidence >= paddedLookBelow && read.Valid && len(read.Text) > shortRead) {
		return read, err
	}
	// Collected plate photographs are often cut to the lettering itself,
	// and the reader, which learnt crops with some of the plate around the
	// characters, drops those at the edges (EB72 JES read B72JES). Give a
	// doubtful patch a border and read it again: the border helps a crop
	// cut tight and leaves one cut loose much as it was. A read of the
	// bordered patch is taken when it is the surer and no shorter: a border
	// round a loose crop can give a sure fragment (XS24 GFY read 24FY).
	// Chosen on development crops (seed 9731, 3,000 each way): cut to the
	// lettering (models evaluate --lettering-cut 1) 84.3 to 88.3%, cut round
	// the plate 88.3 to 88.9%. A sure read that is no valid mark or is short
	// may be such a fragment too, and gets the look: 88.3 to 88.7% cut to
	// the lettering on 9731, 86.9 to 87.3% on 9703, none changed cut round
	// the plate. Line readers only: the slot reader's crops were never
	// measured so.
	padded := gocv.NewMat()
	defer padded.Close()
	dx, dy := crop.Rows()*3/10, crop.Rows()*15/100
	gocv.CopyMakeBorder(crop, &padded, dy, dy, dx, dx, gocv.BorderReplicate, color.RGBA{})
	again, err := r.read(padded, true)
	if err != nil {
		return Read{}, err
	}
	if len(again.Text) >= len(read.Text) && better(again, read) {
		return again, nil
	}
	return read, nil
}

// ReadPatch reads a patch again with a border round it when its read is
// under paddedLookBelow confidence, no valid mark, or shortRead characters
// or fewer (most UK marks have 6 or 7).
const (
	paddedLookBelow = 0.95
	shortRead       = 5
)

func (r *Reader) read(crop gocv.Mat, patch bool) (Read, error) {
	if !r.lines {
		scores, err := r.scoresOf(crop, Preprocess)
		if err != nil {
			return Read{}, err
		}
		if len(scores) != Slots*Classes {
			return Read{}, fmt.Errorf("model gave %d scores, want %d", len(scores), Slots*Classes)
		}
		return decode(scores, r.decodeOptions()), nil
	}
	read, err := r.readLineOf(crop, PreprocessLines, patch)
	if err != nil || needsNoSecondLook(read) {
		return read, err
	}
	// A doubtful read may be of a plate with light characters on a dark
	// ground: look again with the grey levels inverted, and keep the
	// better of the two reads.
	again, err := r.readLineOf(crop, preprocessInverted, patch)
	if err != nil {
		return Read{}, err
	}
	if better(again, read) {
		read = again
	}
	if !patch || needsNoSecondLook(read) {
		return read, nil
	}
	// A patch still doubtful: look again with slightly different margins
	// and vote. On 3,000 crops from seed 9411 (not the README's evaluation
	// seed) this took plate-exact from 84.5 to 85.5%, for 2.7 to 3.7 ms a
	// crop on average. (Cutting a few per cent off instead gained more
	// there, 86.9%, but cuts into the characters of crops cut tight, as
	// roadside photos are.) On detections in frames it doubled false
	// plates, so Read does not.
	return r.vote(crop, read)
}

// needsNoSecondLook says whether a line reader's read needs no second look: a valid UK
// mark at secondLookBelow or more.
func needsNoSecondLook(read Read) bool { return read.Valid && read.Confidence >= secondLookBelow }

// readLineOf preprocesses img with prep, runs the line reader on it and
// decodes what it says.
func (r *Reader) readLineOf(img gocv.Mat, prep func(gocv.Mat) (gocv.Mat, error), patch bool) (Read, error) {
	scores, err := r.scoresOf(img, prep)
	if err != nil {
		return Read{}, err
	}
	return r.readLine(scores, patch)
}

// scoresOf preprocesses img with prep and runs the model on it.
func (r *Reader) scoresOf(img gocv.Mat, prep func(gocv.Mat) (gocv.Mat, error)) ([]float32, error) {
	in, err := prep(img)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return forward(&r.net, in)
}

// secondLookBelow is the confidence under which a line reader's read, or
// any read that is not a valid UK mark, gets a second look (see needsNoSecondLook).
const secondLookBelow = 0.5

// readLine decodes a line reader's scores; patch says the crop is a plate
// patch (ReadPatch), not a detection in a frame (Read).
func (r *Reader) readLine(scores []float32, patch bool) (Read, error) {
	if len(scores) != Frames*Classes {
		return Read{}, fmt.Errorf("model gave %d scores, want %d", len(scores), Frames*Classes)
	}
	p := framesToSlots(scores)
	opts := r.decodeOptions()
	// A patch may be a roadside photo of an older plate, whose 1 is a plain
	// bar; in frames, sign lettering would turn into valid marks.
	opts.plainBarOne = patch
	read := decodeProbs(&p, opts)
	if read.Valid {
		return read, nil
	}
	// The side band at a plate's left (GB, UK, ENG, the EU stars, a flag)
	// can be read as a character or two before the mark. When the read is
	// no valid mark but becomes one without its first one or two
	// characters, take that. In a frame only a read longer than any UK
	// mark is cut so: the detector's corners fall short of a plate's end
	// now and then, and what was left of a mark read from its first
	// character (XR24XR of XR24XRL) became a short valid mark of another
	// plate (24XR, confidence 1). On the development frames (seeds 9701
	// and 9702) 85 of 92 such reads of detected plates were wrong; those
	// of 8 characters or more were mostly right (APY19PSF, MCS68UNO).
	if !patch && len(read.Text) <= vrm.MaxLen {
		return read, nil
	}
	for k := 1; k <= 2 && k < len(read.Text)-1; k++ {
		var q slotProbs
		copy(q[:], p[k:])
		for s := Slots - k; s < Slots; s++ {
			q[s][0] = 1
		}
		alt := decodeProbs(&q, r.decodeOptions())
		if alt.Valid {
			alt.Raw, alt.Prior = read.Text, PriorBand
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

// vote reads a doubtful crop again with slightly different margins (a few
// per cent of border added on one side or another: roadside crops are
// often cut tight, so nothing is cut off) and takes the text the reads
// agree on most, weighted by confidence.
func (r *Reader) vote(crop gocv.Mat, first Read) (Read, error) {
	w, h := crop.Cols(), crop.Rows()
	dx, dy := max(1, w*4/100), max(1, h*8/100)
	pads := [][4]int{{0, 0, dx, 0}, {0, 0, 0, dx}, {dy, dy, 0, 0}, {dy, dy, dx, dx}} // top, bottom, left, right
	reads := []Read{first}
	for _, p := range pads {
		padded := gocv.NewMat()
		gocv.CopyMakeBorder(crop, &padded, p[0], p[1], p[2], p[3], gocv.BorderReplicate, color.RGBA{})
		rd, err := r.readLineOf(padded, PreprocessLines, true)
		padded.Close()
		if err != nil {
			return Read{}, err
		}
		reads = append(reads, rd)
	}
	// Valid UK marks first: a cut that misreads can be confident, and the
	// format rules already had their say on each read.
	weight := map[string]float64{}
	anyValid := false
	for _, rd := range reads {
		if rd.Text != "" {
			weight[rd.Text] += rd.Confidence
		}
		anyValid = anyValid || rd.Valid
	}
	best := Read{}
	for _, rd := range reads {
		if anyValid && !rd.Valid {
			continue
		}
		if best.Text == "" || weight[rd.Text] > weight[best.Text] || (rd.Text == best.Text && rd.Confidence > best.Confidence) {
			best = rd
		}
	}
	if best.Text == "" {
		return first, nil
	}
	return best, nil
}
