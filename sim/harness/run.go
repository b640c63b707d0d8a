package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/recognise"
	"anpr/internal/cvthreads"
	"anpr/sim/camera"
	"anpr/sim/scenario"
	"anpr/sim/traffic"
)

// RunOptions configure a scenario run.
type RunOptions struct {
	// Workers render and recognise in parallel; 0: the scenario's
	// render.workers, or one per CPU.
	Workers int
	// Dir, if set, receives the truth of the run as it goes:
	// passages.jsonl (every passage at a camera in the window, rendered or
	// not, and why not) and frames.jsonl (the truth of every rendered
	// frame).
	Dir string
	// Recogniser opens one recogniser per engine worker; nil: the
	// scenario's models with EngineOptions.
	Recogniser func() (*recognise.Recogniser, error)
	// Progress, if set, is called about four times a second while frames
	// are rendered and recognised, and once at the end.
	Progress func(Progress)
	// Log takes what the run has to say; nil: nothing.
	Log *slog.Logger
	// DryRun simulates the traffic and plans the captures, and stops
	// there: the report says what would be rendered (traffic, cameras,
	// rendering), and checks no expectation.
	DryRun bool
}

// Progress is how far a run has got.
type Progress struct {
	Passes, PassesDone int
	Frames, FramesDone int
	Reads, Alerts      int
	Elapsed            time.Duration
}

