package display_test

import (
	"fmt"
	"strings"
	"time"

	"anpr/sim/display"
)

// A camera's reads, as it posted them to the ingest API, scored against
// the truth log of what the screen showed.
func ExampleScore() {
	truth, _ := display.ReadTruth(strings.NewReader(`
{"seq":0,"plate":"AB12CDE","condition":"clean","shown_at":"2026-11-25T09:00:00Z","hidden_at":"2026-11-25T09:00:02Z"}
{"seq":1,"plate":"XY70ABC","condition":"clean","shown_at":"2026-11-25T09:00:03Z","hidden_at":"2026-11-25T09:00:05Z"}
{"seq":2,"plate":"LM19PQR","condition":"clean","shown_at":"2026-11-25T09:00:06Z","hidden_at":"2026-11-25T09:00:08Z"}`), "truth.jsonl")
	reads, _ := display.ReadReads(strings.NewReader(`
{"id":"r1","camera":"cam-1","vrm":"AB12CDE","confidence":0.97,"captured":"2026-11-25T09:00:00.4Z"}
{"id":"r2","camera":"cam-1","vrm":"XY70A8C","confidence":0.81,"captured":"2026-11-25T09:00:03.5Z"}`), "reads.jsonl")
	rep := display.Score(truth, reads, 2*time.Second)
	fmt.Printf("shown %d, read %d, exact %d (%.0f%%, 95%% CI %.0f%% to %.0f%%)\n", rep.Shown, rep.ItemsRead, rep.Exact,
		100*rep.ExactRate, 100*rep.ExactInterval.Low, 100*rep.ExactInterval.High)
	for _, m := range rep.Misreads {
		fmt.Printf("item %d: showed %s, read %s\n", m.Seq, m.Truth, m.Read)
	}
	fmt.Println("missed:", rep.Missed, "latency p50:", rep.Latency.P50, "s")
	// Output:
	// shown 3, read 2, exact 1 (33%, 95% CI 6% to 79%)
	// item 1: showed XY70ABC, read XY70A8C
	// missed: [2] latency p50: 0.45 s
}
