package siting

import (
	"errors"
	"math"
	"slices"
)

// Comparison sets a proposed set of sites beside the current one, measure
// by measure, on the same recorded traffic.
type Comparison struct {
	Network  string   `json:"network"`
	Seeds    []uint64 `json:"seeds"`
	Proposal string   `json:"proposal"`
	// Measures are the network's measures, current, proposed and the
	// difference (proposed less current).
	Measures []MeasureDiff `json:"measures"`
	// Sites are every site of either set, current order first, then the
	// sites added.
	Sites []SiteDiff `json:"per_site"`
	// Duplicated and Gaps of each set.
	CurrentDuplicated  []string `json:"current_duplicated"`
	ProposedDuplicated []string `json:"proposed_duplicated"`
	CurrentGaps        []Gap    `json:"current_gaps"`
	ProposedGaps       []Gap    `json:"proposed_gaps"`
}

// MeasureDiff is one measure of the current and proposed sets and the
// difference. Both are measured on the same seeds' traffic, so the
// difference's interval is that of the per-seed differences (a paired
// comparison), narrower than the two intervals suggest when the seeds
// move both figures alike.
type MeasureDiff struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	Unit       Unit     `json:"unit"`
	Current    Estimate `json:"current"`
	Proposed   Estimate `json:"proposed"`
	Difference Estimate `json:"difference"`
}

// Site statuses in a comparison.
const (
	Kept     = "kept"
	Added    = "added"
	Removed  = "removed"
	Moved    = "moved"
	Replaced = "replaced"           // new camera in place
	Resited  = "replaced elsewhere" // new camera, new place
)

// SiteDiff is one site in a comparison. A site only one set has is
// measured in that set alone: its other side and the difference are
// empty.
type SiteDiff struct {
	ID       string `json:"id"`
	District string `json:"district"`
	Status   string `json:"status"`
	// Location where the site is proposed to be (where it was, for a
	// site removed); given only with Options.WithLocations.
	Location *Location     `json:"location,omitempty"`
	Measures []MeasureDiff `json:"measures"`
}

// Compare sets proposed beside current. Both must be evaluated on the same
// recordings (the same seeds).
func Compare(current, proposed *Report, proposal string) (*Comparison, error) {
	if current.Network != proposed.Network || !slices.Equal(current.Seeds, proposed.Seeds) || current.Days != proposed.Days {
		return nil, errors.New("compare sites: the two reports are not of the same recorded traffic")
	}
	c := &Comparison{Network: current.Network, Seeds: current.Seeds, Proposal: proposal,
		CurrentDuplicated: current.Duplicated, ProposedDuplicated: proposed.Duplicated,
		CurrentGaps: current.Gaps, ProposedGaps: proposed.Gaps}
	c.Measures = diffMeasures(current.Measures, proposed.Measures)
	find := func(r *Report, id string) int {
		return slices.IndexFunc(r.sites, func(s Site) bool { return s.ID == id })
	}
	for i, s := range current.sites {
		d := SiteDiff{ID: s.ID, District: current.PerSite[i].District, Location: current.PerSite[i].Location}
		j := find(proposed, s.ID)
		if j < 0 {
			d.Status = Removed
			d.Measures = diffMeasures(current.PerSite[i].Measures, nil)
		} else {
			p := proposed.sites[j]
			moved, renewed := p.Link != s.Link, !p.EndOfLife.Equal(s.EndOfLife)
			switch {
			case moved && renewed:
				d.Status = Resited
			case moved:
				d.Status = Moved
			case renewed:
				d.Status = Replaced
			default:
				d.Status = Kept
			}
			d.District, d.Location = proposed.PerSite[j].District, proposed.PerSite[j].Location
			d.Measures = diffMeasures(current.PerSite[i].Measures, proposed.PerSite[j].Measures)
		}
		c.Sites = append(c.Sites, d)
	}
	for j, s := range proposed.sites {
		if find(current, s.ID) < 0 {
			c.Sites = append(c.Sites, SiteDiff{ID: s.ID, District: proposed.PerSite[j].District, Status: Added,
				Location: proposed.PerSite[j].Location, Measures: diffMeasures(nil, proposed.PerSite[j].Measures)})
		}
	}
	return c, nil
}

// diffMeasures pairs measures by key; either side may be missing.
func diffMeasures(cur, prop []Measure) []MeasureDiff {
	var out []MeasureDiff
	index := map[string]int{}
	add := func(m Measure) *MeasureDiff {
		i, ok := index[m.Key]
		if !ok {
			out = append(out, MeasureDiff{Key: m.Key, Label: m.Label, Unit: m.Unit})
			i = len(out) - 1
			index[m.Key] = i
		}
		return &out[i]
	}
	curSeeds := map[string][]float64{}
	for _, m := range cur {
		add(m).Current = m.Estimate
		curSeeds[m.Key] = m.perSeed
	}
	for _, m := range prop {
		d := add(m)
		d.Proposed = m.Estimate
		a := curSeeds[m.Key]
		if a == nil {
			continue
		}
		diff := make([]float64, len(m.perSeed))
		for k := range diff {
			diff[k] = math.NaN()
			if k < len(a) && !math.IsNaN(a[k]) && !math.IsNaN(m.perSeed[k]) {
				diff[k] = m.perSeed[k] - a[k]
			}
		}
		d.Difference = estimate(diff, unbounded)
	}
	return out
}
