package main_test

// anpr-display's tests run the command itself, as a user would, under the
// X display in DISPLAY, and read its screenshot and truth log. They live
// in an external test package that does not import ebiten, so that the
// test binary starts (and skips) without a display: ebiten panics when it
// is loaded without one. In CI:
//
//	xvfb-run -a go test ./cmd/anpr-display

import (
	"anpr/internal/cmdtest"
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/sim/display"
	"anpr/sim/plate"
)

var binary string

func TestMain(m *testing.M) { cmdtest.Main(m, "anpr-display", &binary) }

func needDisplay(t *testing.T) { cmdtest.NeedDisplay(t, binary) }

// show runs anpr-display with a screenshot and a truth log in a temporary
// folder and returns them.
func show(t *testing.T, args ...string) (*image.RGBA, []display.Shown, string) {
	t.Helper()
	dir := t.TempDir()
	shot, truthPath := filepath.Join(dir, "shot.png"), filepath.Join(dir, "truth.jsonl")
	cmd := exec.Command(binary, append([]string{"--windowed", "--screenshot", shot, "--truth", truthPath}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("anpr-display %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("with --truth FILE, standard output should be empty: %q", stdout.String())
	}
	rgba := cmdtest.ReadPNG(t, shot)
	tf, err := os.Open(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	truth, err := display.ReadTruth(tf, truthPath)
	if err != nil {
		t.Fatal(err)
	}
	return rgba, truth, stderr.String()
}

// lit counts the pixels of r that are not black.
func lit(img *image.RGBA, r image.Rectangle) (lit, all int) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if c.R > 8 || c.G > 8 || c.B > 8 {
				lit++
			}
			all++
		}
	}
	return lit, all
}

// Five life-size plates on an 800 x 450 window at 1.2 px/mm, each 100 ms
// on and 50 ms blank: 40 frames (at 60 a second) show all five, the last
// on the screen when it is saved, centred and drawn one to one.
func TestScreenshotAndTruthLog(t *testing.T) {
	needDisplay(t)
	img, truth, stderr := show(t, "--width", "800", "--height", "450", "--px-per-mm", "1.2", "--count", "5",
		"--show", "100ms", "--gap", "50ms", "--seed", "3", "--frames", "40")
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 450 {
		t.Fatalf("screenshot is %v, want 800 x 450", b)
	}
	if !strings.Contains(stderr, "showed 5 of 5 items") {
		t.Errorf("stderr: %s", stderr)
	}
	if len(truth) != 5 {
		t.Fatalf("%d items in the truth log, want 5", len(truth))
	}
	plan, err := display.NewPlan(display.Config{Count: 5, Seed: 3, Show: 100 * time.Millisecond, Gap: 50 * time.Millisecond,
		AsOf: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	const frame = time.Second / 60
	for i, s := range truth {
		if s.Seq != i || s.Plate != plan.Items[i].Mark.Text || s.Kind != display.KindPlate || s.Condition != display.Clean || s.PxPerMM != 1.2 {
			t.Errorf("item %d: %+v, want %s", i, s, plan.Items[i].Mark.Text)
		}
		if on := s.HiddenAt.Sub(s.ShownAt); i < 4 && (on < 100*time.Millisecond-time.Microsecond || on > 100*time.Millisecond+frame) {
			t.Errorf("item %d on the screen for %v, want 100 ms", i, on)
		}
		if i > 0 {
			if gap := s.ShownAt.Sub(truth[i-1].HiddenAt); gap < 50*time.Millisecond-time.Microsecond || gap > 50*time.Millisecond+frame {
				t.Errorf("item %d shown %v after item %d was hidden, want 50 ms", i, gap, i-1)
			}
		}
		if s.Layout == plate.OneLine && (s.PlatePx != [2]int{624, 133} || s.PlateMM[0] != 520) {
			t.Errorf("item %d: a one-line plate is %v px, %v mm; want 624 x 133 px, 520 mm wide", i, s.PlatePx, s.PlateMM)
		}
		if s.CharMM != 79 && !(s.Layout == plate.Motorcycle && s.CharMM == 64) {
			t.Errorf("item %d: characters %g mm, want 79", i, s.CharMM)
		}
	}
	// The last item is on the screen, cut short by the screenshot: the
	// plate where the truth says, black around it.
	last := truth[4]
	if on := last.HiddenAt.Sub(last.ShownAt); on <= 0 || on >= 100*time.Millisecond {
		t.Errorf("the last item on the screen for %v: want it cut short by the screenshot", on)
	}
	w, h := last.SizePx[0], last.SizePx[1]
	at := image.Rect((800-w)/2, (450-h)/2, (800-w)/2+w, (450-h)/2+h)
	if on, all := lit(img, at.Inset(3)); on < all*3/4 {
		t.Errorf("only %d of %d pixels lit where the plate should be (%v)", on, all, at)
	}
	outside := 0
	for _, r := range []image.Rectangle{image.Rect(0, 0, 800, at.Min.Y-1), image.Rect(0, at.Max.Y+1, 800, 450),
		image.Rect(0, 0, at.Min.X-1, 450), image.Rect(at.Max.X+1, 0, 800, 450)} {
		n, _ := lit(img, r)
		outside += n
	}
	if outside > 0 {
		t.Errorf("%d pixels lit outside the plate", outside)
	}
}

// A scene fills the window's width; the truth log goes to standard output
// by default.
func TestSceneAndTruthOnStdout(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	shot := filepath.Join(dir, "scene.png")
	cmd := exec.Command(binary, "--windowed", "--width", "640", "--height", "480", "--kind", "scene", "--condition", "day",
		"--count", "2", "--show", "1s", "--screenshot", shot, "--frames", "5")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	truth, err := display.ReadTruth(&stdout, "standard output")
	if err != nil || len(truth) != 1 {
		t.Fatalf("truth on stdout: %v, %+v", err, truth)
	}
	s := truth[0]
	if s.Kind != display.KindScene || s.Condition != "day" || s.SizePx != [2]int{640, 360} || s.PlatePx[0] < 4 {
		t.Errorf("scene truth %+v", s)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 640 || cfg.Height != 480 {
		t.Errorf("screenshot %+v, %v; want 640 x 480", cfg, err)
	}
	if !strings.Contains(stderr.String(), "assuming a 96 dpi monitor") {
		t.Errorf("no warning that the monitor's size was guessed: %s", stderr.String())
	}
}

// Bad flags are refused, with exit code 2, before any window opens.
func TestBadFlags(t *testing.T) {
	needDisplay(t)
	for _, args := range [][]string{
		{"--kind", "car"}, {"--px-per-mm", "3", "--screen-width-mm", "500"}, {"--condition", "snow"},
		{"--kind", "scene", "--condition", "clean"}, {"--count", "0"}, {"--show", "0s"}, {"--px-per-mm", "40"},
		{"--kind", "scene", "--plate-mm", "300"}, {"extra"},
	} {
		cmd := exec.Command(binary, append([]string{"--windowed"}, args...)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "anpr-display") && !strings.Contains(string(out), "flag") {
			t.Errorf("%v: err %v, output %s", args, err, out)
		}
	}
}
