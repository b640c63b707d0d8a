package harness

// Load mode: how many live cameras the engine keeps up with. Virtual
// cameras emit frames in real time, more of them each step, until the
// engine can no longer meet a latency bound without dropping frames; the
// steps past that show how it degrades.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/engine/recognise"
	"anpr/engine/track"
	"anpr/internal/cvthreads"
	"anpr/sim/dataset"
	"anpr/sim/scene"
	"anpr/sim/stream"
)

// ErrBadLoad marks load options no run can honour.
var ErrBadLoad = errors.New("bad load options")

// FrameRecogniser is the engine as one load worker drives it: it finds
// and reads the plates in a frame. *recognise.Recogniser is one. A
// recogniser that also has Reader() *ocr.Reader (as *recognise.Recogniser
// does) lends that reader to the trackers to fuse each pass's read;
// without one a pass's read is its best frame's.
type FrameRecogniser interface {
	Recognise(frame gocv.Mat) ([]recognise.Plate, error)
	Close() error
}

// LoadOptions configure a load run. Zero fields take the defaults given.
type LoadOptions struct {
	Condition     string    // light and weather of every frame: a named condition or scene.Mixed; "day" when empty
	Seed          uint64    // for the vehicles and plates of the frame pool
	Width, Height int       // frame size; 1280 x 720 when zero
	AsOf          time.Time // plates are issued no later than this; today when zero
	Passes        int       // vehicles in the frame pool; 8 when zero
	FramesPerPass int       // frames each vehicle is seen in; 10 when zero
	Gap           int       // frames of empty road after each vehicle; 8 when zero

	FPS          float64       // each camera's frames a second; 10 when zero
	StepDuration time.Duration // how long each step runs; 10 s when zero
	// LatencyP99 bounds the 99th percentile of a frame's latency, from
	// capture to recognised and tracked; 200 ms when zero.
	LatencyP99 time.Duration
	// MaxDropShare bounds the share of frames dropped; 1% when zero, none
	// may be when negative.
	MaxDropShare float64
	MaxCameras   int // the most cameras tried; 64 when zero
	// PastBound is how many steps run past the first that breaks the
	// bound, to show how the engine degrades; 2 when zero, none when
	// negative.
	PastBound int

	Workers     int // engine workers, one recogniser and one OpenCV thread each; runtime.GOMAXPROCS(0) when zero
	QueueFrames int // frames a camera may have waiting before its oldest is dropped; 2 when zero

	// Engine opens each worker's recogniser when Open is nil.
	Engine recognise.Options
	// Open, if set, opens one worker's recogniser instead.
	Open func() (FrameRecogniser, error)
	// Track is each camera's tracking set-up; Camera is set per camera.
	Track track.Config
	// Progress, if set, is called with each step as it ends.
	Progress func(LoadStep)
}

// LoadReport is what a load run found.
type LoadReport struct {
	Bound    LoadBound    `json:"bound"`
	Settings LoadSettings `json:"settings"`
	Cores    int          `json:"cores"` // logical CPUs of the machine
	Steps    []LoadStep   `json:"steps"`
	// MostCameras is the most cameras the engine sustained: that step and
	// every one before it met the bound. (A later step that meets it again
	// after one that broke it is noise, not headroom.)
	MostCameras int `json:"most_cameras"`
	// CamerasPerCore is MostCameras over the workers, each of which runs
	// on one core.
	CamerasPerCore float64 `json:"cameras_per_core"`
	// BrokeAt is the cameras of the first step that broke the bound; 0
	// when none did (MaxCameras was reached first).
	BrokeAt int `json:"broke_at,omitempty"`
	// ReadsLost is the reads the trackers emitted that the sink never got,
	// over every step: always 0 unless the engine loses reads.
	ReadsLost   int  `json:"reads_lost"`
	Interrupted bool `json:"interrupted,omitempty"`
}

// LoadBound is what a step must meet for the engine to have sustained its
// cameras.
type LoadBound struct {
	LatencyP99MS float64 `json:"latency_p99_ms"`
	MaxDropShare float64 `json:"max_drop_share"`
}

