package harness

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/alert"
	"anpr/engine/ingest"
	"anpr/engine/recognise"
	"anpr/engine/store"
	"anpr/engine/track"
	"anpr/sim/camera"
	"anpr/sim/scenario"
	"anpr/sim/scene"
)

// EngineOptions are the recogniser options a scenario's engine section
// gives (without the models' expected hashes, which the caller may add).
func EngineOptions(sc *scenario.Scenario) recognise.Options {
	th := sc.Engine.DetectorThreshold
	if th == 0 {
		th = 0.3
	}
	to := sc.To
	return recognise.Options{DetectorModel: sc.Engine.DetectorPath, ReaderModel: sc.Engine.ReaderPath,
		Threshold: th, MinConfidence: sc.Engine.MinConfidence, Now: func() time.Time { return to }}
}

// frameRef is what the join needs of a frame the engine was handed.
type frameRef struct {
	pass   int       // plan index
	handed time.Time // wall clock: when the frame was handed to the recogniser
}

// readRecord is one read the engine made, as it went into the back office.
type readRecord struct {
	read   store.Read
	frames int       // frames the plate was found in
	per    []string  // the read of each frame
	bestAt time.Time // capture time of the best frame
	out    time.Time // wall clock: when the tracker let the read go
	err    string    // why the back office did not take it, if it did not
}

// alertRecord is one alert as the operator channel (alert.Service's
// subscription) got it.
type alertRecord struct {
	alert alert.Alert
	at    time.Time // wall clock
}

// renderedPass is a planned pass with its frames.
type renderedPass struct {
	pp     *plannedPass
	frames []camera.Frame
	took   time.Duration
	err    error
}

// emitted is a read as the tracker let it go.
type emitted struct {
	site int
	pass track.Pass
	out  time.Time
}

// pipeline runs the rendered frames through the engine into the back
// office and records what came out, and when.
type pipeline struct {
	sc      *scenario.Scenario
	plan    *plan
	bo      *backOffice
	workers int
	recs    []*recognise.Recogniser // one per engine worker, owned by the caller
	onFrame func(camera.FrameTruth) // the truth of each frame, as it is rendered

	start time.Time // set before run: frame times are counted from it

	mu         sync.Mutex
	frames     []map[int64]frameRef // by site, by capture time
	reads      []readRecord
	alerts     []alertRecord
	frameDone  []time.Duration // since start, of each frame the engine finished
	engineTime time.Duration   // recognising and tracking, summed over frames
	engineCPU  time.Duration   // the same in CPU time of the engine workers' threads
	renderTime time.Duration   // rendering, summed over passes
	badFrames  int
	firstErr   error

	// For the progress line.
	passesDone, framesDone, readsDone, alertsDone atomic.Int64
}

func (p *pipeline) fail(err error) {
	p.mu.Lock()
	if p.firstErr == nil {
		p.firstErr = err
	}
	p.mu.Unlock()
}

