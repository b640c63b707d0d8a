package role

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"anpr/engine/bus"
	"anpr/engine/store"
)

// WriterConfig configures a Writer.
type WriterConfig struct {
	// Bus is where reads come from: required.
	Bus bus.Bus
	// Store is where they go: required.
	Store store.Store
	// StoreBatch is the most reads one AddReads call (one transaction)
	// takes: a batch off the bus with more, several reads a message,
	// goes in several. 0: store.DefaultMaxBatch; no more than the
	// store's own limit.
	StoreBatch int
	// Images is where images sent inline go. nil: they are dropped, and
	// their reads stored without the refs, so that no stored read names
	// an image that is not there (counted in WriterStats.ImagesDropped).
	Images *store.Images
	// Consumer says how reads are taken off the bus; the zero value is
	// durable "writer", 2 workers, batches of up to 1,000 messages
	// waiting up to 20 ms to fill.
	Consumer ConsumerConfig
	// Now is the clock that ingest-to-stored latency is measured by; nil:
	// time.Now.
	Now func() time.Time
	// Log takes what goes wrong; nil: slog.Default().
	Log *slog.Logger
}

const (
	defaultWriterBatch = 1000
	defaultWriterWait  = 20 * time.Millisecond
)

// Writer consumes reads from the bus and stores them, a batch a
// transaction, acknowledging each batch only once it is committed.
type Writer struct {
	cfg WriterConfig

	batches, reads, added, rejected, imagesDropped, redelivered atomic.Uint64
	lag                                                         Latencies
}

// WriterStats counts what a Writer has done since it started.
type WriterStats struct {
	Batches       uint64 // batches stored (and acknowledged)
	Reads         uint64 // reads in them: once each, unless a batch came again
	Added         uint64 // reads stored for the first time; Reads - Added were redeliveries
	Rejected      uint64 // messages dropped as never storable: not read messages, or bad reads
	ImagesDropped uint64 // inline images not stored (no image store, or refused by it)
	Redelivered   uint64 // reads handed out more than once: after a failed batch, or a process that died holding them
	// Lag is ingest-to-stored latency: from the edge taking a read in
	// (ReadMessage.Ingested, by the edge's clock) to the commit of the
	// batch that stored it (by the writer's).
	Lag LatencySummary
}

// NewWriter returns a writer; Run starts it.
func NewWriter(cfg WriterConfig) (*Writer, error) {
	if cfg.Bus == nil {
		return nil, errors.New("new writer: no bus")
	}
	if cfg.Store == nil {
		return nil, errors.New("new writer: no store")
	}
	c, err := cfg.Consumer.withDefaults("writer", defaultWriterBatch, defaultWriterWait)
	if err != nil {
		return nil, fmt.Errorf("new writer: %w", err)
	}
	cfg.Consumer = c
	if cfg.StoreBatch <= 0 {
		cfg.StoreBatch = store.DefaultMaxBatch
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Writer{cfg: cfg}, nil
}

// Run stores reads until ctx ends, then finishes the batches in hand
// (within Consumer.Grace) and returns nil; or returns the error that
// stopped it (the bus closed).
func (w *Writer) Run(ctx context.Context) error {
	w.cfg.Log.Info("writer starting", "durable", w.cfg.Consumer.Durable, "workers", w.cfg.Consumer.Workers, "batch", w.cfg.Consumer.MaxBatch)
	err := consume(ctx, w.cfg.Bus, w.cfg.Consumer, w.cfg.Log, w.handle)
	st := w.Stats()
	w.cfg.Log.Info("writer stopped", "reads", st.Reads, "added", st.Added, "rejected", st.Rejected, "lag_p99", st.Lag.P99, "err", err)
	return err
}

// handle stores one batch. An error leaves the whole batch to be
// delivered again; messages that can never be stored are dropped, not
// failed, so that they do not hold up the rest.
func (w *Writer) handle(ctx context.Context, msgs []bus.Message) error {
	reads := make([]store.Read, 0, len(msgs))
	ingested := make([]time.Time, 0, len(msgs))
	for _, msg := range msgs {
		rms, bad := DecodeReads(msg.Data)
		for _, err := range bad {
			w.rejected.Add(1)
			w.cfg.Log.Error("writer dropping a read it can never store", "message", msg.ID, "subject", msg.Subject, "delivery", msg.Delivery, "err", err)
		}
		if msg.Delivery > 1 {
			w.redelivered.Add(uint64(len(rms)))
		}
		for i := range rms {
			if err := w.putImages(&rms[i]); err != nil {
				return fmt.Errorf("writer: read %q: %w", rms[i].Read.ID, err)
			}
			reads = append(reads, rms[i].Read)
			ingested = append(ingested, rms[i].Ingested)
		}
	}
	// One transaction a chunk the store takes; the batch is acknowledged
	// when every chunk has committed, and comes again whole if one fails,
	// which the chunks committed already take as repeats.
	for from := 0; from < len(reads); from += w.cfg.StoreBatch {
		chunk := reads[from:min(from+w.cfg.StoreBatch, len(reads))]
		added, err := w.cfg.Store.AddReads(ctx, chunk)
		if err != nil {
			return fmt.Errorf("writer: store a batch of %d reads: %w", len(chunk), err)
		}
		w.added.Add(uint64(added))
	}
	now := w.cfg.Now()
	for _, t := range ingested {
		w.lag.Observe(now.Sub(t))
	}
	w.batches.Add(1)
	w.reads.Add(uint64(len(reads)))
	return nil
}

// putImages puts a read's inline images in the image store, before the
// read that names them is stored. An image the store refuses, or that
// there is no store for, is dropped, and its ref with it: the read
// matters more than its picture. An error (the disk failing) is for the
// batch to be tried again.
func (w *Writer) putImages(m *ReadMessage) error {
	for _, img := range []struct {
		name string
		data []byte
		ref  *string
	}{{"patch", m.Patch, &m.Read.PatchRef}, {"overview", m.Overview, &m.Read.OverviewRef}} {
		if len(img.data) == 0 {
			continue
		}
		var err error
		if w.cfg.Images == nil {
			err = errors.New("the writer has no image store")
		} else {
			var ref string
			ref, err = w.cfg.Images.Put(img.data, m.Read.Captured)
			if err != nil && !errors.Is(err, store.ErrInvalid) {
				return fmt.Errorf("put %s image: %w", img.name, err)
			}
			if err == nil && ref != *img.ref {
				err = fmt.Errorf("the image store gave ref %s where the edge sent %s", ref, *img.ref)
			}
		}
		if err != nil {
			w.imagesDropped.Add(1)
			w.cfg.Log.Warn("writer dropping an image", "read", m.Read.ID, "image", img.name, "err", err)
			*img.ref = ""
		}
	}
	return nil
}

// Stats returns what the writer has done.
func (w *Writer) Stats() WriterStats {
	return WriterStats{Batches: w.batches.Load(), Reads: w.reads.Load(), Added: w.added.Load(), Rejected: w.rejected.Load(),
		ImagesDropped: w.imagesDropped.Load(), Redelivered: w.redelivered.Load(), Lag: w.lag.Summary()}
}
