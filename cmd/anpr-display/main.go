// Command anpr-display puts a real ANPR camera in the loop: it shows
// rendered number plates (or whole rendered scenes) full screen on a
// monitor, each at a chosen physical size for a set time with the screen
// blank between, for a physical camera pointed at the monitor to read,
// and writes the truth log of what it showed and when. `anpr sim score`
// then scores the camera's reads against that log.
//
//	anpr-display --screen-width-mm 531 --count 50 --truth truth.jsonl   # life-size plates
//	anpr-display --kind scene --condition mixed --truth truth.jsonl      # whole camera frames
//	anpr-display --windowed --screenshot shot.png --frames 30           # draw, save the screen, exit
//
// It needs a display (ebiten panics without DISPLAY, before main): on a
// machine without one, run it under xvfb-run -a. The plan, the pictures,
// the timing and the scoring are in package sim/display, which needs none.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	// First, so that a missing display is reported before ebiten loads.
	_ "anpr/internal/xdisplay"
	"anpr/sim/display"
	"anpr/sim/scene"
)

// assumedPxPerMM is a 96 dpi monitor's pitch, taken when the flags give
// none.
const assumedPxPerMM = 96 / 25.4

// config is what the flags say.
type config struct {
	plan          display.Config
	pxPerMM       float64
	screenWidthMM float64
	truth         string
	windowed      bool
	width, height int
	screenshot    string
	frames        int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var (
		c          config
		kind, date string
	)
	fs := flag.NewFlagSet("anpr-display", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: anpr-display [--kind plate|scene] [--count N] [--show 2s] [--gap 1s] [--plate-mm 520]
       [--px-per-mm F | --screen-width-mm F] [--seed S] [--condition NAME|clean|mixed]
       [--truth FILE] [--windowed] [--screenshot FILE --frames N]

Shows rendered plates (or scenes) full screen for a real ANPR camera pointed at
the monitor, and writes one JSON line per item shown (plate, condition, the
times it went on and off the screen, its size in px and mm) to --truth. Esc
stops. Score the camera's reads with: anpr sim score --truth FILE --reads FILE

Conditions (a plate under a camera condition is the patch a camera would cut):
  clean         the plate straight on, as it is on the vehicle (plates only; the default)
`+scene.DescribeConditions()+`
Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&kind, "kind", string(display.KindPlate), "plate: number plates at --plate-mm; scene: whole rendered camera frames filling the screen")
	fs.IntVar(&c.plan.Count, "count", display.DefaultCount, "items to show")
	fs.DurationVar(&c.plan.Show, "show", display.DefaultShow, "how long each item is on the screen")
	fs.DurationVar(&c.plan.Gap, "gap", display.DefaultGap, "blank screen after each item")
	fs.Float64Var(&c.plan.PlateMM, "plate-mm", display.DefaultPlateMM, "width of a one-line plate on the screen in mm (520: life size; other layouts at the same scale)")
	fs.Float64Var(&c.pxPerMM, "px-per-mm", 0, "the monitor's pixels per millimetre (default: from --screen-width-mm, else 96 dpi, 3.78)")
	fs.Float64Var(&c.screenWidthMM, "screen-width-mm", 0, "the width of the monitor's picture in mm, measured (instead of --px-per-mm)")
	fs.Uint64Var(&c.plan.Seed, "seed", 1, "seed for the plates and conditions; the same seed shows the same items")
	fs.StringVar(&c.plan.Condition, "condition", "", "clean (plates only), a named condition, or mixed (each in turn); default clean for plates, mixed for scenes")
	fs.StringVar(&date, "date", "2026-11-25", "date the marks are issued up to, YYYY-MM-DD")
	fs.StringVar(&c.truth, "truth", "-", "write the truth log here (\"-\": standard output)")
	fs.BoolVar(&c.windowed, "windowed", false, "a --width x --height window instead of full screen")
	fs.IntVar(&c.width, "width", 1280, "window width with --windowed")
	fs.IntVar(&c.height, "height", 720, "window height with --windowed")
	fs.StringVar(&c.screenshot, "screenshot", "", "draw --frames frames, save the screen to this PNG file and exit (times in the truth log then count frames, 60 a second)")
	fs.IntVar(&c.frames, "frames", 30, "frames to draw before --screenshot")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c.plan.Kind = display.Kind(kind)
	asOf, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return c, fmt.Errorf("--date %q: want YYYY-MM-DD", date)
	}
	c.plan.AsOf = asOf
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case set["px-per-mm"] && set["screen-width-mm"]:
		return c, errors.New("give --px-per-mm or --screen-width-mm, not both")
	case set["px-per-mm"] && !(c.pxPerMM > 0):
		return c, fmt.Errorf("--px-per-mm %g: must be more than 0", c.pxPerMM)
	case set["screen-width-mm"] && !(c.screenWidthMM > 0):
		return c, fmt.Errorf("--screen-width-mm %g: must be more than 0", c.screenWidthMM)
	case c.plan.Count < 1:
		return c, fmt.Errorf("--count %d: need at least 1", c.plan.Count)
	case c.plan.Show <= 0:
		return c, fmt.Errorf("--show %v: must be more than 0", c.plan.Show)
	case c.frames < 1:
		return c, fmt.Errorf("--frames %d: need at least 1", c.frames)
	case c.windowed && (c.width < 16 || c.height < 16):
		return c, fmt.Errorf("--width and --height %d x %d: at least 16 each", c.width, c.height)
	case set["plate-mm"] && c.plan.Kind == display.KindScene:
		return c, errors.New("--plate-mm is for --kind plate: a scene fills the screen")
	}
	if err := c.plan.Check(); err != nil {
		return c, err
	}
	return c, nil
}

