package planner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Files an export writes.
const (
	DecisionRecordFile = "decision-record.md"
	DecisionMapFile    = "decision-map.png"
	ProposalFile       = "proposal.json"
	ProposedSitesFile  = "proposed-sites.json"
	PublicSummaryFile  = "public-summary.md"
)

// RecordSource says where the traffic and the sites came from, so that a
// record says how to remake its figures.
type RecordSource struct {
	NetworkFile, CurrentFile string
	FirstSeed                uint64
	Seeds, TripsPerDay       int
}

// Record is what an export writes.
type Record struct {
	Model *Model
	Eval  *Evaluation
	// Public is the comparison without places (Model.PublicComparison).
	Public *siting.Comparison
	Name   string
	Made   time.Time
	// Map is the decision map (RecordMap); nil writes none.
	Map    image.Image
	Source RecordSource
}

// WriteRecords writes into dir (made if need be) the decision record, its
// map, the proposal and the proposed sites as files anpr siting reads,
// and the public summary; it returns the files written.
func WriteRecords(dir string, rec Record) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var files []string
	write := func(name string, fn func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		files = append(files, path)
		return nil
	}
	net := rec.Model.Net
	steps := []struct {
		name string
		fn   func(io.Writer) error
	}{
		{DecisionRecordFile, func(w io.Writer) error { return WriteDecisionRecord(w, rec) }},
		{ProposalFile, func(w io.Writer) error { return WriteProposal(w, net, rec.Eval.Proposal) }},
		{ProposedSitesFile, func(w io.Writer) error {
			return siting.WriteSites(w, net, rec.Eval.Proposed, "Proposed sites: "+rec.Name+", from anpr-planner "+rec.Made.Format(time.DateOnly)+".",
				"Contains camera locations: not for disclosure.")
		}},
		{PublicSummaryFile, func(w io.Writer) error { return WritePublicSummary(w, rec) }},
	}
	if rec.Map != nil {
		steps = append(steps, struct {
			name string
			fn   func(io.Writer) error
		}{DecisionMapFile, func(w io.Writer) error { return png.Encode(w, rec.Map) }})
	}
	for _, s := range steps {
		if err := write(s.name, s.fn); err != nil {
			return files, err
		}
	}
	return files, nil
}

// RecordMap draws the decision map: the network with the current and
// proposed sites and the proposal's gaps, beside the key measures and
// the legend.
func RecordMap(r *Renderer, m *Model, ev *Evaluation, name string, made time.Time) (image.Image, error) {
	layout, err := NewLayout(1500, 1000, DefaultPanelWidth)
	if err != nil {
		return nil, err
	}
	proj, err := Fit(m.Net, layout.Map, layout.Margin)
	if err != nil {
		return nil, err
	}
	g := NewGeometry(m.Net, proj)
	img := image.NewRGBA(image.Rect(0, 0, layout.Width, layout.Height))
	ed := NewEditor(m.Net, m.Current, ev.Proposed)
	var marks []SiteMark
	for _, s := range ev.Proposed {
		mk := SiteMark{Site: s, Status: ed.Status(s.ID)}
		if i := slices.IndexFunc(m.Current, func(c siting.Site) bool { return c.ID == s.ID }); i >= 0 && m.Current[i].Link != s.Link {
			mk.Was, mk.HasWas = m.Current[i].Link, true
		}
		marks = append(marks, mk)
	}
	for _, s := range ed.Removed() {
		marks = append(marks, SiteMark{Site: s, Status: siting.Removed})
	}
	r.DrawMap(img, layout.Map, MapView{Geometry: g, Heat: &ev.Heat, HeatMode: HeatGaps, Sites: marks, Labels: true})
	r.DrawPanel(img, layout.Panel, PanelView{
		Title:      "Camera siting decision record",
		Subtitle:   fmt.Sprintf("%s · %s · %s · made %s", name, m.Net.Name, plural(len(m.Recs), "seed", "seeds"), made.Format("2 January 2006 15:04")),
		Comparison: ev.Comparison, CurrentSites: len(m.Current), ProposedSites: len(ev.Proposed),
		Changes:   markedChangeLines(m.Net, ev.Proposal, m.Current),
		InfoTitle: "Contains camera locations",
		Info: [][2]string{{"", "Camera locations are not disclosed: this map stays with"},
			{"", "those entitled to know them. The public summary"}, {"", "gives sites by district only."}},
		HeatMode: HeatGaps, HeatMax: ev.Heat.MaxUnseen,
	})
	return img, nil
}

