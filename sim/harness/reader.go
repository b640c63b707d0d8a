package harness

import (
	"anpr/internal/stats"
	"context"
	"fmt"
	"sort"
	"time"

	"anpr/engine/ocr"
	"anpr/sim/dataset"
	"anpr/sim/plate"
	"anpr/sim/scene"
)

// EachCondition asks for Count crops under every named condition in turn.
const EachCondition = "each"

// ReaderRequest is an evaluation of the plate reader on rendered crops.
type ReaderRequest struct {
	Condition string // a named condition, "mixed", or "each"
	Count     int    // crops per condition ("each") or in all
	Seed      uint64 // keep apart from training seeds
	Workers   int    // 0: one per CPU
}

// Score is plate-exact accuracy over a group of reads.
type Score struct {
	Condition    string   `json:"condition,omitempty"`
	Reads        int      `json:"reads"`
	Exact        int      `json:"exact"`
	Rate         float64  `json:"rate"`
	Interval95   Interval `json:"interval95"`
	CharAccuracy float64  `json:"char_accuracy"` // 1 - edit distance / length, averaged
}

// Misread is one wrong read, for looking at.
type Misread struct {
	Condition string  `json:"condition"`
	Seed      uint64  `json:"seed"`
	Truth     string  `json:"truth"`
	Read      string  `json:"read"`
	Conf      float64 `json:"confidence"`
}

// KindScore is plate-exact accuracy over the plates of one kind: a layout
// (one-line, two-line, motorcycle), black-and-silver (historic) plates of
// any layout, plates in the pressed-metal typeface (plate.PressedMetal,
// drawn only by training mixes and `models evaluate --plate-mix`), plates
// with a tow bar or bike rack in front of them, or crops cut to the
// lettering (scene.CutLettering, drawn only when asked for). The real
// plates the engine must read come in all of them.
type KindScore struct {
	Kind string `json:"kind"`
	Score
}

// ReaderReport is what EvaluateReader found.
type ReaderReport struct {
	Overall      Score          `json:"overall"`
	PerCondition []Score        `json:"per_condition"`
	PerKind      []KindScore    `json:"per_kind"`
	Confusions   map[string]int `json:"confusions"` // "truth>read" character pairs in same-length misreads
	Misreads     []Misread      `json:"misreads"`   // the first few
	MeanReadMS   float64        `json:"mean_read_ms"`
	Seed         uint64         `json:"seed"`
	// Images is every image's result in a fixed order (condition, then
	// seed), for comparing two runs image by image.
	Images []ImageResult `json:"-"`
}

// ImageResult is what was made of one evaluation image.
type ImageResult struct {
	Condition  string  `json:"condition"`
	Seed       uint64  `json:"seed"`
	Empty      bool    `json:"empty_frame,omitempty"` // a frame with no plate (frame evaluations)
	Truth      string  `json:"truth,omitempty"`
	Read       string  `json:"read"` // the read of the true plate; "" when not found
	Confidence float64 `json:"confidence"`
	// Frame evaluations: whether the detector found the plate, whether it
	// was reported after the gates, and the false plates' texts.
	Detected    bool     `json:"detected,omitempty"`
	Found       bool     `json:"found,omitempty"`
	FalsePlates []string `json:"false_plates,omitempty"`
}

type outcome struct {
	condition   string
	kinds       []string // see KindScore
	seed        uint64
	truth, read string
	conf        float64
	charAcc     float64
	elapsed     time.Duration
}

// EvaluateReader renders crops, reads each with a reader of its worker's
// own, and scores the reads against the truth.
func EvaluateReader(ctx context.Context, r *scene.Renderer, open func() (*ocr.Reader, error), q ReaderRequest) (ReaderReport, error) {
	if q.Count <= 0 {
		return ReaderReport{}, fmt.Errorf("count must be at least 1, got %d", q.Count)
	}
	jobs, err := conditionSeeds(q.Condition, q.Count, q.Seed)
	if err != nil {
		return ReaderReport{}, err
	}
	outcomes, err := runWorkers(ctx, jobs, q.Workers, open, func(reader *ocr.Reader, job conditionSeed) (outcome, error) {
		return readOne(r, reader, job.condition, job.seed)
	})
	if err != nil {
		return ReaderReport{}, err
	}
	rep := summarise(outcomes, q.Seed) // sorts outcomes by condition and seed
	for _, o := range outcomes {
		rep.Images = append(rep.Images, ImageResult{Condition: o.condition, Seed: o.seed, Truth: o.truth, Read: o.read, Confidence: o.conf})
	}
	return rep, nil
}

