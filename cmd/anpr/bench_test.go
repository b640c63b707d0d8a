package main

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// The benchmarks print their figures as one JSON object with --json; here
// on a small list and few reads, checking the figures are there and sane,
// never how fast they are.
func TestBenchMatchJSON(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"bench", "match", "--entries", "20000", "--reads", "20000", "--json"}, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Entries     int     `json:"entries"`
		Reads       int     `json:"reads"`
		ReadsPerS   float64 `json:"reads_per_s"`
		P99NS       float64 `json:"p99_ns"`
		BytesPerEnt float64 `json:"list_bytes_per_entry"`
		ListedReads int     `json:"listed_reads"`
		ListedHit   int     `json:"listed_hit"`
		ConfusedHit int     `json:"confused_hit"`
		ReloadS     float64 `json:"reload_s"`
		ReloadReads int     `json:"reload_reads"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	if got.Entries != 20000 || got.Reads != 20000 || got.ReadsPerS <= 0 || got.P99NS <= 0 || got.BytesPerEnt <= 0 || got.ReloadS <= 0 {
		t.Errorf("figures missing: %+v", got)
	}
	// Listed marks, as read and with one character confused, must hit
	// (those whose entries have expired aside).
	if got.ListedHit == 0 || got.ConfusedHit == 0 || got.ListedHit > got.ListedReads {
		t.Errorf("hits: %+v", got)
	}
	if code := run([]string{"bench", "match", "--entries", "0"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--entries 0 exited %d, want 2", code)
	}
}