// LoadSettings is how the engine and the cameras were set up.
type LoadSettings struct {
	Workers       int     `json:"workers"`
	GoMaxProcs    int     `json:"gomaxprocs"`
	OpenCVThreads int     `json:"opencv_threads_per_worker"`
	QueueFrames   int     `json:"queue_frames_per_camera"`
	DetectorModel string  `json:"detector_model,omitempty"`
	ReaderModel   string  `json:"reader_model,omitempty"`
	Threshold     float64 `json:"detector_threshold,omitempty"`
	MinConfidence float64 `json:"min_confidence,omitempty"`
	TrackMaxGapMS float64 `json:"track_max_gap_ms"`
	FPS           float64 `json:"fps"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	Condition     string  `json:"condition"`
	Passes        int     `json:"pool_passes"`
	FramesPerPass int     `json:"frames_per_pass"`
	Gap           int     `json:"gap_frames"`
	Seed          uint64  `json:"seed"`
	StepSeconds   float64 `json:"step_seconds"`
}

// LoadStep is one step: so many cameras for so long.
type LoadStep struct {
	Cameras      int     `json:"cameras"`
	Seconds      float64 `json:"seconds"`       // how long the cameras ran
	Offered      int     `json:"offered"`       // frames the cameras emitted
	Processed    int     `json:"processed"`     // frames the engine recognised and tracked (bad ones included)
	Dropped      int     `json:"dropped"`       // frames dropped, oldest first, because a camera's queue was full
	Bad          int     `json:"bad"`           // frames the recogniser failed on
	OfferedFPS   float64 `json:"offered_fps"`   // frames a second, all cameras together
	ProcessedFPS float64 `json:"processed_fps"` // the same, processed
	DropShare    float64 `json:"drop_share"`    // Dropped over Offered
	// Latency is from a frame's capture (when its camera emitted it) to
	// when it was recognised and tracked.
	Latency        Percentiles `json:"latency"`
	PassesShown    int         `json:"passes_shown"`    // vehicles whose first frame a camera emitted
	ReadsEmitted   int         `json:"reads_emitted"`   // reads the trackers let go
	ReadsDelivered int         `json:"reads_delivered"` // reads the sink got: ReadsEmitted, or reads were lost
	MetBound       bool        `json:"met_bound"`
	Broke          string      `json:"broke,omitempty"` // how the step broke the bound
}

// Load finds how many cameras the engine sustains: it renders a pool of
// frames once, then runs steps of 1, 2, 3... virtual cameras emitting
// frames from it in real time, each for StepDuration, until a step breaks
// the bound and PastBound more have run, or MaxCameras is reached. When
// ctx ends it returns the steps done so far, marked interrupted, with
// ctx's error.
func Load(ctx context.Context, opts LoadOptions) (*LoadReport, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	pool, err := renderPool(o)
	if err != nil {
		return nil, err
	}
	defer pool.close()

	cvthreads.Set(1) // one core a worker: OpenCV must not add threads of its own
	defer cvthreads.Set(0)
	workers, err := openLoadWorkers(o, pool.frames[0].img)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, w := range workers {
			w.rec.Close()
		}
	}()

	rep := &LoadReport{Cores: runtime.NumCPU(),
		Bound: LoadBound{LatencyP99MS: millis(o.LatencyP99), MaxDropShare: max(o.MaxDropShare, 0)},
		Settings: LoadSettings{Workers: o.Workers, GoMaxProcs: runtime.GOMAXPROCS(0), OpenCVThreads: 1, QueueFrames: o.QueueFrames,
			TrackMaxGapMS: millis(o.Track.MaxGap), FPS: o.FPS, Width: o.Width, Height: o.Height, Condition: o.Condition,
			Passes: o.Passes, FramesPerPass: o.FramesPerPass, Gap: o.Gap, Seed: o.Seed, StepSeconds: o.StepDuration.Seconds()}}
	if o.Open == nil {
		e := o.Engine
		rep.Settings.DetectorModel, rep.Settings.ReaderModel = e.DetectorModel, e.ReaderModel
		rep.Settings.Threshold, rep.Settings.MinConfidence = e.Threshold, e.MinConfidence
		if rep.Settings.MinConfidence == 0 {
			rep.Settings.MinConfidence = recognise.DefaultMinConfidence
		}
	}
	for cameras := 1; cameras <= o.MaxCameras; cameras++ {
		step, err := runLoadStep(ctx, o, pool, workers, cameras)
		if err != nil {
			if ctx.Err() != nil {
				rep.Interrupted = true
				return rep, ctx.Err()
			}
			return rep, err
		}
		rep.Steps = append(rep.Steps, step)
		rep.ReadsLost += step.ReadsEmitted - step.ReadsDelivered
		if o.Progress != nil {
			o.Progress(step)
		}
		if !step.MetBound && rep.BrokeAt == 0 {
			rep.BrokeAt = cameras
		}
		if rep.BrokeAt == 0 {
			rep.MostCameras = cameras
			rep.CamerasPerCore = round(float64(cameras)/float64(o.Workers), 2)
		} else if cameras-rep.BrokeAt >= o.PastBound {
			break
		}
	}
	return rep, nil
}

func (opts LoadOptions) withDefaults() (LoadOptions, error) {
	o := opts
	bad := func(format string, a ...any) (LoadOptions, error) {
		return o, fmt.Errorf("%w: %s", ErrBadLoad, fmt.Sprintf(format, a...))
	}
	if o.Condition == "" {
		o.Condition = "day"
	}
	if err := scene.CheckCondition(o.Condition); err != nil {
		return bad("%v", err)
	}
	if o.Width == 0 && o.Height == 0 {
		o.Width, o.Height = 1280, 720
	}
	if o.AsOf.IsZero() {
		o.AsOf = time.Now().UTC()
	}
	defaultInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defaultInt(&o.Passes, 8)
	defaultInt(&o.FramesPerPass, 10)
	defaultInt(&o.Gap, 8)
	defaultInt(&o.MaxCameras, 64)
	defaultInt(&o.Workers, runtime.GOMAXPROCS(0))
	defaultInt(&o.QueueFrames, 2)
	switch {
	case o.PastBound == 0:
		o.PastBound = 2
	case o.PastBound < 0:
		o.PastBound = 0
	}
	if o.FPS == 0 {
		o.FPS = 10
	}
	if o.StepDuration == 0 {
		o.StepDuration = 10 * time.Second
	}
	if o.LatencyP99 == 0 {
		o.LatencyP99 = 200 * time.Millisecond
	}
	if o.MaxDropShare == 0 {
		o.MaxDropShare = 0.01
	}
	if o.Track.MaxGap == 0 {
		o.Track.MaxGap = 500 * time.Millisecond
	}
	switch {
	case o.Passes < 0 || o.FramesPerPass < 0 || o.Gap < 0:
		return bad("negative passes, frames per pass or gap")
	case o.FPS < 0 || o.FPS > 1000:
		return bad("%g frames a second: want more than 0 and at most 1000", o.FPS)
	case o.StepDuration < 0 || o.LatencyP99 < 0:
		return bad("negative step duration or latency bound")
	case o.MaxDropShare >= 1:
		return bad("a drop share of %g bounds nothing: want less than 1", o.MaxDropShare)
	case o.MaxCameras < 0 || o.Workers < 0 || o.QueueFrames < 0:
		return bad("negative cameras, workers or queue length")
	}
	return o, nil
}

// loadPool is the frames every camera shows, rendered once: Passes
// vehicles, each in FramesPerPass frames followed by Gap frames of empty
// road. The frames are shared by every camera and only ever read.
type loadPool struct {
	frames  []poolFrame
	perPass int // frames of one vehicle and the road after it
	owned   []gocv.Mat
}

type poolFrame struct {
	img       gocv.Mat
	passStart bool // a vehicle's first frame
}

func renderPool(o LoadOptions) (*loadPool, error) {
	r, err := scene.NewRenderer(scene.Options{AsOf: o.AsOf, Width: o.Width, Height: o.Height, MinCharPx: 20, MaxCharPx: 60})
	if err != nil {
		if errors.Is(err, scene.ErrBadOptions) {
			return nil, fmt.Errorf("%w: %w", ErrBadLoad, err)
		}
		return nil, err
	}
	defer r.Close()
	p := &loadPool{perPass: o.FramesPerPass + o.Gap}
	for i := 0; i < o.Passes; i++ {
		frames, label, err := stream.Pass(r, o.Condition, scene.ImageSeed(o.Seed, i), o.FramesPerPass)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("render load pass %d: %w", i+1, err)
		}
		p.owned = append(p.owned, frames...)
		for k, f := range frames {
			p.frames = append(p.frames, poolFrame{img: f, passStart: k == 0})
		}
		road, _, err := dataset.RenderWritten(r, scene.KindEmpty, label.Condition.Name, scene.ImageSeed(o.Seed+1, i))
		if err != nil {
			p.close()
			return nil, fmt.Errorf("render load pass %d's road: %w", i+1, err)
		}
		p.owned = append(p.owned, road)
		for range o.Gap {
			p.frames = append(p.frames, poolFrame{img: road})
		}
	}
	return p, nil
}

func (p *loadPool) close() {
	for _, m := range p.owned {
		m.Close()
	}
}

// loadWorker is one engine worker: a recogniser, and its reader for the
// trackers of the cameras it holds.
type loadWorker struct {
	rec  FrameRecogniser
	fuse track.Fuser // nil: the recogniser has no reader to lend
}

// openLoadWorkers opens every worker's recogniser and has each recognise
// one frame, so that no step pays for warming the models up.
func openLoadWorkers(o LoadOptions, warm gocv.Mat) ([]*loadWorker, error) {
	open := o.Open
	if open == nil {
		open = func() (FrameRecogniser, error) { return recognise.Open(o.Engine) }
	}
	var workers []*loadWorker
	fail := func(err error) ([]*loadWorker, error) {
		for _, w := range workers {
			w.rec.Close()
		}
		return nil, err
	}
	for range o.Workers {
		rec, err := open()
		if err != nil {
			return fail(err)
		}
		w := &loadWorker{rec: rec}
		if r, ok := rec.(interface{ Reader() *ocr.Reader }); ok {
			w.fuse = r.Reader()
		}
		workers = append(workers, w)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(workers))
	for i, w := range workers {
		wg.Go(func() { _, errs[i] = w.rec.Recognise(warm) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(fmt.Errorf("warm the recognisers up: %w", err))
	}
	return workers, nil
}

// loadCamera is one virtual camera of a step: its queue of frames waiting
// for the engine, and its tracker.
type loadCamera struct {
	mu        sync.Mutex
	queue     []loadFrame // oldest first
	scheduled bool        // in the ready queue or held by a worker
	tk        *track.Tracker
	fuse      heldFuser
}

type loadFrame struct {
	img      gocv.Mat // the pool's: shared, read only
	captured time.Time
}

// heldFuser lends a camera's tracker the reader of whichever worker holds
// the camera: a reader, like its recogniser, serves one worker at a time.
type heldFuser struct{ f track.Fuser }

func (h *heldFuser) Fuse(evidence []*ocr.Evidence, weight []float64) ocr.Read {
	return h.f.Fuse(evidence, weight)
}

// loadStep runs one step.
type loadStep struct {
	o       LoadOptions
	pool    *loadPool
	cams    []*loadCamera
	ready   chan *loadCamera
	pending sync.WaitGroup // frames queued or being processed
	reads   chan track.Pass

	offered, dropped, processed, bad, shown, emitted atomic.Int64

	mu      sync.Mutex
	latency []time.Duration
}

func runLoadStep(ctx context.Context, o LoadOptions, pool *loadPool, workers []*loadWorker, cameras int) (LoadStep, error) {
	s := &loadStep{o: o, pool: pool, cams: make([]*loadCamera, cameras),
		// Workers take cameras, not frames, from one FIFO of cameras with
		// frames waiting: an idle worker sleeps on it rather than polling,
		// a camera is in it at most once (so no worker can take a camera
		// another holds, and its frames go in capture order), and a camera
		// goes to the back after each frame, so every camera is served in
		// turn however many frames it has waiting. Room for every camera:
		// a camera never waits to put itself in.
		ready: make(chan *loadCamera, cameras),
		reads: make(chan track.Pass, 64)}
	for i := range s.cams {
		cfg := o.Track
		cfg.Camera = fmt.Sprintf("load-%d", i+1)
		c := &loadCamera{}
		var fuse track.Fuser
		if workers[0].fuse != nil {
			fuse = &c.fuse
		}
		tk, err := track.New(cfg, fuse)
		if err != nil {
			for _, c := range s.cams[:i] {
				c.tk.Close()
			}
			return LoadStep{}, fmt.Errorf("%w: %w", ErrBadLoad, err)
		}
		c.tk = tk
		s.cams[i] = c
	}
	defer func() {
		for _, c := range s.cams {
			c.tk.Close()
		}
	}()

	// The sink: a counter, taking every read the trackers let go.
	delivered := 0
	sinkDone := make(chan struct{})
	go func() {
		defer close(sinkDone)
		for range s.reads {
			delivered++
		}
	}()
	var engine sync.WaitGroup
	for _, w := range workers {
		engine.Go(func() { s.work(w) })
	}
	stepCtx, cancel := context.WithTimeout(ctx, o.StepDuration)
	defer cancel()
	start := time.Now()
	var cams sync.WaitGroup
	for i, c := range s.cams {
		cams.Go(func() { s.camera(stepCtx, i, c) })
	}
	cams.Wait()
	ran := time.Since(start)
	// The cameras have stopped: the engine finishes the frames they left,
	// and the trackers let go of the passes still open.
	s.pending.Wait()
	close(s.ready)
	engine.Wait()
	for _, c := range s.cams {
		c.fuse.f = workers[0].fuse
		for _, p := range c.tk.Flush() {
			s.emitted.Add(1)
			s.reads <- p
		}
	}
	close(s.reads)
	<-sinkDone
	if err := ctx.Err(); err != nil {
		return LoadStep{}, err
	}

	st := LoadStep{Cameras: cameras, Seconds: round(ran.Seconds(), 3),
		Offered: int(s.offered.Load()), Processed: int(s.processed.Load()), Dropped: int(s.dropped.Load()), Bad: int(s.bad.Load()),
		Latency: percentiles(s.latency), PassesShown: int(s.shown.Load()), ReadsEmitted: int(s.emitted.Load()), ReadsDelivered: delivered}
	st.OfferedFPS = round(float64(st.Offered)/ran.Seconds(), 1)
	st.ProcessedFPS = round(float64(st.Processed)/ran.Seconds(), 1)
	if st.Offered > 0 {
		st.DropShare = round(float64(st.Dropped)/float64(st.Offered), 4)
	}
	var broke []string
	if st.Latency.P99 > millis(o.LatencyP99) {
		broke = append(broke, fmt.Sprintf("p99 latency %.0f ms > %.0f ms", st.Latency.P99, millis(o.LatencyP99)))
	}
	if share := float64(st.Dropped) / float64(max(st.Offered, 1)); share > max(o.MaxDropShare, 0) {
		broke = append(broke, fmt.Sprintf("%.1f%% of frames dropped > %.1f%%", 100*share, 100*max(o.MaxDropShare, 0)))
	}
	st.MetBound = len(broke) == 0
	if !st.MetBound {
		st.Broke = strings.Join(broke, " and ")
	}
	return st, nil
}

// camera emits frames from the pool at the camera's frame rate until ctx
// ends, starting at a vehicle of its own.
func (s *loadStep) camera(ctx context.Context, i int, c *loadCamera) {
	interval := time.Duration(float64(time.Second) / s.o.FPS)
	// Real cameras are not in step: each starts a fraction of a frame
	// after the one before, so their frames do not all arrive at once.
	select {
	case <-ctx.Done():
		return
	case <-time.After(interval * time.Duration(i) / time.Duration(len(s.cams))):
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	next := (i % s.o.Passes) * s.pool.perPass
	for {
		s.emit(c, s.pool.frames[next])
		next = (next + 1) % len(s.pool.frames)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if ctx.Err() != nil { // both were ready: the step is over
				return
			}
		}
	}
}

// emit queues a frame for the engine, dropping the camera's oldest when
// its queue is full: a camera never waits for the engine.
func (s *loadStep) emit(c *loadCamera, pf poolFrame) {
	s.offered.Add(1)
	if pf.passStart {
		s.shown.Add(1)
	}
	s.pending.Add(1)
	c.mu.Lock()
	if len(c.queue) >= s.o.QueueFrames {
		c.queue = c.queue[:copy(c.queue, c.queue[1:])]
		s.dropped.Add(1)
		s.pending.Done()
	}
	c.queue = append(c.queue, loadFrame{img: pf.img, captured: time.Now()})
	wake := !c.scheduled
	c.scheduled = true
	c.mu.Unlock()
	if wake {
		s.ready <- c
	}
}

// work is one engine worker: it takes a camera with frames waiting,
// processes its oldest, and puts the camera back in line if it has more,
// until the step's cameras are done.
func (s *loadStep) work(w *loadWorker) {
	for c := range s.ready {
		c.mu.Lock()
		f := c.queue[0]
		c.queue = c.queue[:copy(c.queue, c.queue[1:])]
		c.mu.Unlock()
		s.process(w, c, f)
		s.pending.Done()
		c.mu.Lock()
		more := len(c.queue) > 0
		c.scheduled = more
		c.mu.Unlock()
		if more {
			s.ready <- c
		}
	}
}

// process recognises one frame and feeds the camera's tracker, as
// engine/feed does for a live camera, and sends on the reads it lets go.
func (s *loadStep) process(w *loadWorker, c *loadCamera, f loadFrame) {
	plates, err := w.rec.Recognise(f.img)
	if err != nil {
		s.bad.Add(1)
	} else {
		obs := make([]track.Observation, len(plates))
		for i, p := range plates {
			obs[i] = track.Observation{Box: image.Rect(p.Box[0], p.Box[1], p.Box[0]+p.Box[2], p.Box[1]+p.Box[3]),
				Polygon: p.Polygon, Read: p.Read, Score: p.DetectionScore}
		}
		c.fuse.f = w.fuse
		for _, p := range c.tk.Update(f.img, f.captured, obs) {
			s.emitted.Add(1)
			s.reads <- p // never dropped: a slow sink holds the worker up instead
		}
	}
	took := time.Since(f.captured)
	s.processed.Add(1)
	s.mu.Lock()
	s.latency = append(s.latency, took)
	s.mu.Unlock()
}

func millis(d time.Duration) float64 { return round(float64(d.Microseconds())/1000, 2) }
