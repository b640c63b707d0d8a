package planner

import (
	"fmt"
	"math"
	"strconv"

	"anpr/sim/siting"
)

// KeyMeasure is a network measure the panel and the records lead with.
type KeyMeasure struct {
	Key   string
	Label string
	// Better is +1 where more is better, -1 where less is, 0 where it is
	// a cost to be weighed (alerts are work as well as results).
	Better int
}

// KeyMeasures returns the measures shown first: target capture, intrusion,
// alerts and proportionality.
func KeyMeasures() []KeyMeasure {
	return []KeyMeasure{
		{"capture.all.one", "Target trips seen, ≥1 camera", +1},
		{"capture.all.two", "Target trips seen, ≥2 cameras", +1},
		{"capture.target_vehicles_per_day", "Targets seen a day", +1},
		{"intrusion.innocent_vehicles_per_day", "Innocent vehicles a day", -1},
		{"intrusion.innocent_share", "  share of those on the road", -1},
		{"alerts.total_per_day", "Alerts a day", 0},
		{"alerts.true_per_day", "  true alerts", +1},
		{"alerts.false_per_day", "  false alerts", -1},
		{"alerts.operator_hours_per_day", "Operator hours a day", 0},
		{"proportionality.targets_per_1000_innocent", "Targets per 1,000 innocent", +1},
	}
}

// findDiff returns the comparison's measure with key.
func findDiff(c *siting.Comparison, key string) (siting.MeasureDiff, bool) {
	for _, m := range c.Measures {
		if m.Key == key {
			return m, true
		}
	}
	return siting.MeasureDiff{}, false
}

// FormatValue writes a figure for people: shares as percentages, counts
// with thousands separators.
func FormatValue(e siting.Estimate, u siting.Unit) string {
	if e.N == 0 || math.IsNaN(e.Mean) {
		return "–"
	}
	return formatNumber(e.Mean, u, false)
}

// FormatInterval writes the figure with its 95% interval, where there is
// one.
func FormatInterval(e siting.Estimate, u siting.Unit) string {
	s := FormatValue(e, u)
	if e.N > 0 && e.HasInterval() && !math.IsNaN(e.Low) {
		s += " (" + formatNumber(e.Low, u, false) + " to " + formatNumber(e.High, u, false) + ")"
	}
	return s
}

// FormatChange writes a difference with its sign: shares in percentage
// points.
func FormatChange(e siting.Estimate, u siting.Unit) string {
	if e.N == 0 || math.IsNaN(e.Mean) {
		return "–"
	}
	return formatNumber(e.Mean, u, true)
}

// FormatChangeInterval writes a difference with its 95% interval.
func FormatChangeInterval(e siting.Estimate, u siting.Unit) string {
	s := FormatChange(e, u)
	if e.N > 0 && e.HasInterval() && !math.IsNaN(e.Low) {
		s += " (" + formatNumber(e.Low, u, true) + " to " + formatNumber(e.High, u, true) + ")"
	}
	return s
}

func formatNumber(v float64, u siting.Unit, signed bool) string {
	sign := ""
	if signed && v > 0 {
		sign = "+"
	}
	if signed && v == 0 {
		return "0"
	}
	switch {
	case u == siting.Share && signed:
		return sign + strconv.FormatFloat(100*v, 'f', 1, 64) + " pts"
	case u == siting.Share:
		return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
	case math.Abs(v) >= 100:
		return sign + siting.Thousands(math.Round(v))
	case math.Abs(v) >= 10 || v == 0:
		return sign + strconv.FormatFloat(v, 'f', 1, 64)
	}
	return sign + strconv.FormatFloat(v, 'f', 2, 64)
}

// Verdict says how a change in a measure reads: +1 better, -1 worse, 0
// neither or not clear (its interval, where there is one, holds 0).
func Verdict(d siting.MeasureDiff, better int) int {
	e := d.Difference
	if better == 0 || e.N == 0 || math.IsNaN(e.Mean) || e.Mean == 0 {
		return 0
	}
	if e.HasInterval() && e.Low <= 0 && e.High >= 0 {
		return 0
	}
	if (e.Mean > 0) == (better > 0) {
		return 1
	}
	return -1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%s %s", siting.Thousands(float64(n)), many)
}
