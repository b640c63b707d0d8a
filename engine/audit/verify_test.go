package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rewrite changes line n (from 1) of the log through its decoded entry and,
// when key is not nil, signs the result with key as a forger would.
func rewrite(t *testing.T, path string, n int, change func(*Entry), key []byte) {
	lines := fileLines(t, path)
	var e Entry
	if err := json.Unmarshal(lines[n-1], &e); err != nil {
		t.Fatal(err)
	}
	change(&e)
	if key != nil {
		e.Hash = entryHash(key, &e)
	}
	b, err := json.Marshal(&e)
	if err != nil {
		t.Fatal(err)
	}
	lines[n-1] = append(b, '\n')
	writeLines(t, path, lines)
}

type wantProblem struct {
	line int
	seq  uint64
	kind Kind
	says string
}

// Every way of tampering with a ten-entry log is found and named at the
// right line and entry, and nothing else is reported with it.
func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, path string)
		want   []wantProblem
	}{
		{"field edited in the middle", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[4] = bytes.Replace(lines[4], []byte(`"target":"vrm=AB12CDE"`), []byte(`"target":"vrm=XY99ZZZ"`), 1)
			writeLines(t, path, lines)
		}, []wantProblem{{5, 5, KindAltered, "entry 5 (line 5) altered"}}},

		{"field edited, hash recomputed with the wrong key", func(t *testing.T, path string) {
			rewrite(t, path, 5, func(e *Entry) { e.Actor = "someone-else" }, []byte("a guess at the key, 16+ bytes"))
		}, []wantProblem{{5, 5, KindAltered, "entry 5 (line 5) altered: its hash does not match its contents under this key; its stored hash was replaced too (entry 6, line 6"}}},

		{"last entry edited, hash recomputed with the wrong key", func(t *testing.T, path string) {
			rewrite(t, path, 10, func(e *Entry) { e.Outcome = OutcomeDenied }, []byte("a guess at the key, 16+ bytes"))
		}, []wantProblem{{10, 10, KindAltered, "entry 10 (line 10) altered: its hash does not match its contents under this key; its stored hash was replaced too (the head file"}}},

		{"middle line deleted", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			writeLines(t, path, append(lines[:4:4], lines[5:]...))
		}, []wantProblem{{5, 5, KindMissing, "entry 5 missing between lines 4 and 5"}}},

		{"three middle lines deleted", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			writeLines(t, path, append(lines[:3:3], lines[6:]...))
		}, []wantProblem{{4, 4, KindMissing, "entries 4 to 6 missing between lines 3 and 4"}}},

		{"first line deleted", func(t *testing.T, path string) {
			writeLines(t, path, fileLines(t, path)[1:])
		}, []wantProblem{{1, 1, KindMissing, "entry 1 missing before line 1"}}},

		{"two lines swapped", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[3], lines[6] = lines[6], lines[3]
			writeLines(t, path, lines)
		}, []wantProblem{
			{4, 7, KindOutOfOrder, "entry 7 (line 4) out of order: it belongs after entry 6 (line 6)"},
			{7, 4, KindOutOfOrder, "entry 4 (line 7) out of order: it belongs after entry 3 (line 3)"},
		}},

		{"neighbouring lines swapped", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[4], lines[5] = lines[5], lines[4]
			writeLines(t, path, lines)
		}, []wantProblem{{5, 6, KindOutOfOrder, "entry 6 (line 5) out of order: it belongs after entry 5 (line 6)"}}},

		{"line copied", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			writeLines(t, path, append(lines[:8:8], append([][]byte{lines[2]}, lines[8:]...)...))
		}, []wantProblem{{9, 3, KindDuplicate, "entry 3 (line 9) repeats the entry at line 3"}}},

		{"last 3 lines cut off", func(t *testing.T, path string) {
			writeLines(t, path, fileLines(t, path)[:7])
		}, []wantProblem{{7, 8, KindTruncated, "the log ends at entry 7 (line 7) but its head file records 10 entries: entries 8 to 10 were cut off the end"}}},

		{"every line cut off", func(t *testing.T, path string) {
			writeLines(t, path, nil)
		}, []wantProblem{{0, 1, KindTruncated, "the log has no entries but its head file records 10"}}},

		{"garbage appended", func(t *testing.T, path string) {
			writeLines(t, path, append(fileLines(t, path), []byte("{\"seq\": 11, \"note\": \"nothing to see\"}\n")))
		}, []wantProblem{{11, 0, KindBadJSON, `line 11 is not a valid audit entry: json: unknown field "note"`}}},

		{"key given twice, the reader's copy edited", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[5] = bytes.Replace(lines[5], []byte(`{"seq":6,"time":`), []byte(`{"seq":6,"actor":"someone-else","time":`), 1)
			writeLines(t, path, lines)
		}, []wantProblem{{6, 6, KindEdited, "entry 6 (line 6) edited"}}},

		{"blank line inserted", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			writeLines(t, path, append(lines[:5:5], append([][]byte{[]byte("\n")}, lines[5:]...)...))
		}, []wantProblem{{6, 0, KindBadJSON, "line 6 is not a valid audit entry"}}},

		{"half-written final line", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			next := bytes.Replace(lines[9], []byte(`"seq":10`), []byte(`"seq":11`), 1)
			writeLines(t, path, append(lines, next[:len(next)/2]))
		}, []wantProblem{{11, 0, KindPartialLine, "line 11 is incomplete"}}},

		{"forged entry appended", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			writeLines(t, path, append(lines, bytes.Replace(lines[9], []byte(`"seq":10`), []byte(`"seq":11`), 1)))
		}, []wantProblem{{11, 11, KindAltered, "entry 11 (line 11) altered"}}},

		{"head file removed", func(t *testing.T, path string) {
			os.Remove(path + ".head")
		}, []wantProblem{{10, 0, KindHead, "audit.jsonl.head is missing"}}},

		{"head file edited", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path + ".head")
			os.WriteFile(path+".head", bytes.Replace(b, []byte(`"seq":10`), []byte(`"seq":7`), 1), 0o600)
		}, []wantProblem{{10, 0, KindHead, "does not verify with this key"}}},

		{"entry from another log under the same key spliced in", func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other.jsonl")
			appendSamples(t, other, testKey, t0.Add(24*time.Hour), 0, 10)
			lines := fileLines(t, path)
			lines[4] = fileLines(t, other)[4]
			writeLines(t, path, lines)
		}, []wantProblem{
			{5, 5, KindBrokenChain, "entry 5 (line 5) does not follow entry 4 (line 4)"},
			{6, 6, KindBrokenChain, "entry 6 (line 6) does not follow entry 5 (line 5)"},
		}},

		{"line deleted and another edited", func(t *testing.T, path string) {
			lines := fileLines(t, path)
			lines[7] = bytes.Replace(lines[7], []byte(`"outcome":"allowed"`), []byte(`"outcome":"denied"`), 1)
			writeLines(t, path, append(lines[:1:1], lines[2:]...))
		}, []wantProblem{
			{2, 2, KindMissing, "entry 2 missing between lines 1 and 2"},
			{7, 8, KindAltered, "entry 8 (line 7) altered"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := newLog(t, t.TempDir(), 10)
			c.tamper(t, path)
			rep, err := Verify(path, testKey)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK {
				t.Fatalf("tampered log passed: %+v", rep)
			}
			checkProblems(t, rep.Problems, c.want)
		})
	}
}