// ChangeLines describes a proposal's changes one a line ("S07 removed:
// Lichfield"), with the roads when withLocations.
func ChangeLines(net *traffic.Network, p siting.Proposal, current []siting.Site, withLocations bool) []string {
	where := func(link traffic.LinkID) string {
		d := siting.District(net, link)
		if withLocations {
			return net.LinkName(link) + " (" + d + ")"
		}
		return d
	}
	at := func(id string) string {
		i := slices.IndexFunc(current, func(s siting.Site) bool { return s.ID == id })
		if i < 0 {
			return "?"
		}
		return where(current[i].Link)
	}
	var lines []string
	for _, c := range p.Changes {
		switch c.Op {
		case siting.Add:
			lines = append(lines, fmt.Sprintf("%s added: %s", c.ID, where(c.Site.Link)))
		case siting.Remove:
			lines = append(lines, fmt.Sprintf("%s removed: %s", c.ID, at(c.ID)))
		case siting.Move:
			lines = append(lines, fmt.Sprintf("%s moved to %s", c.ID, where(c.Link)))
		case siting.Replace:
			s := fmt.Sprintf("%s replaced at end of life (new camera to %s)", c.ID, c.EndOfLife.Format(time.DateOnly))
			if c.HasLink {
				s += " at " + where(c.Link)
			}
			lines = append(lines, s)
		}
	}
	return lines
}

