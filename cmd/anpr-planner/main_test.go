package main_test

// The planner's display tests run the planner itself, as a user would,
// under the X display in DISPLAY, and read its screenshot. They live in
// an external test package that does not import ebiten, so that the test
// binary starts (and skips) without a display: ebiten panics when it is
// loaded without one. In CI:
//
//	xvfb-run -a go test ./cmd/anpr-planner

import (
	"anpr/internal/cmdtest"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"anpr/sim/planner"
	"anpr/sim/siting"
	"anpr/sim/traffic"
)

const repoRoot = "../.."

var plannerBinary string

func TestMain(m *testing.M) { cmdtest.Main(m, "anpr-planner", &plannerBinary) }

func needDisplay(t *testing.T) { cmdtest.NeedDisplay(t, plannerBinary) }

// runPlanner runs the planner from the repository's root.
func runPlanner(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(plannerBinary, args...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("anpr-planner %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func screenshot(t *testing.T, args ...string) *image.RGBA {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shot.png")
	runPlanner(t, append([]string{"--trips", "20000", "--screenshot", path}, args...)...)
	return cmdtest.ReadPNG(t, path)
}

// near reports whether a pixel within r of x, y has colour want, each
// channel within tol.
func near(img *image.RGBA, x, y float64, r int, want color.NRGBA, tol int) (color.RGBA, bool) {
	cx, cy := int(math.Floor(x)), int(math.Floor(y))
	got := img.RGBAAt(cx, cy)
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			c := img.RGBAAt(cx+dx, cy+dy)
			if abs(int(c.R)-int(want.R)) <= tol && abs(int(c.G)-int(want.G)) <= tol && abs(int(c.B)-int(want.B)) <= tol {
				return c, true
			}
		}
	}
	return got, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// scene is what the planner should draw: the default network, fitted to
// the default window, with the current sites and the sample proposal.
type scene struct {
	net      *traffic.Network
	geom     *planner.Geometry
	marks    []planner.SiteMark
	markers  []planner.Marker
	palette  planner.Palette
	proposed []siting.Site
}

func sampleScene(t *testing.T) scene {
	t.Helper()
	net, err := traffic.LoadNetworkFile(filepath.Join(repoRoot, "fixtures/networks/staffordshire.json"))
	if err != nil {
		t.Fatal(err)
	}
	current, err := siting.LoadSites(filepath.Join(repoRoot, "fixtures/sites/staffordshire-current.json"), net)
	if err != nil {
		t.Fatal(err)
	}
	prop, err := siting.LoadProposal(filepath.Join(repoRoot, "fixtures/sites/staffordshire-proposal.json"), net)
	if err != nil {
		t.Fatal(err)
	}
	proposed, err := prop.Apply(current)
	if err != nil {
		t.Fatal(err)
	}
	l := planner.DefaultLayout()
	proj, err := planner.Fit(net, l.Map, l.Margin)
	if err != nil {
		t.Fatal(err)
	}
	g := planner.NewGeometry(net, proj)
	ed := planner.NewEditor(net, current, proposed)
	var marks []planner.SiteMark
	for _, s := range proposed {
		marks = append(marks, planner.SiteMark{Site: s, Status: ed.Status(s.ID)})
	}
	for _, s := range ed.Removed() {
		marks = append(marks, planner.SiteMark{Site: s, Status: siting.Removed})
	}
	var sites []siting.Site
	for _, m := range marks {
		sites = append(sites, m.Site)
	}
	// Where S14 was before the proposal moved it.
	i := slices.IndexFunc(current, func(s siting.Site) bool { return s.ID == "S14" })
	was := g.Markers([]siting.Site{current[i]})[0]
	s := scene{net: net, geom: g, marks: marks, markers: append(g.Markers(sites), was), palette: planner.DefaultPalette(), proposed: proposed}
	s.marks = append(s.marks, planner.SiteMark{Site: current[i], Status: siting.Removed})
	return s
}