// run renders every planned pass and feeds it through the engine and the
// back office, until done or ctx ends.
func (p *pipeline) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.frames = make([]map[int64]frameRef, len(p.sc.Sites))
	for i := range p.frames {
		p.frames[i] = map[int64]frameRef{}
	}

	// One renderer per resolution: its textures are the frame's size.
	renderers := map[[2]int]*scene.Renderer{}
	defer func() {
		for _, r := range renderers {
			r.Close()
		}
	}()
	for _, s := range p.sc.Sites {
		key := [2]int{s.Width, s.Height}
		if renderers[key] == nil {
			r, err := s.NewRenderer(p.sc.From)
			if err != nil {
				return err
			}
			renderers[key] = r
		}
	}

	W := max(p.workers, 1)
	E := len(p.recs)
	slots := make(chan struct{}, 2*W+2) // passes rendered and not yet with the engine
	jobs := make(chan *plannedPass)
	rendered := make(chan renderedPass, W)
	toEngine := make([]chan renderedPass, E)
	for i := range toEngine {
		toEngine[i] = make(chan renderedPass, 4)
	}
	out := make(chan emitted, 1024)

	events, unsubscribe := p.bo.alerts.Subscribe()
	var subWG sync.WaitGroup
	subWG.Add(1)
	go func() {
		defer subWG.Done()
		for ev := range events {
			if ev.Type == alert.EventRaised {
				at := time.Now()
				p.mu.Lock()
				p.alerts = append(p.alerts, alertRecord{alert: ev.Alert, at: at})
				p.mu.Unlock()
				p.alertsDone.Add(1)
			}
		}
	}()

	// Dispatch in plan order; a slot bounds the frames in memory.
	go func() {
		defer close(jobs)
		for _, pp := range p.plan.passes {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- pp:
			case <-ctx.Done():
				return
			}
		}
	}()

	// Render.
	var renderWG sync.WaitGroup
	for w := 0; w < W; w++ {
		renderWG.Add(1)
		go func() {
			defer renderWG.Done()
			for pp := range jobs {
				site := p.sc.Sites[pp.site]
				t0 := time.Now()
				frames, _, err := site.Render(renderers[[2]int{site.Width, site.Height}], &pp.capture, pp.condition, pp.seed)
				rendered <- renderedPass{pp: pp, frames: frames, took: time.Since(t0), err: err}
			}
		}()
	}
	go func() { renderWG.Wait(); close(rendered) }()

	// Put the passes back in plan order, so that each camera's frames
	// reach its tracker in capture order.
	go func() {
		defer func() {
			for _, ch := range toEngine {
				close(ch)
			}
		}()
		held := map[int]renderedPass{}
		next := 0
		for rp := range rendered {
			if rp.err != nil {
				p.fail(rp.err)
				cancel()
			}
			held[rp.pp.idx] = rp
			for {
				r, ok := held[next]
				if !ok {
					break
				}
				delete(held, next)
				next++
				p.mu.Lock()
				p.renderTime += r.took
				p.mu.Unlock()
				if r.err != nil || ctx.Err() != nil {
					closeFrames(r.frames)
					<-slots
					continue
				}
				if p.onFrame != nil {
					for _, f := range r.frames {
						p.onFrame(f.Truth)
					}
				}
				toEngine[r.pp.site%E] <- r
			}
		}
		for _, r := range held {
			closeFrames(r.frames)
		}
	}()

	// The engine: each worker owns some cameras, a recogniser, and one
	// tracker per camera, as a feed worker of anpr serve does.
	var engineWG sync.WaitGroup
	for e := 0; e < E; e++ {
		engineWG.Add(1)
		go func() {
			defer engineWG.Done()
			err := p.engine(ctx, p.recs[e], toEngine[e], slots, out)
			if err != nil {
				p.fail(err)
				cancel()
			}
			for r := range toEngine[e] { // whatever is left after a failure
				closeFrames(r.frames)
				<-slots
			}
		}()
	}
	go func() { engineWG.Wait(); close(out) }()

	// The back office takes the reads in, one at a time, in the order the
	// engine let them go.
	seq := 0
	for e := range out {
		seq++
		p.ingest(context.WithoutCancel(ctx), e, seq)
	}
	unsubscribe()
	subWG.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.firstErr != nil {
		return p.firstErr
	}
	return ctx.Err()
}

// camState is one camera's tracker and the frames waiting for it.
type camState struct {
	site    *camera.Placed
	tk      *track.Tracker
	pending []pendingFrame // in capture order
	last    time.Time      // capture time of the last frame tracked
}

type pendingFrame struct {
	img      gocv.Mat
	captured time.Time
	pass     int
}