// WriteProposal writes p as a proposal file (siting.ProposalFormat), each
// place by its end nodes and its link number.
func WriteProposal(w io.Writer, net *traffic.Network, p siting.Proposal) error {
	type site struct {
		ID        string  `json:"id"`
		Name      string  `json:"name,omitempty"`
		From      string  `json:"from"`
		To        string  `json:"to"`
		Link      int     `json:"link"`
		EndOfLife string  `json:"end_of_life,omitempty"`
		Cost      float64 `json:"cost,omitempty"`
	}
	type change struct {
		Op        siting.Op `json:"op"`
		ID        string    `json:"id,omitempty"`
		Site      *site     `json:"site,omitempty"`
		From      string    `json:"from,omitempty"`
		To        string    `json:"to,omitempty"`
		Link      *int      `json:"link,omitempty"`
		EndOfLife string    `json:"end_of_life,omitempty"`
	}
	ends := func(id traffic.LinkID) (string, string) {
		l := net.Link(id)
		return net.Node(l.From).ID, net.Node(l.To).ID
	}
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	out := struct {
		Format  string   `json:"format"`
		Network string   `json:"network"`
		Name    string   `json:"name,omitempty"`
		Changes []change `json:"changes"`
	}{Format: siting.ProposalFormat, Network: net.Name, Name: p.Name, Changes: []change{}}
	for _, c := range p.Changes {
		jc := change{Op: c.Op}
		switch c.Op {
		case siting.Add:
			from, to := ends(c.Site.Link)
			cost := c.Site.Cost
			if cost == 1 {
				cost = 0
			}
			jc.Site = &site{ID: c.Site.ID, Name: c.Site.Name, From: from, To: to, Link: int(c.Site.Link),
				EndOfLife: date(c.Site.EndOfLife), Cost: cost}
		default:
			jc.ID = c.ID
			if c.Op == siting.Replace {
				jc.EndOfLife = date(c.EndOfLife)
			}
			if c.Op == siting.Move || c.Op == siting.Replace && c.HasLink {
				link := int(c.Link)
				jc.From, jc.To = ends(c.Link)
				jc.Link = &link
			}
		}
		out.Changes = append(out.Changes, jc)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// mdWriter writes Markdown, keeping the first error.
type mdWriter struct {
	w   *bufio.Writer
	err error
}

func (m *mdWriter) f(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	m.f("| %s |\n", strings.Join(cells, " | "))
}

func (m *mdWriter) header(cells ...string) {
	m.row(cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	m.f("|%s|\n", strings.Join(seps, "|"))
}

func (m *mdWriter) flush() error {
	if m.err != nil {
		return m.err
	}
	return m.w.Flush()
}

func sourceLine(rec Record) string {
	m := rec.Model
	s := fmt.Sprintf("Network %s (%d nodes, %d links). Traffic: %s (one simulated day each, %s trips a day), seeds %s.",
		m.Net.Name, len(m.Net.Nodes()), len(m.Net.Links()), plural(len(m.Recs), "seed", "seeds"),
		siting.Thousands(math.Round(m.Trips)), joinSeeds(m.Seeds()))
	if len(m.Recs) < 2 {
		s += " With one seed the figures have no intervals; use two or more for them."
	}
	return s
}

func joinSeeds(seeds []uint64) string {
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ", ")
}

func readModelLine(m *Model) string {
	rm := m.Options.Read
	if rm == (siting.ReadModel{}) {
		rm = siting.DefaultReadModel()
	}
	return fmt.Sprintf("Read model: plate-exact accuracy %.1f%%, %.0f%% of misreads one confusable character, %.1f operator minutes an alert.",
		100*rm.Accuracy, 100*rm.SingleConfusion, rm.MinutesPerAlert)
}

// WriteDecisionRecord writes the decision record: the proposal, the
// comparison's tables and every site's place. It contains camera
// locations.
func WriteDecisionRecord(w io.Writer, rec Record) error {
	md := &mdWriter{w: bufio.NewWriter(w)}
	c, m := rec.Eval.Comparison, rec.Model
	md.f("# Camera siting decision record: %s\n\n", rec.Name)
	md.f("> **Contains camera locations.** Camera locations are not disclosed: this record stays with those entitled to know them. ")
	md.f("The public version, with sites by district only, is [%s](%s).\n\n", PublicSummaryFile, PublicSummaryFile)
	md.f("Made %s with anpr-planner. %s %s\n\n", rec.Made.Format("2 January 2006 15:04 MST"), sourceLine(rec), readModelLine(m))
	if rec.Map != nil {
		md.f("![Map of the current and proposed sites, with the gaps the proposal leaves](%s)\n\n", DecisionMapFile)
	}

	md.f("## The proposal\n\n")
	lines := ChangeLines(m.Net, rec.Eval.Proposal, m.Current, true)
	if len(lines) == 0 {
		md.f("No changes: the proposed sites are the current ones.\n\n")
	}
	for _, l := range lines {
		md.f("- %s\n", l)
	}
	md.f("\nSites: %d current, %d proposed. The proposal as a file: [%s](%s); the proposed sites: [%s](%s).\n\n",
		len(m.Current), len(rec.Eval.Proposed), ProposalFile, ProposalFile, ProposedSitesFile, ProposedSitesFile)

	md.f("## Key measures\n\nEach a mean over the seeds with its 95%% interval where there are two or more; the change is paired, seed by seed.\n\n")
	md.header("Measure", "Current", "Proposed", "Change", "Reads as")
	for _, km := range KeyMeasures() {
		if d, ok := findDiff(c, km.Key); ok {
			md.row(d.Label, FormatInterval(d.Current, d.Unit), FormatInterval(d.Proposed, d.Unit),
				FormatChangeInterval(d.Difference, d.Unit), verdictWord(Verdict(d, km.Better), km.Better))
		}
	}
	md.f("\n")
	measuresTable(md, c)

	md.f("## Sites\n\nMeasures of the proposed set (of the current set for a site removed).\n\n")
	cols := siteMeasures()
	head := []string{"Site", "Status", "District", "Where", "End of life"}
	for _, sm := range cols {
		head = append(head, sm.Label)
	}
	md.header(head...)
	for _, sd := range c.Sites {
		where := ""
		if sd.Location != nil {
			where = fmt.Sprintf("%s %s → %s (link %d)", sd.Location.Road, sd.Location.FromName, sd.Location.ToName, sd.Location.Link)
		}
		eol := ""
		if s, ok := siteByID(rec.Eval.Proposed, sd.ID); ok && !s.EndOfLife.IsZero() {
			eol = s.EndOfLife.Format(time.DateOnly)
		} else if s, ok := siteByID(m.Current, sd.ID); ok && !s.EndOfLife.IsZero() {
			eol = s.EndOfLife.Format(time.DateOnly)
		}
		cells := []string{sd.ID, sd.Status, sd.District, where, eol}
		for _, sm := range cols {
			v := "–"
			for _, d := range sd.Measures {
				if d.Key == sm.Key {
					e := d.Proposed
					if sd.Status == siting.Removed {
						e = d.Current
					}
					v = FormatValue(e, d.Unit)
				}
			}
			cells = append(cells, v)
		}
		md.row(cells...)
	}
	md.f("\n")
	md.f("Duplicated (other sites repeat most of their captures): current %s; proposed %s.\n\n", listOrNone(c.CurrentDuplicated), listOrNone(c.ProposedDuplicated))

	gapsTable := func(title string, gaps []siting.Gap) {
		md.f("### %s\n\n", title)
		if len(gaps) == 0 {
			md.f("None.\n\n")
			return
		}
		md.header("From", "To", "Target trips a day", "Kinds")
		for _, g := range gaps {
			var kinds []string
			for _, k := range g.Kinds {
				kinds = append(kinds, fmt.Sprintf("%s %s", k.Kind, formatNumber(k.Count, siting.PerDay, false)))
			}
			md.row(g.From, g.To, FormatInterval(g.TargetTripsPerDay, siting.PerDay), strings.Join(kinds, ", "))
		}
		md.f("\n")
	}
	md.f("## Gaps\n\nTrips of vehicles of interest that no camera sees, by origin and destination, largest first.\n\n")
	gapsTable("Current", c.CurrentGaps)
	gapsTable("Proposed", c.ProposedGaps)

	md.f("## Proportionality\n\n%s\n\n", siting.ProportionalityStatement)
	md.f("## Remaking these figures\n\n")
	src := rec.Source
	if src.CurrentFile != "" {
		cmd := fmt.Sprintf("anpr siting evaluate --network %s --sites %s --proposal %s --seed %d --seeds %d",
			orDefault(src.NetworkFile, "fixtures/networks/staffordshire.json"), src.CurrentFile, ProposalFile, src.FirstSeed, max(src.Seeds, 1))
		if src.TripsPerDay > 0 {
			cmd += fmt.Sprintf(" --trips %d", src.TripsPerDay)
		}
		md.f("```sh\n%s --with-locations\n```\n\n", cmd)
	}
	md.f("The figures are measured on simulated traffic: they compare sets of sites on the same traffic and are not rates on real roads. They inform the assessment that each site is necessary and proportionate; they do not make it.\n")
	return md.flush()
}

func measuresTable(md *mdWriter, c *siting.Comparison) {
	md.f("## All measures\n\n")
	md.header("Measure", "Current", "Proposed", "Change")
	for _, d := range c.Measures {
		md.row(d.Label, FormatInterval(d.Current, d.Unit), FormatInterval(d.Proposed, d.Unit), FormatChangeInterval(d.Difference, d.Unit))
	}
	md.f("\n")
}

func verdictWord(v, better int) string {
	switch {
	case better == 0:
		return "a cost to weigh"
	case v > 0:
		return "better"
	case v < 0:
		return "worse"
	}
	return "no clear change"
}

func siteByID(sites []siting.Site, id string) (siting.Site, bool) {
	i := slices.IndexFunc(sites, func(s siting.Site) bool { return s.ID == id })
	if i < 0 {
		return siting.Site{}, false
	}
	return sites[i], true
}

func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// DistrictCount is how many sites a district has, current and proposed.
type DistrictCount struct {
	District          string
	Current, Proposed int
}

// DistrictCounts counts the sites of the two sets by district, districts
// in name order.
func DistrictCounts(net *traffic.Network, current, proposed []siting.Site) []DistrictCount {
	counts := map[string]*DistrictCount{}
	get := func(link traffic.LinkID) *DistrictCount {
		d := siting.District(net, link)
		if counts[d] == nil {
			counts[d] = &DistrictCount{District: d}
		}
		return counts[d]
	}
	for _, s := range current {
		get(s.Link).Current++
	}
	for _, s := range proposed {
		get(s.Link).Proposed++
	}
	var out []DistrictCount
	for _, d := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, *counts[d])
	}
	return out
}

