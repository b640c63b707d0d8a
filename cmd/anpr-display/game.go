package main

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"anpr/internal/screenshot"
	"anpr/internal/window"
	"anpr/sim/display"
)

// frameRate is the rate the screenshot mode's clock counts frames at, so
// that a screenshot after N frames shows the same item every time.
const frameRate = 60

// screenSize is the size of the screen in pixels: the window's with
// --windowed, else the monitor's, in its own pixels (not the desktop's
// scaled ones), so that a pixel drawn is a pixel lit.
func screenSize(c config) (int, int, error) {
	if c.windowed {
		return c.width, c.height, nil
	}
	m := ebiten.Monitor()
	if m == nil {
		return 0, 0, errors.New("no monitor found (use --windowed with --width and --height)")
	}
	w, h := m.Size()
	k := m.DeviceScaleFactor()
	return int(float64(w)*k + 0.5), int(float64(h)*k + 0.5), nil
}

// rendered is a picture from the renderer, in plan order.
type rendered struct {
	pic display.Picture
	err error
}

// loaded is a picture on its way to the screen.
type loaded struct {
	pic display.Picture
	img *ebiten.Image
}

// runWindow shows the plan until it ends, Esc is pressed or ctx ends
// (or, with --screenshot, until the screenshot is saved).
func runWindow(ctx context.Context, c config, plan *display.Plan, screen display.Screen, r *display.Renderer,
	first display.Picture, truth *display.TruthWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	pics := make(chan rendered, 2)
	pics <- rendered{pic: first}
	rendering := make(chan struct{})
	go func() {
		defer close(rendering)
		renderAhead(ctx, r, plan, screen, pics)
	}()
	// The renderer is closed after this returns: not while it renders.
	defer func() { cancel(); <-rendering }()

	g := &game{ctx: ctx, plan: plan, screen: screen, pics: pics, truth: truth,
		timeline:   display.NewTimeline(len(plan.Items), plan.Show, plan.Gap),
		screenshot: c.screenshot, shotFrames: c.frames, clock: func() time.Time { return time.Now().UTC() }}
	if c.screenshot != "" {
		// Each picture waited for, and time counted in frames: the same
		// frames show the same items on every run, however fast it renders.
		start := time.Now().UTC()
		g.wait = true
		g.clock = func() time.Time { return start.Add(time.Duration(g.frames) * time.Second / frameRate) }
	}
	ebiten.SetWindowTitle("anpr-display")
	ebiten.SetRunnableOnUnfocused(true)
	if c.windowed {
		ebiten.SetWindowSize(screen.Width, screen.Height)
	} else {
		ebiten.SetFullscreen(true)
		ebiten.SetCursorMode(ebiten.CursorModeHidden)
	}
	return window.Run(g, func() error { return g.err })
}

// renderAhead renders the plan's pictures after the first, in order, a
// couple ahead of the screen.
func renderAhead(ctx context.Context, r *display.Renderer, plan *display.Plan, screen display.Screen, out chan<- rendered) {
	defer close(out)
	for i := 1; i < len(plan.Items); i++ {
		pic, err := r.Render(plan, i, screen)
		select {
		case out <- rendered{pic, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// game puts a plan on the screen, frame by frame, as its timeline says.
type game struct {
	ctx        context.Context
	plan       *display.Plan
	screen     display.Screen
	timeline   *display.Timeline
	pics       <-chan rendered
	next, cur  *loaded
	truth      *display.TruthWriter
	clock      func() time.Time
	wait       bool
	frames     int
	screenshot string
	shotFrames int
	done       bool
	err        error
}

func (g *game) Update() error {
	if g.done || g.err != nil {
		return ebiten.Termination
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyEscape) || g.ctx.Err() != nil {
		g.finish(g.clock())
		return ebiten.Termination
	}
	return nil
}

// ready reports whether item i's picture is loaded, loading it if it has
// been rendered (waiting for it in screenshot mode).
func (g *game) ready(i int) bool {
	if g.next == nil {
		var (
			r  rendered
			ok bool
		)
		if g.wait {
			r, ok = <-g.pics
		} else {
			select {
			case r, ok = <-g.pics:
			default:
				return false
			}
		}
		if !ok {
			return false
		}
		if r.err != nil {
			g.err = r.err
			return false
		}
		g.next = &loaded{pic: r.pic, img: ebiten.NewImageFromImage(r.pic.Image)}
	}
	return g.next.pic.Shown.Seq == i
}

func (g *game) Draw(screen *ebiten.Image) {
	screen.Fill(color.Black)
	if g.done || g.err != nil {
		return
	}
	g.frames++
	now := g.clock()
	st := g.timeline.Step(now, g.ready)
	if st.Ended != nil {
		g.log(*st.Ended)
	}
	if st.Show >= 0 {
		if g.cur == nil || g.cur.pic.Shown.Seq != st.Show {
			g.cur, g.next = g.next, nil
		}
		op := &ebiten.DrawImageOptions{}
		if g.cur.pic.Scale != 1 {
			op.Filter = ebiten.FilterLinear
		}
		op.GeoM.Scale(g.cur.pic.Scale, g.cur.pic.Scale)
		op.GeoM.Translate(float64(g.cur.pic.At.Min.X), float64(g.cur.pic.At.Min.Y))
		screen.DrawImage(g.cur.img, op)
	}
	switch {
	case g.screenshot != "" && g.frames >= g.shotFrames:
		if err := screenshot.Save(screen, g.screenshot); err != nil {
			g.err = err
		}
		g.frames++ // the item on the screen was there for the whole of this frame
		g.finish(g.clock())
	case st.Done && g.screenshot == "":
		g.done = true
	}
}

// log writes the truth line of the item just taken off the screen.
func (g *game) log(s display.Span) {
	if g.cur == nil || g.cur.pic.Shown.Seq != s.Seq {
		g.err = fmt.Errorf("internal error: item %d ended, but item %v was on the screen", s.Seq, g.cur)
		return
	}
	shown := g.cur.pic.Shown
	shown.ShownAt, shown.HiddenAt = s.On, s.Off
	if err := g.truth.Write(shown); err != nil && g.err == nil {
		g.err = err
	}
	g.cur.img.Deallocate()
	g.cur = nil
}

// finish ends the show at now, logging the item on the screen.
func (g *game) finish(now time.Time) {
	if s := g.timeline.Stop(now); s != nil {
		g.log(*s)
	}
	g.done = true
}

func (g *game) Layout(outsideWidth, outsideHeight int) (int, int) {
	return g.screen.Width, g.screen.Height
}
