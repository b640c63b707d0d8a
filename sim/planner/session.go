package planner

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Button is a pointer button.
type Button int

const (
	Left Button = iota
	Right
	Middle
)

// Command is what a key does.
type Command int

const (
	CmdHeat           Command = iota // next heat map: gaps, coverage, off
	CmdFlow                          // moving traffic on or off
	CmdLabels                        // town names on or off
	CmdCandidates                    // candidate sites on or off
	CmdRemoveSelected                // remove (or restore) the selected site
	CmdUndo                          // take back the last edit
	CmdReset                         // back to the starting proposal
	CmdSuggest                       // add the optimiser's best next site
	CmdExport                        // write the records
	CmdFit                           // fit the whole network in the map again
	CmdDeselect                      // select nothing
)

// KeyHelp is the panel's reminder of the controls.
func KeyHelp() []string {
	return []string{
		"Click a road: propose a site · drag a site: move it · right-click a site: remove / restore",
		"Click a site: select it and its catchment · Del: remove selected · U or Ctrl+Z: undo · R: reset",
		"H: heat map · F: flow · L: names · C: candidates · O: suggest a site · E: export",
		"Wheel: zoom · drag the map: pan · 0: fit · Esc: deselect",
	}
}

// SessionConfig configures a Session.
type SessionConfig struct {
	Layout Layout
	// Proposed is where the editing starts; nil means the current sites.
	Proposed []siting.Site
	// Name is the proposal's name in the records.
	Name string
	// Candidates are drawn (C) and chosen from by the optimiser (O); nil
	// means every link in the county.
	Candidates []siting.Site
	// Dots is about how many dots show the traffic moving; 0 means
	// DefaultDots.
	Dots int
	// ExportDir is where E writes each export, in a new folder.
	ExportDir string
	// Now stamps the records; nil means time.Now.
	Now func() time.Time
	// Describe says in the records how the traffic was made (seeds, trips,
	// the command that remakes it).
	Describe RecordSource
}

// DefaultDots is about how many dots show the traffic moving.
const DefaultDots = 1500

// Session is one planner window's state without the window: the proposal
// being edited, what the pointer is over, the view, and the images of the
// map and the panel, redrawn when they change.
type Session struct {
	Model    *Model
	Layout   Layout
	Renderer *Renderer
	cfg      SessionConfig

	editor *Editor
	ev     *Evaluation
	flows  []float64 // vehicles a day on each link
	marks  []SiteMark

	fit, view Projection
	geom      *Geometry
	flow      *Flow
	markers   []Marker

	heatMode       HeatMode
	flowOn, labels bool
	showCandidates bool

	hover    traffic.LinkID
	selected string
	press    *press

	status    string
	statusBad bool

	mapImg, panelImg       *image.RGBA
	mapDirty, panelDirty   bool
	geomDirty, dotsChanged bool
}

type press struct {
	button        Button
	x, y          float64 // where it went down
	lastX, lastY  float64
	site          string // the marker pressed, if any
	removed       bool   // that site is removed from the proposal
	moved         bool
	dragTo        traffic.LinkID
	dragOK        bool
	panning       bool
	startView     Projection
	startGeometry bool
}

