package main

import (
	"anpr/engine/detect"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"anpr/engine/access"
	"anpr/engine/feed"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/recognise"
	"anpr/engine/store"
	"anpr/engine/track"
	"anpr/sim/harness"
	"anpr/sim/scenario"
	"anpr/sim/stream"
)

// submitter takes reads in: the back office's ingest pipeline, or an
// edge's bus.
type submitter func(context.Context, []ingest.Submission) error

func pipelineSubmitter(p *ingest.Pipeline, log *slog.Logger) submitter {
	return func(ctx context.Context, subs []ingest.Submission) error {
		res, err := p.Submit(ctx, subs)
		if err == nil {
			for _, s := range subs {
				log.Info("read", "camera", s.Read.Camera, "vrm", s.Read.VRM, "confidence", fmt.Sprintf("%.2f", s.Read.Confidence), "alerts", len(res.Alerts))
			}
		}
		return err
	}
}

// runFeed has the engine read one camera's feed and sends every vehicle
// pass on as a read with its images.
func runFeed(ctx context.Context, cam, src, readerPath, detPath string, submit submitter, log *slog.Logger) error {
	rec, err := recognise.Open(recognise.Options{DetectorModel: detPath, DetectorSHA256: manifestSHA(detPath),
		ReaderModel: readerPath, ReaderSHA256: manifestSHA(readerPath), Threshold: detect.DefaultThreshold, MinConfidence: recognise.DefaultMinConfidence})
	if err != nil {
		return err
	}
	defer rec.Close()
	st, err := feed.Run(ctx, feed.Config{Source: src, Buffer: 8, Recogniser: rec, Logger: log,
		Track: track.Config{Camera: cam, MaxGap: 500 * time.Millisecond, MaxMissedFrames: 10}},
		func(p track.Pass) error {
			read := store.Read{ID: fmt.Sprintf("%s-%d", cam, p.FirstSeen.UnixNano()), Camera: cam, VRM: p.Read.Text,
				Confidence: p.Read.Confidence, Captured: p.BestAt, Lane: p.Lane, Direction: p.Direction, Format: string(p.Read.Format)}
			if read.VRM == "" {
				return nil
			}
			// Passes still open when the service stops are flushed after ctx
			// ends: they are reads of vehicles that passed, so they are still
			// taken in, within a bounded time.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := submit(sctx, []ingest.Submission{{Read: read, Patch: p.Patch, Overview: p.Overview}}); err != nil {
				// One bad read must not stop a camera: say so and go on.
				log.Error("read not taken in", "camera", cam, "vrm", read.VRM, "err", err)
			}
			return nil
		})
	log.Info("feed ended", "camera", cam, "frames", st.Frames, "dropped", st.Dropped, "bad", st.Bad, "passes", st.Passes)
	return err
}

type demoUser struct{ name, password, role string }

// The demo's users, one for each role: the README gives these passwords.
var demoUsers = []demoUser{
	{"operator", "demo-control-room", string(access.Operator)},
	{"investigator", "demo-justify-search", string(access.Investigator)},
	{"authoriser", "demo-approve-serious", string(access.Authoriser)},
	{"auditor", "demo-verify-chain", string(access.Auditor)},
	{"admin", "demo-manage-site", string(access.Administrator)},
}

// openDemo loads the demo's scenario and simulates its traffic, planning
// what its cameras capture.
func openDemo(ctx context.Context, path string) (*harness.Replay, *scenario.Scenario, error) {
	sc, err := scenario.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, usageError{fmt.Errorf("--demo-scenario: %w (run anpr serve --demo from the repository root)", err)}
	}
	if err != nil {
		return nil, nil, usageError{err}
	}
	r, err := harness.OpenReplay(ctx, sc)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("demo scenario %s: %w", path, err)}
	}
	return r, sc, nil
}

// seedDemo gives a data directory without users the demo's users, puts the
// scenario's cameras in the register, and loads the sample hotlist and the
// scenario's own, named after it, whose vehicles of interest drive past
// the cameras.
func seedDemo(ctx context.Context, b *backOffice, hl *hotlist.Hotlists, replay *harness.Replay, sc *scenario.Scenario) ([]demoUser, error) {
	users, err := b.access.Users(ctx)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		for _, u := range demoUsers {
			if _, err := b.access.AddUser(ctx, u.name, access.Role(u.role), u.password); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", u.name, err)
			}
		}
	}
	for _, c := range replay.Cameras() {
		if _, err := b.cameras.Get(c.ID); err == nil {
			continue // kept as an administrator may have changed it
		}
		if _, err := b.cameras.Put(c); err != nil {
			return nil, err
		}
	}
	if _, err := hl.LoadFile(ctx, "sample", "fixtures/hotlists/sample.csv"); err != nil {
		return nil, fmt.Errorf("demo hotlist: %w (run anpr serve --demo from the repository root)", err)
	}
	var csv bytes.Buffer
	if err := replay.WriteHotlist(&csv, time.Now()); err != nil {
		return nil, err
	}
	if _, err := hl.LoadFrom(ctx, sc.Name, sc.File, &csv, hotlist.CSV); err != nil {
		return nil, fmt.Errorf("demo hotlist %s from %s: %w", sc.Name, sc.File, err)
	}
	// The passwords are shown while they are still the demo's.
	var shown []demoUser
	for _, u := range demoUsers {
		if _, err := b.access.Login(ctx, u.name, u.password, "demo-check"); err == nil {
			shown = append(shown, u)
		}
	}
	return shown, nil
}

// startDemoCameras runs the demo scenario's cameras, each streaming live
// MJPEG on a local port what it captures of the simulated traffic, and an
// engine feed reading each stream.
func startDemoCameras(ctx context.Context, goRun func(string, func() error), replay *harness.Replay, f serveFlags,
	pipe *ingest.Pipeline, log *slog.Logger) error {
	for _, c := range replay.Cameras() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		cam := stream.NewMJPEGServer()
		mux := http.NewServeMux()
		mux.Handle("/camera.mjpg", cam)
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		url := "http://" + ln.Addr().String() + "/camera.mjpg"
		log.Info("demo camera", "camera", c.ID, "name", c.Name, "stream", url, "passages", len(replay.Passages(c.ID)))
		// Say when a listed vehicle comes into view, so that its alert can
		// be looked for.
		showing := func(p harness.ReplayPassage) {
			if p.Listed {
				log.Info("listed vehicle passing", "camera", p.Camera, "vrm", p.Plate, "condition", p.Condition)
			}
		}
		goRun("virtual camera "+c.ID, func() error {
			defer hs.Close()
			defer cam.Close()
			return replay.RunCamera(ctx, c.ID, cam, harness.ShowOptions{Showing: showing})
		})
		goRun("feed "+c.ID, func() error {
			return runFeed(ctx, c.ID, url, f.readerPath, f.detPath, pipelineSubmitter(pipe, log), log)
		})
	}
	return nil
}
