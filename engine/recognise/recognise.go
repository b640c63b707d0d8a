// Package recognise is the engine's one call for a frame: find every
// number plate in it and read each one.
//
// It joins the plate detector (engine/detect) and the plate reader
// (engine/ocr), and adds what the two models do not say themselves: the
// plate's colour and layout.
package recognise

import (
	"fmt"
	"image"
	"math"
	"sort"
	"strings"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/detect"
	"anpr/engine/ocr"
)

// Plate is one plate found and read.
type Plate struct {
	ocr.Read
	Box     [4]int        `json:"box"`     // x, y, w, h in frame pixels
	Polygon [4][2]float64 `json:"polygon"` // corners, clockwise from top-left
	// Colour is the plate's background: "white" (front plates), "yellow"
	// (rear plates), or "unknown" (infrared and other grey frames).
	Colour string `json:"colour"`
	// Layout is "one-line" or "two-line", from the plate's shape.
	Layout string `json:"layout"`
	// DetectionScore is the detector's confidence; absent for crops.
	DetectionScore float64 `json:"detection_score,omitempty"`
	// WholeImage says the image was read whole as a plate patch: it was
	// too small to be a camera frame and the detector found no plate in
	// it (see RecogniseImage).
	WholeImage bool `json:"whole_image,omitempty"`
}

// Options configure a Recogniser.
type Options struct {
	DetectorModel, DetectorSHA256 string
	ReaderModel, ReaderSHA256     string
	// PatchReaderModel reads images that are plate patches already
	// (ReadCrop, and small images read whole by RecogniseImage); the
	// ReaderModel, which reads the detector's cuts of frames, when empty.
	// Collected roadside photos are cut otherwise than the detector cuts:
	// often to the lettering itself, and older plates are commoner in them.
	PatchReaderModel, PatchReaderSHA256 string
	// Threshold is the detector's least centre score; see detect.Options.
	Threshold float64
	// MinConfidence is the least read confidence for a detection to count
	// as a plate: lettering that is not a plate (road signs, shop fronts)
	// fools the detector more often than it gives the reader a confident
	// mark, and a detection whose read is no PlausibleMark is dropped too.
	// DefaultMinConfidence when zero; negative keeps every detection.
	MinConfidence float64
	// Now is the date marks are checked against; time.Now when nil.
	Now func() time.Time
}

// DefaultMinConfidence drops detections the reader cannot make a mark of.
// On rendered frames (README, engine table) it removes most false plates
// and few true ones, nearly all of which were misread anyway.
const DefaultMinConfidence = 0.05

// Recogniser finds and reads plates. It is not safe for concurrent use:
// give each worker its own.
type Recogniser struct {
	det    *detect.Detector
	reader *ocr.Reader
	// patchReader reads plate patches; it is reader when no patch model
	// was given.
	patchReader   *ocr.Reader
	minConfidence float64
}

// Open loads the models. A missing or broken model is an error here,
// before any frame is read.
func Open(o Options) (*Recogniser, error) {
	det, err := detect.Open(o.DetectorModel, detect.Options{SHA256: o.DetectorSHA256, Threshold: o.Threshold})
	if err != nil {
		return nil, err
	}
	reader, err := ocr.Open(o.ReaderModel, ocr.Options{SHA256: o.ReaderSHA256, Now: o.Now})
	if err != nil {
		det.Close()
		return nil, err
	}
	patchReader := reader
	if o.PatchReaderModel != "" {
		patchReader, err = ocr.Open(o.PatchReaderModel, ocr.Options{SHA256: o.PatchReaderSHA256, Now: o.Now})
		if err != nil {
			det.Close()
			reader.Close()
			return nil, err
		}
	}
	if o.MinConfidence == 0 {
		o.MinConfidence = DefaultMinConfidence
	}
	return &Recogniser{det: det, reader: reader, patchReader: patchReader, minConfidence: o.MinConfidence}, nil
}

// Close frees the models.
func (r *Recogniser) Close() error {
	r.det.Close()
	if r.patchReader != r.reader {
		r.patchReader.Close()
	}
	return r.reader.Close()
}

// Reader is the plate reader, for fusing reads across frames.
func (r *Recogniser) Reader() *ocr.Reader { return r.reader }

// Recognise finds and reads every plate in a frame (BGR, BGRA or grey),
// most confidently detected first.
func (r *Recogniser) Recognise(frame gocv.Mat) ([]Plate, error) {
	plates, _, err := r.RecogniseDetections(frame)
	return plates, err
}

