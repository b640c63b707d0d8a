package role

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"anpr/engine/bus"
	"anpr/engine/bus/spool"
	"anpr/engine/camera"
	"anpr/engine/ingest"
	"anpr/engine/store"
)

// EdgeConfig configures an Edge.
type EdgeConfig struct {
	// Bus is where reads go: required.
	Bus bus.Bus
	// SpoolDir is the directory where reads wait while the bus is away:
	// required, on local disk, one edge process to a directory.
	SpoolDir string
	// Spool bounds and tunes the spool; the zero value is the default
	// (1 GiB).
	Spool spool.Options
	// Images, if set, is an image store the whole deployment shares: the
	// edge puts each read's images there and sends their refs. nil: the
	// images go inline, and the writer puts them in its store.
	Images *store.Images
	// Cameras, if set, is the camera register: reads from a camera it
	// does not hold, or holds as out of service, are refused. nil: no
	// check.
	Cameras *camera.Registry
	// ReadsPerMessage is how many reads of one Submit call go in one bus
	// message, at most (and at most 512 KiB of them); 0 or 1: one read a
	// message, its ID the read's. Several a message cost the bus and its
	// consumers a message's work for many reads, which matters from some
	// thousands of reads a second; the bus de-duplicates the whole
	// message then (a batch submitted again with the same reads in the
	// same order), and the consumers, idempotent on the read's ID, any
	// read that comes again in another grouping. See the package
	// documentation.
	ReadsPerMessage int
	// Now is the clock that stamps when a read was taken in
	// (ReadMessage.Ingested); nil: time.Now.
	Now func() time.Time
	// Log takes what goes wrong in the background; nil: slog.Default().
	Log *slog.Logger
}

// Edge takes reads in from cameras and publishes them to the bus, keeping
// them on local disk while the bus is away. It is safe for concurrent use.
type Edge struct {
	cfg   EdgeConfig
	spool *spool.Spool

	submitted atomic.Uint64
}

// EdgeStats counts what an Edge has done since it started.
type EdgeStats struct {
	Reads        uint64 // reads submitted and held (on the bus or in the spool)
	Spooled      int    // reads in the spool now, waiting for the bus
	SpooledBytes int64
}

