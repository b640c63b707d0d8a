package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anpr/engine/ocr"
)

func TestMain(m *testing.M) {
	ocr.ServeModelCheck() // this test binary doubles as the model checker
	os.Exit(m.Run())
}

// The CLI contract: 0 on success, 2 for bad usage or bad input, and nothing
// that looks complete left behind by a refused request.
// The committed models, from this package's directory.
var (
	readerModel      = filepath.Join("..", "..", "fixtures", "models", "reader.onnx")
	patchReaderModel = filepath.Join("..", "..", "fixtures", "models", "patch-reader.onnx")
	detectorModel    = filepath.Join("..", "..", "fixtures", "models", "detector.onnx")
)

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"unknown command", []string{"frobnicate"}, 2},
		{"unknown flag", []string{"sim", "render", "--colour", "red", "--out", dir}, 2},
		{"missing --out", []string{"sim", "render", "--count", "1"}, 2},
		{"zero count", []string{"sim", "render", "--count", "0", "--out", filepath.Join(dir, "a")}, 2},
		{"negative count", []string{"sim", "render", "--count", "-5", "--out", filepath.Join(dir, "b")}, 2},
		{"unknown condition", []string{"sim", "render", "--condition", "snow", "--out", filepath.Join(dir, "c")}, 2},
		{"unknown kind", []string{"sim", "render", "--kind", "poster", "--out", filepath.Join(dir, "d")}, 2},
		{"unwritable output", []string{"sim", "render", "--count", "1", "--out", filepath.Join(file, "sub")}, 2},
		{"bad date", []string{"sim", "render", "--date", "yesterday", "--out", filepath.Join(dir, "e")}, 2},
		{"character heights reversed", []string{"sim", "render", "--min-char-px", "50", "--max-char-px", "20", "--out", filepath.Join(dir, "f")}, 2},
		{"render with an unknown plate mix", []string{"sim", "render", "--plate-mix", "odd", "--out", filepath.Join(dir, "m")}, 2},
		{"render at an occluded share over 1", []string{"sim", "render", "--occluded", "2", "--out", filepath.Join(dir, "n")}, 2},
		{"render a training mix", []string{"sim", "render", "--plate-mix", "old-type", "--occluded", "0.5", "--count", "2", "--out", filepath.Join(dir, "o")}, 0},
		{"render works", []string{"sim", "render", "--kind", "crop", "--count", "3", "--condition", "rain", "--out", filepath.Join(dir, "ok")}, 0},
		{"help", []string{"sim", "render", "--help"}, 0},
		{"invalid mark", []string{"vrm", "AB01CDE"}, 2},
		{"valid mark", []string{"vrm", "--date", "2026-11-25", "AB12 CDE"}, 0},
		{"no marks", []string{"vrm"}, 2},
		{"read a frame that is no image", []string{"read", "--model", readerModel, "--patch-model", patchReaderModel, "--detector-model", detectorModel, file}, 2},
		{"read with a missing detector model", []string{"read", "--detector-model", filepath.Join(dir, "none.onnx"), file}, 1},
		{"read with no files", []string{"read", "--crop"}, 2},
		{"read at a threshold over 1", []string{"read", "--threshold", "1.5", file}, 2},
		{"watch at a threshold of 0", []string{"watch", "--source", file, "--camera", "c1", "--threshold", "0"}, 2},
		{"sim load at a negative threshold", []string{"sim", "load", "--threshold", "-0.2"}, 2},
		{"evaluate frames at a threshold of 1", []string{"models", "evaluate", "--frames", "--threshold", "1"}, 2},
		{"watch with a lanes file that is no JSON", []string{"watch", "--source", file, "--camera", "c1", "--lanes", file}, 2},
		{"watch without a camera", []string{"watch", "--source", file}, 2},
		{"read crops with a missing model", []string{"read", "--crop", "--patch-model", filepath.Join(dir, "none.onnx"), file}, 1},
		{"read crops with the frame reader's flag", []string{"read", "--crop", "--model", readerModel, file}, 2},
		{"read crops with a broken model", []string{"read", "--crop", "--patch-model", file, file}, 1},
		{"read frames with a missing patch model", []string{"read", "--model", readerModel, "--detector-model", detectorModel, "--patch-model", filepath.Join(dir, "none.onnx"), file}, 1},
		{"unknown plate mix", []string{"models", "prepare", "--plate-mix", "odd", "--count", "2", "--out", filepath.Join(dir, "g")}, 2},
		{"plate mix on a detector set", []string{"models", "prepare", "--for", "detector", "--plate-mix", "hard", "--count", "2", "--out", filepath.Join(dir, "h")}, 2},
		{"hard mix works", []string{"models", "prepare", "--split-lines", "--plate-mix", "hard", "--count", "3", "--out", filepath.Join(dir, "hard")}, 0},
		{"engine patches for a detector set", []string{"models", "prepare", "--for", "detector", "--engine-patches", "--count", "2", "--out", filepath.Join(dir, "i")}, 2},
		{"engine patches with a missing detector", []string{"models", "prepare", "--engine-patches", "--detector-model", filepath.Join(dir, "none.onnx"), "--count", "2", "--out", filepath.Join(dir, "j")}, 1},
		{"engine patches work", []string{"models", "prepare", "--split-lines", "--engine-patches", "--detector-model", detectorModel, "--count", "3", "--seed", "3001", "--out", filepath.Join(dir, "patches")}, 0},
		{"occluded share over 1", []string{"models", "prepare", "--split-lines", "--occluded", "1.5", "--count", "2", "--out", filepath.Join(dir, "k")}, 2},
		{"occluded share on a detector set", []string{"models", "prepare", "--for", "detector", "--occluded", "0.3", "--count", "2", "--out", filepath.Join(dir, "l")}, 2},
		{"evaluate with an unknown plate mix", []string{"models", "evaluate", "--plate-mix", "odd", "--count", "1", "--model", readerModel}, 2},
		{"evaluate frames with a training mix", []string{"models", "evaluate", "--frames", "--plate-mix", "old-type", "--count", "1"}, 2},
		{"evaluate frames with occlusions forced", []string{"models", "evaluate", "--frames", "--occluded", "0.5", "--count", "1"}, 2},
		{"evaluate crops at an occluded share under 0", []string{"models", "evaluate", "--occluded", "-1", "--count", "1", "--model", readerModel}, 2},
		{"evaluate crops with the old-type mix", []string{"models", "evaluate", "--plate-mix", "old-type", "--condition", "day", "--count", "2", "--model", readerModel}, 0},
		{"per-image to an unwritable file", []string{"models", "evaluate", "--condition", "day", "--count", "1", "--model", readerModel, "--per-image", filepath.Join(file, "sub")}, 1},
	}
	for _, c := range cases {
		if got := run(c.args, io.Discard, io.Discard); got != c.want {
			t.Errorf("%s: anpr %v exited %d, want %d", c.name, c.args, got, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ok", "labels.jsonl")); err != nil {
		t.Errorf("successful render wrote no labels: %v", err)
	}
	if meta, err := os.ReadFile(filepath.Join(dir, "hard", "meta.json")); err != nil || !strings.Contains(string(meta), `"plate_mix": "hard"`) {
		t.Errorf("a hard-mix set's meta.json does not say so: %s %v", meta, err)
	}
	if meta, err := os.ReadFile(filepath.Join(dir, "patches", "meta.json")); err != nil || !strings.Contains(string(meta), `"engine_patches": true`) || !strings.Contains(string(meta), `"frames": 3`) {
		t.Errorf("an engine-patch set's meta.json does not say so: %s %v", meta, err)
	}
	for _, d := range []string{"i", "j"} {
		if _, err := os.Stat(filepath.Join(dir, d, "meta.json")); err == nil {
			t.Errorf("refused request %s left a finished set behind", d)
		}
	}
	for _, d := range []string{"a", "b", "c", "d", "e", "g", "h"} {
		if _, err := os.Stat(filepath.Join(dir, d, "labels.jsonl")); err == nil {
			t.Errorf("refused request %s left labels behind", d)
		}
	}
}
