package display

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// Five plates, each 2 s on with 1 s blank between (item i from 3i s to
// 3i+2 s).
func fiveShown() []Shown {
	plates := []string{"AB12CDE", "XY70ABC", "LM19PQR", "GH65JKL", "N123ABC"}
	conds := []string{"clean", "clean", "night-ir", "night-ir", "clean"}
	var out []Shown
	for i, p := range plates {
		out = append(out, Shown{Seq: i, Plate: p, Kind: KindPlate, Condition: conds[i], ShownAt: at(3 * float64(i)), HiddenAt: at(3*float64(i) + 2)})
	}
	return out
}

func TestScore(t *testing.T) {
	reads := []Read{
		{Text: "AB12CDE", Captured: at(0.4), Camera: "cam-1", Confidence: 0.9},  // item 0, exact
		{Text: "XY70A8C", Captured: at(3.6), Camera: "cam-1", Confidence: 0.7},  // item 1, misread
		{Text: "LM19PQR", Captured: at(5.2), Camera: "cam-1", Confidence: 0.95}, // item 2, read 0.8 s before it was shown: the camera's clock is behind
		{Text: "LM19POR", Captured: at(6.5), Camera: "cam-1", Confidence: 0.5},  // item 2 again, less sure: a repeat
		// item 3 is missed
		{Text: "N123A8C", Captured: at(12.2), Camera: "cam-2", Confidence: 0.4}, // item 4, a misread...
		{Text: "N123ABC", Captured: at(12.5), Camera: "cam-2", Confidence: 0.8}, // ...and a more confident exact read: it counts
		{Text: "ZZ99ZZZ", Captured: at(30), Camera: "cam-2"},                    // long after the show: a false read
	}
	rep := Score(fiveShown(), reads, 2*time.Second)
	if rep.Shown != 5 || rep.Reads != 7 || rep.ItemsRead != 4 || rep.Exact != 3 || rep.RepeatReads != 2 {
		t.Errorf("shown %d reads %d items read %d exact %d repeats %d; want 5 7 4 3 2", rep.Shown, rep.Reads, rep.ItemsRead, rep.Exact, rep.RepeatReads)
	}
	if len(rep.Misreads) != 1 || rep.Misreads[0] != (Misread{Seq: 1, Truth: "XY70ABC", Read: "XY70A8C", Condition: "clean", Captured: at(3.6), Camera: "cam-1"}) {
		t.Errorf("misreads %+v", rep.Misreads)
	}
	if len(rep.FalseReads) != 1 || rep.FalseReads[0].Text != "ZZ99ZZZ" {
		t.Errorf("false reads %+v", rep.FalseReads)
	}
	if len(rep.Missed) != 1 || rep.Missed[0] != 3 {
		t.Errorf("missed %v", rep.Missed)
	}
	if rep.ExactRate != 0.6 || math.Abs(rep.ExactInterval.Low-0.2307) > 1e-3 || math.Abs(rep.ExactInterval.High-0.8824) > 1e-3 {
		t.Errorf("exact %g, interval %+v; want 0.6 (0.231 to 0.882)", rep.ExactRate, rep.ExactInterval)
	}
	// First reads: 0.4, 0.6, -0.8, 0.2 s after each item went on.
	if rep.Latency.N != 4 || math.Abs(rep.Latency.P50-0.3) > 1e-9 || math.Abs(rep.Latency.P95-0.57) > 1e-9 || rep.Latency.Max != 0.6 {
		t.Errorf("latency %+v; want p50 0.3 s, p95 0.57 s, max 0.6 s", rep.Latency)
	}
	if len(rep.ByCondition) != 2 || rep.ByCondition[0] != (ConditionScore{"clean", 3, 3, 2, 2.0 / 3, Wilson(2, 3)}) ||
		rep.ByCondition[1].Condition != "night-ir" || rep.ByCondition[1].Exact != 1 || rep.ByCondition[1].Read != 1 {
		t.Errorf("by condition %+v", rep.ByCondition)
	}
	if strings.Join(rep.Cameras, ",") != "cam-1,cam-2" {
		t.Errorf("cameras %v", rep.Cameras)
	}

	// Without slack the read made before item 2 was shown matches nothing
	// shown; its repeat becomes item 2's read, a misread.
	strict := Score(fiveShown(), reads, 0)
	if len(strict.FalseReads) != 2 || strict.FalseReads[0].Text != "LM19PQR" || strict.Exact != 2 || len(strict.Misreads) != 2 {
		t.Errorf("no slack: false reads %+v, exact %d, misreads %+v", strict.FalseReads, strict.Exact, strict.Misreads)
	}
}

// Where slack lets a read reach two items, it goes to the one whose plate
// it is nearest, then to the one nearest in time.
func TestScoreJoinsToTheNearestPlate(t *testing.T) {
	reads := []Read{
		{Text: "XY70ABC", Captured: at(2.4)}, // in the gap after item 0: item 1's plate, early
		{Text: "QQ11QQQ", Captured: at(2.2)}, // like neither: nearer item 0 in time
		{Text: "LM19PQR", Captured: at(5.9)}, // near the start of item 2
	}
	rep := Score(fiveShown(), reads, 1500*time.Millisecond)
	if rep.Exact != 2 || len(rep.Misreads) != 1 || rep.Misreads[0].Seq != 0 || len(rep.FalseReads) != 0 {
		t.Errorf("exact %d, misreads %+v, false %+v", rep.Exact, rep.Misreads, rep.FalseReads)
	}
}

// Known values of the Wilson interval.
func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n      int
		low, high float64
	}{{2, 4, 0.1500, 0.8500}, {0, 10, 0, 0.2775}, {10, 10, 0.7225, 1}, {85, 100, 0.7672, 0.9069}} {
		got := Wilson(tc.k, tc.n)
		if math.Abs(got.Low-tc.low) > 1e-4 || math.Abs(got.High-tc.high) > 1e-4 {
			t.Errorf("Wilson(%d, %d) = %+v, want %.4f to %.4f", tc.k, tc.n, got, tc.low, tc.high)
		}
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := Score(fiveShown(), []Read{{Text: "AB12CDE", Captured: at(0.5)}, {Text: "XY70A8C", Captured: at(3.5)}, {Text: "ZZ99ZZZ", Captured: at(40)}}, time.Second)
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b, "truth.jsonl", "reads.jsonl"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| items shown | 5 |", "| read exactly | 1 (20.0%, 95% CI 3.6% to 62.4%) |", "| false reads (nothing shown) | 1 |",
		"| 1 | XY70ABC | XY70A8C | clean |", "| ZZ99ZZZ |", "## By condition", "| night-ir | 2 | 0 | 0 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}
}
