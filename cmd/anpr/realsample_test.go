package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realSample is the small set of real UK plate photographs beside the
// repository (../shared); they are for looking and smoke checks only.
var realSample = filepath.Join("..", "..", "..", "shared", "data", "real-uk-sample")

// The reader runs on real photographs end to end, through the command line
// as a user runs it. Twelve photographs are too few to judge accuracy by
// (the engine is judged on a larger hidden set), so the test asserts only
// that each is read without error, and logs what was read.
func TestReadRealSampleCrops(t *testing.T) {
	f, err := os.Open(filepath.Join(realSample, "labels.csv"))
	if err != nil {
		t.Skipf("no real sample beside the repository: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]string{}
	var files []string
	for _, row := range rows[1:] {
		path := filepath.Join(realSample, row[0])
		truth[path] = row[1]
		files = append(files, path)
	}
	// As patches (--crop), and as images the engine must first search for
	// a plate (a detection, or the whole image when it is patch-sized).
	for _, mode := range []struct {
		name  string
		flags []string
	}{
		{"read --crop", []string{"--crop", "--patch-model", patchReaderModel}},
		{"read", []string{"--model", readerModel, "--patch-model", patchReaderModel, "--detector-model", detectorModel}},
	} {
		var out bytes.Buffer
		args := append(append([]string{"read"}, mode.flags...), files...)
		if code := run(args, &out, io.Discard); code != 0 {
			t.Fatalf("anpr %s exited %d", mode.name, code)
		}
		right := 0
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var l readLine
			if err := json.Unmarshal([]byte(line), &l); err != nil {
				t.Fatal(err)
			}
			if l.Error != "" || len(l.Plates) == 0 {
				t.Errorf("anpr %s %s: no plate (%s)", mode.name, l.File, l.Error)
				continue
			}
			got := l.Plates[0].Text
			if got == truth[l.File] {
				right++
			}
			t.Logf("%s: %-28s truth %-8s read %-8s confidence %.2f", mode.name, filepath.Base(l.File), truth[l.File], got, l.Plates[0].Confidence)
		}
		t.Logf("anpr %s: %d of %d real crops read exactly", mode.name, right, len(files))
	}
}
