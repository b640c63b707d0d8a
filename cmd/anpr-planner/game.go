package main

import (
	"image"
	"image/color"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"anpr/internal/screenshot"
	"anpr/internal/window"
	"anpr/sim/planner"
)

// tps is ebiten's updates a second; the flow's clock counts updates, so a
// screenshot after N frames is the same every time.
const tps = 60

// runWindow opens the planner's window and runs it until it is closed
// (or, with --screenshot, until the screenshot is saved).
func runWindow(s *planner.Session, c config) error {
	g := newGame(s, c)
	ebiten.SetWindowSize(s.Layout.Width, s.Layout.Height)
	ebiten.SetWindowTitle("ANPR camera siting planner — " + s.Model.Net.Name)
	ebiten.SetTPS(tps)
	return window.Run(g, func() error { return g.err })
}

// game puts a planner.Session in an ebiten window: it turns input into
// the session's events and draws its images, with the moving traffic and
// what is under the pointer over them.
type game struct {
	s          *planner.Session
	mapImg     *ebiten.Image
	panelImg   *ebiten.Image
	dot        *ebiten.Image
	dots       []planner.Dot
	vertices   []ebiten.Vertex
	indices    []uint16
	updates    int
	screenshot string
	frames     int
	done       bool
	err        error
}

func newGame(s *planner.Session, c config) *game {
	white := ebiten.NewImage(3, 3)
	white.Fill(color.White)
	return &game{s: s,
		mapImg:     ebiten.NewImage(s.Layout.Width, s.Layout.Height),
		panelImg:   ebiten.NewImage(s.Layout.Width, s.Layout.Height),
		dot:        white.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image),
		screenshot: c.screenshot, frames: c.frames,
	}
}

var keyCommands = []struct {
	key ebiten.Key
	cmd planner.Command
}{
	{ebiten.KeyH, planner.CmdHeat},
	{ebiten.KeyF, planner.CmdFlow},
	{ebiten.KeyL, planner.CmdLabels},
	{ebiten.KeyC, planner.CmdCandidates},
	{ebiten.KeyDelete, planner.CmdRemoveSelected},
	{ebiten.KeyBackspace, planner.CmdRemoveSelected},
	{ebiten.KeyX, planner.CmdRemoveSelected},
	{ebiten.KeyU, planner.CmdUndo},
	{ebiten.KeyR, planner.CmdReset},
	{ebiten.KeyO, planner.CmdSuggest},
	{ebiten.KeyE, planner.CmdExport},
	{ebiten.Key0, planner.CmdFit},
	{ebiten.KeyEscape, planner.CmdDeselect},
}

var buttons = []struct {
	eb ebiten.MouseButton
	pb planner.Button
}{{ebiten.MouseButtonLeft, planner.Left}, {ebiten.MouseButtonRight, planner.Right}, {ebiten.MouseButtonMiddle, planner.Middle}}

func (g *game) Update() error {
	if g.done || g.err != nil {
		return ebiten.Termination
	}
	g.updates++
	if g.screenshot != "" {
		return nil // scripted: the screen shows the inputs as given
	}
	cx, cy := ebiten.CursorPosition()
	x, y := float64(cx), float64(cy)
	g.s.PointerMove(x, y)
	for _, b := range buttons {
		if inpututil.IsMouseButtonJustPressed(b.eb) {
			g.s.PointerDown(b.pb, x, y)
		}
		if inpututil.IsMouseButtonJustReleased(b.eb) {
			g.s.PointerUp(b.pb, x, y)
		}
	}
	if _, dy := ebiten.Wheel(); dy != 0 {
		g.s.Wheel(dy, x, y)
	}
	ctrl := ebiten.IsKeyPressed(ebiten.KeyControl) || ebiten.IsKeyPressed(ebiten.KeyMeta)
	if ctrl && inpututil.IsKeyJustPressed(ebiten.KeyZ) {
		g.s.Do(planner.CmdUndo)
	}
	for _, kc := range keyCommands {
		if !ctrl && inpututil.IsKeyJustPressed(kc.key) {
			g.s.Do(kc.cmd)
		}
	}
	return nil
}

func (g *game) Draw(screen *ebiten.Image) {
	l := g.s.Layout
	if img, changed := g.s.MapImage(); changed {
		g.mapImg.WritePixels(img.Pix)
	}
	if img, changed := g.s.PanelImage(); changed {
		g.panelImg.WritePixels(img.Pix)
	}
	mapArea := screen.SubImage(l.Map).(*ebiten.Image)
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Translate(float64(l.Map.Min.X), float64(l.Map.Min.Y))
	mapArea.DrawImage(g.mapImg.SubImage(l.Map).(*ebiten.Image), op)
	g.drawDots(mapArea)
	g.drawOverlay(mapArea)
	op = &ebiten.DrawImageOptions{}
	op.GeoM.Translate(float64(l.Panel.Min.X), float64(l.Panel.Min.Y))
	screen.DrawImage(g.panelImg.SubImage(l.Panel).(*ebiten.Image), op)

	if g.screenshot != "" && !g.done && g.updates >= g.frames {
		g.err = screenshot.Save(screen, g.screenshot)
		g.done = true
	}
}

// drawDots draws the moving traffic: each dot a small square, all in one
// batch of triangles.
func (g *game) drawDots(dst *ebiten.Image) {
	g.dots = g.s.Dots(float64(g.updates)/tps, g.dots[:0])
	if len(g.dots) == 0 {
		return
	}
	c := g.s.Renderer.Palette.Dot
	r, gr, b, a := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255, float32(c.A)/255
	const half = 1.15
	for start := 0; start < len(g.dots); start += 16000 {
		batch := g.dots[start:min(len(g.dots), start+16000)]
		g.vertices, g.indices = g.vertices[:0], g.indices[:0]
		for i, d := range batch {
			for _, corner := range [4][2]float32{{-half, -half}, {half, -half}, {half, half}, {-half, half}} {
				g.vertices = append(g.vertices, ebiten.Vertex{DstX: d.X + corner[0], DstY: d.Y + corner[1],
					SrcX: 1, SrcY: 1, ColorR: r, ColorG: gr, ColorB: b, ColorA: a})
			}
			v := uint16(4 * i)
			g.indices = append(g.indices, v, v+1, v+2, v, v+2, v+3)
		}
		dst.DrawTriangles(g.vertices, g.indices, g.dot, &ebiten.DrawTrianglesOptions{AntiAlias: true})
	}
}

// drawOverlay draws the road under the pointer and where a dragged site
// would go.
func (g *game) drawOverlay(dst *ebiten.Image) {
	o := g.s.Overlay()
	p := g.s.Renderer.Palette
	if seg := o.Hover; seg != nil {
		vector.StrokeLine(dst, float32(seg.X0), float32(seg.Y0), float32(seg.X1), float32(seg.Y1), float32(seg.Width+3), p.Hover, true)
	}
	if seg := o.DragLink; seg != nil {
		vector.StrokeLine(dst, float32(seg.X0), float32(seg.Y0), float32(seg.X1), float32(seg.Y1), float32(seg.Width+2), p.Proposed, true)
	}
	if m := o.Drag; m != nil {
		vector.DrawFilledCircle(dst, float32(m.X), float32(m.Y), planner.MarkerRadius+1.3, p.Outline, true)
		ghost := p.Proposed
		ghost.A = 0xA0
		vector.DrawFilledCircle(dst, float32(m.X), float32(m.Y), planner.MarkerRadius, ghost, true)
	}
}

func (g *game) Layout(outsideWidth, outsideHeight int) (int, int) {
	return g.s.Layout.Width, g.s.Layout.Height
}
