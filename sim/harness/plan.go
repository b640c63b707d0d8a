package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"anpr/sim/camera"
	"anpr/sim/scenario"
	"anpr/sim/scene"
	"anpr/sim/traffic"
)

// Why a passage at a camera was not rendered.
const (
	skipLane    = "lane not covered"
	skipWindow  = "outside the rendered window"
	skipSample  = "not sampled"
	skipCap     = "thinned to keep within render.max_passes"
	skipNoFrame = "no frame in the capture zone"
)

// plannedPass is one passage a camera captures and the run renders.
type plannedPass struct {
	idx       int // in the order passes are rendered and fed: by first frame
	site      int // index in the scenario's sites
	capture   camera.Capture
	ambient   camera.Ambient
	condition string
	seed      uint64
	behaviour traffic.Behaviour
	// weight is how many passages of the traffic the pass stands for: 1
	// for a pass rendered whatever the share (render.listed), 1/share for
	// a sampled one, each divided by the share kept within
	// render.max_passes.
	weight float64
	// nextStart is the first frame time of the next rendered pass at the
	// same camera; zero for the last.
	nextStart time.Time
}

// passageRecord is one line of passages.jsonl: every passage at a camera
// in the window, rendered or not.
type passageRecord struct {
	Camera    string    `json:"camera"`
	Vehicle   int32     `json:"vehicle"`
	Plate     string    `json:"plate"`
	Behaviour string    `json:"behaviour"`
	Listed    bool      `json:"listed,omitempty"`
	NearMiss  bool      `json:"near_miss,omitempty"`
	Trigger   time.Time `json:"trigger"`
	Lane      int       `json:"lane"`
	SpeedMPH  float64   `json:"speed_mph"`
	Rendered  bool      `json:"rendered"`
	Skipped   string    `json:"skipped,omitempty"`
	Condition string    `json:"condition,omitempty"`
	Frames    int       `json:"frames,omitempty"`
}

// siteCounts are what a camera saw of the traffic.
type siteCounts struct {
	Passages int `json:"passages"` // passages of its link in the window
	InView   int `json:"in_view"`  // in the lanes it covers
	Rendered int `json:"rendered"`
}

// plan is what the run renders, with the traffic it came from.
type plan struct {
	passes  []*plannedPass
	counts  []siteCounts
	traffic traffic.Stats
	lead    time.Duration // the traffic ran from this long before the window
	// listedVehicle[v] is the listing of vehicle v when it is a vehicle of
	// interest on the hotlist; nearMiss marks innocent vehicles one
	// character from a listed mark, and twins of clones.
	listed   map[traffic.VehicleID]bool
	nearMiss map[traffic.VehicleID]bool
}