// engine is one engine worker: it recognises and tracks the frames of the
// cameras it owns, in capture order per camera, and sends on each read as
// the tracker lets it go.
func (p *pipeline) engine(ctx context.Context, rec *recognise.Recogniser, in <-chan renderedPass, slots <-chan struct{}, out chan<- emitted) error {
	// On a thread of its own, so that the thread's CPU time is the
	// engine's: OpenCV runs on the calling thread (one thread a worker).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cams := map[int]*camState{}
	defer func() {
		for _, cs := range cams {
			for _, f := range cs.pending {
				f.img.Close()
			}
			cs.tk.Close()
		}
	}()
	gap := p.sc.Engine.Gap
	for r := range in {
		<-slots
		cs := cams[r.pp.site]
		if cs == nil {
			site := p.sc.Sites[r.pp.site]
			tk, err := track.New(track.Config{Camera: site.ID, MaxGap: gap, MinFrames: p.sc.Engine.MinFrames}, rec.Reader())
			if err != nil {
				closeFrames(r.frames)
				return err
			}
			cs = &camState{site: site, tk: tk}
			cams[r.pp.site] = cs
		}
		for _, f := range r.frames {
			cs.pending = append(cs.pending, pendingFrame{img: f.Image, captured: f.Truth.Captured, pass: r.pp.idx})
		}
		slices.SortStableFunc(cs.pending, func(a, b pendingFrame) int { return a.captured.Compare(b.captured) })
		// Frames before the next pass's first can go now: no later pass
		// has any before them.
		if err := p.feed(ctx, rec, r.pp.site, cs, r.pp.nextStart, out); err != nil {
			return err
		}
		p.passesDone.Add(1)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for si, cs := range cams {
		if err := p.feed(ctx, rec, si, cs, time.Time{}, out); err != nil {
			return err
		}
		for _, ps := range cs.tk.Flush() {
			out <- emitted{site: si, pass: ps, out: time.Now()}
		}
	}
	return nil
}

// feed recognises and tracks the camera's pending frames captured before
// until (zero: all of them).
func (p *pipeline) feed(ctx context.Context, rec *recognise.Recogniser, si int, cs *camState, until time.Time, out chan<- emitted) error {
	send := func(ended []track.Pass) {
		now := time.Now()
		for _, ps := range ended {
			out <- emitted{site: si, pass: ps, out: now}
		}
	}
	for len(cs.pending) > 0 && (until.IsZero() || cs.pending[0].captured.Before(until)) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f := cs.pending[0]
		cs.pending = cs.pending[1:]
		handed, cpu0 := time.Now(), threadCPU()
		plates, err := rec.Recognise(f.img)
		if err != nil {
			f.img.Close()
			p.mu.Lock()
			p.badFrames++
			p.mu.Unlock()
			continue
		}
		obs := make([]track.Observation, len(plates))
		for i, pl := range plates {
			obs[i] = track.Observation{Box: image.Rect(pl.Box[0], pl.Box[1], pl.Box[0]+pl.Box[2], pl.Box[1]+pl.Box[3]),
				Polygon: pl.Polygon, Read: pl.Read, Score: pl.DetectionScore}
		}
		ended := cs.tk.Update(f.img, f.captured, obs)
		f.img.Close()
		done, cpu := time.Now(), threadCPU()-cpu0
		cs.last = f.captured
		p.mu.Lock()
		p.frames[si][f.captured.UnixNano()] = frameRef{pass: f.pass, handed: handed}
		p.engineTime += done.Sub(handed)
		p.engineCPU += cpu
		p.frameDone = append(p.frameDone, done.Sub(p.start))
		p.mu.Unlock()
		p.framesDone.Add(1)
		send(ended)
	}
	// A live camera goes on sending frames of the empty road after a
	// vehicle, and they end its track once the plate has been gone longer
	// than the gap. One such frame stands for them all, unless the next
	// vehicle comes first.
	if len(cs.pending) == 0 && !cs.last.IsZero() && cs.tk.OpenTracks() > 0 {
		tick := cs.last.Add(p.sc.Engine.Gap + time.Duration(float64(time.Second)/cs.site.FPS))
		if until.IsZero() || until.After(tick) {
			empty := gocv.NewMat()
			ended := cs.tk.Update(empty, tick, nil)
			empty.Close()
			send(ended)
		}
	}
	return nil
}

// ingest sends one read into the back office, as anpr serve's feeds do.
func (p *pipeline) ingest(ctx context.Context, e emitted, seq int) {
	site := p.sc.Sites[e.site]
	ps := e.pass
	r := readRecord{frames: ps.Frames, per: ps.PerFrame, bestAt: ps.BestAt, out: e.out,
		read: store.Read{ID: fmt.Sprintf("%s-%d-%d", site.ID, ps.FirstSeen.UnixNano(), seq), Camera: site.ID, VRM: ps.Read.Text,
			Confidence: ps.Read.Confidence, Captured: ps.BestAt, Lane: ps.Lane, Direction: ps.Direction, Format: string(ps.Read.Format)}}
	if r.read.VRM == "" {
		r.err = "no mark read"
	} else {
		p.bo.clock.advance(r.read.Captured)
		if _, err := p.bo.pipe.Submit(ctx, []ingest.Submission{{Read: r.read, Patch: ps.Patch, Overview: ps.Overview}}); err != nil {
			r.err = err.Error()
		}
	}
	p.mu.Lock()
	p.reads = append(p.reads, r)
	p.mu.Unlock()
	p.readsDone.Add(1)
}

// threadCPU is the CPU time of the calling thread (Linux's RUSAGE_THREAD).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func closeFrames(fs []camera.Frame) {
	for _, f := range fs {
		f.Image.Close()
	}
}
