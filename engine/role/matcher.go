package role

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"anpr/engine/alert"
	"anpr/engine/bus"
	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// MatcherConfig configures a Matcher.
type MatcherConfig struct {
	// Bus is where reads come from and alert events go (bus.Alerts):
	// required.
	Bus bus.Bus
	// Alerts raises alerts into the repository the deployment shares (a
	// PostgreSQL store): required. Its live subscribers are this
	// process's only; consoles elsewhere get alerts from the bus.
	Alerts *alert.Service
	// Hotlists is what reads are matched against: required. Keep it
	// current with a Replica (hotlists replicated through the bus) or
	// by loading files.
	Hotlists hotlist.Matcher
	// WaitFor, if set, holds the matcher back until it is closed: the
	// HotlistReplica's Ready, so that no read is matched before the lists
	// are there.
	WaitFor <-chan struct{}
	// Clones, if set, checks reads for cloned plates; see the package
	// documentation for why only one matcher process should have it.
	Clones *hotlist.CloneDetector
	// Consumer says how reads are taken off the bus; the zero value is
	// durable "matcher", 2 workers, batches of up to 500 messages
	// waiting up to 5 ms to fill.
	Consumer ConsumerConfig
	// Now is the clock that ingest-to-alert latency is measured by; nil:
	// time.Now.
	Now func() time.Time
	// Log takes what goes wrong; nil: slog.Default().
	Log *slog.Logger
}

const (
	defaultMatcherBatch = 500
	defaultMatcherWait  = 5 * time.Millisecond
)

// Matcher consumes reads from the bus, matches them, raises their alerts
// and publishes each to the alerts stream, acknowledging a batch only once
// all of that is done.
type Matcher struct {
	cfg MatcherConfig

	batches, reads, alerts, rejected, redelivered atomic.Uint64
	lag                                           Latencies
}

// MatcherStats counts what a Matcher has done since it started.
type MatcherStats struct {
	Batches  uint64 // batches matched (and acknowledged)
	Reads    uint64 // reads in them
	Alerts   uint64 // alert events published, repeats of redelivered reads included
	Rejected uint64 // messages dropped as never matchable: not read messages, or bad reads
	// Redelivered counts reads handed out more than once: after a failed
	// batch, or a process that died holding them.
	Redelivered uint64
	// Lag is ingest-to-alert latency: from the edge taking a read in to
	// its alerts being published, for the reads that raised any.
	Lag LatencySummary
}

// NewMatcher returns a matcher; Run starts it.
func NewMatcher(cfg MatcherConfig) (*Matcher, error) {
	switch {
	case cfg.Bus == nil:
		return nil, errors.New("new matcher: no bus")
	case cfg.Alerts == nil:
		return nil, errors.New("new matcher: no alert service")
	case cfg.Hotlists == nil:
		return nil, errors.New("new matcher: no hotlists")
	}
	c, err := cfg.Consumer.withDefaults("matcher", defaultMatcherBatch, defaultMatcherWait)
	if err != nil {
		return nil, fmt.Errorf("new matcher: %w", err)
	}
	cfg.Consumer = c
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Matcher{cfg: cfg}, nil
}

// Run matches reads until ctx ends, then finishes the batches in hand
// (within Consumer.Grace) and returns nil; or returns the error that
// stopped it (the bus closed).
func (m *Matcher) Run(ctx context.Context) error {
	if m.cfg.WaitFor != nil {
		select {
		case <-m.cfg.WaitFor:
		case <-ctx.Done():
			return nil
		}
	}
	m.cfg.Log.Info("matcher starting", "durable", m.cfg.Consumer.Durable, "workers", m.cfg.Consumer.Workers, "clones", m.cfg.Clones != nil)
	err := consume(ctx, m.cfg.Bus, m.cfg.Consumer, m.cfg.Log, m.handle)
	st := m.Stats()
	m.cfg.Log.Info("matcher stopped", "reads", st.Reads, "alerts", st.Alerts, "rejected", st.Rejected, "err", err)
	return err
}

// handle matches one batch. An error leaves the whole batch to be
// delivered again, which raises nothing twice.
func (m *Matcher) handle(ctx context.Context, msgs []bus.Message) error {
	var events []bus.Outgoing
	var ingested []time.Time
	reads := 0
	for _, msg := range msgs {
		rms, bad := DecodeReads(msg.Data)
		for _, err := range bad {
			m.rejected.Add(1)
			m.cfg.Log.Error("matcher dropping a read it can never match", "message", msg.ID, "subject", msg.Subject, "delivery", msg.Delivery, "err", err)
		}
		if msg.Delivery > 1 {
			m.redelivered.Add(uint64(len(rms)))
		}
		for _, rm := range rms {
			reads++
			raised, err := m.match(ctx, rm.Read)
			if err != nil {
				return fmt.Errorf("matcher: read %q: %w", rm.Read.ID, err)
			}
			for i := range raised {
				data, err := json.Marshal(alert.Event{Type: alert.EventRaised, Alert: raised[i]})
				if err != nil {
					return fmt.Errorf("matcher: encode alert %s: %w", raised[i].ID, err)
				}
				events = append(events, bus.Outgoing{Subject: bus.Alerts, Data: data, ID: raised[i].ID})
			}
			if len(raised) > 0 {
				ingested = append(ingested, rm.Ingested)
			}
		}
	}
	if len(events) > 0 {
		if err := bus.PublishAll(ctx, m.cfg.Bus, events); err != nil {
			return fmt.Errorf("matcher: publish %d alerts: %w", len(events), err)
		}
	}
	now := m.cfg.Now()
	for _, t := range ingested {
		m.lag.Observe(now.Sub(t))
	}
	m.batches.Add(1)
	m.reads.Add(uint64(reads))
	m.alerts.Add(uint64(len(events)))
	return nil
}

// match checks one read against the hotlists and for a clone, and raises
// (or, for a read matched before, finds) its alerts.
func (m *Matcher) match(ctx context.Context, r store.Read) ([]alert.Alert, error) {
	var out []alert.Alert
	if hits := m.cfg.Hotlists.Match(r.VRM, r.Captured); len(hits) > 0 {
		raised, err := m.cfg.Alerts.Raise(ctx, r, hits)
		if err != nil {
			return nil, err
		}
		out = append(out, raised...)
	}
	if m.cfg.Clones != nil {
		if c, ok := m.cfg.Clones.Observe(r.VRM, r.Camera, r.Captured); ok {
			a, err := m.cfg.Alerts.RaiseClone(ctx, r, c)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// Stats returns what the matcher has done.
func (m *Matcher) Stats() MatcherStats {
	return MatcherStats{Batches: m.batches.Load(), Reads: m.reads.Load(), Alerts: m.alerts.Load(), Rejected: m.rejected.Load(),
		Redelivered: m.redelivered.Load(), Lag: m.lag.Summary()}
}
