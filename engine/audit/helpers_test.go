package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// stepClock starts at start and moves on a second at every call.
func stepClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	next := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := next
		next = next.Add(time.Second)
		return t
	}
}

// sample is the i'th (from 0) entry of a test log: three users taking turns
// over a few actions.
func sample(i int) Entry {
	actors := []string{"pc1234", "pc5678", "sgt0042"}
	actions := []Action{ActionSearch, ActionViewRead, ActionViewImage, ActionAlertDecision, ActionExport}
	return Entry{
		Actor:   actors[i%len(actors)],
		Role:    "operator",
		Action:  actions[i%len(actions)],
		Target:  "vrm=AB12CDE",
		Outcome: OutcomeAllowed,
		Detail:  map[string]string{"justification": "stolen vehicle report", "incident": "INC-2026-0301-17"},
	}
}

// newLog writes a log of n sample entries and closes it.
func newLog(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "audit.jsonl")
	appendSamples(t, path, testKey, t0, 0, n)
	return path
}

func appendSamples(t testing.TB, path string, key []byte, start time.Time, from, n int) {
	t.Helper()
	l, err := Open(path, key, stepClock(start))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := from; i < from+n; i++ {
		if _, err := l.Append(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// fileLines returns the file's lines, each with its newline.
func fileLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte("\n"))[:bytes.Count(b, []byte("\n"))]
}

func writeLines(t testing.TB, path string, lines [][]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}