// The planner starts, draws the default network and puts each site's
// marker where it belongs, in its status's colour.
func TestScreenshotShowsTheMapAndTheSites(t *testing.T) {
	needDisplay(t)
	img := screenshot(t, "--frames", "5", "--flow=false", "--proposal", "fixtures/sites/staffordshire-proposal.json")
	l := planner.DefaultLayout()
	if b := img.Bounds(); b.Dx() != l.Width || b.Dy() != l.Height {
		t.Fatalf("screenshot is %v, want %d x %d", b, l.Width, l.Height)
	}
	sc := sampleScene(t)
	p := sc.palette

	// Every marker, current, added, moved, replaced and removed.
	seen := map[string]bool{}
	for i, m := range sc.marks {
		mk := sc.markers[i]
		want := p.Marker(m.Status)
		if got, ok := near(img, mk.X, mk.Y, 1, want, 12); !ok {
			t.Errorf("%s (%s): marker at (%.0f, %.0f) is %v, want %v", m.Site.ID, m.Status, mk.X, mk.Y, got, want)
		}
		seen[m.Status] = true
	}
	for _, st := range []string{siting.Kept, siting.Added, siting.Moved, siting.Replaced, siting.Removed} {
		if !seen[st] {
			t.Errorf("no site %s in the sample proposal to look for", st)
		}
	}

	// Roads in their class's colour and towns, where nothing else is
	// drawn within a few pixels.
	clear := func(x, y, r float64, except ...traffic.LinkID) bool {
		for i := range sc.net.Links() {
			id := traffic.LinkID(i)
			if !slices.Contains(except, id) && sc.geom.Segment(id).Distance(x, y) < r {
				return false
			}
		}
		for _, m := range sc.markers {
			if math.Hypot(m.X-x, m.Y-y) < r+planner.MarkerRadius+15 {
				return false
			}
		}
		for _, m := range sc.marks {
			if m.Status != siting.Removed && sc.geom.Segment(m.Site.Link).Distance(x, y) < r+4 {
				return false
			}
		}
		return true
	}
	roads, towns := 0, 0
	for i, link := range sc.net.Links() {
		id := traffic.LinkID(i)
		s := sc.geom.Segment(id)
		x, y := s.At(0.5)
		back, _ := sc.net.FindLink(sc.net.Node(link.To).ID, sc.net.Node(link.From).ID)
		if s.Len() < 30 || !clear(x, y, 8, id, back) || nearNode(sc, x, y, 8) {
			continue
		}
		roads++
		if got, ok := near(img, x, y, 1, p.Road(link.Class), 16); !ok {
			t.Errorf("%s (%s) at (%.0f, %.0f) is %v, want %v", sc.net.LinkName(id), link.Class, x, y, got, p.Road(link.Class))
		}
	}
	for i, n := range sc.net.Nodes() {
		if !n.IsZone() || n.Entry {
			continue
		}
		x, y := sc.geom.NodePixel(i)
		if !clear(x, y, 0, sc.net.Out(i)...) {
			continue
		}
		towns++
		if got, ok := near(img, x, y, 1, p.Node, 16); !ok {
			t.Errorf("%s at (%.0f, %.0f) is %v, want the node colour %v", n.Name, x, y, got, p.Node)
		}
	}
	t.Logf("checked %d site markers, %d roads and %d towns", len(sc.marks), roads, towns)
	if roads < 40 || towns < 10 {
		t.Errorf("only %d roads and %d towns were clear enough to check", roads, towns)
	}
	if got, ok := near(img, 3, 3, 0, p.Background, 2); !ok {
		t.Errorf("the map's corner is %v, want the background %v", got, p.Background)
	}
	// The panel: its background, and text on it.
	if got, ok := near(img, float64(l.Panel.Max.X-5), float64(l.Panel.Min.Y+5), 0, p.Panel, 2); !ok {
		t.Errorf("the panel's corner is %v, want %v", got, p.Panel)
	}
	dark := 0
	for y := l.Panel.Min.Y; y < l.Panel.Max.Y; y++ {
		for x := l.Panel.Min.X + 5; x < l.Panel.Max.X; x++ {
			if c := img.RGBAAt(x, y); int(c.R)+int(c.G)+int(c.B) < 250 {
				dark++
			}
		}
	}
	if dark < 3000 {
		t.Errorf("the panel has %d dark pixels: no text?", dark)
	}
}

func nearNode(sc scene, x, y, r float64) bool {
	for i := range sc.net.Nodes() {
		nx, ny := sc.geom.NodePixel(i)
		if math.Hypot(nx-x, ny-y) < r+3 {
			return true
		}
	}
	return false
}

// With the flow on, dots move along the roads from frame to frame.
func TestTrafficMoves(t *testing.T) {
	needDisplay(t)
	a := screenshot(t, "--frames", "3", "--heat", "off")
	b := screenshot(t, "--frames", "33", "--heat", "off")
	l := planner.DefaultLayout()
	dot := planner.DefaultPalette().Dot
	changed, dots := 0, 0
	for y := l.Map.Min.Y; y < l.Map.Max.Y; y++ {
		for x := l.Map.Min.X; x < l.Map.Max.X; x++ {
			if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
				changed++
			}
			if c := a.RGBAAt(x, y); abs(int(c.R)-int(dot.R)) < 20 && abs(int(c.G)-int(dot.G)) < 20 && abs(int(c.B)-int(dot.B)) < 20 {
				dots++
			}
		}
	}
	t.Logf("%d dot pixels; %d pixels changed in half a second", dots, changed)
	if dots < 300 || changed < 1000 {
		t.Errorf("%d dot pixels, %d pixels changed in half a second: the traffic is not moving", dots, changed)
	}
}

// --export writes the records without opening a window.
func TestExportWithoutAWindow(t *testing.T) {
	needDisplay(t)
	dir := filepath.Join(t.TempDir(), "records")
	out := runPlanner(t, "--trips", "20000", "--proposal", "fixtures/sites/staffordshire-proposal.json", "--export", dir)
	for _, name := range []string{planner.DecisionRecordFile, planner.DecisionMapFile, planner.ProposalFile, planner.ProposedSitesFile, planner.PublicSummaryFile} {
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(out, path) {
			t.Errorf("the planner did not list %s", path)
		}
	}
}

// Bad flags are refused before any window opens.
func TestBadFlags(t *testing.T) {
	needDisplay(t)
	for _, args := range [][]string{{"--seeds", "0"}, {"--heat", "warm"}, {"--sites", "no-such-file.json"}, {"extra"}} {
		cmd := exec.Command(plannerBinary, append([]string{"--trips", "1000"}, args...)...)
		cmd.Dir = repoRoot
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "anpr-planner:") && !strings.Contains(string(out), "flag") {
			t.Errorf("%v: err %v, output %s", args, err, out)
		}
	}
}
