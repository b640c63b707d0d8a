package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// anpr read finds and reads the plate in whole camera frames, as a user
// runs it on files a camera wrote, and says where the plate is.
func TestReadFindsPlatesInFrames(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"sim", "render", "--kind", "scene", "--count", "8", "--seed", "9203", "--condition", "day",
		"--min-char-px", "24", "--out", dir}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("render exited %d", code)
	}
	f, err := os.Open(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type label struct {
		File  string `json:"file"`
		Plate string `json:"plate"`
		Box   [4]int `json:"box"`
	}
	truth := map[string]label{}
	var files []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, l.File)
		truth[path] = l
		files = append(files, path)
	}
	var out bytes.Buffer
	args := append([]string{"read", "--model", readerModel, "--patch-model", patchReaderModel, "--detector-model", detectorModel}, files...)
	if code := run(args, &out, io.Discard); code != 0 {
		t.Fatalf("anpr read exited %d", code)
	}
	found, exact := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var l readLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		want := truth[l.File]
		for _, p := range l.Plates {
			if centreInside(p.Box, want.Box) {
				found++
				if p.Text == want.Plate {
					exact++
				}
				break
			}
		}
		t.Logf("%s truth %s at %v: %d plates", filepath.Base(l.File), want.Plate, want.Box, len(l.Plates))
	}
	// Large daylight plates: every one must be found, nearly every one read.
	if found != len(files) || exact < len(files)-2 {
		t.Errorf("found %d and read %d exactly of %d plates", found, exact, len(files))
	}
}

// centreInside says whether the centre of box a lies inside box b.
func centreInside(a, b [4]int) bool {
	cx, cy := a[0]+a[2]/2, a[1]+a[3]/2
	return cx >= b[0] && cx <= b[0]+b[2] && cy >= b[1] && cy <= b[1]+b[3]
}

// A plate patch given without --crop (a roadside photo cropped to the
// plate) is too small to be a camera frame: read whole, and said so.
func TestReadPatchWithoutCropFlag(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"sim", "render", "--kind", "crop", "--count", "6", "--seed", "9204", "--condition", "day",
		"--out", dir}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("render exited %d", code)
	}
	f, err := os.Open(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth := map[string]string{}
	var files []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var l struct {
			File  string `json:"file"`
			Plate string `json:"plate"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		truth[filepath.Join(dir, l.File)] = l.Plate
		files = append(files, filepath.Join(dir, l.File))
	}
	var out bytes.Buffer
	args := append([]string{"read", "--model", readerModel, "--patch-model", patchReaderModel, "--detector-model", detectorModel}, files...)
	if code := run(args, &out, io.Discard); code != 0 {
		t.Fatalf("anpr read exited %d", code)
	}
	whole, exact := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var l readLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if len(l.Plates) == 0 {
			t.Logf("%s: no plate", filepath.Base(l.File))
			continue
		}
		p := l.Plates[0]
		if p.WholeImage {
			whole++
		}
		if p.Text == truth[l.File] {
			exact++
		}
		t.Logf("%s truth %s read %s whole image %v", filepath.Base(l.File), truth[l.File], p.Text, p.WholeImage)
	}
	if whole < len(files)-1 || exact < len(files)-2 {
		t.Errorf("%d of %d patches read whole, %d exactly", whole, len(files), exact)
	}
}
