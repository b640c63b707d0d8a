package display

import (
	"anpr/internal/stats"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Report is how a camera's reads compare with what the screen showed.
type Report struct {
	Shown     int     `json:"shown"`      // items shown
	Reads     int     `json:"reads"`      // reads given
	ItemsRead int     `json:"items_read"` // items with at least one read
	ReadRate  float64 `json:"read_rate"`
	Exact     int     `json:"exact"` // items whose read is exactly the plate shown
	ExactRate float64 `json:"exact_rate"`
	// ExactInterval is the 95% Wilson interval of ExactRate.
	ExactInterval Interval  `json:"exact_interval"`
	Missed        []int     `json:"missed"`      // items shown and never read
	Misreads      []Misread `json:"misreads"`    // items read, wrongly
	FalseReads    []Read    `json:"false_reads"` // reads made when nothing that was shown could be meant
	// RepeatReads are reads of an item beyond its first.
	RepeatReads int              `json:"repeat_reads"`
	Latency     Latency          `json:"latency"`
	ByCondition []ConditionScore `json:"by_condition"`
	SlackS      float64          `json:"slack_s"`
	Cameras     []string         `json:"cameras"`
}

// Interval is a 95% confidence interval for a proportion.
type Interval = stats.Interval

// Misread is an item whose read was not the plate shown.
type Misread struct {
	Seq       int       `json:"seq"`
	Truth     string    `json:"truth"`
	Read      string    `json:"read"`
	Condition string    `json:"condition"`
	Captured  time.Time `json:"captured"`
	Camera    string    `json:"camera,omitempty"`
}

// Latency is how long after an item went on the screen its first read was
// captured, in seconds, over the items read. It includes any offset
// between the camera's clock and the display's.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_s"`
	P95 float64 `json:"p95_s"`
	Max float64 `json:"max_s"`
}

// ConditionScore is the score of the items shown under one condition.
type ConditionScore struct {
	Condition string   `json:"condition"`
	Shown     int      `json:"shown"`
	Read      int      `json:"read"`
	Exact     int      `json:"exact"`
	ExactRate float64  `json:"exact_rate"`
	Interval  Interval `json:"exact_interval"`
}

// Score joins each read to the item on the screen when it was captured,
// give or take slack (for the offset between the camera's clock and the
// display's, and the camera's own latency), and scores the reads.
//
// Where slack lets a read reach more than one item, it goes to the one
// whose plate it is nearest (fewest characters changed), then to the one
// nearest in time; a read that reaches none is a false read. An item's
// read is its most confident joined read (the earliest among equals), as
// a camera reporting several reads of one plate would be believed; the
// others count as repeat reads.
func Score(truth []Shown, reads []Read, slack time.Duration) Report {
	truth = slices.Clone(truth)
	slices.SortStableFunc(truth, func(a, b Shown) int { return a.ShownAt.Compare(b.ShownAt) })
	reads = slices.Clone(reads)
	slices.SortStableFunc(reads, func(a, b Read) int { return a.Captured.Compare(b.Captured) })

	rep := Report{Shown: len(truth), Reads: len(reads), SlackS: slack.Seconds(),
		Missed: []int{}, Misreads: []Misread{}, FalseReads: []Read{}, Cameras: []string{}}
	joined := make([][]Read, len(truth))
	var longest time.Duration // the longest an item was shown: how far back a read's items may start
	for _, s := range truth {
		longest = max(longest, s.HiddenAt.Sub(s.ShownAt))
	}
	startsBy := func(t time.Time) int { // the first item shown after t
		i, _ := slices.BinarySearchFunc(truth, t, func(s Shown, t time.Time) int {
			if s.ShownAt.After(t) {
				return 1
			}
			return -1
		})
		return i
	}
	for _, r := range reads {
		if r.Camera != "" && !slices.Contains(rep.Cameras, r.Camera) {
			rep.Cameras = append(rep.Cameras, r.Camera)
		}
		best, bestEdits, bestGap := -1, 0, time.Duration(0)
		lo, hi := startsBy(r.Captured.Add(-slack-longest-1)), startsBy(r.Captured.Add(slack))
		for i := lo; i < hi; i++ {
			s := truth[i]
			if r.Captured.Before(s.ShownAt.Add(-slack)) || r.Captured.After(s.HiddenAt.Add(slack)) {
				continue
			}
			edits, gap := stats.EditDistance(r.Text, s.Plate), timeGap(r.Captured, s)
			if best < 0 || edits < bestEdits || edits == bestEdits && gap < bestGap {
				best, bestEdits, bestGap = i, edits, gap
			}
		}
		if best < 0 {
			rep.FalseReads = append(rep.FalseReads, r)
			continue
		}
		joined[best] = append(joined[best], r)
	}
	slices.Sort(rep.Cameras)

	byCond := map[string]*ConditionScore{}
	var latencies []float64
	for i, s := range truth {
		cs := byCond[s.Condition]
		if cs == nil {
			cs = &ConditionScore{Condition: s.Condition}
			byCond[s.Condition] = cs
		}
		cs.Shown++
		rs := joined[i]
		if len(rs) == 0 {
			rep.Missed = append(rep.Missed, s.Seq)
			continue
		}
		rep.ItemsRead++
		cs.Read++
		rep.RepeatReads += len(rs) - 1
		latencies = append(latencies, rs[0].Captured.Sub(s.ShownAt).Seconds()) // reads are in capture order
		chosen := rs[0]
		for _, r := range rs[1:] {
			if r.Confidence > chosen.Confidence {
				chosen = r
			}
		}
		if chosen.Text == s.Plate {
			rep.Exact++
			cs.Exact++
			continue
		}
		rep.Misreads = append(rep.Misreads, Misread{Seq: s.Seq, Truth: s.Plate, Read: chosen.Text,
			Condition: s.Condition, Captured: chosen.Captured, Camera: chosen.Camera})
	}
	rep.ReadRate, rep.ExactRate = ratio(rep.ItemsRead, rep.Shown), ratio(rep.Exact, rep.Shown)
	rep.ExactInterval = Wilson(rep.Exact, rep.Shown)
	for _, cs := range byCond {
		cs.ExactRate, cs.Interval = ratio(cs.Exact, cs.Shown), Wilson(cs.Exact, cs.Shown)
		rep.ByCondition = append(rep.ByCondition, *cs)
	}
	slices.SortFunc(rep.ByCondition, func(a, b ConditionScore) int { return cmp.Compare(a.Condition, b.Condition) })
	if rep.ByCondition == nil {
		rep.ByCondition = []ConditionScore{}
	}
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		rep.Latency = Latency{N: n, P50: round(percentile(latencies, 0.5), 3), P95: round(percentile(latencies, 0.95), 3),
			Max: round(latencies[n-1], 3)}
	}
	return rep
}

