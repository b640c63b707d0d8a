package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gocv.io/x/gocv"

	enginecamera "anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/sim/dataset"
	"anpr/sim/scenario"
	"anpr/sim/scene"
	"anpr/sim/stream"
	"anpr/sim/traffic"
)

// Replay is a scenario's traffic shown live by its cameras, for an engine
// that is already running to read (anpr serve --demo): each camera streams
// the passages it captures, rendered as a run renders them, in the order
// they happen. Between passages the idle road is cut to a second or so, so
// simulated time runs ahead of the wall clock there; each passage's frames
// are shown at the camera's frame rate.
type Replay struct {
	sc     *scenario.Scenario
	sim    *traffic.Sim
	bySite [][]*plannedPass // each site's passes in the order of their first frames
	listed map[traffic.VehicleID]bool
}

// ReplayPassage is one passage a replayed camera shows, with its truth.
type ReplayPassage struct {
	Camera  string
	Vehicle traffic.VehicleID
	Plate   string // the mark the camera sees
	// Listed is true for a vehicle of interest on the simulation's hotlist.
	Listed bool
	// Seen is when, in simulated time, the camera's first frame of it is
	// captured: passages are shown in this order.
	Seen      time.Time
	Condition string // the renderer's condition: the light and weather then
	Frames    int
}

// ShowOptions say how a replayed camera shows its passages.
type ShowOptions struct {
	// EmptyRoad is how long the empty road is shown after each passage
	// (long enough for a tracker to let the vehicle go); 0: one second.
	EmptyRoad time.Duration
	// Showing, if set, learns each passage just before its first frame is
	// shown; it is called on RunCamera's goroutine.
	Showing func(ReplayPassage)
}

// OpenReplay simulates a scenario's traffic over its window and plans what
// its cameras capture, as Run does (render.share, render.listed and the
// other render settings apply). Every camera must capture at least one
// passage to show.
func OpenReplay(ctx context.Context, sc *scenario.Scenario) (*Replay, error) {
	sim, err := sc.NewTraffic()
	if err != nil {
		return nil, err
	}
	pl, err := makePlan(ctx, sc, sim, nil)
	if err != nil {
		return nil, err
	}
	r := &Replay{sc: sc, sim: sim, bySite: make([][]*plannedPass, len(sc.Sites)), listed: pl.listed}
	for _, pp := range pl.passes {
		r.bySite[pp.site] = append(r.bySite[pp.site], pp)
	}
	var errs []error
	for i, passes := range r.bySite {
		if len(passes) == 0 {
			errs = append(errs, fmt.Errorf("scenario %s: camera %s renders no passage between %s and %s: raise render.share or widen the window",
				sc.File, sc.Sites[i].ID, sc.RenderFrom.Format(time.DateTime), sc.RenderTo.Format(time.DateTime)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// Cameras are the scenario's cameras as a back office's camera register
// holds them: ids, names, districts and positions.
func (r *Replay) Cameras() []enginecamera.Camera {
	out := make([]enginecamera.Camera, len(r.sc.Sites))
	for i, s := range r.sc.Sites {
		out[i] = s.Register()
	}
	return out
}

// Passages are the passages a camera shows, in the order it shows them
// (the order they happen); none for a camera the scenario does not have.
func (r *Replay) Passages(camera string) []ReplayPassage {
	si, ok := r.site(camera)
	if !ok {
		return nil
	}
	out := make([]ReplayPassage, len(r.bySite[si]))
	for i, pp := range r.bySite[si] {
		out[i] = r.passage(pp)
	}
	return out
}

func (r *Replay) passage(pp *plannedPass) ReplayPassage {
	c := pp.capture
	return ReplayPassage{Camera: c.Camera, Vehicle: c.Vehicle, Plate: c.Mark.Text, Listed: r.listed[c.Vehicle],
		Seen: c.Frames[0].Captured, Condition: pp.condition, Frames: len(c.Frames)}
}

func (r *Replay) site(camera string) (int, bool) {
	for i, s := range r.sc.Sites {
		if s.ID == camera {
			return i, true
		}
	}
	return 0, false
}

// WriteHotlist writes the simulation's hotlist (its vehicles of interest,
// and the marks no vehicle carries or one character from an innocent
// vehicle's) as CSV in the format engine/hotlist loads, dated as if the
// window began on asOf's day: every entry's added and expiry dates move by
// the whole days between, so that what is in force in the window is in
// force for a live replay.
func (r *Replay) WriteHotlist(w io.Writer, asOf time.Time) error {
	shift := asOf.Sub(r.sc.From).Truncate(24 * time.Hour)
	cw := hotlist.NewCSVWriter(w)
	for _, l := range r.sim.Listings() {
		e := l.Entry
		if !e.Added.IsZero() {
			e.Added = e.Added.Add(shift)
		}
		if !e.Expires.IsZero() {
			e.Expires = e.Expires.Add(shift)
		}
		if err := cw.Write(e); err != nil {
			return fmt.Errorf("write hotlist: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write hotlist: %w", err)
	}
	return nil
}

// RunCamera shows a camera's passages on sink live, one after another in
// the order they happen, each followed by the empty road, until ctx ends
// (which is not an error). When it has shown them all it starts again,
// drawing each passage afresh. On a live stream (a sink that counts its
// viewers, as stream.MJPEGServer does) nothing is shown until a viewer
// connects. Every camera of a replay may run at once, each in a goroutine
// of its own.
func (r *Replay) RunCamera(ctx context.Context, camera string, sink stream.Sink, opts ShowOptions) error {
	si, ok := r.site(camera)
	if !ok {
		return fmt.Errorf("replay: scenario %s has no camera %q", r.sc.Name, camera)
	}
	site := r.sc.Sites[si]
	rend, err := site.NewRenderer(r.sc.From)
	if err != nil {
		return fmt.Errorf("camera %s: %w", camera, err)
	}
	defer rend.Close()
	empty := opts.EmptyRoad
	if empty <= 0 {
		empty = time.Second
	}
	roadFrames := max(1, int(empty.Seconds()*site.FPS+0.5))
	// The empty road under each condition, rendered once.
	roads := map[string]gocv.Mat{}
	defer func() {
		for _, m := range roads {
			m.Close()
		}
	}()

	if viewers, live := sink.(interface{ Clients() int }); live {
		for viewers.Clients() == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	tick := time.NewTicker(time.Duration(float64(time.Second) / site.FPS))
	defer tick.Stop()
	show := func(m gocv.Mat) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		return sink.Show(m)
	}
	for round := 0; ; round++ {
		for _, pp := range r.bySite[si] {
			seed := pp.seed
			if round > 0 {
				seed = scene.ImageSeed(pp.seed, round)
			}
			frames, _, err := site.Render(rend, &pp.capture, pp.condition, seed)
			if err != nil {
				return err
			}
			road, ok := roads[pp.condition]
			if !ok {
				if road, _, err = dataset.RenderWritten(rend, scene.KindEmpty, pp.condition, r.sc.Seed); err != nil {
					closeFrames(frames)
					return fmt.Errorf("camera %s: render the empty road: %w", camera, err)
				}
				roads[pp.condition] = road
			}
			if opts.Showing != nil {
				opts.Showing(r.passage(pp))
			}
			for _, f := range frames {
				if err == nil {
					err = show(f.Image)
				}
			}
			closeFrames(frames)
			for range roadFrames {
				if err == nil {
					err = show(road)
				}
			}
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return fmt.Errorf("camera %s: %w", camera, err)
			}
		}
	}
}
