package harness

import (
	"context"
	"fmt"
	"image"
	"sort"
	"time"

	"anpr/engine/detect"
	"anpr/engine/recognise"
	"anpr/sim/dataset"
	"anpr/sim/scene"
)

// RecogniserRequest is an evaluation of the whole recognition engine
// (detect, then read) on rendered camera frames.
type RecogniserRequest struct {
	Condition   string // a named condition, "mixed", or "each"
	Count       int    // frames with a plate, per condition ("each") or in all
	EmptyFrames int    // frames with no plate, for counting false plates
	Seed        uint64 // keep apart from training seeds
	Workers     int    // 0: one per CPU
	// MinCharPx is the character height from which a plate counts towards
	// detection recall; 16 when zero.
	MinCharPx float64
}

// Detection is how well plates were found.
type Detection struct {
	MinCharPx  float64  `json:"min_char_px"`
	Plates     int      `json:"plates"` // plates with characters of MinCharPx or more
	Found      int      `json:"found"`
	Recall     float64  `json:"recall"`
	Interval95 Interval `json:"interval95"`
	// The detector alone, before detections the reader cannot make a mark
	// of are dropped (recognise.Options.MinConfidence).
	DetectorFound  int     `json:"detector_found"`
	DetectorRecall float64 `json:"detector_recall"`
	// False plates: detections that match no plate (unreadably small
	// distant plates excepted).
	EmptyFrames        int     `json:"empty_frames"`
	FalseOnEmpty       int     `json:"false_on_empty"`
	FalsePerThousand   float64 `json:"false_per_1000_empty_frames"`
	FalseOnPlateFrames int     `json:"false_on_plate_frames"`
}

// RecogniserReport is what EvaluateRecogniser found. A plate that was not
// found counts as misread.
type RecogniserReport struct {
	Overall      Score          `json:"overall"`
	PerCondition []Score        `json:"per_condition"`
	PerKind      []KindScore    `json:"per_kind"`
	Detection    Detection      `json:"detection"`
	Confusions   map[string]int `json:"confusions"`
	Misreads     []Misread      `json:"misreads"`
	// FalsePlates are the answers that matched no plate, for studying what
	// fools the engine (on a development seed, not the reported one).
	FalsePlates []FalsePlate `json:"false_plates"`
	MeanFrameMS float64      `json:"mean_frame_ms"` // detect and read, one core per worker
	Seed        uint64       `json:"seed"`
	// Images is every frame's result, frames with a plate first, each
	// group by condition and seed: for comparing two runs frame by frame.
	Images []ImageResult `json:"-"`
}

// FalsePlate is one answer that matched no plate in its frame.
type FalsePlate struct {
	Condition      string  `json:"condition"`
	Seed           uint64  `json:"seed"`
	EmptyFrame     bool    `json:"empty_frame"` // the frame held no plate at all
	Text           string  `json:"text"`
	Valid          bool    `json:"valid"` // a valid UK mark
	Confidence     float64 `json:"confidence"`
	DetectionScore float64 `json:"detection_score"`
	Box            [4]int  `json:"box"`
}

type frameOutcome struct {
	outcome
	charPx       float64
	found, empty bool
	detected     bool // by the detector, before the read-confidence gate
	falsePlates  []FalsePlate
}

