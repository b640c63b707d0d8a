package planner

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"anpr/sim/siting"
)

// exportSample exports the sample proposal on the small recorded day and
// returns the folder.
func exportSample(t *testing.T) (string, *Session) {
	t.Helper()
	day := recordedDay(t)
	net := day.traffic.Network()
	current := currentSites(t, net)
	prop, err := siting.LoadProposal(proposalPath, net)
	if err != nil {
		t.Fatal(err)
	}
	proposed, err := prop.Apply(current)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModelFrom([]*siting.Recording{day.rec}, day.traffic, current, siting.Options{})
	if err != nil {
		t.Fatal(err)
	}
	made := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)
	s, err := NewSession(m, SessionConfig{Proposed: proposed, Name: prop.Name, Now: func() time.Time { return made },
		Describe: RecordSource{CurrentFile: "fixtures/sites/staffordshire-current.json", FirstSeed: 7, Seeds: 1, TripsPerDay: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	// An edit in the window as well as the file's.
	x, y := s.Geometry().Segment(linkOf(t, s, "stafford", "m6-j13").Link).At(0.3)
	click(s, Left, x, y)
	dir := t.TempDir()
	files, err := s.Export(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Errorf("wrote %v", files)
	}
	return dir, s
}

func linkOf(t *testing.T, s *Session, from, to string) siting.Site {
	t.Helper()
	id, ok := s.Model.Net.FindLink(from, to)
	if !ok {
		t.Fatalf("no link %s → %s", from, to)
	}
	return siting.Site{Link: id}
}

// The public summary gives sites by district and the network's measures:
// no site ids or names, no node ids or names (but those that are also a
// district's), no road numbers, links or coordinates.
func TestPublicSummaryDisclosesNoLocation(t *testing.T) {
	dir, s := exportSample(t)
	pub, err := os.ReadFile(filepath.Join(dir, PublicSummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(pub)
	net := s.Model.Net
	districts := map[string]bool{}
	for _, n := range net.Nodes() {
		districts[n.District] = true
	}
	word := func(w string) *regexp.Regexp {
		return regexp.MustCompile(`(^|[^\pL\pN-])` + regexp.QuoteMeta(w) + `($|[^\pL\pN-])`)
	}
	// A node named as its district is (Stafford, Cannock in Cannock Chase)
	// names the district.
	var districtNames string
	for d := range districts {
		districtNames += d + "\n"
	}
	var forbidden []string
	for _, n := range net.Nodes() {
		forbidden = append(forbidden, n.ID)
		if !strings.Contains(districtNames, n.Name) {
			forbidden = append(forbidden, n.Name)
		}
		for _, prec := range []int{2, 3, 4} {
			forbidden = append(forbidden, fmt.Sprintf("%.*f", prec, n.Lat), fmt.Sprintf("%.*f", prec, n.Lon))
		}
	}
	roads := map[string]bool{}
	for _, l := range net.Links() {
		roads[l.Road] = true
	}
	for r := range roads {
		forbidden = append(forbidden, r)
	}
	for _, site := range append(s.Model.Current, s.Evaluation().Proposed...) {
		forbidden = append(forbidden, site.ID)
		if site.Name != "" {
			forbidden = append(forbidden, site.Name)
		}
	}
	for _, f := range forbidden {
		if word(f).MatchString(text) {
			t.Errorf("the public summary holds %q", f)
		}
	}
	if regexp.MustCompile(`(?i)\blinks?\b|→|\.png`).MatchString(text) {
		t.Errorf("the public summary mentions links or a map:\n%s", text)
	}
	// What it does hold: the districts' counts and the measures.
	for _, want := range []string{"| Stoke-on-Trent | 0 | 2 | +2 |", "| Stafford | 1 | 2 | +1 |", "| All districts | 16 | 18 | +2 |", "Share of target trips seen by at least one camera"} {
		if !strings.Contains(text, want) {
			t.Errorf("the public summary has no %q:\n%s", want, text)
		}
	}
}

// The decision record holds the places, the tables and the map.
func TestDecisionRecord(t *testing.T) {
	dir, s := exportSample(t)
	rec, err := os.ReadFile(filepath.Join(dir, DecisionRecordFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(rec)
	for _, want := range []string{"Contains camera locations", "## Key measures", "## All measures", "## Gaps",
		"A500 Etruria (A500/A53) → Wolstanton and Porthill (A500/A527)", "| N01 | added |", "| S07 | removed |",
		"| S14 | moved |", "| S01 | replaced |", "| P01 | added |", "![", "--proposal proposal.json --seed 7 --seeds 1 --trips 5000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the decision record has no %q", want)
		}
	}
	f, err := os.Open(filepath.Join(dir, DecisionMapFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1500 || b.Dy() != 1000 {
		t.Errorf("map is %v", b)
	}
	// The proposal file reads back and makes the proposed sites.
	p, err := siting.LoadProposal(filepath.Join(dir, ProposalFile), s.Model.Net)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Apply(s.Model.Current)
	if err != nil || len(got) != len(s.Evaluation().Proposed) {
		t.Errorf("the written proposal makes %d sites (%v); want %d", len(got), err, len(s.Evaluation().Proposed))
	}
	if sites, err := siting.LoadSites(filepath.Join(dir, ProposedSitesFile), s.Model.Net); err != nil || len(sites) != len(got) {
		t.Errorf("the proposed sites file has %d sites (%v)", len(sites), err)
	}
	if out := os.Getenv("PLANNER_KEEP_EXPORT"); out != "" {
		os.CopyFS(out, os.DirFS(dir))
	}
}
