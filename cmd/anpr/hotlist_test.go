package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anpr/engine/hotlist"
)

// anpr hotlist check on the committed sample list, as the README runs it:
// exact and confusion hits with their evidence, expired entries silent.
func TestHotlistCheck(t *testing.T) {
	sample := filepath.Join("..", "..", "fixtures", "hotlists", "sample.csv")
	var out bytes.Buffer
	code := run([]string{"hotlist", "check", "--list", sample, "--at", "2026-11-30", "AB12CDE", "A8I2 CDE", "W606KCB", "XX11XXX"}, &out, io.Discard)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var lines []hotlistLine
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var hl hotlistLine
		if err := json.Unmarshal([]byte(l), &hl); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, hl)
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	// AB12CDE is listed as stolen, and is one 8/B confusion from a
	// firearms entry: both hit, the stronger evidence first.
	if h := lines[0].Hits; len(h) != 2 || h[0].VRM != "AB12CDE" || h[0].Kind != hotlist.Exact || h[1].VRM != "A812CDE" || h[1].Kind != hotlist.Confusion {
		t.Errorf("AB12CDE: %+v", lines[0].Explain)
	}
	if h := lines[1].Hits; lines[1].Read != "A8I2CDE" || len(h) != 1 || h[0].VRM != "A812CDE" || len(h[0].Evidence) != 1 {
		t.Errorf("A8I2 CDE: %+v", lines[1])
	}
	if len(lines[2].Hits) != 0 {
		t.Errorf("W606KCB expired on 2026-11-01 but hit: %+v", lines[2].Explain)
	}
	if len(lines[3].Hits) != 0 {
		t.Errorf("XX11XXX is on no list but hit: %+v", lines[3].Explain)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("vrm,list,marker,priority\nAB12CDE,PNC,stolen,2\n!!,PNC,stolen,2\nXX,nowhere,stolen,2\nYY11YYY,PNC,speeding,2\n"), 0o644)
	var stderr bytes.Buffer
	if code := run([]string{"hotlist", "check", "--list", bad, "AB12CDE"}, io.Discard, &stderr); code != 2 {
		t.Errorf("mostly bad list: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "bad.csv") || !strings.Contains(stderr.String(), `"line":3`) {
		t.Errorf("refusal does not name the file and lines: %s", stderr.String())
	}
}
