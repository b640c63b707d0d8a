// Package harness runs the engine on what the simulator renders and scores
// what it says against the truth: scenario runs (Run), the load test
// (Load), evaluations of the reader and the recogniser, and live replays of
// a scenario's cameras for the demo (OpenReplay).
package harness

import "math"

// Interval is a 95% confidence interval for a proportion.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// wilson is the Wilson score interval for k successes in n trials at 95%:
// unlike the normal approximation it stays inside [0, 1] and behaves near
// 0% and 100%, where a good reader's accuracy sits.
func wilson(k, n int) Interval {
	if n == 0 {
		return Interval{0, 1}
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nf := float64(n)
	centre := (p + z*z/(2*nf)) / (1 + z*z/nf)
	half := z / (1 + z*z/nf) * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return Interval{math.Max(0, centre-half), math.Min(1, centre+half)}
}
