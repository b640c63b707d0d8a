// Package ingest takes reads into the back office: it checks each read
// names a camera in service, stores its images and the read, checks the
// read against the hotlists and for cloned plates, and raises the alerts.
// It is the one way in for reads, whether they come from the engine's own
// cameras or over the API from cameras that read plates themselves.
//
// A batch is acknowledged only when its reads are stored and its alerts
// raised. Submitting a batch again after an error or a lost reply is safe:
// reads are stored once (the store is idempotent on read ID) and matching
// runs again, raising any alert the first attempt did not.
package ingest

import (
	"context"
	"errors"
	"fmt"

	"anpr/engine/alert"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// Submission is one read with its images, as a camera sends it.
type Submission struct {
	Read     store.Read
	Patch    []byte // optional JPEG of the plate
	Overview []byte // optional JPEG of the vehicle in its scene
}

// Result is what came of a batch.
type Result struct {
	Added      int           // reads stored for the first time
	Duplicates int           // reads already stored (redeliveries)
	Alerts     []alert.Alert // raised by this batch, hotlist and clone alike
}

// Pipeline takes batches of reads in. It is safe for concurrent use.
type Pipeline struct {
	Store    store.Store
	Images   *store.Images
	Cameras  *camera.Registry
	Hotlists hotlist.Matcher
	Clones   *hotlist.CloneDetector // optional: nil turns the clone check off
	Alerts   *alert.Service
}

// ErrUnknownCamera is wrapped by the error for a read from a camera the
// register does not hold or holds as out of service.
var ErrUnknownCamera = errors.New("unknown camera")

// Submit stores a batch and raises its alerts. A batch with a bad read or
// image is refused whole, before anything is stored, with an error naming
// the read by its index (a *store.BatchError wrapping store.ErrInvalid).
func (p *Pipeline) Submit(ctx context.Context, subs []Submission) (Result, error) {
	reads := make([]store.Read, len(subs))
	for i, s := range subs {
		if err := p.checkCamera(s.Read.Camera); err != nil {
			return Result{}, &store.BatchError{Index: i, ID: s.Read.ID, Err: err}
		}
		reads[i] = s.Read
	}
	if err := store.CheckBatch(reads, 0); err != nil {
		return Result{}, err
	}
	// Images first: a stored read must never name an image that is not
	// there. An image left without a read by a failure below is harmless
	// and taken by the next image sweep.
	for i, s := range subs {
		for _, img := range []struct {
			data []byte
			ref  *string
			name string
		}{{s.Patch, &reads[i].PatchRef, "patch"}, {s.Overview, &reads[i].OverviewRef, "overview"}} {
			if len(img.data) == 0 {
				continue
			}
			ref, err := p.Images.Put(img.data, s.Read.Captured)
			if err != nil {
				return Result{}, &store.BatchError{Index: i, ID: s.Read.ID, Err: fmt.Errorf("%s image: %w", img.name, err)}
			}
			*img.ref = ref
		}
	}
	added, err := p.Store.AddReads(ctx, reads)
	if err != nil {
		return Result{}, fmt.Errorf("store reads: %w", err)
	}
	res := Result{Added: added, Duplicates: len(reads) - added}
	for _, r := range reads {
		alerts, err := p.match(ctx, r)
		res.Alerts = append(res.Alerts, alerts...)
		if err != nil {
			return res, fmt.Errorf("read %s: %w", r.ID, err)
		}
	}
	return res, nil
}

// match checks one stored read against the hotlists and for a clone, and
// raises what it finds.
func (p *Pipeline) match(ctx context.Context, r store.Read) ([]alert.Alert, error) {
	var raised []alert.Alert
	if hits := p.Hotlists.Match(r.VRM, r.Captured); len(hits) > 0 {
		as, err := p.Alerts.Raise(ctx, r, hits)
		if err != nil {
			return nil, fmt.Errorf("raise alerts: %w", err)
		}
		raised = append(raised, as...)
	}
	if p.Clones != nil {
		if c, ok := p.Clones.Observe(r.VRM, r.Camera, r.Captured); ok {
			a, err := p.Alerts.RaiseClone(ctx, r, c)
			if err != nil {
				return raised, fmt.Errorf("raise clone alert: %w", err)
			}
			raised = append(raised, a)
		}
	}
	return raised, nil
}

func (p *Pipeline) checkCamera(id string) error {
	if p.Cameras == nil {
		return nil
	}
	c, err := p.Cameras.Get(id)
	if err != nil {
		return fmt.Errorf("%w %q: add it to the camera register first (%w)", ErrUnknownCamera, id, store.ErrInvalid)
	}
	if !c.Active {
		return fmt.Errorf("%w %q: it is out of service (%w)", ErrUnknownCamera, id, store.ErrInvalid)
	}
	return nil
}