// RecogniseImage is Recognise for an image that may be a camera frame or
// may already be a plate patch (a roadside photo cropped to the plate, a
// camera's own plate image). An image too small to be a frame
// (LooksLikePatch) is also read whole, as a patch; that read is the answer
// when the detector found no valid mark in the image and the whole read is
// one, or found nothing and the whole read passes the gate a detection's
// must (confidence, PlausibleMark), or found valid marks that are only fragments of a
// one-line patch (isFragment) and the whole read is a confident valid mark.
func (r *Recogniser) RecogniseImage(img gocv.Mat) ([]Plate, error) {
	plates, err := r.Recognise(img)
	if err != nil || !LooksLikePatch(img.Cols(), img.Rows()) {
		return plates, err
	}
	fragments := false
	for _, p := range plates {
		if p.Valid {
			if !isFragment(p, img.Cols(), img.Rows()) {
				return plates, nil
			}
			fragments = true
		}
	}
	whole, err := ReadCrop(r.patchReader, img)
	if err != nil {
		return nil, err
	}
	whole.WholeImage = true
	switch {
	case whole.Text == "":
	case fragments:
		// The valid marks found are small parts of the image; a plate
		// patch read whole as a confident valid mark is the better answer.
		if whole.Valid && whole.Confidence >= fragmentWholeConfidence {
			return []Plate{whole}, nil
		}
	case whole.Valid || (len(plates) == 0 && r.isPlate(whole.Read)):
		return []Plate{whole}, nil
	}
	return plates, nil
}

// In an image shaped like a one-line plate patch (at least 2.5 times as
// wide as high: no camera frame is), a detection less than a third of its
// width is a fragment of the plate it was cut to (a group of characters, a
// dealer legend), not a plate of its own: a roadside crop of "MA06 RRV"
// gave a valid detection "3WW", 20 pixels of its 120. Against fragments the
// whole read wins when it is a valid mark read with at least this
// confidence. (Without the shape condition, on 100 frames scaled to 704 x
// 396, whole reads of whole scenes won 12 times and exact reads fell from
// 85 to 73.)
const fragmentWholeConfidence = 0.5

func isFragment(p Plate, width, height int) bool {
	return 2*width >= 5*height && 3*p.Box[2] < width
}

// LooksLikePatch says whether an image of this size is more likely a plate
// patch than a camera frame: at most 800 x 400 pixels (frames are 640 x 480
// and up) and shaped like a plate with a margin, from a square two-line
// plate to a long one-line one.
func LooksLikePatch(width, height int) bool {
	if width < 8 || height < 8 || width > 800 || height > 400 {
		return false
	}
	aspect := float64(width) / float64(height)
	return aspect >= 0.7 && aspect <= 8
}

// RecogniseDetections is Recognise that also returns everything the
// detector found, the detections dropped for their reads' low confidence
// included: for measuring the detector apart from that gate.
func (r *Recogniser) RecogniseDetections(frame gocv.Mat) ([]Plate, []detect.Plate, error) {
	found, err := r.det.Detect(frame)
	if err != nil {
		return nil, nil, err
	}
	plates := make([]Plate, 0, len(found))
	bounds := image.Rect(0, 0, frame.Cols(), frame.Rows())
	for _, f := range found {
		win := CropWindow(f.Box).Intersect(bounds)
		if win.Dx() < 4 || win.Dy() < 4 {
			continue
		}
		crop := frame.Region(win)
		colour := plateColour(crop)
		read, err := r.readDetection(frame, f.Polygon, crop)
		crop.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read plate at %v: %w", f.Box, err)
		}
		if !r.isPlate(read) || r.doubted(f.Score, read) {
			continue // lettering that is no plate, or nothing read at all
		}
		plates = append(plates, Plate{Read: read, Box: [4]int{f.Box.Min.X, f.Box.Min.Y, f.Box.Dx(), f.Box.Dy()},
			Polygon: roundPoly(f.Polygon), Colour: colour, Layout: layoutOf(f.Polygon), DetectionScore: round3(f.Score)})
	}
	sort.SliceStable(plates, func(i, j int) bool { return plates[i].DetectionScore > plates[j].DetectionScore })
	return plates, found, nil
}