func checkProblems(t *testing.T, got []Problem, want []wantProblem) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g, w := got[i], want[i]
		ok = g.Line == w.line && g.Seq == w.seq && g.Kind == w.kind && strings.Contains(g.Message, w.says)
	}
	if !ok {
		var b strings.Builder
		for _, p := range got {
			fmt.Fprintf(&b, "\n  line %d seq %d %s: %s", p.Line, p.Seq, p.Kind, p.Message)
		}
		t.Errorf("problems found:%s\nwant %+v", b.String(), want)
	}
}

func TestVerifyWithTheWrongKey(t *testing.T) {
	path := newLog(t, t.TempDir(), 10)
	rep, err := Verify(path, []byte("not the key, but long enough"))
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, rep.Problems, []wantProblem{{1, 1, KindWrongKey, "no entry (of 10) verifies with this key, nor does the head file"}})
}

func TestVerifyMissingLog(t *testing.T) {
	dir := t.TempDir()
	if _, err := Verify(filepath.Join(dir, "none.jsonl"), testKey); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no log and no head: %v, want a not-exist error", err)
	}
	path := newLog(t, dir, 3)
	os.Remove(path)
	rep, err := Verify(path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, rep.Problems, []wantProblem{{0, 1, KindTruncated, "is missing but its head file records 3 entries"}})
}
