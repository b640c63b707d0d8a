package bus

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory is the in-process bus: streams in memory, for an engine that runs
// as one process. It keeps the promises of Bus within the process: a
// message is held until every durable consumer of its stream has
// acknowledged it, a failed batch is delivered again, and a Consume call
// that stops (its context cancelled) leaves what it had not acknowledged
// for the next one. Nothing survives the process: a deployment that must
// not lose reads across a crash runs on JetStream.
//
// Each stream holds at most Capacity messages; Publish waits for room.
// A durable consumer exists from the first Consume call that names it
// (even one whose context has already ended) for as long as the bus.
// Messages are dropped once every durable of their stream has
// acknowledged them; until the first durable exists, the stream keeps
// what is published to it. A durable made later starts at the oldest
// message the stream still holds, so the engine starts its consumers
// before its publishers.
type Memory struct {
	opts MemoryOptions

	mu      sync.Mutex
	streams map[string]*memStream
	closed  bool
	done    chan struct{} // closed by Close

	files        map[string]*memFile // see files.go
	fileSeq      uint64
	filesChanged chan struct{} // closed and replaced when a file is put
}

// MemoryOptions configures a Memory bus. The zero value is the default.
type MemoryOptions struct {
	Streams    []string         // the streams it has; nil: Reads and Alerts
	Capacity   int              // messages a stream holds at most; 0: 100,000
	Duplicates time.Duration    // the de-duplication window; 0: 2 minutes
	Now        func() time.Time // the clock for the de-duplication window and Message.Published; nil: time.Now
}

const (
	defaultCapacity   = 100000
	defaultDuplicates = 2 * time.Minute
)

var _ Bus = (*Memory)(nil)

type memStream struct {
	name    string
	log     []memEntry // held messages, log[off:] from seq base
	off     int
	base    uint64 // seq of log[off]
	next    uint64 // seq the next message gets
	seen    map[string]time.Time
	seenAge []seenID // seen, oldest first, to expire it
	durable map[string]*memDurable
	changed chan struct{} // closed and replaced when anything changes
}

type memEntry struct {
	seq uint64
	msg Message
}

type seenID struct {
	id string
	at time.Time
}

// memDurable is a durable consumer's place in its stream.
type memDurable struct {
	floor      uint64          // every seq below it is acknowledged
	next       uint64          // the first seq never handed out
	acked      map[uint64]bool // acknowledged seqs at or above floor
	deliveries map[uint64]int  // times each unacknowledged seq was handed out
	retry      []memRetry      // seqs to hand out again
}

type memRetry struct {
	seq uint64
	at  time.Time // not before
}

// NewMemory returns an in-process bus.
func NewMemory(opts MemoryOptions) (*Memory, error) {
	if opts.Streams == nil {
		opts.Streams = []string{Reads, Alerts}
	}
	if opts.Capacity <= 0 {
		opts.Capacity = defaultCapacity
	}
	if opts.Duplicates <= 0 {
		opts.Duplicates = defaultDuplicates
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Memory{opts: opts, streams: map[string]*memStream{}, done: make(chan struct{})}
	for _, name := range opts.Streams {
		if err := CheckName("stream", name); err != nil {
			return nil, fmt.Errorf("new in-process bus: %w", err)
		}
		m.streams[name] = &memStream{name: name, seen: map[string]time.Time{},
			durable: map[string]*memDurable{}, changed: make(chan struct{})}
	}
	return m, nil
}

// Close stops the bus; see Bus.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
	return nil
}

func (st *memStream) broadcast() {
	close(st.changed)
	st.changed = make(chan struct{})
}

func (st *memStream) held() int { return len(st.log) - st.off }

// Publish puts a message on a stream; see Bus.
func (m *Memory) Publish(ctx context.Context, subject string, data []byte, id string) error {
	name, err := StreamOf(subject)
	if err == nil {
		err = CheckID(id)
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.streams[name]
	if st == nil {
		return fmt.Errorf("publish %s: %w %q", subject, ErrNoStream, name)
	}
	for {
		if m.closed {
			return fmt.Errorf("publish %s: %w", subject, ErrClosed)
		}
		now := m.opts.Now()
		st.expireSeen(now.Add(-m.opts.Duplicates))
		if _, dup := st.seen[id]; dup {
			return nil
		}
		if st.held() < m.opts.Capacity {
			st.seen[id] = now
			st.seenAge = append(st.seenAge, seenID{id, now})
			st.log = append(st.log, memEntry{st.next, Message{
				Subject: subject, Data: slices.Clone(data), ID: id, Published: now}})
			st.next++
			st.broadcast()
			return nil
		}
		// Full: wait for a consumer to make room.
		changed := st.changed
		m.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
		case <-m.done:
		}
		m.mu.Lock()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("publish %s: stream %s is full (%d messages): %w", subject, name, m.opts.Capacity, err)
		}
	}
}

