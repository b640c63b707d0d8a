package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// Options configures a Service. The zero Options is the default.
type Options struct {
	// Now is the clock alerts are raised, decided and escalated by; nil:
	// time.Now.
	Now func() time.Time
	// EscalateAfter: an alert still new this long after it was raised is
	// escalated, once. 0: DefaultEscalateAfter.
	EscalateAfter time.Duration
	// ClonePriority is the priority of clone alerts, hotlist.HighestPriority
	// (1) to hotlist.LowestPriority (9). 0: DefaultClonePriority.
	ClonePriority int
	// Buffer is how many events a subscriber may fall behind before it is
	// cut off (its channel closed). 0: DefaultBuffer.
	Buffer int
	// CheckEvery is how often Run looks for alerts to escalate; an alert
	// is escalated up to this late. 0: DefaultCheckEvery.
	CheckEvery time.Duration
	// Keep is how long alerts are kept: Run deletes, hourly, the alerts
	// raised longer ago than this (see DeleteExpired). 0: Run deletes
	// none. At least MinKeep, so that no alert is deleted while it is
	// still being dealt with.
	Keep time.Duration
	// Log takes what Run cannot return: a round of escalation or deletion
	// that failed, a subscriber cut off. nil: slog.Default().
	Log *slog.Logger
}

// Defaults for Options.
const (
	DefaultEscalateAfter = 2 * time.Minute
	DefaultClonePriority = 2
	DefaultBuffer        = 256
	DefaultCheckEvery    = 5 * time.Second
	MinKeep              = 24 * time.Hour
	retentionEvery       = time.Hour
)

// Check reports the first thing wrong with o, wrapping ErrInvalid.
func (o Options) Check() error {
	switch {
	case o.EscalateAfter < 0:
		return Invalidf("alert options: escalate after %v is negative", o.EscalateAfter)
	case o.ClonePriority != 0 && (o.ClonePriority < hotlist.HighestPriority || o.ClonePriority > hotlist.LowestPriority):
		return Invalidf("alert options: clone priority %d is outside %d to %d", o.ClonePriority, hotlist.HighestPriority, hotlist.LowestPriority)
	case o.Buffer < 0:
		return Invalidf("alert options: buffer %d is negative", o.Buffer)
	case o.CheckEvery < 0:
		return Invalidf("alert options: check every %v is negative", o.CheckEvery)
	case o.Keep < 0 || (o.Keep > 0 && o.Keep < MinKeep):
		return Invalidf("alert options: keep %v: give 0 (keep alerts for ever) or at least %v", o.Keep, MinKeep)
	}
	return nil
}

// Service raises alerts, records what operators do with them, escalates the
// ones left too long, and pushes every change to its subscribers. It is
// safe for concurrent use.
type Service struct {
	repo Repository
	opts Options
	subs fanout

	// write is held from a change to the repository until its events are
	// published, so that subscribers get events in the order the changes
	// were made.
	write sync.Mutex
}