// WritePublicSummary writes the public version of the record: sites
// counted by district and the network's measures. It names no site, road,
// place or link, and has no map: camera locations are not disclosed.
func WritePublicSummary(w io.Writer, rec Record) error {
	md := &mdWriter{w: bufio.NewWriter(w)}
	m := rec.Model
	md.f("# Camera siting proposal: public summary\n\n")
	md.f("%s, %s. Camera locations are not disclosed, so this summary gives the number of sites in each district and the measures of the network as a whole: no map, no site identifiers, no roads or places.\n\n",
		rec.Name, rec.Made.Format("2 January 2006"))
	md.f("Measured on %s of simulated traffic (%s trips a day) on the %s network. %s\n\n",
		plural(len(m.Recs), "day", "days"), siting.Thousands(math.Round(m.Trips)), m.Net.Name, readModelLine(m))
	md.f("## Sites by district\n\n")
	md.header("District", "Current", "Proposed", "Change")
	var tc, tp int
	for _, d := range DistrictCounts(m.Net, m.Current, rec.Eval.Proposed) {
		md.row(d.District, fmt.Sprint(d.Current), fmt.Sprint(d.Proposed), signed(d.Proposed-d.Current))
		tc, tp = tc+d.Current, tp+d.Proposed
	}
	md.row("All districts", fmt.Sprint(tc), fmt.Sprint(tp), signed(tp-tc))
	md.f("\n")
	measuresTable(md, rec.Public)
	md.f("## What the proportionality figures mean\n\n%s\n", siting.ProportionalityStatement)
	return md.flush()
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	return fmt.Sprint(n)
}

// markedChangeLines are ChangeLines with places, each led by a mark of
// its kind (+ added, − removed, → moved, * replaced), for the panel.
func markedChangeLines(net *traffic.Network, p siting.Proposal, current []siting.Site) []string {
	lines := ChangeLines(net, p, current, true)
	marks := map[siting.Op]string{siting.Add: "+", siting.Remove: "−", siting.Move: "→", siting.Replace: "*"}
	for i, c := range p.Changes {
		lines[i] = marks[c.Op] + " " + lines[i]
	}
	return lines
}
