// Package harness runs the engine on what the simulator renders and scores
// what it says against the truth: scenario runs (Run), the load test
// (Load), evaluations of the reader and the recogniser, and live replays of
// a scenario's cameras for the demo (OpenReplay).
package harness

import "anpr/internal/stats"

// Interval is a 95% confidence interval for a proportion.
type Interval = stats.Interval

// wilson is the Wilson score interval at 95% (stats.Wilson).
func wilson(k, n int) Interval { return stats.Wilson(k, n) }