// NewService returns a service keeping its alerts in repo. It panics if
// repo is nil or opts fails Check: check options from configuration first.
func NewService(repo Repository, opts Options) *Service {
	if repo == nil {
		panic("alert.NewService: no repository")
	}
	if err := opts.Check(); err != nil {
		panic("alert.NewService: " + err.Error())
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.EscalateAfter == 0 {
		opts.EscalateAfter = DefaultEscalateAfter
	}
	if opts.ClonePriority == 0 {
		opts.ClonePriority = DefaultClonePriority
	}
	if opts.Buffer == 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.CheckEvery == 0 {
		opts.CheckEvery = DefaultCheckEvery
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{repo: repo, opts: opts, subs: fanout{buffer: opts.Buffer}}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Raise makes an alert of each of a read's hotlist hits, stores them, and
// publishes a "raised" event for each. It returns the alerts in the order
// of the hits. There is one alert per hit, not one per read, so that each
// listed vehicle gets its own decision; the alerts of one read share
// Read.ID.
//
// Raise is idempotent: an alert's ID comes from the read's ID and the entry
// hit, so a read delivered again raises nothing new, and Raise returns the
// alerts as stored, without publishing them again.
func (s *Service) Raise(ctx context.Context, read store.Read, hits []hotlist.Hit) ([]Alert, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	read.Captured = read.Captured.UTC()
	now := s.now()
	alerts := make([]Alert, 0, len(hits))
	for i := range hits {
		h := hits[i]
		h.Evidence = slices.Clone(h.Evidence)
		a := Alert{ID: hitID(read, h), Kind: KindHotlist, Raised: now, Read: read, Hit: &h, Priority: h.Priority, State: StateNew}
		if err := a.Check(); err != nil {
			return nil, fmt.Errorf("raise alert on read %q, hit %d (%s): %w", read.ID, i, h.Explain(), err)
		}
		if !slices.ContainsFunc(alerts, func(b Alert) bool { return b.ID == a.ID }) {
			alerts = append(alerts, a)
		}
	}
	out, err := s.add(ctx, alerts)
	if err != nil {
		return nil, fmt.Errorf("raise alerts on read %q: %w", read.ID, err)
	}
	return out, nil
}

// RaiseClone makes an alert of a suspected clone, stores it and publishes
// it, as Raise does. read is the read that completed the pair, one of the
// two sightings. It is idempotent as Raise is.
func (s *Service) RaiseClone(ctx context.Context, read store.Read, c hotlist.CloneAlert) (Alert, error) {
	read.Captured = read.Captured.UTC()
	c.Earlier.At, c.Later.At = c.Earlier.At.UTC(), c.Later.At.UTC()
	a := Alert{ID: cloneID(read, c), Kind: KindClone, Raised: s.now(), Read: read, Clone: &c, Priority: s.opts.ClonePriority, State: StateNew}
	if err := a.Check(); err != nil {
		return Alert{}, fmt.Errorf("raise clone alert on read %q: %w", read.ID, err)
	}
	if read.Camera != c.Earlier.Camera && read.Camera != c.Later.Camera {
		return Alert{}, fmt.Errorf("raise clone alert on read %q: %w", read.ID,
			Invalidf("the read is from camera %s, neither of the sightings' (%s, %s)", read.Camera, c.Earlier.Camera, c.Later.Camera))
	}
	out, err := s.add(ctx, []Alert{a})
	if err != nil {
		return Alert{}, fmt.Errorf("raise clone alert on read %q: %w", read.ID, err)
	}
	return out[0], nil
}

// add stores the alerts not stored already and publishes them; it returns
// every alert as stored.
func (s *Service) add(ctx context.Context, alerts []Alert) ([]Alert, error) {
	s.write.Lock()
	defer s.write.Unlock()
	out := make([]Alert, len(alerts))
	var fresh []Alert
	for i, a := range alerts {
		stored, err := s.repo.Alert(ctx, a.ID)
		switch {
		case err == nil:
			out[i] = stored // raised before, by this read delivered before
		case errors.Is(err, ErrNotFound):
			out[i] = a
			fresh = append(fresh, a)
		default:
			return nil, err
		}
	}
	if len(fresh) == 0 {
		return out, nil
	}
	if err := s.repo.AddAlerts(ctx, fresh); err != nil {
		return nil, err
	}
	events := make([]Event, len(fresh))
	for i, a := range fresh {
		events[i] = Event{Type: EventRaised, Alert: a}
	}
	s.publish(events...)
	return out, nil
}

// Acknowledge records that the operator by has picked the alert up. The
// same operator acknowledging again changes nothing; another one gets an
// error wrapping ErrConflict that names who has it (they may still
// decide). A decided alert cannot be acknowledged.
func (s *Service) Acknowledge(ctx context.Context, id, by string) (Alert, error) {
	if err := checkText("acknowledged by", by, MaxByLen, true, false); err != nil {
		return Alert{}, fmt.Errorf("acknowledge alert %s: %w", id, err)
	}
	now := s.now()
	return s.update(ctx, "acknowledge", id, EventUpdated, func(a *Alert) (bool, error) {
		switch a.State {
		case StateNew:
			a.Acknowledged = &Ack{By: by, At: now}
			a.State = StateAcknowledged
			return true, nil
		case StateAcknowledged:
			if a.Acknowledged.By == by {
				return false, nil
			}
			return false, Conflictf("acknowledged already by %s at %s", a.Acknowledged.By, a.Acknowledged.At.Format(time.RFC3339))
		}
		return false, Conflictf("decided already (%s by %s at %s)", a.Decision.Kind, a.Decision.By, a.Decision.At.Format(time.RFC3339))
	})
}

// Decide records an operator's decision on a new or acknowledged alert;
// the caller sets d.By, the service d.At. Deciding acknowledges the alert
// too if nobody had. A deployment leaves the alert decided, waiting for
// its outcome; any other decision closes it. An alert is decided once: a
// second decision fails with ErrConflict.
func (s *Service) Decide(ctx context.Context, id string, d Decision) (Alert, error) {
	d.At = s.now()
	if err := d.Check(); err != nil {
		return Alert{}, fmt.Errorf("decide alert %s: %w", id, err)
	}
	return s.update(ctx, "decide", id, EventUpdated, func(a *Alert) (bool, error) {
		if a.State != StateNew && a.State != StateAcknowledged {
			return false, Conflictf("decided already (%s by %s at %s)", a.Decision.Kind, a.Decision.By, a.Decision.At.Format(time.RFC3339))
		}
		if a.Acknowledged == nil {
			a.Acknowledged = &Ack{By: d.By, At: d.At}
		}
		a.Decision = &d
		a.State = StateClosed
		if d.Kind == Deploy {
			a.State = StateDecided
		}
		return true, nil
	})
}

// RecordOutcome records what came of a deployment and closes the alert;
// the caller sets o.By, the service o.At. It fails with ErrConflict on an
// alert not decided, decided without a deployment, or whose outcome is
// recorded already.
func (s *Service) RecordOutcome(ctx context.Context, id string, o Outcome) (Alert, error) {
	o.At = s.now()
	if err := o.Check(); err != nil {
		return Alert{}, fmt.Errorf("record outcome of alert %s: %w", id, err)
	}
	return s.update(ctx, "record outcome of", id, EventUpdated, func(a *Alert) (bool, error) {
		switch {
		case a.State == StateDecided:
			a.Outcome = &o
			a.State = StateClosed
			return true, nil
		case a.Outcome != nil:
			return false, Conflictf("outcome recorded already (%s by %s at %s)", a.Outcome.Kind, a.Outcome.By, a.Outcome.At.Format(time.RFC3339))
		case a.Decision != nil:
			return false, Conflictf("decided %s, not deploy: no deployment to record an outcome of", a.Decision.Kind)
		}
		return false, Conflictf("not decided yet (%s): an outcome follows a deploy decision", a.State)
	})
}

// update changes an alert in the repository with fn and publishes the
// result as an event of type event if fn says it changed it.
func (s *Service) update(ctx context.Context, what, id, event string, fn func(*Alert) (changed bool, err error)) (Alert, error) {
	s.write.Lock()
	defer s.write.Unlock()
	changed := false
	a, err := s.repo.UpdateAlert(ctx, id, func(a *Alert) error {
		var err error
		changed, err = fn(a)
		return err
	})
	if err != nil {
		return Alert{}, fmt.Errorf("%s alert %s: %w", what, id, err)
	}
	if changed {
		s.publish(Event{Type: event, Alert: a})
	}
	return a, nil
}

// Relay passes on to this service's subscribers events raised elsewhere:
// in a scaled-out deployment, by matchers in other processes, whose events
// reach the console through the bus. The alerts are stored already; Relay
// only publishes.
func (s *Service) Relay(events ...Event) {
	s.write.Lock()
	defer s.write.Unlock()
	s.publish(events...)
}

func (s *Service) publish(events ...Event) {
	if cut := s.subs.publish(events...); cut > 0 {
		s.opts.Log.Warn("alert subscribers cut off: they fell behind", "subscribers", cut, "buffer", s.opts.Buffer)
	}
}

// Alert returns the alert with the ID; the error wraps ErrNotFound if
// there is none.
func (s *Service) Alert(ctx context.Context, id string) (Alert, error) {
	a, err := s.repo.Alert(ctx, id)
	if err != nil {
		return Alert{}, fmt.Errorf("get alert: %w", err)
	}
	return a, nil
}

// Alerts returns one page of the alerts q asks for, newest first.
func (s *Service) Alerts(ctx context.Context, q Query) ([]Alert, error) {
	out, err := s.repo.Alerts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Stats counts the alerts raised at or after since and before until (zero:
// unbounded).
func (s *Service) Stats(ctx context.Context, since, until time.Time) (Stats, error) {
	if err := CheckPeriod(since, until); err != nil {
		return Stats{}, err
	}
	st, err := s.repo.AlertStats(ctx, since, until)
	if err != nil {
		return Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	return st, nil
}

// Subscribe returns a channel that gets an Event for every change from now
// on, and a function that ends the subscription and closes the channel.
// Events are never waited for: a subscriber that falls Options.Buffer
// events behind is cut off, its channel closed, and must subscribe again
// and fetch what it missed with Alerts.
func (s *Service) Subscribe() (events <-chan Event, cancel func()) {
	return s.subs.subscribe()
}

// EscalateDue escalates every alert still new Options.EscalateAfter after
// it was raised and not escalated yet, publishing an "escalated" event for
// each, and returns them. Run calls it every Options.CheckEvery.
func (s *Service) EscalateDue(ctx context.Context) ([]Alert, error) {
	now := s.now()
	due := now.Add(-s.opts.EscalateAfter)
	no := false
	q := Query{States: []State{StateNew}, Escalated: &no, Until: due.Add(time.Nanosecond), Limit: MaxLimit}
	var out []Alert
	for {
		page, err := s.repo.Alerts(ctx, q)
		if err != nil {
			return out, fmt.Errorf("escalate alerts: %w", err)
		}
		for _, a := range page {
			a, err := s.update(ctx, "escalate", a.ID, EventEscalated, func(a *Alert) (bool, error) {
				// Check again under the repository's lock: it may have
				// been picked up since the query.
				if a.State != StateNew || a.Escalated || a.Raised.After(due) {
					return false, errNotDue
				}
				a.Escalated, a.EscalatedAt = true, &now
				return true, nil
			})
			switch {
			case err == nil:
				out = append(out, a)
			case errors.Is(err, errNotDue), errors.Is(err, ErrNotFound):
			default:
				return out, err
			}
		}
		if len(page) < q.Limit {
			return out, nil
		}
		q.Before = page[len(page)-1].ID
	}
}

// errNotDue aborts the escalation of an alert dealt with meanwhile.
var errNotDue = errors.New("not due for escalation")

// DeleteExpired deletes the alerts raised more than Options.Keep ago and
// returns how many it deleted. It fails, wrapping ErrInvalid, if Keep is
// not set.
func (s *Service) DeleteExpired(ctx context.Context) (int64, error) {
	if s.opts.Keep <= 0 {
		return 0, fmt.Errorf("delete expired alerts: %w", Invalidf("no retention period configured (Options.Keep)"))
	}
	cutoff := s.now().Add(-s.opts.Keep)
	n, err := s.repo.DeleteAlertsBefore(ctx, cutoff)
	if err != nil {
		return n, fmt.Errorf("delete alerts raised before %s: %w", cutoff.Format(time.RFC3339), err)
	}
	return n, nil
}

// Run escalates due alerts every Options.CheckEvery and, if Options.Keep is
// set, deletes expired ones every hour, until ctx ends; then it returns
// nil. A round that fails is logged and the next one tries again.
func (s *Service) Run(ctx context.Context) error {
	tick := time.NewTicker(s.opts.CheckEvery)
	defer tick.Stop()
	var lastDeletion time.Time
	for {
		if escalated, err := s.EscalateDue(ctx); err != nil && ctx.Err() == nil {
			s.opts.Log.Error("escalating alerts", "err", err)
		} else if len(escalated) > 0 {
			s.opts.Log.Info("alerts escalated", "count", len(escalated))
		}
		if now := s.now(); s.opts.Keep > 0 && (lastDeletion.IsZero() || now.Sub(lastDeletion) >= retentionEvery) {
			lastDeletion = now
			if n, err := s.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				s.opts.Log.Error("deleting expired alerts", "err", err)
			} else if n > 0 {
				s.opts.Log.Info("expired alerts deleted", "count", n, "keep", s.opts.Keep)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