// makePlan runs the traffic over the scenario's window and decides which
// passages at its cameras are rendered, writing every one to log (nil:
// none). When more passes would be rendered than render.max_passes allows,
// it runs the traffic again (the same traffic: a run depends only on the
// simulation and its window) keeping an even share of them through the
// window, rather than the earliest.
func makePlan(ctx context.Context, sc *scenario.Scenario, sim *traffic.Sim, log io.Writer) (*plan, error) {
	limit := sc.Render.MaxPasses
	if limit == 0 {
		return planWith(ctx, sc, sim, log, 1, 0)
	}
	count, err := planWith(ctx, sc, sim, nil, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(count.passes) <= limit {
		if log == nil {
			return count, nil
		}
		return planWith(ctx, sc, sim, log, 1, limit)
	}
	// A little under the limit, so that chance seldom takes it over (the
	// limit holds whatever chance does).
	return planWith(ctx, sc, sim, log, 0.97*float64(limit)/float64(len(count.passes)), limit)
}

// planWith plans the window's passes, keeping the given share of those
// sampled (the thinning for render.max_passes) and at most limit of them
// (0: no limit).
func planWith(ctx context.Context, sc *scenario.Scenario, sim *traffic.Sim, log io.Writer, keep float64, limit int) (*plan, error) {
	p := &plan{counts: make([]siteCounts, len(sc.Sites)), listed: map[traffic.VehicleID]bool{}, nearMiss: map[traffic.VehicleID]bool{}}
	for _, l := range sim.Listings() {
		switch l.Kind {
		case traffic.OfInterest:
			p.listed[l.Vehicle] = true
		case traffic.NearMiss:
			p.nearMiss[l.Vehicle] = true
		}
	}
	for _, v := range sim.Fleet() {
		if v.Behaviour == traffic.Clone && v.Twin != traffic.NoVehicle {
			p.nearMiss[v.Twin] = true
		}
	}
	onLink := map[traffic.LinkID][]int{}
	var links []traffic.LinkID
	for i, s := range sc.Sites {
		if len(onLink[s.Link]) == 0 {
			links = append(links, s.Link)
		}
		onLink[s.Link] = append(onLink[s.Link], i)
	}
	share := 1.0
	if sc.Render.Share != nil {
		share = *sc.Render.Share
	}
	enc := json.NewEncoder(io.Discard)
	if log != nil {
		enc = json.NewEncoder(log)
	}
	visit := func(pass traffic.Passage) error {
		for _, si := range onLink[pass.Link] {
			site := sc.Sites[si]
			c := site.Plan(pass, sc.Render.MaxFramesPerPass)
			if c.Trigger.Before(sc.From) || !c.Trigger.Before(sc.To) {
				continue // passes the camera outside the window
			}
			v := pass.Vehicle
			rec := passageRecord{Camera: site.ID, Vehicle: int32(v.ID), Plate: c.Mark.Text, Behaviour: v.Behaviour.String(),
				Listed: p.listed[v.ID], NearMiss: p.nearMiss[v.ID], Trigger: c.Trigger, Lane: c.Lane, SpeedMPH: round(c.SpeedMPH, 1)}
			p.counts[si].Passages++
			forced := sc.Render.Listed && (rec.Listed || rec.NearMiss)
			switch {
			case !c.InView:
				rec.Skipped = skipLane
			case len(c.Frames) == 0:
				rec.Skipped = skipNoFrame
			case c.Trigger.Before(sc.RenderFrom) || !c.Trigger.Before(sc.RenderTo):
				rec.Skipped = skipWindow
			case !forced && sampled(sc.Seed, v.ID, pass.Enter) >= share:
				rec.Skipped = skipSample
			case keep < 1 && sampled(sc.Seed+1, v.ID, pass.Enter) >= keep,
				limit > 0 && len(p.passes) >= limit:
				rec.Skipped = skipCap
			}
			if c.InView {
				p.counts[si].InView++
			}
			if rec.Skipped == "" {
				amb := sc.Ambient(c.Trigger, site)
				cond, err := camera.Condition(amb, site.Sensor)
				if err != nil {
					return err
				}
				rec.Rendered, rec.Condition, rec.Frames = true, cond, len(c.Frames)
				p.counts[si].Rendered++
				weight := 1 / keep
				if !forced {
					weight /= share
				}
				p.passes = append(p.passes, &plannedPass{site: si, capture: c, ambient: amb, condition: cond,
					seed: scene.ImageSeed(sc.Seed, len(p.passes)), behaviour: v.Behaviour, weight: weight})
			}
			if err := enc.Encode(rec); err != nil {
				return fmt.Errorf("passage log: %w", err)
			}
		}
		return nil
	}
	// A run reports the passages that enter a link in its window; a
	// vehicle reaches a camera some way along the link later. Start early
	// enough to catch every vehicle that reaches a camera in the window,
	// the slowest driver included.
	var lead time.Duration
	for _, s := range sc.Sites {
		lead = max(lead, time.Duration(float64(s.Road.FreeFlow)**s.At*2))
	}
	p.lead = lead + time.Minute
	st, err := sim.RunWith(ctx, sc.From.Add(-p.lead), sc.To, traffic.RunOptions{Links: links, Passage: visit})
	if err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	p.traffic = st
	p.order()
	return p, nil
}

// order puts the passes in the order of their first frames, makes every
// frame time unique at its camera (two vehicles are never captured in the
// very same nanosecond; the join of reads to passes needs it), and links
// each pass to the next at its camera.
func (p *plan) order() {
	first := func(pp *plannedPass) time.Time { return pp.capture.Frames[0].Captured }
	slices.SortStableFunc(p.passes, func(a, b *plannedPass) int { return first(a).Compare(first(b)) })
	used := map[int]map[int64]bool{}
	last := map[int]*plannedPass{}
	for i, pp := range p.passes {
		pp.idx = i
		if used[pp.site] == nil {
			used[pp.site] = map[int64]bool{}
		}
		for k := range pp.capture.Frames {
			f := &pp.capture.Frames[k]
			for used[pp.site][f.Captured.UnixNano()] {
				f.Captured = f.Captured.Add(time.Nanosecond)
			}
			used[pp.site][f.Captured.UnixNano()] = true
		}
		if prev := last[pp.site]; prev != nil {
			prev.nextStart = first(pp)
		}
		last[pp.site] = pp
	}
}

// sampled draws a number in [0, 1) from a passage, the same for the same
// seed, vehicle and time.
func sampled(seed uint64, v traffic.VehicleID, enter time.Time) float64 {
	return float64(scene.ImageSeed(seed^uint64(enter.UnixNano()), int(v))>>11) / (1 << 53)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
