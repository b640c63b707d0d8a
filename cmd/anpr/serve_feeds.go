package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"anpr/engine/access"
	"anpr/engine/camera"
	"anpr/engine/feed"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/recognise"
	"anpr/engine/store"
	"anpr/engine/track"
	"anpr/sim/scene"
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
		ReaderModel: readerPath, ReaderSHA256: manifestSHA(readerPath), Threshold: 0.3, MinConfidence: recognise.DefaultMinConfidence})
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
			if err := submit(ctx, []ingest.Submission{{Read: read, Patch: p.Patch, Overview: p.Overview}}); err != nil {
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

// seedDemo gives a data directory without users the demo's users and
// cameras, and loads the sample hotlist.
func seedDemo(ctx context.Context, b *backOffice, hl *hotlist.Hotlists, cameras int) ([]demoUser, error) {
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
	for i := 1; i <= cameras; i++ {
		id := fmt.Sprintf("demo-%d", i)
		if _, err := b.cameras.Get(id); err == nil {
			continue
		}
		// Made-up sites around Derby, a few hundred metres apart.
		c := camera.Camera{ID: id, Name: fmt.Sprintf("Demo site %d", i), District: "Derby", Lat: 52.9225 + 0.004*float64(i), Lon: -1.4746 + 0.003*float64(i), Active: true}
		if _, err := b.cameras.Put(c); err != nil {
			return nil, err
		}
	}
	if _, err := hl.LoadFile(ctx, "sample", "fixtures/hotlists/sample.csv"); err != nil {
		return nil, fmt.Errorf("demo hotlist: %w (run anpr serve --demo from the repository root)", err)
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

// demoList is the "demo" hotlist: vehicles put on it just before a
// virtual camera shows them.
type demoList struct {
	mu   sync.Mutex
	rows []string
	hl   *hotlist.Hotlists
	n    int
}

var demoMarkers = []struct{ marker, list, action string }{
	{"stolen", "PNC", "Stolen vehicle: stop if safe and request backup"},
	{"firearms", "PNC", "Firearms marker: do not approach; inform the firearms commander"},
	{"no-insurance", "insurance", "No insurance on the MID: stop and check documents"},
	{"missing-person", "PNC", "Linked to a missing person at risk: stop and check occupants"},
	{"drugs", "local", "Drugs supply intelligence: record sighting and inform the intelligence unit"},
}

func (d *demoList) add(ctx context.Context, plate string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := demoMarkers[d.n%len(demoMarkers)]
	d.n++
	d.rows = append(d.rows, fmt.Sprintf("%s,%s,%s,%d,%s,%s,,DEMO-%04d", plate, m.list, m.marker, 1+d.n%5, m.action,
		time.Now().UTC().Format("2006-01-02"), d.n))
	csv := "vrm,list,marker,priority,action,added,expires,owner_ref\n" + strings.Join(d.rows, "\n") + "\n"
	_, err := d.hl.Load(ctx, "demo", bytes.NewReader([]byte(csv)), hotlist.CSV)
	return err
}

// startDemoCameras runs the demo's virtual cameras, each streaming live
// MJPEG on a local port, and an engine feed reading each stream.
func startDemoCameras(ctx context.Context, goRun func(string, func() error), b *backOffice, hl *hotlist.Hotlists, f serveFlags,
	pipe *ingest.Pipeline, log *slog.Logger) error {
	list := &demoList{hl: hl}
	conditions := []string{"day", "night-ir", "rain", "night-colour"}
	for i := 1; i <= f.demoCameras; i++ {
		id := fmt.Sprintf("demo-%d", i)
		r, err := scene.NewRenderer(scene.Options{AsOf: time.Now(), Width: 1280, Height: 720, MinCharPx: 20, MaxCharPx: 60})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			r.Close()
			return err
		}
		cam := stream.NewMJPEGServer()
		mux := http.NewServeMux()
		mux.Handle("/camera.mjpg", cam)
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go hs.Serve(ln)
		url := "http://" + ln.Addr().String() + "/camera.mjpg"
		opts := stream.CameraOptions{Condition: conditions[(i-1)%len(conditions)], Seed: uint64(time.Now().UnixNano()) + uint64(i),
			FPS: 10, FramesPerPass: 10, Gap: 12, WaitForViewer: true}
		goRun("virtual camera "+id, func() error {
			defer r.Close()
			defer hs.Close()
			defer cam.Close()
			return stream.RunCamera(ctx, cam, r, opts, func(t stream.PassTruth) error {
				if t.Pass%3 != 1 {
					return nil
				}
				return list.add(ctx, t.Plate)
			}, nil)
		})
		goRun("feed "+id, func() error { return runFeed(ctx, id, url, f.readerPath, f.detPath, pipelineSubmitter(pipe, log), log) })
	}
	return nil
}
