// Package xdisplay stops a program that opens an ebiten window (the
// planner, anpr-display) with a clear message where there is no X display,
// before ebiten, which panics when it is loaded without one, is
// initialised.
//
// Go initialises packages in the lexical order of their import paths as
// far as their imports allow (the language specification, "Package
// initialization", since Go 1.21): this package imports only os, strings
// and path/filepath, which ebiten's packages need too, and "anpr/..."
// sorts before "github.com/hajimehoshi/ebiten/...", so its init runs
// first. Such a program's main package imports it for that alone.
package xdisplay

import (
	"os"
	"path/filepath"
	"strings"
)

// Missing reports whether there is no X display to open.
func Missing() bool { return os.Getenv("DISPLAY") == "" }

func init() {
	if !Missing() {
		return
	}
	if isTest() {
		// go test without a display: pass, saying why nothing ran.
		os.Stdout.WriteString("SKIP: these tests need an X display and DISPLAY is not set; run them under a virtual display:\n" +
			"    xvfb-run -a go test ./...\n")
		os.Exit(0)
	}
	prog := filepath.Base(os.Args[0])
	os.Stderr.WriteString(prog + ": no X display (DISPLAY is not set). Run it where a display is, or under a virtual display:\n" +
		"    xvfb-run -a " + prog + " ...\n" +
		"(--screenshot also needs one: ebiten needs a display to load.)\n")
	os.Exit(2)
}

func isTest() bool {
	if strings.HasSuffix(os.Args[0], ".test") {
		return true
	}
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.") {
			return true
		}
	}
	return false
}
