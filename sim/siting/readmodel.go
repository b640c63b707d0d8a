package siting

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"anpr/engine/vrm"
)

// Defaults of the read model, from the engine's measured figures
// (fixtures/models/engine.evaluation.json; see ReadModelFromEvaluation).
const (
	// DefaultAccuracy is the engine's plate-exact rate on 2,000 simulated
	// 1920 x 1080 frames across all conditions, a plate not found counting
	// as misread: 1,879 of 2,000 (95% interval 92.8 to 94.9%), with the
	// wide line reader (session 6, trained on in session 15) reading the
	// rectified patch (session 9), doubtful reads looked at again (session
	// 10) and the detector trained on hard negatives (sessions 13 and 14).
	DefaultAccuracy = 0.9395
	// DefaultSingleConfusion is the share of misreads that are one
	// character read as another the confusion model holds confusable: 3
	// of the 25 misreads the evaluation keeps (the first ones, daylight,
	// dusk and fog; Wilson 95% interval 4 to 30%), so a rough figure.
	DefaultSingleConfusion = 0.12
	// DefaultMinutesPerAlert is an operator's time to evaluate one alert
	// (read the evidence, check the marker, decide): judgement, not a
	// published figure.
	DefaultMinutesPerAlert = 2.0
)

// ReadModel says how reads turn into alerts. A camera reads every vehicle
// that passes once; the read is exactly right with probability Accuracy.
// The engine matches a read against the hotlist exactly or with one
// character the confusion model holds confusable (engine/hotlist's
// default), so:
//
//   - a listed mark alerts when read right or misread in one confusable
//     character: HitListed = Accuracy + (1-Accuracy)*SingleConfusion. For
//     a vehicle of interest that is a true alert; for the innocent twin of
//     a clone it is an alert on the wrong vehicle.
//   - a mark one confusable character from a listed mark alerts when read
//     right (a confusion match) or misread at that one character:
//     HitNear = Accuracy + (1-Accuracy)*SingleConfusion/length. These are
//     the misread-driven false alerts: the matcher's allowance for misreads
//     costs them.
//   - any other mark would alert only if misread in two places into a
//     listed mark's neighbourhood, which is neglected here.
//
// Each read that hits is one alert: repeated alerts on one vehicle are
// not suppressed.
type ReadModel struct {
	Accuracy        float64 `json:"accuracy"`
	SingleConfusion float64 `json:"single_confusion"`
	MinutesPerAlert float64 `json:"minutes_per_alert"`
}

// DefaultReadModel returns the model of the engine's measured figures.
func DefaultReadModel() ReadModel {
	return ReadModel{Accuracy: DefaultAccuracy, SingleConfusion: DefaultSingleConfusion, MinutesPerAlert: DefaultMinutesPerAlert}
}

// Check reports a model whose numbers are out of range.
func (m ReadModel) Check() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"accuracy", m.Accuracy}, {"single confusion share", m.SingleConfusion}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("read model: %s %g is not between 0 and 1", p.name, p.v)
		}
	}
	if !(m.MinutesPerAlert >= 0) || math.IsInf(m.MinutesPerAlert, 0) {
		return fmt.Errorf("read model: minutes per alert %g is not a number of at least 0", m.MinutesPerAlert)
	}
	return nil
}

// HitListed is the chance that a read of a listed mark alerts.
func (m ReadModel) HitListed() float64 {
	return m.Accuracy + (1-m.Accuracy)*m.SingleConfusion
}

// HitNear is the chance that a read of a mark of length n one confusable
// character from a listed mark alerts.
func (m ReadModel) HitNear(n int) float64 {
	return m.Accuracy + (1-m.Accuracy)*m.SingleConfusion/float64(max(n, 1))
}

// hit is the chance that a read of v alerts.
func (m ReadModel) hit(v Vehicle) float64 {
	switch v.Listed {
	case ListedExact:
		return m.HitListed()
	case ListedNear:
		return m.HitNear(v.MarkLen)
	}
	return 0
}

// ReadModelFromEvaluation derives a read model from an engine evaluation
// report (anpr models evaluate --frames --json, as in
// fixtures/models/engine.evaluation.json): Accuracy is its overall
// plate-exact rate, SingleConfusion the share of the misreads it lists
// that are one character read as one conf holds confusable, marks of
// the same length. MinutesPerAlert is the default.
func ReadModelFromEvaluation(r io.Reader, conf *vrm.ConfusionModel) (ReadModel, error) {
	var rep struct {
		Overall *struct {
			Rate float64 `json:"rate"`
		} `json:"overall"`
		Misreads []struct {
			Truth string `json:"truth"`
			Read  string `json:"read"`
		} `json:"misreads"`
	}
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return ReadModel{}, fmt.Errorf("read model from evaluation: %w", err)
	}
	if rep.Overall == nil || len(rep.Misreads) == 0 {
		return ReadModel{}, fmt.Errorf("read model from evaluation: the report has no overall rate or no misreads")
	}
	single := 0
	for _, m := range rep.Misreads {
		if oneConfusion(m.Truth, m.Read, conf) {
			single++
		}
	}
	m := ReadModel{Accuracy: rep.Overall.Rate, SingleConfusion: float64(single) / float64(len(rep.Misreads)), MinutesPerAlert: DefaultMinutesPerAlert}
	return m, m.Check()
}

// oneConfusion reports whether read differs from truth in exactly one
// character, which conf holds confusable with the true one.
func oneConfusion(truth, read string, conf *vrm.ConfusionModel) bool {
	if len(truth) != len(read) {
		return false
	}
	diff := -1
	for i := range len(truth) {
		if truth[i] != read[i] {
			if diff >= 0 {
				return false
			}
			diff = i
		}
	}
	return diff >= 0 && conf.Confusable(rune(truth[diff]), rune(read[diff]))
}
