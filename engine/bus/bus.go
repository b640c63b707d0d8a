// Package bus moves reads and alerts between the engine's processes behind
// one small interface, [Bus], so that one binary runs either as a single
// process (the in-process [Memory] bus, the default) or spread over
// machines (NATS JetStream, package anpr/engine/bus/jetstream).
//
// A bus holds named streams, [Reads] and [Alerts]. A subject names the
// stream it goes to by its first token: "reads", or "reads.CAM-0042" to
// say more. An edge publishes reads; a matcher consumes reads and
// publishes alerts; a writer consumes reads into a store.Store. Each role
// consumes through a durable consumer of its own name, so each gets every
// read, and several processes of one role share a name to share the work.
//
// Delivery is at least once. [Bus.Publish] returns once the bus holds the
// message: after that the publisher may drop its copy. A consumer's
// handler is given messages in batches; when it returns nil they are
// acknowledged and not delivered to that consumer again; when it returns
// an error, or its process dies first, they are delivered again. A message
// may therefore be handled twice (a handler that finished but whose
// process died before the acknowledgement reached the bus), and handlers
// make that harmless: the store is idempotent on the read's ID, and
// alerts are published with an ID derived from the read's, which the bus
// de-duplicates.
//
// Publishing is de-duplicated on the message ID within a window (two
// minutes by default): a message published again with the same ID, as a
// publisher retrying after a lost acknowledgement does, is acknowledged
// and dropped.
//
// A publisher with many messages at once uses [PublishAll]: on a bus that
// is a [BatchPublisher] (JetStream) it keeps a window of messages in
// flight rather than waiting a round trip for each, with the same
// promise per message, and says which of a batch the bus may not hold.
//
// A bus also keeps named files that every process reads ([Files]): the
// hotlists, put once and watched by every matcher.
package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Bus moves messages between processes. Implementations are safe for
// concurrent use.
type Bus interface {
	// Publish puts data on the stream subject names (its first token) and
	// returns nil when the bus holds it. id identifies the message: one
	// published again with the same id within the bus's de-duplication
	// window is acknowledged and dropped. When the stream is full, Publish
	// waits for room until ctx is done (in-process) or fails at once
	// (JetStream); a message Publish returned an error for may not be
	// held, and the caller keeps it (an edge spools it, package
	// anpr/engine/bus/spool).
	Publish(ctx context.Context, subject string, data []byte, id string) error

	// Consume hands the messages of c.Stream to handle, in batches, as
	// the durable consumer c.Durable, until ctx is done or the bus is
	// closed; it returns ctx's error or ErrClosed then, or another error
	// if the bus fails for good. A batch handle returns nil for is
	// acknowledged; one it returns an error for is delivered again after
	// c.RetryDelay.
	Consume(ctx context.Context, c Consumer, handle Handler) error

	// Close stops the bus: Consume calls return, Publish fails.
	Close() error
}

// Publisher is what publishes: a Bus, or a spool in front of one.
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte, id string) error
}

// Outgoing is a message to publish.
type Outgoing struct {
	Subject string
	Data    []byte
	ID      string
}

// BatchPublisher is a Publisher that takes many messages at once, keeping
// several in flight rather than waiting for each in turn: where the bus is
// across a network, that is the difference between a round trip a message
// and a round trip a window of them.
type BatchPublisher interface {
	Publisher
	// PublishBatch publishes msgs, in order, and returns nil once the
	// bus holds every one of them, as Publish does for one. A batch with
	// a bad subject or ID is refused whole (ErrInvalid), nothing
	// published. Otherwise an error is a *PublishError naming the
	// messages the bus may not hold; it holds the others. The caller
	// keeps those named, and may publish them again: the bus drops a
	// repeat by ID within its de-duplication window.
	PublishBatch(ctx context.Context, msgs []Outgoing) error
}

// PublishError reports the messages of a batch that the bus may not hold.
type PublishError struct {
	Failed []int // their indexes in the batch, ascending
	Err    error // why one of them failed: the first failure seen
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("%d messages of the batch may not be published: %v", len(e.Failed), e.Err)
}

func (e *PublishError) Unwrap() error { return e.Err }

// PublishAll publishes msgs through p, with one PublishBatch call where p
// is a BatchPublisher and one Publish call a message, in order, where it
// is not. Its error is as PublishBatch's.
func PublishAll(ctx context.Context, p Publisher, msgs []Outgoing) error {
	if bp, ok := p.(BatchPublisher); ok {
		return bp.PublishBatch(ctx, msgs)
	}
	for _, m := range msgs {
		if _, err := StreamOf(m.Subject); err != nil {
			return fmt.Errorf("publish batch: %w", err)
		}
		if err := CheckID(m.ID); err != nil {
			return fmt.Errorf("publish batch: %w", err)
		}
	}
	var failed *PublishError
	for i, m := range msgs {
		if err := p.Publish(ctx, m.Subject, m.Data, m.ID); err != nil {
			if failed == nil {
				failed = &PublishError{Err: err}
			}
			failed.Failed = append(failed.Failed, i)
		}
	}
	if failed != nil {
		return failed
	}
	return nil
}