// timeGap is how far t lies outside the time s was on the screen.
func timeGap(t time.Time, s Shown) time.Duration {
	switch {
	case t.Before(s.ShownAt):
		return s.ShownAt.Sub(t)
	case t.After(s.HiddenAt):
		return t.Sub(s.HiddenAt)
	}
	return 0
}

func ratio(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// Wilson is the Wilson score interval for k successes in n trials at 95%
// (stats.Wilson, as sim/harness computes it).
func Wilson(k, n int) Interval { return stats.Wilson(k, n) }

// percentile interpolates linearly between the sorted values.
func percentile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (sorted[i+1]-sorted[i])*(pos-float64(i))
}

// WriteMarkdown writes the report as a markdown summary; truthName and
// readsName say what was scored.
func (r Report) WriteMarkdown(w io.Writer, truthName, readsName string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Camera score: %s against %s\n\n", readsName, truthName)
	cams := "none named"
	if len(r.Cameras) > 0 {
		cams = strings.Join(r.Cameras, ", ")
	}
	fmt.Fprintf(&b, "Reads joined to the item on the screen at their capture time, give or take %gs. Cameras: %s.\n\n", r.SlackS, cams)
	b.WriteString("| measure | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| items shown | %d |\n", r.Shown)
	fmt.Fprintf(&b, "| items read | %d (%s) |\n", r.ItemsRead, pct(r.ReadRate))
	fmt.Fprintf(&b, "| read exactly | %d (%s, 95%% CI %s to %s) |\n", r.Exact, pct(r.ExactRate), pct(r.ExactInterval.Low), pct(r.ExactInterval.High))
	fmt.Fprintf(&b, "| misreads | %d |\n", len(r.Misreads))
	fmt.Fprintf(&b, "| missed (never read) | %d |\n", len(r.Missed))
	fmt.Fprintf(&b, "| false reads (nothing shown) | %d |\n", len(r.FalseReads))
	fmt.Fprintf(&b, "| repeat reads of an item | %d |\n", r.RepeatReads)
	fmt.Fprintf(&b, "| reads given | %d |\n", r.Reads)
	if r.Latency.N > 0 {
		fmt.Fprintf(&b, "| latency, shown to first capture | p50 %.3f s, p95 %.3f s, max %.3f s |\n", r.Latency.P50, r.Latency.P95, r.Latency.Max)
	} else {
		b.WriteString("| latency, shown to first capture | no reads |\n")
	}
	if len(r.ByCondition) > 1 {
		b.WriteString("\n## By condition\n\n| condition | shown | read | exact | exact rate (95% CI) |\n|---|---:|---:|---:|---|\n")
		for _, c := range r.ByCondition {
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %s (%s to %s) |\n", c.Condition, c.Shown, c.Read, c.Exact, pct(c.ExactRate), pct(c.Interval.Low), pct(c.Interval.High))
		}
	}
	if len(r.Misreads) > 0 {
		b.WriteString("\n## Misreads\n\n| item | shown | read | condition | captured | camera |\n|---:|---|---|---|---|---|\n")
		for _, m := range r.Misreads {
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |\n", m.Seq, m.Truth, m.Read, m.Condition, m.Captured.Format(time.RFC3339Nano), m.Camera)
		}
	}
	if len(r.FalseReads) > 0 {
		b.WriteString("\n## False reads\n\n| read | captured | camera | line |\n|---|---|---|---:|\n")
		for _, f := range r.FalseReads {
			fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", f.Text, f.Captured.Format(time.RFC3339Nano), f.Camera, f.Line)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