// readDetection reads a detected plate: its patch rectified along the
// detector's polygon (the box window crop when the polygon is too odd to
// rectify), and, when that read is doubtful (see sureRead), the patch cut
// again with the other Cuts; the likeliest read wins, trusted ones
// (valid marks the format rules made without dropping characters) first.
//
// The detector's corners fall a character short of the plate's end now
// and then (frames of seed 9701: XR24XRL outlined short of its L), and
// what is left reads as no mark (XR24XR) or, before the reader's band rule
// was narrowed for frames, as a short valid mark of another plate (24XR,
// with confidence 1). A looser cut gets the character back, a tighter one
// helps blurred plates; neither is better for every plate (looser alone:
// exact reads 1,842 -> 1,834 of 2,000). On seed 9701 (development, not an
// evaluation seed) this took exact reads 1,842 -> 1,861, found plates
// 1,969 -> 1,978, false plates 2 -> 0 on 1,000 empty frames and 7 -> 9
// on plate frames; 17% of detections get the second look.
func (r *Recogniser) readDetection(frame gocv.Mat, polygon [4][2]float64, box gocv.Mat) (ocr.Read, error) {
	patch, ok := Rectify(frame, polygon)
	if !ok {
		return r.reader.Read(box)
	}
	read, err := r.reader.Read(patch)
	patch.Close()
	if err != nil || sureRead(read) {
		return read, err
	}
	for _, m := range Cuts[1:] {
		again, ok := RectifyWith(frame, polygon, m)
		if !ok {
			continue
		}
		other, err := r.reader.Read(again)
		again.Close()
		if err != nil {
			return ocr.Read{}, err
		}
		if preferred(other, read) {
			read = other
		}
	}
	return read, nil
}

// sureRead says whether a detection's read needs no second look: a valid
// mark, read with confidence 0.9 or more, that the reader did not make by
// dropping leading characters (a cut-short plate reads that way too).
func sureRead(read ocr.Read) bool {
	return trusted(read) && read.Confidence >= 0.9
}

func trusted(read ocr.Read) bool { return read.Valid && read.Prior != ocr.PriorBand }

// preferred says whether read a is to be taken over b: a trusted read over
// one that is not, else the more confident.
func preferred(a, b ocr.Read) bool {
	if trusted(a) != trusted(b) {
		return trusted(a)
	}
	return a.Confidence > b.Confidence
}

// isPlate is the gate a read must pass to be reported as a plate when
// nothing said the image was one: some text, at least MinConfidence, and a
// PlausibleMark (a negative MinConfidence keeps every read with text).
func (r *Recogniser) isPlate(read ocr.Read) bool {
	if read.Text == "" {
		return false
	}
	return r.minConfidence < 0 || (read.Confidence >= r.minConfidence && PlausibleMark(read.Text))
}

// Doubt is the score under which a model is taken to doubt a detection:
// the detector's centre score, and the read's confidence.
const Doubt = 0.5

// SureShort is the read confidence a mark of ShortMark characters or fewer
// needs, on a detection the detector believes (see doubted).
const (
	ShortMark = 3
	SureShort = 0.9
)

// doubted says whether a detection is too doubtful to report as a plate:
//
//   - Neither model believes it: the detector scored it under Doubt and the
//     reader read it with less than Doubt confidence. True plates seldom
//     get both (dev seed 9701, not an evaluation seed: 3 of 591 found
//     plates, all misread anyway), lettering and texture that fool the
//     detector often do (11 of 14 false plates in 1,000 empty frames).
//   - It reads as a mark of ShortMark characters or fewer ("A1", "4LA")
//     and either model doubts it (detector under Doubt, read under
//     SureShort). Such marks are a few in 100,000 plates on the road, while
//     fragments of signs, liveries and other plates read as two or three
//     characters readily.
//   - It reads as no UK mark at all and the detector doubts it: foreign
//     plates are about one in 200, shop and road signs that fool the
//     detector a little (BURTON12, CANNOCK A5) many more.
//
// The last two rules, chosen on dev seed 9701 (2,000 plates, 1,000 empty
// frames): false plates on plate frames 14 -> 5, on empty frames 3 -> 2;
// plates found 1,960 -> 1,955, the five dropped all misread (exact reads
// 1,780 both ways). A negative MinConfidence keeps everything.
func (r *Recogniser) doubted(score float64, read ocr.Read) bool {
	if r.minConfidence < 0 {
		return false
	}
	switch {
	case score < Doubt && read.Confidence < Doubt:
		return true
	case len(read.Text) <= ShortMark:
		return score < Doubt || read.Confidence < SureShort
	case !read.Valid:
		return score < Doubt
	}
	return false
}

