package planner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Model is what the planner measures on: a network, its recorded traffic
// (one siting.Recording per seed, and the same trips as one Traffic for
// the map) and the current sites.
type Model struct {
	Net     *traffic.Network
	Recs    []*siting.Recording
	Traffic *Traffic
	Current []siting.Site
	// Options are those of every evaluation; WithLocations is set where
	// the comparison needs places (the decision record) and cleared for
	// the public summary.
	Options siting.Options
	// Trips is the trips a day simulated (a mean over seeds).
	Trips float64

	current, currentPublic *siting.Report
	currentHeat            Heat
}

// TrafficConfig says what traffic to simulate: one day per seed from
// Start.
type TrafficConfig struct {
	Seeds []uint64
	// TripsPerDay is the trips a day; 0 means the simulator's default.
	TripsPerDay int
	// Start is the first simulated day; zero means the simulator's epoch.
	Start time.Time
	// Sim is the rest of the simulation's configuration; its Seed and
	// TripsPerDay are set from Seeds and TripsPerDay.
	Sim traffic.Config
}

// NewModel records each seed's day of traffic on net (two seeds at a time)
// and measures the current sites on it.
func NewModel(ctx context.Context, net *traffic.Network, current []siting.Site, tc TrafficConfig, opts siting.Options) (*Model, error) {
	if len(tc.Seeds) == 0 {
		return nil, errors.New("planner model: no seeds")
	}
	from := tc.Start
	if from.IsZero() {
		from = traffic.DefaultEpoch()
	}
	to := from.Add(24 * time.Hour)
	recs := make([]*siting.Recording, len(tc.Seeds))
	trs := make([]*Traffic, len(tc.Seeds))
	for i, seed := range tc.Seeds {
		cfg := tc.Sim
		cfg.Seed, cfg.TripsPerDay = seed, tc.TripsPerDay
		sim, err := traffic.New(net, cfg)
		if err != nil {
			return nil, fmt.Errorf("planner model: %w", err)
		}
		if recs[i], trs[i], err = RecordDay(ctx, sim, from, to); err != nil {
			return nil, fmt.Errorf("planner model: %w", err)
		}
	}
	m := &Model{Net: net, Recs: recs, Traffic: NewTraffic(net, 0), Current: current, Options: opts}
	for i, tr := range trs {
		if err := m.Traffic.Merge(tr); err != nil {
			return nil, err
		}
		m.Trips += float64(recs[i].Trips()) / float64(len(recs))
	}
	if err := m.measureCurrent(); err != nil {
		return nil, err
	}
	return m, nil
}

// NewModelFrom makes a model of recordings and traffic made elsewhere
// (by hand, in tests).
func NewModelFrom(recs []*siting.Recording, tr *Traffic, current []siting.Site, opts siting.Options) (*Model, error) {
	if len(recs) == 0 {
		return nil, errors.New("planner model: no recordings")
	}
	m := &Model{Net: tr.Network(), Recs: recs, Traffic: tr, Current: current, Options: opts}
	for _, r := range recs {
		m.Trips += float64(r.Trips()) / float64(len(recs))
	}
	if err := m.measureCurrent(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) measureCurrent() error {
	var err error
	if m.current, err = m.evaluate(m.Current, true); err != nil {
		return fmt.Errorf("measure the current sites: %w", err)
	}
	m.currentHeat = m.Traffic.Heat(m.Current)
	return nil
}

// evaluate measures sites, with their places or without.
func (m *Model) evaluate(sites []siting.Site, withLocations bool) (*siting.Report, error) {
	opts := m.Options
	opts.WithLocations = withLocations
	return siting.Evaluate(m.Recs, sites, opts)
}

// Evaluation is a proposal measured against the current sites.
type Evaluation struct {
	Proposal siting.Proposal
	Proposed []siting.Site
	// Comparison names each site's place (siting.Options.WithLocations).
	Comparison *siting.Comparison
	// Heat of the current and of the proposed sites.
	CurrentHeat, Heat Heat
}

// Evaluate measures proposal against the current sites.
func (m *Model) Evaluate(proposal siting.Proposal) (*Evaluation, error) {
	proposed, err := proposal.Apply(m.Current)
	if err != nil {
		return nil, err
	}
	rep, err := m.evaluate(proposed, true)
	if err != nil {
		return nil, fmt.Errorf("measure the proposal: %w", err)
	}
	ev := &Evaluation{Proposal: proposal, Proposed: proposed,
		CurrentHeat: m.currentHeat, Heat: m.Traffic.Heat(proposed)}
	if ev.Comparison, err = siting.Compare(m.current, rep, proposal.Name); err != nil {
		return nil, err
	}
	return ev, nil
}

// PublicComparison measures ev's proposal against the current sites
// without places: sites by id and district, gaps by district.
func (m *Model) PublicComparison(ev *Evaluation) (*siting.Comparison, error) {
	if m.currentPublic == nil {
		var err error
		if m.currentPublic, err = m.evaluate(m.Current, false); err != nil {
			return nil, fmt.Errorf("measure the current sites: %w", err)
		}
	}
	rep, err := m.evaluate(ev.Proposed, false)
	if err != nil {
		return nil, fmt.Errorf("measure the proposal: %w", err)
	}
	return siting.Compare(m.currentPublic, rep, ev.Proposal.Name)
}

// Seeds returns the seeds the traffic was recorded with.
func (m *Model) Seeds() []uint64 {
	seeds := make([]uint64, len(m.Recs))
	for i, r := range m.Recs {
		seeds[i] = r.Seed
	}
	return seeds
}