// Run runs a scenario: the traffic over its window, its cameras capturing
// the passages, the frames they render fed to the engine (recognise, then
// track, as anpr serve's feeds do, in-process), the reads into an embedded
// back office (a SQLite store in a temporary directory, the scenario's
// hotlist, the alert service), and every read and alert joined with the
// truth. The report says what the run found and which of the scenario's
// expectations it met; an error means the run could not be made.
func Run(ctx context.Context, sc *scenario.Scenario, opts RunOptions) (*Report, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	started := time.Now()
	cpu0 := cpuTimes()
	rep := &Report{Scenario: sc.Name, File: sc.File, Description: sc.Description, Seed: sc.Seed, From: sc.From, To: sc.To, Started: started.UTC()}

	workers := opts.Workers
	if workers <= 0 {
		workers = sc.Render.Workers
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	open := opts.Recogniser
	if open == nil {
		eo := EngineOptions(sc)
		open = func() (*recognise.Recogniser, error) { return recognise.Open(eo) }
	}
	// Opening a recogniser tries its models in a child process first,
	// which takes a second or two: do it while the traffic runs. One
	// recogniser per engine worker, each owning some cameras.
	engines := min(workers, len(sc.Sites))
	recs := make([]*recognise.Recogniser, engines)
	opened := make(chan error, 1)
	go func() {
		if opts.DryRun {
			opened <- nil
			return
		}
		var err error
		for i := range recs {
			if recs[i], err = open(); err != nil {
				err = fmt.Errorf("open the recogniser: %w", err)
				break
			}
		}
		opened <- err
	}()
	defer func() {
		<-opened // wait for the opening to end, whatever became of the run
		for _, r := range recs {
			if r != nil {
				r.Close()
			}
		}
	}()

	sim, err := sc.NewTraffic()
	if err != nil {
		return nil, err
	}
	var passLog, frameLog io.Writer
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, err
		}
		pf, err := os.Create(filepath.Join(opts.Dir, "passages.jsonl"))
		if err != nil {
			return nil, err
		}
		defer pf.Close()
		ff, err := os.Create(filepath.Join(opts.Dir, "frames.jsonl"))
		if err != nil {
			return nil, err
		}
		defer ff.Close()
		passLog, frameLog = pf, ff
	}
	pl, err := makePlan(ctx, sc, sim, passLog)
	if err != nil {
		return nil, err
	}
	frames := 0
	for _, pp := range pl.passes {
		frames += len(pp.capture.Frames)
	}
	if opts.DryRun {
		rep.Traffic = trafficSummary(pl, sim, hotlist.LoadReport{Accepted: len(sim.Listings())})
		rep.Rendering.Share = renderShare(sc)
		describePlan(rep, sc, pl)
		rep.WallSeconds = round(time.Since(started).Seconds(), 3)
		return rep, nil
	}
	log.Info("traffic simulated", "scenario", sc.Name, "trips", pl.traffic.Trips, "passes", len(pl.passes), "frames", frames,
		"took", time.Since(started).Round(time.Millisecond))

	work, err := os.MkdirTemp("", "anpr-sim-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	bo, err := openBackOffice(ctx, work, sc, sim)
	if err != nil {
		return nil, err
	}
	defer bo.Close()

	openErr := <-opened
	opened <- nil // for the deferred close
	if openErr != nil {
		return nil, openErr
	}
	log.Info("engine ready", "workers", workers, "engines", engines, "took", time.Since(started).Round(time.Millisecond))
	p := &pipeline{sc: sc, plan: pl, bo: bo, workers: workers, recs: recs, start: time.Now()}
	if frameLog != nil {
		enc := json.NewEncoder(frameLog)
		p.onFrame = func(t camera.FrameTruth) { enc.Encode(t) }
	}

	// OpenCV to one thread per worker, so that the engine's time per frame
	// is one core's, as in the other evaluations.
	cvthreads.Set(1)
	defer cvthreads.Set(0)
	var heapPeak uint64
	stop := make(chan struct{})
	var tickWG sync.WaitGroup
	tickWG.Add(1)
	go func() {
		defer tickWG.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			heapPeak = max(heapPeak, goHeap())
			if opts.Progress != nil {
				opts.Progress(p.progress(len(pl.passes), frames))
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	engineStart := time.Now()
	err = p.run(ctx)
	close(stop)
	tickWG.Wait()
	if opts.Progress != nil {
		opts.Progress(p.progress(len(pl.passes), frames))
	}
	if err != nil {
		return nil, err
	}

	rep.Traffic = trafficSummary(pl, sim, bo.hotlist)
	rep.Throughput.WallSeconds = round(time.Since(engineStart).Seconds(), 3)
	rep.Throughput.Workers = workers
	rep.Rendering.Share = renderShare(sc)
	scoreRun(rep, sc, pl, sim.Listings(), p)
	checkExpectations(rep, sc.Expect)
	cpu1 := cpuTimes()
	rep.Resources = Resources{CPUUserS: round(cpu1.user-cpu0.user, 2), CPUSystemS: round(cpu1.sys-cpu0.sys, 2),
		PeakRSSMiB: round(cpu1.maxRSSMiB, 1), PeakGoHeapMiB: round(float64(heapPeak)/(1<<20), 1), Cores: runtime.NumCPU()}
	rep.Resources.CPUSeconds = round(rep.Resources.CPUUserS+rep.Resources.CPUSystemS, 2)
	rep.WallSeconds = round(time.Since(started).Seconds(), 3)
	return rep, nil
}

func trafficSummary(pl *plan, sim *traffic.Sim, hl hotlist.LoadReport) TrafficSummary {
	passages := 0
	for _, c := range pl.counts {
		passages += c.Passages
	}
	return TrafficSummary{Trips: pl.traffic.Trips, Passages: passages, Vehicles: pl.traffic.Vehicles, LeadSeconds: pl.lead.Seconds(),
		HotlistEntries: hl.Accepted, HotlistRejected: hl.RejectedRows, ListedVehicles: len(pl.listed), NearMissVehicles: len(pl.nearMiss)}
}

func renderShare(sc *scenario.Scenario) float64 {
	if sc.Render.Share != nil {
		return *sc.Render.Share
	}
	return 1
}

func (p *pipeline) progress(passes, frames int) Progress {
	return Progress{Passes: passes, PassesDone: int(p.passesDone.Load()), Frames: frames, FramesDone: int(p.framesDone.Load()),
		Reads: int(p.readsDone.Load()), Alerts: int(p.alertsDone.Load()), Elapsed: time.Since(p.start)}
}

// String is the progress as one line for a terminal.
func (g Progress) String() string {
	const width = 30
	n := 0
	if g.Frames > 0 {
		n = g.FramesDone * width / g.Frames
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < n {
			bar[i] = '#'
		}
	}
	fps := 0.0
	if s := g.Elapsed.Seconds(); s > 0 {
		fps = float64(g.FramesDone) / s
	}
	return fmt.Sprintf("[%s] %d/%d frames, %d/%d passes, %d reads, %d alerts, %.1f frames/s, %s",
		bar, g.FramesDone, g.Frames, g.PassesDone, g.Passes, g.Reads, g.Alerts, fps, g.Elapsed.Round(time.Second))
}

type cpu struct{ user, sys, maxRSSMiB float64 }

// cpuTimes is the process's CPU time so far and its peak resident memory.
func cpuTimes() cpu {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpu{}
	}
	sec := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return cpu{user: sec(ru.Utime), sys: sec(ru.Stime), maxRSSMiB: float64(ru.Maxrss) / 1024} // Maxrss is in KiB on Linux
}

// goHeap is the Go heap in use now.
func goHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
