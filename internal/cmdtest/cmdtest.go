// Package cmdtest builds a command for its own tests to run as a user
// would, where it can run: the ebiten programs (the planner, anpr-display)
// need an X display.
package cmdtest

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Main is a TestMain for the command in the current directory: with an X
// display it builds the command into a temporary directory, sets *binary
// to its path and runs the tests; without one it runs them with *binary
// empty, for each to skip (NeedDisplay).
func Main(m *testing.M, name string, binary *string) {
	if os.Getenv("DISPLAY") == "" {
		fmt.Printf("skipping %s's display tests: DISPLAY is not set, and %s (ebiten) needs an X display.\n"+
			"Run them under a virtual display: xvfb-run -a go test ./cmd/%s\n", name, name, name)
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", name+"-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*binary = filepath.Join(dir, name)
	build := exec.Command(goTool(), "build", "-o", *binary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build %s: %v\n%s", name, err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// NeedDisplay skips a test when Main built nothing (no X display).
func NeedDisplay(t *testing.T, binary string) {
	t.Helper()
	if binary == "" {
		t.Skip("DISPLAY is not set: run under a virtual display, xvfb-run -a go test ./cmd/...")
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// ReadPNG reads the PNG file at path (a screenshot the command saved) as
// RGBA pixels.
func ReadPNG(t *testing.T, path string) *image.RGBA {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}