// Handler handles a batch of messages, in the order the stream holds them
// (redeliveries aside). It should honour ctx, and be idempotent: a message
// can come again.
type Handler func(ctx context.Context, msgs []Message) error

// Message is a message as a consumer receives it.
type Message struct {
	Subject   string    // as published
	Data      []byte    // the handler may keep it; nothing else uses it
	ID        string    // as published
	Published time.Time // when the bus took it
	Delivery  int       // 1 the first time the consumer is given it, 2 the next, ...
}

// Streams the engine uses.
const (
	Reads  = "reads"  // reads, from edges to matchers and writers
	Alerts = "alerts" // alerts, from matchers to consoles
)

// Consumer says which messages Consume hands out, to whom, and how.
type Consumer struct {
	Stream string // the stream to consume: Reads, Alerts
	// Durable names the consumer. The bus remembers, for each name, which
	// messages it has acknowledged, across Consume calls (and, on
	// JetStream, across restarts). Every name gets every message; Consume
	// calls with one name, in one process or several, share its messages,
	// each handled by one of them. They should give the same settings
	// below: on JetStream the consumer has one AckWait, the last given.
	Durable string

	MaxBatch   int           // most messages in one batch; 0: 100
	MaxWait    time.Duration // how long a batch waits after its first message for more; 0: 5 ms
	RetryDelay time.Duration // how long after a failed batch it is delivered again; 0: 1 s
	// AckWait is how long a batch may be out before the bus takes its
	// handler for dead and delivers it again; 0: 30 s. It matters where
	// consumers run in other processes (JetStream); in one process a
	// handler that never returns holds its batch.
	AckWait time.Duration
}

// Defaults for a Consumer's zero fields.
const (
	DefaultMaxBatch   = 100
	DefaultMaxWait    = 5 * time.Millisecond
	DefaultRetryDelay = time.Second
	DefaultAckWait    = 30 * time.Second
)

// WithDefaults returns c with its zero fields set to their defaults, or an
// error if a name is not one a bus can take.
func (c Consumer) WithDefaults() (Consumer, error) {
	if err := CheckName("stream", c.Stream); err != nil {
		return c, err
	}
	if err := CheckName("durable", c.Durable); err != nil {
		return c, err
	}
	if c.MaxBatch < 0 || c.MaxWait < 0 || c.RetryDelay < 0 || c.AckWait < 0 {
		return c, fmt.Errorf("consumer %s: %w: a negative batch size or duration", c.Durable, ErrInvalid)
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.AckWait == 0 {
		c.AckWait = DefaultAckWait
	}
	return c, nil
}

var (
	// ErrClosed is returned by a closed bus.
	ErrClosed = errors.New("bus closed")
	// ErrInvalid is wrapped by errors that refuse a call's arguments: a
	// bad subject, stream or consumer name, an empty message ID.
	ErrInvalid = errors.New("invalid bus argument")
	// ErrNoStream is wrapped by errors for a stream the bus does not have.
	ErrNoStream = errors.New("no such stream")
)

// MaxNameLen is the longest stream or consumer name.
const MaxNameLen = 64

// CheckName reports whether name can name a stream or durable consumer:
// 1 to MaxNameLen of a-z, A-Z, 0-9, - and _, which every bus can take
// (NATS forbids ., *, > and spaces in them).
func CheckName(what, name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("%s name %q: %w: must be 1 to %d characters", what, truncate(name), ErrInvalid, MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%s name %q: %w: byte %d (%q) is not a letter, digit, - or _", what, name, ErrInvalid, i, c)
		}
	}
	return nil
}

// StreamOf returns the stream a subject goes to, its first token, after
// checking the subject: tokens separated by dots, each 1 or more of the
// characters CheckName allows, at most 255 bytes in all.
func StreamOf(subject string) (string, error) {
	if subject == "" || len(subject) > 255 {
		return "", fmt.Errorf("subject %q: %w: must be 1 to 255 bytes", truncate(subject), ErrInvalid)
	}
	tokens := strings.Split(subject, ".")
	for _, t := range tokens {
		if err := CheckName("subject token", t); err != nil {
			return "", fmt.Errorf("subject %q: %w", truncate(subject), err)
		}
	}
	return tokens[0], nil
}

// CheckID reports whether id can identify a message: not empty, at most
// 128 bytes, no spaces or control characters (it travels in a header).
func CheckID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("message id %q: %w: must be 1 to 128 bytes", truncate(id), ErrInvalid)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == 0x7f {
			return fmt.Errorf("message id %q: %w: byte %d is a space or control character", id, ErrInvalid, i)
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80]
	}
	return s
}