// screenOf is the screen the flags and the monitor (width x height pixels)
// describe, and a warning when its size is a guess.
func screenOf(c config, width, height int) (display.Screen, string) {
	switch {
	case c.pxPerMM > 0:
		return display.Screen{Width: width, Height: height, PxPerMM: c.pxPerMM}, ""
	case c.screenWidthMM > 0:
		return display.ScreenOf(width, height, c.screenWidthMM), ""
	}
	return display.Screen{Width: width, Height: height, PxPerMM: assumedPxPerMM},
		"no --px-per-mm or --screen-width-mm: assuming a 96 dpi monitor (3.78 px/mm); measure the picture's width for true sizes"
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 2
	}
	plan, err := display.NewPlan(c.plan)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 2
	}
	width, height, err := screenSize(c)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 1
	}
	screen, warning := screenOf(c, width, height)
	if err := screen.Check(); err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 2
	}
	if warning != "" {
		fmt.Fprintln(stderr, "anpr-display:", warning)
	}
	r, err := display.NewRenderer(c.plan.AsOf)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 1
	}
	defer r.Close()
	// The first picture before the window opens: a size the screen cannot
	// take is reported at once.
	first, err := r.Render(plan, 0, screen)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		if errors.Is(err, display.ErrBadConfig) {
			return 2
		}
		return 1
	}
	var truthOut io.Writer = stdout
	truthName := "standard output"
	if c.truth != "-" {
		f, err := createFile(c.truth)
		if err != nil {
			fmt.Fprintln(stderr, "anpr-display:", err)
			return 1
		}
		defer f.Close()
		truthOut, truthName = f, c.truth
	}
	if c.screenshot != "" {
		if err := os.MkdirAll(filepath.Dir(c.screenshot), 0o755); err != nil { // fail now, not after the frames
			fmt.Fprintln(stderr, "anpr-display:", err)
			return 1
		}
	}
	fmt.Fprintln(stderr, "anpr-display:", describe(plan, screen, first))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	truth := display.NewTruthWriter(truthOut)
	err = runWindow(ctx, c, plan, screen, r, first, truth)
	fmt.Fprintf(stderr, "anpr-display: showed %d of %d items; truth log on %s\n", truth.Written(), len(plan.Items), truthName)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-display:", err)
		return 1
	}
	if c.screenshot != "" {
		fmt.Fprintln(stderr, "anpr-display: screenshot", c.screenshot)
	}
	return 0
}

// describe says what is about to be shown.
func describe(p *display.Plan, s display.Screen, first display.Picture) string {
	what := fmt.Sprintf("%d plates (%s), a one-line plate %g mm wide (%.0f px)", p.Count, p.Condition, p.PlateMM, p.PlateMM*s.PxPerMM)
	if p.Kind == display.KindScene {
		what = fmt.Sprintf("%d scenes (%s), %d x %d px", p.Count, p.Condition, first.Shown.SizePx[0], first.Shown.SizePx[1])
	}
	return fmt.Sprintf("%s, each %v on and %v blank, %v in all, on a %d x %d px screen at %.3f px/mm (%.0f x %.0f mm); Esc stops",
		what, p.Show, p.Gap, p.Duration(), s.Width, s.Height, s.PxPerMM, float64(s.Width)/s.PxPerMM, float64(s.Height)/s.PxPerMM)
}

func createFile(path string) (*os.File, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	return os.Create(path)
}