// NewSession starts a session on m.
func NewSession(m *Model, cfg SessionConfig) (*Session, error) {
	if cfg.Layout.Width == 0 {
		cfg.Layout = DefaultLayout()
	}
	if cfg.Dots == 0 {
		cfg.Dots = DefaultDots
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Name == "" {
		cfg.Name = "planner proposal"
	}
	r, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	s := &Session{Model: m, Layout: cfg.Layout, Renderer: r, cfg: cfg,
		editor: NewEditor(m.Net, m.Current, cfg.Proposed),
		hover:  -1, flowOn: true, labels: true, showCandidates: cfg.Candidates != nil,
		mapImg:   image.NewRGBA(image.Rect(0, 0, cfg.Layout.Width, cfg.Layout.Height)),
		panelImg: image.NewRGBA(image.Rect(0, 0, cfg.Layout.Width, cfg.Layout.Height)),
	}
	s.flows = m.Traffic.LinkFlow()
	if s.fit, err = Fit(m.Net, cfg.Layout.Map, cfg.Layout.Margin); err != nil {
		return nil, err
	}
	s.setView(s.fit)
	if err := s.evaluate(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Session) setView(p Projection) {
	s.view = p
	s.geom = NewGeometry(s.Model.Net, p)
	s.flow = nil
	s.mapDirty, s.dotsChanged = true, true
	s.markers = s.geom.Markers(s.markSites())
}

// evaluate measures the proposal as it stands and redraws.
func (s *Session) evaluate() error {
	ev, err := s.Model.Evaluate(s.editor.Proposal(s.cfg.Name))
	if err != nil {
		return err
	}
	s.ev = ev
	s.marks = s.siteMarks()
	s.markers = s.geom.Markers(s.markSites())
	if s.selected != "" && !slices.ContainsFunc(s.marks, func(m SiteMark) bool { return m.Site.ID == s.selected }) {
		s.selected = ""
	}
	s.mapDirty, s.panelDirty = true, true
	return nil
}

// siteMarks are the proposed sites with their status, then the current
// sites removed.
func (s *Session) siteMarks() []SiteMark {
	var marks []SiteMark
	for _, site := range s.ev.Proposed {
		m := SiteMark{Site: site, Status: s.editor.Status(site.ID)}
		if m.Status == siting.Moved || m.Status == siting.Resited {
			i := slices.IndexFunc(s.Model.Current, func(c siting.Site) bool { return c.ID == site.ID })
			m.Was, m.HasWas = s.Model.Current[i].Link, true
		}
		marks = append(marks, m)
	}
	for _, site := range s.editor.Removed() {
		marks = append(marks, SiteMark{Site: site, Status: siting.Removed})
	}
	return marks
}

func (s *Session) markSites() []siting.Site {
	out := make([]siting.Site, len(s.marks))
	for i, m := range s.marks {
		out[i] = m.Site
	}
	return out
}

// Evaluation returns the proposal as last measured.
func (s *Session) Evaluation() *Evaluation { return s.ev }

// Editor returns the proposal's editor.
func (s *Session) Editor() *Editor { return s.editor }

// Geometry returns where the links are drawn now.
func (s *Session) Geometry() *Geometry { return s.geom }

// Markers returns where the sites are drawn now, in the order of Marks.
func (s *Session) Markers() []Marker { return s.markers }

// Marks returns the sites drawn and their status.
func (s *Session) Marks() []SiteMark { return s.marks }

// Selected returns the selected site's id, or "".
func (s *Session) Selected() string { return s.selected }

// Status returns the last message and whether it reports a failure.
func (s *Session) Status() (string, bool) { return s.status, s.statusBad }

// SetFlow turns the moving traffic on or off.
func (s *Session) SetFlow(on bool) { s.flowOn = on; s.dotsChanged = true }

// SetHeatMode sets what the heat map shows.
func (s *Session) SetHeatMode(m HeatMode) { s.heatMode = m; s.mapDirty, s.panelDirty = true, true }

func (s *Session) say(bad bool, format string, args ...any) {
	s.status, s.statusBad = fmt.Sprintf(format, args...), bad
	s.panelDirty = true
}

func (s *Session) inMap(x, y float64) bool {
	return image.Pt(int(x), int(y)).In(s.Layout.Map)
}

// markerAt returns the marker under x, y.
func (s *Session) markerAt(x, y float64) (Marker, bool) {
	return MarkerAt(s.markers, x, y, 2)
}

// PointerMove follows the pointer to x, y.
func (s *Session) PointerMove(x, y float64) {
	if p := s.press; p != nil {
		if !p.moved && math.Hypot(x-p.x, y-p.y) > 4 {
			p.moved = true
			p.panning = p.button == Middle || p.site == "" || p.removed
		}
		if p.moved && p.panning {
			s.setView(p.startView.Pan(x-p.x, y-p.y))
		} else if p.moved {
			p.dragTo, p.dragOK = s.geom.LinkAt(x, y, DefaultPickTolerance)
		}
		p.lastX, p.lastY = x, y
	}
	hover := traffic.LinkID(-1)
	if s.inMap(x, y) {
		if l, ok := s.geom.LinkAt(x, y, DefaultPickTolerance); ok {
			hover = l
		}
	}
	if hover != s.hover {
		s.hover = hover
		s.panelDirty = true
	}
}

// PointerDown presses button at x, y.
func (s *Session) PointerDown(b Button, x, y float64) {
	if !s.inMap(x, y) {
		return
	}
	m, onMarker := s.markerAt(x, y)
	if b == Right {
		if onMarker {
			s.removeOrRestore(m.Site.ID)
		}
		return
	}
	p := &press{button: b, x: x, y: y, lastX: x, lastY: y, startView: s.view}
	if onMarker && b == Left {
		p.site = m.Site.ID
		p.removed = s.editor.Status(p.site) == siting.Removed
	}
	s.press = p
}

// PointerUp releases button at x, y: a click adds a site on the road
// there or selects the site; the end of a drag moves the site.
func (s *Session) PointerUp(b Button, x, y float64) {
	p := s.press
	if p == nil || p.button != b {
		return
	}
	s.press = nil
	switch {
	case p.panning:
		return
	case p.moved && p.site != "":
		link, ok := s.geom.LinkAt(x, y, DefaultPickTolerance)
		if !ok {
			s.say(false, "%s not moved: drop it on a road", p.site)
			return
		}
		if err := s.editor.Move(p.site, link); err != nil {
			s.say(true, "%v", err)
			return
		}
		s.selected = p.site
		s.afterEdit("Moved %s to %s", p.site, s.Model.Net.LinkName(link))
	case p.site != "":
		if s.selected == p.site {
			s.selected = ""
		} else {
			s.selected = p.site
		}
		s.mapDirty, s.panelDirty = true, true
	case b == Left:
		link, ok := s.geom.LinkAt(x, y, DefaultPickTolerance)
		if !ok {
			if s.selected != "" {
				s.selected = ""
				s.mapDirty, s.panelDirty = true, true
			}
			return
		}
		site, err := s.editor.Add(link)
		if err != nil {
			s.say(true, "%v", err)
			return
		}
		s.selected = site.ID
		s.afterEdit("Added %s on %s", site.ID, s.Model.Net.LinkName(link))
	}
}

// Wheel zooms by steps (positive: in) about x, y.
func (s *Session) Wheel(steps, x, y float64) {
	if steps == 0 || !s.inMap(x, y) {
		return
	}
	f := math.Pow(1.15, steps)
	scale := s.view.Scale * f
	if scale < s.fit.Scale*0.5 || scale > s.fit.Scale*40 {
		return
	}
	s.setView(s.view.Zoom(f, x, y))
}

func (s *Session) removeOrRestore(id string) {
	var err error
	if s.editor.Status(id) == siting.Removed {
		if err = s.editor.Restore(id); err == nil {
			s.afterEdit("Restored %s", id)
		}
	} else if err = s.editor.Remove(id); err == nil {
		s.afterEdit("Removed %s", id)
	}
	if err != nil {
		s.say(true, "%v", err)
	}
}

// afterEdit measures the proposal again and reports the edit with the
// capture it makes.
func (s *Session) afterEdit(format string, args ...any) {
	if err := s.evaluate(); err != nil {
		s.editor.Undo()
		s.say(true, "%v", err)
		_ = s.evaluate()
		return
	}
	msg := fmt.Sprintf(format, args...)
	if d, ok := findDiff(s.ev.Comparison, "capture.all.one"); ok {
		msg += ": target capture " + FormatValue(d.Current, d.Unit) + " → " + FormatValue(d.Proposed, d.Unit)
	}
	s.say(false, "%s", msg)
}

// Do carries out a command.
func (s *Session) Do(c Command) {
	switch c {
	case CmdHeat:
		s.heatMode = (s.heatMode + 1) % numHeatModes
		s.mapDirty, s.panelDirty = true, true
		s.say(false, "Heat map: %s", s.heatMode)
	case CmdFlow:
		s.SetFlow(!s.flowOn)
	case CmdLabels:
		s.labels = !s.labels
		s.mapDirty = true
	case CmdCandidates:
		s.showCandidates = !s.showCandidates
		s.mapDirty = true
	case CmdRemoveSelected:
		if s.selected != "" {
			s.removeOrRestore(s.selected)
		}
	case CmdUndo:
		if s.editor.Undo() {
			s.afterEdit("Undone")
		} else {
			s.say(false, "Nothing to undo")
		}
	case CmdReset:
		s.editor.Reset()
		s.afterEdit("Back to the starting proposal")
	case CmdSuggest:
		s.suggest()
	case CmdExport:
		dir := filepath.Join(s.cfg.ExportDir, "decision-"+s.cfg.Now().Format("20060102-150405"))
		if _, err := s.Export(dir); err != nil {
			s.say(true, "Export failed: %v", err)
		} else {
			s.say(false, "Exported the decision record and the public summary to %s", dir)
		}
	case CmdFit:
		s.setView(s.fit)
	case CmdDeselect:
		if s.selected != "" {
			s.selected = ""
			s.mapDirty, s.panelDirty = true, true
		}
	}
}

// suggest adds the candidate that adds most target capture.
func (s *Session) suggest() {
	cands := s.cfg.Candidates
	if cands == nil {
		cands = siting.EveryLink(s.Model.Net)
	}
	proposed := s.ev.Proposed
	var free []siting.Site
	for _, c := range cands {
		if !slices.ContainsFunc(proposed, func(p siting.Site) bool { return p.Link == c.Link }) {
			free = append(free, c)
		}
	}
	plan, err := siting.Optimise(s.Model.Recs, free, siting.OptimiseOptions{K: 1, Fixed: proposed})
	if err != nil {
		s.say(true, "Suggest: %v", err)
		return
	}
	if len(plan.Chosen) == 0 {
		s.say(false, "No candidate adds target capture")
		return
	}
	ch := plan.Chosen[0]
	site, err := s.editor.AddSite(siting.Site{Link: ch.Site.Link, Cost: ch.Site.Cost, Name: "candidate " + ch.Site.ID})
	if err != nil {
		s.say(true, "%v", err)
		return
	}
	s.selected = site.ID
	s.afterEdit("Suggested %s (candidate %s, +%s of target trips) on %s", site.ID, ch.Site.ID,
		formatNumber(ch.GainShare, siting.Share, true), s.Model.Net.LinkName(ch.Site.Link))
}

// Dots returns the moving traffic at t seconds (none when it is off),
// appended to dst.
func (s *Session) Dots(t float64, dst []Dot) []Dot {
	if !s.flowOn {
		return dst
	}
	if s.flow == nil {
		s.flow = NewFlow(s.geom, s.flows, s.cfg.Dots)
	}
	return s.flow.Dots(t, dst)
}

// Overlay is what is drawn over the map each frame: the road under the
// pointer and, while a site is dragged, where it would go.
type Overlay struct {
	Hover    *Segment
	Drag     *Marker
	DragLink *Segment
}

// Overlay returns what to draw over the map now.
func (s *Session) Overlay() Overlay {
	var o Overlay
	if s.hover >= 0 && (s.press == nil || !s.press.panning) {
		seg := s.geom.Segment(s.hover)
		o.Hover = &seg
	}
	if p := s.press; p != nil && p.moved && !p.panning && p.site != "" {
		if p.dragOK {
			seg := s.geom.Segment(p.dragTo)
			o.DragLink = &seg
			m := s.geom.Markers([]siting.Site{{ID: p.site, Link: p.dragTo}})[0]
			o.Drag = &m
		} else {
			o.Drag = &Marker{X: p.lastX, Y: p.lastY, AX: p.lastX, AY: p.lastY, DX: 1}
		}
	}
	return o
}

// MapImage returns the window-sized image holding the map (in
// Layout.Map), redrawn if it changed, and whether it did.
func (s *Session) MapImage() (*image.RGBA, bool) {
	if !s.mapDirty {
		return s.mapImg, false
	}
	s.mapDirty = false
	v := MapView{Geometry: s.geom, Heat: &s.ev.Heat, HeatMode: s.heatMode, Sites: s.marks,
		Selected: s.selected, Labels: s.labels}
	if s.showCandidates {
		v.Candidates = s.cfg.Candidates
	}
	if s.selected != "" {
		if m, ok := s.mark(s.selected); ok {
			v.Catchment, _ = s.Model.Traffic.Catchment(m.Site.Link)
		}
	}
	s.Renderer.DrawMap(s.mapImg, s.Layout.Map, v)
	return s.mapImg, true
}

func (s *Session) mark(id string) (SiteMark, bool) {
	i := slices.IndexFunc(s.marks, func(m SiteMark) bool { return m.Site.ID == id })
	if i < 0 {
		return SiteMark{}, false
	}
	return s.marks[i], true
}

// PanelImage returns the window-sized image holding the panel (in
// Layout.Panel), redrawn if it changed, and whether it did.
func (s *Session) PanelImage() (*image.RGBA, bool) {
	if !s.panelDirty {
		return s.panelImg, false
	}
	s.panelDirty = false
	s.Renderer.DrawPanel(s.panelImg, s.Layout.Panel, s.panelView())
	return s.panelImg, true
}

func (s *Session) panelView() PanelView {
	m := s.Model
	v := PanelView{
		Title:      "ANPR camera siting planner",
		Subtitle:   fmt.Sprintf("%s · %s · %s trips a day · %s", m.Net.Name, plural(len(m.Recs), "seed", "seeds"), siting.Thousands(math.Round(m.Trips)), s.cfg.Name),
		Comparison: s.ev.Comparison, CurrentSites: len(m.Current), ProposedSites: len(s.ev.Proposed),
		Changes:  markedChangeLines(m.Net, s.ev.Proposal, m.Current),
		HeatMode: s.heatMode, HeatMax: s.ev.Heat.MaxUnseen, Catchment: s.selected != "",
		Status: s.status, StatusBad: s.statusBad, Keys: KeyHelp(),
	}
	v.InfoTitle, v.Info = s.info()
	return v
}

// info describes the selected site, else the road under the pointer,
// else the largest gaps.
func (s *Session) info() (string, [][2]string) {
	net := s.Model.Net
	if m, ok := s.mark(s.selected); ok {
		var lines [][2]string
		lines = append(lines, [2]string{"", net.LinkName(m.Site.Link)})
		lines = append(lines, [2]string{"District", siting.District(net, m.Site.Link)})
		if !m.Site.EndOfLife.IsZero() {
			lines = append(lines, [2]string{"End of life", m.Site.EndOfLife.Format(time.DateOnly)})
		}
		i := slices.IndexFunc(s.ev.Comparison.Sites, func(d siting.SiteDiff) bool { return d.ID == m.Site.ID })
		if i >= 0 {
			for _, sm := range siteMeasures() {
				j := slices.IndexFunc(s.ev.Comparison.Sites[i].Measures, func(d siting.MeasureDiff) bool { return d.Key == sm.Key })
				if j < 0 {
					continue
				}
				d := s.ev.Comparison.Sites[i].Measures[j]
				e := d.Proposed
				if m.Status == siting.Removed {
					e = d.Current
				}
				lines = append(lines, [2]string{sm.Label, FormatValue(e, d.Unit)})
			}
		}
		return fmt.Sprintf("Site %s (%s)", m.Site.ID, m.Status), lines
	}
	if s.hover >= 0 {
		l := net.Link(s.hover)
		flow := s.flows
		h, ch := s.ev.Heat, s.ev.CurrentHeat
		return "Road under the pointer", [][2]string{
			{"", net.LinkName(s.hover)},
			{"Class, district", fmt.Sprintf("%s, %s", l.Class, siting.District(net, s.hover))},
			{"Vehicles a day", siting.Thousands(math.Round(flow[s.hover]))},
			{"Target trips a day", formatNumber(h.Target[s.hover], siting.PerDay, false)},
			{"  no camera sees", formatNumber(ch.Unseen(s.hover), siting.PerDay, false) + " now, " +
				formatNumber(h.Unseen(s.hover), siting.PerDay, false) + " proposed"},
			{"", "Click to propose a camera watching this way."},
		}
	}
	lines := [][2]string{{"", "Point at a road for its traffic; click to propose a camera."}}
	for i, g := range s.ev.Comparison.ProposedGaps {
		if i == 3 {
			break
		}
		lines = append(lines, [2]string{"", fmt.Sprintf("Gap: %s → %s, %s target trips a day", placeName(net, g.From), placeName(net, g.To),
			formatNumber(g.TargetTripsPerDay.Mean, siting.PerDay, false))})
	}
	return "Largest gaps (proposed)", lines
}

// siteMeasures are the per-site measures the panel and the record show.
func siteMeasures() []KeyMeasure {
	return []KeyMeasure{
		{"reads_per_day", "Reads a day", 0},
		{"target_trips_per_day", "Target trips seen a day", +1},
		{"necessity_per_day", "Lost without it (trips a day)", +1},
		{"duplication", "Captures repeated elsewhere", -1},
		{"targets_per_1000_innocent", "Targets per 1,000 innocent", +1},
		{"alerts_per_day", "Alerts a day", 0},
	}
}

// Export writes the decision record and the public summary into dir and
// returns the files written.
func (s *Session) Export(dir string) ([]string, error) {
	pub, err := s.Model.PublicComparison(s.ev)
	if err != nil {
		return nil, err
	}
	img, err := RecordMap(s.Renderer, s.Model, s.ev, s.cfg.Name, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	return WriteRecords(dir, Record{Model: s.Model, Eval: s.ev, Public: pub, Name: s.cfg.Name,
		Made: s.cfg.Now(), Map: img, Source: s.cfg.Describe})
}

// placeName names a gap's end: a zone's name, or a district as it is.
func placeName(net *traffic.Network, id string) string {
	if i, ok := net.NodeIndex(id); ok {
		return net.Node(i).Name
	}
	return id
}
