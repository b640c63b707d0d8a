package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// tinyLoad is `anpr sim load` small enough for a test: small frames, a
// few a second, one worker, a bound any machine meets.
func tinyLoad(extra ...string) []string {
	return append([]string{"sim", "load", "--model", readerModel, "--detector-model", detectorModel,
		"--step", "1s", "--fps", "2", "--width", "640", "--height", "360", "--frames-per-pass", "3", "--gap", "2",
		"--workers", "1", "--latency-p99", "10s", "--max-drop", "0.5"}, extra...)
}

// The table: a progress line per step on standard error, then the bound,
// a markdown row per step and the result line.
func TestSimLoadPrintsATableOfSteps(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(tinyLoad("--max-cameras", "2"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	out := stdout.String()
	t.Logf("%s%s", stderr.String(), out)
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| cameras") {
			rows++
		}
	}
	if rows == 0 || rows > 2 || !strings.Contains(out, "| cameras | offered fps |") || !strings.Contains(out, "Bound: p99 latency") {
		t.Errorf("%d step rows, want 1 or 2, under a header after the bound", rows)
	}
	if !strings.Contains(out, "cameras per core") && !strings.Contains(out, "did not sustain") || !strings.Contains(out, "no read lost") {
		t.Errorf("no result line in\n%s", out)
	}
	if got := strings.Count(stderr.String(), "anpr sim load: "); got != 1+rows {
		t.Errorf("%d progress lines for %d steps", got-1, rows)
	}
}

func TestSimLoadJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(tinyLoad("--max-cameras", "1", "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	var rep struct {
		Steps []struct {
			Cameras, Offered, Processed, Dropped int
			ReadsEmitted                         int `json:"reads_emitted"`
			ReadsDelivered                       int `json:"reads_delivered"`
		} `json:"steps"`
		MostCameras    *int     `json:"most_cameras"`
		CamerasPerCore *float64 `json:"cameras_per_core"`
		Cores          int      `json:"cores"`
		Settings       struct {
			Workers int `json:"workers"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, stdout.String())
	}
	if len(rep.Steps) != 1 || rep.MostCameras == nil || rep.CamerasPerCore == nil || rep.Cores == 0 || rep.Settings.Workers != 1 {
		t.Fatalf("report %s", stdout.String())
	}
	if st := rep.Steps[0]; st.Cameras != 1 || st.Offered != st.Processed+st.Dropped || st.ReadsDelivered != st.ReadsEmitted {
		t.Errorf("step %+v", st)
	}
}

// Bad flags exit 2, naming the flag, before any frame is rendered.
func TestSimLoadRefusesBadFlags(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--fps 0", "--fps"},
		{"--max-drop 1", "--max-drop"},
		{"--step 100ms", "--step"},
		{"--latency-p99 0s", "--latency-p99"},
		{"--max-cameras 0", "--max-cameras"},
		{"--workers -1", "--workers"},
		{"--condition snow", "snow"},
		{"--date yesterday", "--date"},
		{"--fps many", "--fps"},
	} {
		var stderr bytes.Buffer
		args := append([]string{"sim", "load"}, strings.Fields(c.args)...)
		if code := run(args, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("anpr sim load %s: exit %d, %q; want 2 naming %s", c.args, code, stderr.String(), c.want)
		}
	}
}