// PlausibleMark says whether text could be a registration mark at all: at
// least two characters (the shortest UK marks, such as "A 1") and a digit
// (every UK format has one, and nearly every foreign one). What fools the
// detector is mostly words: road signs, shop fronts, liveries. On rendered
// frames (dev seed 9701, not an evaluation seed) this dropped 16 of 27
// false plates in 1,000 empty frames and 3 of 597 true detections, all
// three misread anyway.
func PlausibleMark(text string) bool {
	return len(text) >= 2 && strings.ContainsAny(text, "0123456789")
}

// Detect only finds the plates in a frame (for timing the stages apart).
func (r *Recogniser) Detect(frame gocv.Mat) ([]detect.Plate, error) { return r.det.Detect(frame) }

// ReadCrop reads an image that is already a plate patch, with the patch
// reader.
func (r *Recogniser) ReadCrop(crop gocv.Mat) (Plate, error) {
	return ReadCrop(r.patchReader, crop)
}

// ReadCrop reads an image that is already a plate patch with reader alone.
func ReadCrop(reader *ocr.Reader, crop gocv.Mat) (Plate, error) {
	read, err := reader.ReadPatch(crop)
	if err != nil {
		return Plate{}, err
	}
	w, h := float64(crop.Cols()), float64(crop.Rows())
	poly := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	layout := "one-line"
	if ocr.IsTwoLine(crop.Cols(), crop.Rows()) {
		layout = "two-line" // the reader's own rule, so what is said is how it was read
	}
	return Plate{Read: read, Box: [4]int{0, 0, crop.Cols(), crop.Rows()}, Polygon: poly,
		Colour: plateColour(crop), Layout: layout}, nil
}

// CropWindow is the patch handed to the reader when the detector's polygon
// cannot be rectified (see Rectify): the plate's box with the margins the
// reader was trained with (a few per cent of the width each
// side, a fifth of the height above and below).
func CropWindow(b image.Rectangle) image.Rectangle {
	mx, my := int(math.Round(0.06*float64(b.Dx()))), int(math.Round(0.2*float64(b.Dy())))
	return image.Rect(b.Min.X-mx, b.Min.Y-my, b.Max.X+mx, b.Max.Y+my)
}

// layoutOf tells a one-line plate (about 4.7 times as wide as high) from a
// two-line one (about 1.4) by the polygon's sides.
func layoutOf(p [4][2]float64) string {
	w := (math.Hypot(p[1][0]-p[0][0], p[1][1]-p[0][1]) + math.Hypot(p[2][0]-p[3][0], p[2][1]-p[3][1])) / 2
	h := (math.Hypot(p[3][0]-p[0][0], p[3][1]-p[0][1]) + math.Hypot(p[2][0]-p[1][0], p[2][1]-p[1][1])) / 2
	if h > 0 && w/h < 2.6 {
		return "two-line"
	}
	return "one-line"
}

// plateColour judges the background from the brighter half of the patch
// (the characters are the darker half): yellow is bright in red and green
// and low in blue; white is bright in all three.
func plateColour(crop gocv.Mat) string {
	if crop.Channels() < 3 {
		return "unknown"
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(crop, &small, image.Point{32, 12}, 0, 0, gocv.InterpolationArea)
	data := small.ToBytes()
	ch := small.Channels()
	type px struct{ b, g, r, lum float64 }
	pxs := make([]px, 0, len(data)/ch)
	for i := 0; i+2 < len(data); i += ch {
		b, g, r := float64(data[i]), float64(data[i+1]), float64(data[i+2])
		pxs = append(pxs, px{b, g, r, 0.114*b + 0.587*g + 0.299*r})
	}
	sort.Slice(pxs, func(i, j int) bool { return pxs[i].lum > pxs[j].lum })
	var b, g, r float64
	n := len(pxs) / 2
	for _, p := range pxs[:n] {
		b, g, r = b+p.b, g+p.g, r+p.r
	}
	b, g, r = b/float64(n), g/float64(n), r/float64(n)
	if (r+g)/2-b > 0.18*math.Max((r+g)/2, 1) && (r+g)/2-b > 12 {
		return "yellow"
	}
	if math.Abs(r-b) < 20 && math.Abs(g-b) < 20 && math.Max(r-g, g-r) < 20 {
		return "white"
	}
	return "unknown"
}

func roundPoly(p [4][2]float64) [4][2]float64 {
	for i := range p {
		p[i] = [2]float64{math.Round(p[i][0]*10) / 10, math.Round(p[i][1]*10) / 10}
	}
	return p
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
