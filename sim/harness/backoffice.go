package harness

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"anpr/engine/alert"
	enginecamera "anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
	"anpr/sim/scenario"
	"anpr/sim/traffic"
)

// simClock is the back office's clock in a run: the latest capture time
// it has been handed, so that reads, alerts and hotlist checks happen in
// simulated time, never going backwards.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) advance(t time.Time) {
	c.mu.Lock()
	if t.After(c.t) {
		c.t = t
	}
	c.mu.Unlock()
}

// backOffice is what anpr serve runs behind its feeds, embedded: a SQLite
// read store and image store in a directory of their own, the camera
// register holding the scenario's cameras, the scenario's hotlist, the
// alert service and the ingest pipeline.
type backOffice struct {
	clock   *simClock
	reads   *sqlite.Store
	alerts  *alert.Service
	pipe    *ingest.Pipeline
	hotlist hotlist.LoadReport
}

func openBackOffice(ctx context.Context, dir string, sc *scenario.Scenario, sim *traffic.Sim) (*backOffice, error) {
	b := &backOffice{clock: &simClock{t: sc.From}}
	var err error
	if b.reads, err = sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{Now: b.clock.Now}); err != nil {
		return nil, fmt.Errorf("read store: %w", err)
	}
	fail := func(err error) (*backOffice, error) {
		b.reads.Close()
		return nil, err
	}
	images, err := store.OpenImages(filepath.Join(dir, "images"))
	if err != nil {
		return fail(fmt.Errorf("image store: %w", err))
	}
	cams, err := enginecamera.Open(filepath.Join(dir, "cameras.json"))
	if err != nil {
		return fail(fmt.Errorf("camera register: %w", err))
	}
	for _, s := range sc.Sites {
		if _, err := cams.Put(s.Register()); err != nil {
			return fail(fmt.Errorf("register camera %s: %w", s.ID, err))
		}
	}
	hl, err := hotlist.New(hotlist.Options{MaxConfusions: sc.Engine.MaxConfusions, OneEditPriority: sc.Engine.OneEditPriority, Now: b.clock.Now})
	if err != nil {
		return fail(err)
	}
	var csv bytes.Buffer
	if err := sim.WriteHotlist(&csv); err != nil {
		return fail(err)
	}
	if b.hotlist, err = hl.Load(ctx, "sim", &csv, hotlist.CSV); err != nil {
		return fail(fmt.Errorf("load the simulation's hotlist: %w", err))
	}
	b.alerts = alert.NewService(b.reads, alert.Options{Now: b.clock.Now, Buffer: 1 << 16})
	b.pipe = &ingest.Pipeline{Store: b.reads, Images: images, Cameras: cams, Hotlists: hl, Alerts: b.alerts}
	return b, nil
}

func (b *backOffice) Close() error { return b.reads.Close() }
