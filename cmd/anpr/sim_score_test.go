package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A truth log of three plates, each 2 s on the screen with 1 s between.
const scoreTruth = `{"seq":0,"plate":"AB12CDE","display":"AB12 CDE","kind":"plate","condition":"clean","shown_at":"2026-11-25T09:00:00Z","hidden_at":"2026-11-25T09:00:02Z"}
{"seq":1,"plate":"XY70ABC","display":"XY70 ABC","kind":"plate","condition":"night-ir","shown_at":"2026-11-25T09:00:03Z","hidden_at":"2026-11-25T09:00:05Z"}
{"seq":2,"plate":"LM19PQR","display":"LM19 PQR","kind":"plate","condition":"clean","shown_at":"2026-11-25T09:00:06Z","hidden_at":"2026-11-25T09:00:08Z"}
`

// One exact read posted to the ingest API, one misread in a batch, a pass
// from anpr watch read by a camera whose clock is behind
// (captured in the blank gap before its plate went on), and a
// read long after the show.
const scoreReads = `{"id":"r1","camera":"bench-1","vrm":"AB12CDE","confidence":0.97,"captured":"2026-11-25T09:00:00.4Z"}
{"reads":[{"id":"r2","camera":"bench-1","vrm":"XY70A8C","confidence":0.81,"captured":"2026-11-25T09:00:03.6Z"}]}
{"camera":"bench-1","text":"LM19PQR","confidence":0.9,"first_seen":"2026-11-25T09:00:05.1Z","best_at":"2026-11-25T09:00:05.2Z"}
{"id":"r4","camera":"bench-1","vrm":"ZZ99ZZZ","confidence":0.5,"captured":"2026-11-25T09:01:00Z"}
`

func writeScoreFiles(t *testing.T, truth, reads string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	tp, rp := filepath.Join(dir, "truth.jsonl"), filepath.Join(dir, "reads.jsonl")
	if err := os.WriteFile(tp, []byte(truth), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rp, []byte(reads), 0o644); err != nil {
		t.Fatal(err)
	}
	return tp, rp
}

func TestSimScoreMarkdown(t *testing.T) {
	tp, rp := writeScoreFiles(t, scoreTruth, scoreReads)
	var out, errOut bytes.Buffer
	if code := run([]string{"sim", "score", "--truth", tp, "--reads", rp}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{
		"| items shown | 3 |", "| items read | 3 (100.0%) |", "| read exactly | 2 (66.7%, 95% CI 20.8% to 93.9%) |",
		"| misreads | 1 |", "| false reads (nothing shown) | 1 |", "| 1 | XY70ABC | XY70A8C | night-ir |", "| ZZ99ZZZ |",
		"Cameras: bench-1.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// --slack 100ms leaves the late camera's pass of item 2 reaching nothing;
// --json prints the report as JSON; --reads - reads standard input.
func TestSimScoreJSONAndSlack(t *testing.T) {
	tp, rp := writeScoreFiles(t, scoreTruth, scoreReads)
	var out bytes.Buffer
	if code := run([]string{"sim", "score", "--truth", tp, "--reads", rp, "--slack", "100ms", "--json"}, &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	var rep struct {
		Shown, Exact int
		ItemsRead    int `json:"items_read"`
		FalseReads   []struct {
			Text string
		} `json:"false_reads"`
		Missed []int
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if rep.Shown != 3 || rep.ItemsRead != 2 || rep.Exact != 1 || len(rep.FalseReads) != 2 || rep.FalseReads[0].Text != "LM19PQR" || len(rep.Missed) != 1 || rep.Missed[0] != 2 {
		t.Errorf("report %+v\n%s", rep, out.String())
	}

	cmd := newRootCommand()
	cmd.SetArgs([]string{"sim", "score", "--truth", tp, "--reads", "-"})
	cmd.SetIn(strings.NewReader(scoreReads))
	out.Reset()
	cmd.SetOut(&out)
	if err := cmd.Execute(); err != nil || !strings.Contains(out.String(), "| read exactly | 2 ") {
		t.Errorf("reads on stdin: %v\n%s", err, out.String())
	}
}

// Bad input exits 2 and says which file and line.
func TestSimScoreBadInput(t *testing.T) {
	tp, rp := writeScoreFiles(t, scoreTruth, scoreReads)
	badTruth, badReads := writeScoreFiles(t, scoreTruth+"{\"seq\":3,\"plate\":\n", scoreReads+"not json\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--truth", tp + ".missing", "--reads", rp}, "truth.jsonl.missing: no such file"},
		{[]string{"--truth", tp, "--reads", rp + ".missing"}, "reads.jsonl.missing: no such file"},
		{[]string{"--truth", badTruth, "--reads", rp}, badTruth + " line 4: not JSON"},
		{[]string{"--truth", tp, "--reads", badReads}, badReads + " line 5: not JSON"},
		{[]string{"--truth", rp, "--reads", rp}, rp + " line 1: not a truth line"},
		{[]string{"--truth", tp}, "--truth and --reads are required"},
		{[]string{"--truth", tp, "--reads", rp, "--slack", "-1s"}, "--slack -1s may not be negative"},
	} {
		var out bytes.Buffer
		code := run(append([]string{"sim", "score"}, tc.args...), &out, &out)
		if code != 2 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, out.String())
		}
	}
}