// expireSeen forgets the IDs published before t.
func (st *memStream) expireSeen(t time.Time) {
	n := 0
	for n < len(st.seenAge) && st.seenAge[n].at.Before(t) {
		if st.seen[st.seenAge[n].id].Equal(st.seenAge[n].at) {
			delete(st.seen, st.seenAge[n].id)
		}
		n++
	}
	if n > 0 {
		st.seenAge = slices.Delete(st.seenAge, 0, n)
	}
}

// Consume hands out a stream's messages; see Bus.
func (m *Memory) Consume(ctx context.Context, c Consumer, handle Handler) error {
	c, err := c.WithDefaults()
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	m.mu.Lock()
	st := m.streams[c.Stream]
	if st == nil {
		m.mu.Unlock()
		return fmt.Errorf("consume %s as %s: %w %q", c.Stream, c.Durable, ErrNoStream, c.Stream)
	}
	d := st.durable[c.Durable]
	if d == nil {
		d = &memDurable{floor: st.base, next: st.base, acked: map[uint64]bool{}, deliveries: map[uint64]int{}}
		st.durable[c.Durable] = d
	}
	m.mu.Unlock()
	for {
		batch, err := m.take(ctx, st, d, c)
		if err != nil {
			return fmt.Errorf("consume %s as %s: %w", c.Stream, c.Durable, err)
		}
		msgs := make([]Message, len(batch))
		for i, e := range batch {
			msgs[i] = e.msg
			msgs[i].Data = slices.Clone(e.msg.Data)
		}
		// A batch taken as ctx ends goes back unhandled.
		herr := ctx.Err()
		if herr == nil {
			herr = handle(ctx, msgs)
		}
		m.mu.Lock()
		if herr == nil {
			for _, e := range batch {
				st.ack(d, e.seq)
			}
			st.trim()
		} else {
			delay := c.RetryDelay
			if ctx.Err() != nil {
				delay = 0 // not the messages' fault: hand them to the next Consume at once
			}
			at := time.Now().Add(delay)
			for _, e := range batch {
				d.retry = append(d.retry, memRetry{e.seq, at})
			}
		}
		st.broadcast()
		m.mu.Unlock()
	}
}

// take waits for a batch for d: messages to hand out again first, then new
// ones, up to c.MaxBatch, waiting up to c.MaxWait after the first for
// more.
func (m *Memory) take(ctx context.Context, st *memStream, d *memDurable, c Consumer) ([]memEntry, error) {
	var batch []memEntry
	var fill <-chan time.Time // set once the batch has its first message
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		if m.closed {
			return nil, ErrClosed
		}
		if err := ctx.Err(); err != nil && len(batch) == 0 {
			return nil, err
		}
		now := time.Now()
		var wake time.Time // the earliest retry not yet due
		for i := 0; i < len(d.retry) && len(batch) < c.MaxBatch; {
			r := d.retry[i]
			if r.at.After(now) {
				if wake.IsZero() || r.at.Before(wake) {
					wake = r.at
				}
				i++
				continue
			}
			d.retry = slices.Delete(d.retry, i, i+1)
			batch = append(batch, st.hand(d, r.seq))
		}
		for d.next < st.next && len(batch) < c.MaxBatch {
			batch = append(batch, st.hand(d, d.next))
			d.next++
		}
		if len(batch) == c.MaxBatch || len(batch) > 0 && ctx.Err() != nil {
			return batch, nil
		}
		if len(batch) > 0 && fill == nil {
			fill = time.After(c.MaxWait)
		}
		var retry <-chan time.Time
		var timer *time.Timer
		if !wake.IsZero() {
			timer = time.NewTimer(time.Until(wake))
			retry = timer.C
		}
		changed := st.changed
		m.mu.Unlock()
		filled := false
		select {
		case <-changed:
		case <-retry:
		case <-fill:
			filled = true
		case <-ctx.Done():
		case <-m.done:
		}
		if timer != nil {
			timer.Stop()
		}
		m.mu.Lock()
		if filled {
			return batch, nil
		}
	}
}

// hand records that seq is handed to d once more and returns it.
func (st *memStream) hand(d *memDurable, seq uint64) memEntry {
	d.deliveries[seq]++
	e := st.log[st.off+int(seq-st.base)]
	e.msg.Delivery = d.deliveries[seq]
	return e
}

func (st *memStream) ack(d *memDurable, seq uint64) {
	delete(d.deliveries, seq)
	d.acked[seq] = true
	for d.acked[d.floor] {
		delete(d.acked, d.floor)
		d.floor++
	}
}

// trim drops the messages every durable has acknowledged.
func (st *memStream) trim() {
	if len(st.durable) == 0 {
		return
	}
	floor := st.next
	for _, d := range st.durable {
		floor = min(floor, d.floor)
	}
	if floor <= st.base {
		return
	}
	n := int(floor - st.base)
	clear(st.log[st.off : st.off+n]) // let the data go
	st.off += n
	st.base = floor
	// Move what is held to the front once the dropped part is the
	// larger, so the log's memory stays proportional to what it holds.
	if st.off > len(st.log)/2 {
		st.log = append(st.log[:0], st.log[st.off:]...)
		st.off = 0
	}
}