// EvaluateRecogniser renders frames, recognises each with a recogniser of
// its worker's own, and scores what it found and read against the truth.
func EvaluateRecogniser(ctx context.Context, r *scene.Renderer, open func() (*recognise.Recogniser, error), q RecogniserRequest) (RecogniserReport, error) {
	if q.Count <= 0 || q.EmptyFrames < 0 {
		return RecogniserReport{}, fmt.Errorf("count must be at least 1 and empty frames at least 0, got %d and %d", q.Count, q.EmptyFrames)
	}
	if q.MinCharPx == 0 {
		q.MinCharPx = 16
	}
	type job struct {
		kind      scene.Kind
		condition string
		seed      uint64
	}
	withPlate, err := conditionSeeds(q.Condition, q.Count, q.Seed)
	if err != nil {
		return RecogniserReport{}, err
	}
	var jobs []job
	for _, p := range withPlate {
		jobs = append(jobs, job{scene.KindScene, p.condition, p.seed})
	}
	mixed := scene.Mixed
	for i := 0; i < q.EmptyFrames; i++ {
		jobs = append(jobs, job{scene.KindEmpty, mixed, scene.ImageSeed(q.Seed+7_777_777, i)})
	}
	results, err := runWorkers(ctx, jobs, q.Workers, open, func(rec *recognise.Recogniser, j job) (frameOutcome, error) {
		return recogniseOne(r, rec, j.kind, j.condition, j.seed)
	})
	if err != nil {
		return RecogniserReport{}, err
	}

	var plated []outcome
	falsePlates := []FalsePlate{}
	det := Detection{MinCharPx: q.MinCharPx}
	var total time.Duration
	for _, o := range results {
		total += o.elapsed
		falsePlates = append(falsePlates, o.falsePlates...)
		if o.empty {
			det.EmptyFrames++
			det.FalseOnEmpty += len(o.falsePlates)
			continue
		}
		plated = append(plated, o.outcome)
		det.FalseOnPlateFrames += len(o.falsePlates)
		if o.charPx >= q.MinCharPx {
			det.Plates++
			if o.detected {
				det.DetectorFound++
			}
			if o.found {
				det.Found++
			}
		}
	}
	if det.Plates > 0 {
		det.Recall = float64(det.Found) / float64(det.Plates)
		det.DetectorRecall = float64(det.DetectorFound) / float64(det.Plates)
	}
	det.Interval95 = wilson(det.Found, det.Plates)
	if det.EmptyFrames > 0 {
		det.FalsePerThousand = 1000 * float64(det.FalseOnEmpty) / float64(det.EmptyFrames)
	}
	rr := summarise(plated, q.Seed)
	rep := RecogniserReport{Overall: rr.Overall, PerCondition: rr.PerCondition, PerKind: rr.PerKind, Detection: det,
		Confusions: rr.Confusions, Misreads: rr.Misreads, FalsePlates: falsePlates, Seed: q.Seed}
	sort.Slice(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.empty != b.empty {
			return !a.empty
		}
		if a.condition != b.condition {
			return a.condition < b.condition
		}
		return a.seed < b.seed
	})
	for _, o := range results {
		im := ImageResult{Condition: o.condition, Seed: o.seed, Empty: o.empty, Truth: o.truth, Read: o.read,
			Confidence: o.conf, Detected: o.detected, Found: o.found}
		for _, f := range o.falsePlates {
			im.FalsePlates = append(im.FalsePlates, f.Text)
		}
		rep.Images = append(rep.Images, im)
	}
	if len(results) > 0 {
		rep.MeanFrameMS = float64(total.Microseconds()) / 1000 / float64(len(results))
	}
	return rep, nil
}

// recogniseOne renders one frame as a camera would write it and scores
// the recogniser's answer: the plate read is the detection that overlaps
// the true plate best.
func recogniseOne(r *scene.Renderer, rec *recognise.Recogniser, kind scene.Kind, condition string, seed uint64) (frameOutcome, error) {
	frame, label, err := dataset.RenderWritten(r, kind, condition, seed)
	if err != nil {
		return frameOutcome{}, fmt.Errorf("render %s %s seed %d: %w", kind, condition, seed, err)
	}
	defer frame.Close()
	start := time.Now()
	plates, detected, err := rec.RecogniseDetections(frame)
	if err != nil {
		return frameOutcome{}, fmt.Errorf("recognise %s %s seed %d: %w", kind, condition, seed, err)
	}
	o := frameOutcome{outcome: outcome{condition: label.Condition.Name, kinds: kindsOf(label), seed: seed, truth: label.Plate, elapsed: time.Since(start)},
		charPx: label.Camera.CharHeightPx, empty: kind == scene.KindEmpty}
	truth := label.PlateRect()
	for _, d := range detected {
		if !o.empty && detect.IoU(d.Box, truth) >= 0.3 {
			o.detected = true
		}
	}
	best := -1.0
	for _, p := range plates {
		box := image.Rect(p.Box[0], p.Box[1], p.Box[0]+p.Box[2], p.Box[1]+p.Box[3])
		if !o.empty {
			if iou := detect.IoU(box, truth); iou >= 0.3 {
				if iou > best {
					best, o.found, o.read, o.conf = iou, true, p.Text, p.Confidence
				}
				continue
			}
		}
		distant := false
		for _, op := range label.OtherPlates {
			if detect.IoU(box, image.Rect(op[0], op[1], op[0]+op[2], op[1]+op[3])) > 0.1 {
				distant = true
			}
		}
		if !distant {
			o.falsePlates = append(o.falsePlates, FalsePlate{Condition: o.condition, Seed: seed, EmptyFrame: o.empty,
				Text: p.Text, Valid: p.Valid, Confidence: p.Confidence, DetectionScore: p.DetectionScore, Box: p.Box})
		}
	}
	o.charAcc = charAccuracy(o.truth, o.read)
	return o, nil
}
