package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CI's scenario, through the very path of `anpr sim run`: the run must
// meet every expectation ci-smoke sets, and leave its report.
func TestSimRunCISmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and recognises a few hundred frames")
	}
	dir := t.TempDir()
	var stderr bytes.Buffer
	code := run([]string{"sim", "run", filepath.Join("..", "..", "scenarios", "ci-smoke.yaml"), "--report", dir}, &bytes.Buffer{}, &stderr)
	if code != 0 {
		t.Fatalf("anpr sim run scenarios/ci-smoke.yaml exited %d:\n%s", code, tail(stderr.String(), 3000))
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Failed    []string `json:"failed"`
		Rendering struct {
			Frames int `json:"frames"`
		} `json:"rendering"`
		Accuracy struct {
			Reads int `json:"reads"`
		} `json:"accuracy"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 0 || rep.Accuracy.Reads == 0 || rep.Rendering.Frames > 400 {
		t.Errorf("report: failed %v, %d passes scored, %d frames", rep.Failed, rep.Accuracy.Reads, rep.Rendering.Frames)
	}
	for _, f := range []string{"report.html", "passages.jsonl", "frames.jsonl"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	t.Logf("%s", tail(stderr.String(), 1500))
}

// A bad scenario exits 2 before anything runs, naming file, line and
// problem.
func TestSimRunRefusesABadScenario(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nseed: 1\nstart: 2026-03-03 09:00\nduration: 5m\ncamreas: []\n"), 0o644)
	var stderr bytes.Buffer
	if code := run([]string{"sim", "run", bad, "--report", filepath.Join(dir, "out")}, &bytes.Buffer{}, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "bad.yaml:5:1") || !strings.Contains(msg, `unknown field "camreas"`) {
		t.Errorf("message %q does not name the line and problem", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a refused scenario left a report directory")
	}
	if code := run([]string{"sim", "run", filepath.Join(dir, "none.yaml"), "--report", dir}, &bytes.Buffer{}, &stderr); code != 2 {
		t.Errorf("a missing scenario exited %d, want 2", code)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
