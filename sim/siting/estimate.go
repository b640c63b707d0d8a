package siting

import (
	"encoding/json"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a measure's mean over seeds with its 95% interval: the
// Student t interval for the mean of the per-seed values. Each seed is a
// different simulated day (fleet, vehicles of interest, trips), so the
// interval says how much the figure moves from one day's traffic to
// another's, not how wrong the traffic model may be. With one seed there
// is no interval and Low and High are the mean.
type Estimate struct {
	Mean, Low, High float64
	// N is the number of seeds the measure is defined for (a share of no
	// trips is not).
	N int
}

// HasInterval reports whether there is an interval: two seeds or more.
func (e Estimate) HasInterval() bool { return e.N >= 2 }

// MarshalJSON writes {"mean", "low", "high", "seeds"}, without low and
// high when there is no interval, and null for a measure no seed defines.
func (e Estimate) MarshalJSON() ([]byte, error) {
	if e.N == 0 {
		return []byte("null"), nil
	}
	type withInterval struct {
		Mean  float64 `json:"mean"`
		Low   float64 `json:"low"`
		High  float64 `json:"high"`
		Seeds int     `json:"seeds"`
	}
	type plain struct {
		Mean  float64 `json:"mean"`
		Seeds int     `json:"seeds"`
	}
	if !e.HasInterval() {
		return json.Marshal(plain{round(e.Mean), e.N})
	}
	return json.Marshal(withInterval{round(e.Mean), round(e.Low), round(e.High), e.N})
}

// round keeps six significant figures, which is more than any measure
// here is good for and keeps the JSON readable.
func round(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	k := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*k) / k
}

// bounds say what values a measure can take, for clamping its interval:
// a count cannot be negative nor a share above 1, however few the seeds.
type bounds int

const (
	unbounded bounds = iota // differences
	nonNegative
	unitRange
)

func boundsOf(u Unit) bounds {
	if u == Share {
		return unitRange
	}
	return nonNegative
}

// estimate summarises per-seed values, ignoring NaN (a measure a seed
// leaves undefined), keeping the interval within b.
func estimate(xs []float64, b bounds) Estimate {
	var vals []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	e := Estimate{N: len(vals)}
	switch len(vals) {
	case 0:
		return e
	case 1:
		e.Mean, e.Low, e.High = vals[0], vals[0], vals[0]
		return e
	}
	mean, sd := stat.MeanStdDev(vals, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(vals) - 1)}.Quantile(0.975)
	half := t * sd / math.Sqrt(float64(len(vals)))
	e.Mean, e.Low, e.High = mean, mean-half, mean+half
	if b != unbounded {
		e.Low = max(e.Low, 0)
	}
	if b == unitRange {
		e.High = min(e.High, 1)
	}
	return e
}

// Unit is what a measure counts.
type Unit string

const (
	Share  Unit = "share"   // 0 to 1
	PerDay Unit = "per day" // a count a day
	Ratio  Unit = "ratio"
	Hours  Unit = "hours a day"
)

// Measure is one named figure with its estimate over seeds.
type Measure struct {
	// Key is stable, for programs: "capture.all.one".
	Key string
	// Label says what it is, for people.
	Label string
	Unit  Unit
	Estimate
	perSeed []float64
}

// MarshalJSON writes the measure flat: key, label, unit, mean, low, high,
// seeds.
func (m Measure) MarshalJSON() ([]byte, error) {
	est, err := m.Estimate.MarshalJSON()
	if err != nil {
		return nil, err
	}
	head, err := json.Marshal(struct {
		Key   string `json:"key"`
		Label string `json:"label"`
		Unit  Unit   `json:"unit"`
	}{m.Key, m.Label, m.Unit})
	if err != nil {
		return nil, err
	}
	if string(est) == "null" {
		return append(head[:len(head)-1], []byte(`,"mean":null}`)...), nil
	}
	// Join {"key":...} and {"mean":...} into one object.
	return append(append(head[:len(head)-1], ','), est[1:]...), nil
}

// measureSet collects per-seed values of measures in the order they are
// first given.
type measureSet struct {
	order []string
	byKey map[string]*Measure
	seeds int
}

func newMeasureSet(seeds int) *measureSet {
	return &measureSet{byKey: map[string]*Measure{}, seeds: seeds}
}

// set records seed's value of a measure.
func (s *measureSet) set(seed int, key, label string, unit Unit, v float64) {
	m, ok := s.byKey[key]
	if !ok {
		m = &Measure{Key: key, Label: label, Unit: unit, perSeed: make([]float64, s.seeds)}
		for i := range m.perSeed {
			m.perSeed[i] = math.NaN()
		}
		s.byKey[key] = m
		s.order = append(s.order, key)
	}
	m.perSeed[seed] = v
}

func (s *measureSet) measures() []Measure {
	out := make([]Measure, 0, len(s.order))
	for _, k := range s.order {
		m := s.byKey[k]
		m.Estimate = estimate(m.perSeed, boundsOf(m.Unit))
		out = append(out, *m)
	}
	return out
}

// ratio is a/b, NaN when b is 0: a measure the seed leaves undefined.
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