// NewEdge opens the edge's spool, which may hold reads from before a
// restart: Run sends them.
func NewEdge(cfg EdgeConfig) (*Edge, error) {
	if cfg.Bus == nil {
		return nil, errors.New("new edge: no bus")
	}
	if cfg.SpoolDir == "" {
		return nil, errors.New("new edge: no spool directory")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Spool.Logger == nil {
		cfg.Spool.Logger = cfg.Log
	}
	sp, err := spool.Open(cfg.SpoolDir, cfg.Bus, cfg.Spool)
	if err != nil {
		return nil, fmt.Errorf("new edge: %w", err)
	}
	return &Edge{cfg: cfg, spool: sp}, nil
}

// Submit publishes a batch of reads and returns nil once every one is
// held, by the bus or in the spool on disk (synced): then the caller may
// drop them. A batch with a bad read or image, or a read from a camera not
// in service, is refused whole, before anything is published, with an
// error naming the read by its index (a *store.BatchError wrapping
// store.ErrInvalid), as engine/ingest refuses it. Submitting a batch again
// after an error is safe: reads already published are dropped as repeats
// by the bus, or stored once by the writer.
func (e *Edge) Submit(ctx context.Context, subs []ingest.Submission) error {
	reads := make([]store.Read, len(subs))
	for i, s := range subs {
		if err := e.checkCamera(s.Read.Camera); err != nil {
			return &store.BatchError{Index: i, ID: s.Read.ID, Err: err}
		}
		reads[i] = s.Read
	}
	if err := store.CheckBatch(reads, len(reads)); err != nil {
		return err
	}
	now := e.cfg.Now()
	encoded := make([][]byte, len(subs))
	for i, s := range subs {
		m := ReadMessage{Read: s.Read, Ingested: now}
		for _, img := range []struct {
			name   string
			data   []byte
			ref    *string
			inline *[]byte
		}{{"patch", s.Patch, &m.Read.PatchRef, &m.Patch}, {"overview", s.Overview, &m.Read.OverviewRef, &m.Overview}} {
			if len(img.data) == 0 {
				continue
			}
			ref, err := e.image(img.data, s.Read.Captured)
			if err != nil {
				return &store.BatchError{Index: i, ID: s.Read.ID, Err: fmt.Errorf("%s image: %w", img.name, err)}
			}
			*img.ref = ref
			if e.cfg.Images == nil {
				*img.inline = img.data
			}
		}
		data, err := json.Marshal(&m)
		if err != nil {
			return fmt.Errorf("submit reads: encode read %q: %w", s.Read.ID, err)
		}
		encoded[i] = data
	}
	msgs := e.messages(reads, encoded)
	if err := e.spool.PublishBatch(ctx, msgs); err != nil {
		return fmt.Errorf("submit %d reads: %w", len(subs), err)
	}
	e.submitted.Add(uint64(len(subs)))
	return nil
}

// messages puts encoded reads into bus messages: one a message, or
// groups of up to ReadsPerMessage and maxGroupBytes.
func (e *Edge) messages(reads []store.Read, encoded [][]byte) []bus.Outgoing {
	if e.cfg.ReadsPerMessage <= 1 {
		msgs := make([]bus.Outgoing, len(reads))
		for i, r := range reads {
			msgs[i] = bus.Outgoing{Subject: readSubject(r.Camera), Data: encoded[i], ID: MessageID(r.ID)}
		}
		return msgs
	}
	var msgs []bus.Outgoing
	for from := 0; from < len(reads); {
		to, size := from+1, len(encoded[from])
		for to < len(reads) && to-from < e.cfg.ReadsPerMessage && size+len(encoded[to]) <= maxGroupBytes {
			size += len(encoded[to])
			to++
		}
		if to-from == 1 {
			msgs = append(msgs, bus.Outgoing{Subject: readSubject(reads[from].Camera), Data: encoded[from], ID: MessageID(reads[from].ID)})
			from = to
			continue
		}
		data := append(make([]byte, 0, size+to-from+16), `{"reads":[`...)
		ids := make([]string, 0, to-from)
		subject := readSubject(reads[from].Camera)
		for i := from; i < to; i++ {
			if i > from {
				data = append(data, ',')
			}
			data = append(data, encoded[i]...)
			ids = append(ids, reads[i].ID)
			if reads[i].Camera != reads[from].Camera {
				subject = bus.Reads
			}
		}
		data = append(data, "]}"...)
		msgs = append(msgs, bus.Outgoing{Subject: subject, Data: data, ID: GroupID(ids)})
		from = to
	}
	return msgs
}

// image stores an image in the shared image store and returns its ref or,
// without one, checks it as the writer's store will and returns the ref
// it will have there.
func (e *Edge) image(jpeg []byte, captured time.Time) (string, error) {
	if e.cfg.Images != nil {
		return e.cfg.Images.Put(jpeg, captured)
	}
	if len(jpeg) > store.MaxImageSize {
		return "", store.Invalidf("image is %d bytes, over the limit of %d", len(jpeg), store.MaxImageSize)
	}
	if !bytes.HasPrefix(jpeg, []byte{0xff, 0xd8, 0xff}) {
		return "", store.Invalidf("not a JPEG: it does not start with the JPEG start-of-image marker")
	}
	return imageRef(jpeg, captured), nil
}

func (e *Edge) checkCamera(id string) error {
	if e.cfg.Cameras == nil {
		return nil
	}
	c, err := e.cfg.Cameras.Get(id)
	if err != nil {
		return fmt.Errorf("%w %q: add it to the camera register first (%w)", ingest.ErrUnknownCamera, id, store.ErrInvalid)
	}
	if !c.Active {
		return fmt.Errorf("%w %q: it is out of service (%w)", ingest.ErrUnknownCamera, id, store.ErrInvalid)
	}
	return nil
}

// Run sends the reads the spool holds, whenever it holds any, until ctx
// ends; then it returns nil. What is still spooled stays on disk for the
// next run. Call Close after it returns.
func (e *Edge) Run(ctx context.Context) error {
	err := e.spool.Run(ctx)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("edge: %w", err)
	}
	if n, bytes := e.spool.Pending(); n > 0 {
		e.cfg.Log.Info("edge stopping with reads spooled; they are sent when it starts again", "reads", n, "bytes", bytes, "dir", e.cfg.SpoolDir)
	}
	return nil
}

// Close closes the spool: Submit fails from then on, and Run returns.
func (e *Edge) Close() error { return e.spool.Close() }

// Stats returns what the edge has done, and holds.
func (e *Edge) Stats() EdgeStats {
	n, bytes := e.spool.Pending()
	return EdgeStats{Reads: e.submitted.Load(), Spooled: n, SpooledBytes: bytes}
}