func readOne(r *scene.Renderer, reader *ocr.Reader, condition string, seed uint64) (outcome, error) {
	crop, label, err := dataset.RenderWrittenCrop(r, condition, seed)
	if err != nil {
		return outcome{}, fmt.Errorf("render %s seed %d: %w", condition, seed, err)
	}
	defer crop.Close()
	start := time.Now()
	read, err := reader.ReadPatch(crop) // crops as written files hold them: patches
	if err != nil {
		return outcome{}, fmt.Errorf("read %s seed %d: %w", condition, seed, err)
	}
	return outcome{condition: label.Condition.Name, kinds: kindsOf(label), seed: seed, truth: label.Plate, read: read.Text,
		conf: read.Confidence, charAcc: charAccuracy(label.Plate, read.Text), elapsed: time.Since(start)}, nil
}

// summarise scores outcomes, sorting them in place by condition and seed.
func summarise(outcomes []outcome, seed uint64) ReaderReport {
	sort.Slice(outcomes, func(i, j int) bool {
		if outcomes[i].condition != outcomes[j].condition {
			return outcomes[i].condition < outcomes[j].condition
		}
		return outcomes[i].seed < outcomes[j].seed
	})
	rep := ReaderReport{Confusions: map[string]int{}, Seed: seed}
	groups := map[string][]outcome{}
	kinds := map[string][]outcome{}
	var total time.Duration
	for _, o := range outcomes {
		groups[o.condition] = append(groups[o.condition], o)
		for _, k := range o.kinds {
			kinds[k] = append(kinds[k], o)
		}
		total += o.elapsed
		if o.truth != o.read {
			if len(rep.Misreads) < 25 {
				rep.Misreads = append(rep.Misreads, Misread{o.condition, o.seed, o.truth, o.read, o.conf})
			}
			if len(o.truth) == len(o.read) {
				for i := range o.truth {
					if o.truth[i] != o.read[i] {
						rep.Confusions[o.truth[i:i+1]+">"+o.read[i:i+1]]++
					}
				}
			}
		}
	}
	rep.Overall = score("all", outcomes)
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rep.PerCondition = append(rep.PerCondition, score(n, groups[n]))
	}
	for _, k := range []string{string(plate.OneLine), string(plate.TwoLine), string(plate.Motorcycle), blackAndSilver, string(plate.PressedMetal), occluded, scene.CutLettering} {
		if len(kinds[k]) > 0 {
			rep.PerKind = append(rep.PerKind, KindScore{Kind: k, Score: score("", kinds[k])})
		}
	}
	if len(outcomes) > 0 {
		rep.MeanReadMS = float64(total.Microseconds()) / 1000 / float64(len(outcomes))
	}
	return rep
}

func score(name string, os []outcome) Score {
	s := Score{Condition: name, Reads: len(os)}
	acc := 0.0
	for _, o := range os {
		if o.truth == o.read {
			s.Exact++
		}
		acc += o.charAcc
	}
	if s.Reads > 0 {
		s.Rate = float64(s.Exact) / float64(s.Reads)
		s.CharAccuracy = acc / float64(s.Reads)
	}
	s.Interval95 = wilson(s.Exact, s.Reads)
	return s
}

// blackAndSilver names historic plates (light characters on black) as a
// kind; occluded those with a tow bar or bike rack in front of them. Crops
// cut to the lettering are the kind scene.CutLettering.
const (
	blackAndSilver = "black-and-silver"
	occluded       = "occluded"
)

// kindsOf lists the kinds (KindScore) a rendered plate belongs to.
func kindsOf(label scene.Label) []string {
	kinds := []string{string(label.Layout)}
	if label.Historic {
		kinds = append(kinds, blackAndSilver)
	}
	if label.Font == plate.PressedMetal {
		kinds = append(kinds, string(plate.PressedMetal))
	}
	if label.Condition.Occlusion != "" {
		kinds = append(kinds, occluded)
	}
	if label.Cut != "" {
		kinds = append(kinds, label.Cut)
	}
	return kinds
}

// charAccuracy is 1 - (edit distance / truth length), floored at 0.
func charAccuracy(truth, read string) float64 {
	if truth == "" {
		if read == "" {
			return 1
		}
		return 0
	}
	return max(0, 1-float64(stats.EditDistance(truth, read))/float64(len(truth)))
}
