// Package spool keeps an edge's messages on local disk while the bus is
// unreachable, and sends them when it returns: a Spool stands between a
// publisher (the edge) and a bus, and takes every message the bus would,
// up to a bound on disk.
//
// While the spool is empty, Publish goes straight to the bus. When the bus
// fails a publish (unreachable, slow past SendTimeout, or full), the
// message is appended to the spool and Publish returns nil: the message is
// on disk, synced, and the caller may drop its copy. From then on new
// messages join the end of the spool, so that the bus receives them in
// the order they were published, and [Spool.Run], which the edge keeps
// running beside it, sends the spool's messages, oldest first, in
// batches, retrying until the bus takes each.
//
// [Spool.PublishBatch] does the same for a batch: straight to the bus
// while the spool is empty (with a window of messages in flight, where
// the bus is a bus.BatchPublisher), and those of it the bus fails to the
// spool, with one write and one sync for them all.
//
// The spool is a directory of segment files, each a run of records
// (length, CRC-32C, subject, ID, data) appended and synced one by one. A
// segment is deleted once every message in it has been sent. After a
// crash the segment being sent is sent again from its start, so a message
// may reach the bus twice; the bus drops the repeat within its
// de-duplication window, and beyond it the consumers are idempotent (the
// store on the read's ID). A record torn by a crash mid-write is cut off
// when the spool opens: it was never acknowledged to the caller.
//
// The spool holds at most Options.MaxBytes; past that, Publish with the
// bus down returns an error wrapping ErrFull and the caller keeps the
// message (or counts it lost, and says so).
package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"anpr/engine/bus"
)

// Publisher is what a spool sends to: bus.Bus has this method.
type Publisher interface {
	Publish(ctx context.Context, subject string, data []byte, id string) error
}

// Options configures a Spool. The zero value is the default.
type Options struct {
	MaxBytes     int64         // most the spool holds on disk; 0: 1 GiB
	SegmentBytes int64         // a segment file is closed and a new one begun past this size; 0: 4 MiB
	SendTimeout  time.Duration // how long one publish to the bus may take before the bus counts as down; 0: 5 s
	RetryWait    time.Duration // the first wait before sending again after a failure, doubling to 30 s; 0: 500 ms
	Logger       *slog.Logger  // nil: no logging
}

const (
	defaultMaxBytes     = 1 << 30
	defaultSegmentBytes = 4 << 20
	defaultSendTimeout  = 5 * time.Second
	defaultRetryWait    = 500 * time.Millisecond
	maxRetryWait        = 30 * time.Second
	// maxRecord bounds one record, so that a damaged length cannot make
	// the spool read gigabytes.
	maxRecord = 64 << 20
)

// ErrFull is wrapped by the error Publish returns when the bus is down and
// the spool has no room for the message.
var ErrFull = errors.New("spool full")

// Spool is a Publisher that keeps what the bus cannot take yet. It is safe
// for concurrent use; one process at a time may use a directory.
type Spool struct {
	dir  string
	pub  Publisher
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	segments []uint64 // segment numbers on disk, oldest first
	w        *os.File // the newest segment, open for appending; nil if none
	wSize    int64
	bytes    int64 // held on disk in all
	count    int   // messages held
	closed   bool
	wake     chan struct{} // signalled when a message is spooled
	done     chan struct{} // closed by Close
}

// Open opens the spool in dir, creating dir if it is missing, for messages
// bound for pub. Messages a previous process left are kept, to be sent by
// Run.
func Open(dir string, pub Publisher, opts Options) (*Spool, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = defaultSegmentBytes
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = defaultSendTimeout
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = defaultRetryWait
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open spool %s: %w", dir, err)
	}
	s := &Spool{dir: dir, pub: pub, opts: opts, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("open spool %s: %w", dir, err)
	}
	if s.count > 0 {
		s.log.Info("spool holds messages from before", "dir", dir, "messages", s.count, "bytes", s.bytes)
		s.signal()
	}
	return s, nil
}

func segmentName(n uint64) string { return fmt.Sprintf("%016d.seg", n) }

// load finds the segments on disk, counts what they hold, and cuts a torn
// record off the end of the newest.
func (s *Spool) load() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		num, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			continue
		}
		s.segments = append(s.segments, n)
	}
	slices.Sort(s.segments)
	for i, n := range s.segments {
		path := filepath.Join(s.dir, segmentName(n))
		count, good, size, err := scan(path)
		if err != nil {
			return err
		}
		if good < size {
			// Only the newest segment was being written; a tear in an
			// older one is damage, and what follows it is lost with it.
			s.log.Warn("spool segment ends in a torn record; cutting it off", "file", path, "at", good, "size", size, "newest", i == len(s.segments)-1)
			if err := os.Truncate(path, good); err != nil {
				return err
			}
		}
		s.count += count
		s.bytes += good
	}
	return nil
}

// scan reads a segment's records and returns how many are whole, where the
// last whole one ends, and the file's size.
func scan(path string) (count int, good, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, 0, err
	}
	r := &reader{f: f}
	for {
		_, n, err := r.next()
		if err != nil {
			return count, good, info.Size(), nil
		}
		count++
		good += n
	}
}

// Publish sends a message to the bus or, if the bus cannot take it now,
// keeps it in the spool; see the package documentation. It returns an
// error if the message is refused by the bus as invalid (it never will be
// taken), or cannot be kept.
func (s *Spool) Publish(ctx context.Context, subject string, data []byte, id string) error {
	if _, err := bus.StreamOf(subject); err != nil {
		return fmt.Errorf("spool publish: %w", err)
	}
	if err := bus.CheckID(id); err != nil {
		return fmt.Errorf("spool publish: %w", err)
	}
	s.mu.Lock()
	empty := s.count == 0
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("spool publish %s: %w", subject, bus.ErrClosed)
	}
	if empty {
		err := s.send(ctx, subject, data, id)
		if err == nil || refused(err) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("spool publish %s: %w", subject, ctx.Err())
		}
		s.log.Warn("bus did not take a message; spooling", "subject", subject, "id", id, "err", err)
	}
	if err := s.append(subject, data, id); err != nil {
		return fmt.Errorf("spool publish %s id %s: %w", subject, id, err)
	}
	return nil
}

var _ bus.BatchPublisher = (*Spool)(nil)

// PublishBatch sends a batch of messages to the bus or, those the bus
// cannot take now, keeps them in the spool, with one write and one sync;
// see bus.BatchPublisher. It returns nil when every message is held, on
// the bus or on disk. A batch with a message the bus refuses as invalid
// is the caller's to fix: its error is returned, nothing spooled. The
// bus receives the batch in order, except that where it took some of a
// batch and failed others, those it failed follow from the spool.
func (s *Spool) PublishBatch(ctx context.Context, msgs []bus.Outgoing) error {
	for _, m := range msgs {
		if _, err := bus.StreamOf(m.Subject); err != nil {
			return fmt.Errorf("spool publish batch: %w", err)
		}
		if err := bus.CheckID(m.ID); err != nil {
			return fmt.Errorf("spool publish batch: %w", err)
		}
	}
	s.mu.Lock()
	empty := s.count == 0
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("spool publish batch: %w", bus.ErrClosed)
	}
	if len(msgs) == 0 {
		return nil
	}
	if empty {
		err := s.sendBatch(ctx, msgs)
		if err == nil {
			return nil
		}
		var pe *bus.PublishError
		if refused(err) {
			return fmt.Errorf("spool publish batch: %w", err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("spool publish batch: %w", ctx.Err())
		}
		s.log.Warn("bus did not take a batch; spooling", "messages", len(msgs), "err", err)
		if errors.As(err, &pe) {
			msgs = pick(msgs, pe.Failed)
		}
	}
	if err := s.appendBatch(msgs); err != nil {
		return fmt.Errorf("spool publish batch of %d: %w", len(msgs), err)
	}
	return nil
}

// pick returns the messages of msgs at the indexes.
func pick[T any](msgs []T, indexes []int) []T {
	out := make([]T, len(indexes))
	for i, j := range indexes {
		out[i] = msgs[j]
	}
	return out
}

// sendBatch publishes messages, giving the bus SendTimeout to take them.
func (s *Spool) sendBatch(ctx context.Context, msgs []bus.Outgoing) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.SendTimeout)
	defer cancel()
	return bus.PublishAll(ctx, s.pub, msgs)
}

// send publishes one message, giving the bus SendTimeout to take it.
func (s *Spool) send(ctx context.Context, subject string, data []byte, id string) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.SendTimeout)
	defer cancel()
	return s.pub.Publish(ctx, subject, data, id)
}

// refused reports whether err says the message itself is bad, so that
// sending it again is pointless.
func refused(err error) bool {
	return errors.Is(err, bus.ErrInvalid) || errors.Is(err, bus.ErrNoStream)
}

// append writes a message to the end of the spool and syncs it.
func (s *Spool) append(subject string, data []byte, id string) error {
	rec := encode(subject, data, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return bus.ErrClosed
	}
	if s.bytes+int64(len(rec)) > s.opts.MaxBytes {
		return fmt.Errorf("%w: %d bytes held, limit %d", ErrFull, s.bytes, s.opts.MaxBytes)
	}
	if s.w == nil || s.wSize >= s.opts.SegmentBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	if _, err := s.w.Write(rec); err != nil {
		// Cut off whatever part was written, so the segment stays whole.
		s.w.Truncate(s.wSize)
		return err
	}
	if err := s.w.Sync(); err != nil {
		s.w.Truncate(s.wSize)
		return err
	}
	s.wSize += int64(len(rec))
	s.bytes += int64(len(rec))
	s.count++
	s.signal()
	return nil
}

// appendBatch writes messages to the end of the spool, all or none, with
// one sync.
func (s *Spool) appendBatch(msgs []bus.Outgoing) error {
	var recs []byte
	for _, m := range msgs {
		recs = append(recs, encode(m.Subject, m.Data, m.ID)...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return bus.ErrClosed
	}
	if s.bytes+int64(len(recs)) > s.opts.MaxBytes {
		return fmt.Errorf("%w: %d bytes held, limit %d, batch of %d bytes", ErrFull, s.bytes, s.opts.MaxBytes, len(recs))
	}
	if s.w == nil || s.wSize >= s.opts.SegmentBytes {
		if err := s.rotate(); err != nil {
			return err
		}
	}
	if _, err := s.w.Write(recs); err != nil {
		s.w.Truncate(s.wSize)
		return err
	}
	if err := s.w.Sync(); err != nil {
		s.w.Truncate(s.wSize)
		return err
	}
	s.wSize += int64(len(recs))
	s.bytes += int64(len(recs))
	s.count += len(msgs)
	s.signal()
	return nil
}

// rotate closes the newest segment and begins another.
func (s *Spool) rotate() error {
	if s.w != nil {
		if err := s.w.Close(); err != nil {
			return err
		}
		s.w = nil
	}
	var n uint64 = 1
	if len(s.segments) > 0 {
		n = s.segments[len(s.segments)-1] + 1
	}
	f, err := os.OpenFile(filepath.Join(s.dir, segmentName(n)), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		f.Close()
		return err
	}
	s.segments = append(s.segments, n)
	s.w, s.wSize = f, 0
	return nil
}

func (s *Spool) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many messages the spool holds, and their size on
// disk.
func (s *Spool) Pending() (messages int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count, s.bytes
}

// Run sends the spool's messages to the bus, oldest first, until ctx ends
// (when it returns ctx's error) or the spool is closed. A message the bus
// fails is sent again after a wait that doubles from RetryWait to 30 s; one
// it refuses as invalid is logged and dropped, since it can never be sent.
// Run one at a time.
func (s *Spool) Run(ctx context.Context) error {
	wait := s.opts.RetryWait
	for {
		seg, ok := s.oldest()
		if !ok {
			select {
			case <-s.wake:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-s.done:
				return nil
			}
		}
		err := s.drain(ctx, seg, &wait)
		if errors.Is(err, bus.ErrClosed) {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("spool %s: %w", s.dir, err)
		}
	}
}

// oldest returns the oldest segment, if there is one.
func (s *Spool) oldest() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segments) == 0 {
		return 0, false
	}
	return s.segments[0], true
}

// drainBatch is how many records drain reads ahead and sends at once.
const drainBatch = 256

// drain sends the messages of one segment, then deletes it. The newest
// segment is being appended to as it is read: drain reads up to what is
// written, and the segment is finished when drain has caught up with it
// under the lock, at which point the spool is empty and Publish goes
// straight to the bus again. Records go to the bus in batches (of
// drainBatch), so that a spool fills no faster than it drains while the
// bus is slow.
func (s *Spool) drain(ctx context.Context, seg uint64, wait *time.Duration) error {
	path := filepath.Join(s.dir, segmentName(seg))
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := &reader{f: f}
	for {
		var recs []record
		var size int64
		for len(recs) < drainBatch {
			rec, n, err := r.next()
			if err != nil {
				break
			}
			recs = append(recs, rec)
			size += n
		}
		if len(recs) == 0 {
			done, ferr := s.finishSegment(seg, r.off)
			if ferr != nil || done {
				return ferr
			}
			// Caught up with the newest segment: wait for more, or for
			// it to be finished by a rotation.
			select {
			case <-s.wake:
			case <-ctx.Done():
				return ctx.Err()
			case <-s.done:
				return bus.ErrClosed
			}
			continue
		}
		if err := s.sendRecords(ctx, recs, wait); err != nil {
			return err
		}
		s.mu.Lock()
		s.count -= len(recs)
		s.bytes -= size
		s.mu.Unlock()
	}
}

// sendRecords sends spooled records to the bus, trying again after a
// growing wait until it has taken each, or refused it.
func (s *Spool) sendRecords(ctx context.Context, recs []record, wait *time.Duration) error {
	for len(recs) > 0 {
		msgs := make([]bus.Outgoing, len(recs))
		for i, r := range recs {
			msgs[i] = bus.Outgoing{Subject: r.subject, Data: r.data, ID: r.id}
		}
		err := s.sendBatch(ctx, msgs)
		if err == nil {
			*wait = s.opts.RetryWait
			return nil
		}
		var pe *bus.PublishError
		if errors.As(err, &pe) {
			recs = pick(recs, pe.Failed)
		}
		if refused(err) {
			// Some record the bus will never take: one at a time, to
			// drop it and send the rest.
			return s.sendEach(ctx, recs, wait)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("bus did not take spooled messages; waiting", "messages", len(recs), "first", recs[0].id, "wait", *wait, "err", err)
		if err := s.pause(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

// sendEach sends records one by one, dropping any the bus refuses as
// invalid, trying each again after a growing wait until the bus takes it.
func (s *Spool) sendEach(ctx context.Context, recs []record, wait *time.Duration) error {
	for _, rec := range recs {
		for {
			serr := s.send(ctx, rec.subject, rec.data, rec.id)
			if serr == nil {
				*wait = s.opts.RetryWait
				break
			}
			if refused(serr) {
				s.log.Error("bus refused a spooled message; dropping it", "subject", rec.subject, "id", rec.id, "err", serr)
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log.Warn("bus did not take a spooled message; waiting", "subject", rec.subject, "id", rec.id, "wait", *wait, "err", serr)
			if err := s.pause(ctx, wait); err != nil {
				return err
			}
		}
	}
	return nil
}

// pause waits *wait, or until ctx ends, and doubles *wait up to
// maxRetryWait.
func (s *Spool) pause(ctx context.Context, wait *time.Duration) error {
	t := time.NewTimer(*wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	*wait = min(2**wait, maxRetryWait)
	return nil
}

// finishSegment deletes segment seg once drain has read all of it (to
// off): at once if a newer segment exists, else only if nothing was
// appended past off, in which case the spool is now empty. It reports
// whether the segment is finished.
func (s *Spool) finishSegment(seg uint64, off int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A segment that is not the one being appended to (an older one, or
	// one from before Open, which append never reopens) is whole: drain
	// has read it all.
	if s.segments[len(s.segments)-1] == seg && s.w != nil {
		if s.wSize > off {
			return false, nil
		}
		if err := s.w.Close(); err != nil {
			return false, err
		}
		s.w = nil
	}
	if err := os.Remove(filepath.Join(s.dir, segmentName(seg))); err != nil {
		return false, err
	}
	s.segments = s.segments[1:]
	if len(s.segments) == 0 {
		// Nothing on disk: whatever the counts say (a damaged record
		// skipped), the spool is empty.
		s.count, s.bytes = 0, 0
	}
	if err := syncDir(s.dir); err != nil {
		return false, err
	}
	return true, nil
}

// Close closes the spool; what it holds stays on disk for the next Open.
// Run returns.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.done)
	if s.w != nil {
		err := s.w.Close()
		s.w = nil
		return err
	}
	return nil
}

// A record is: length of the rest (uint32), CRC-32C of the rest (uint32),
// then subject length (uint16), subject, ID length (uint16), ID, data.
// Little-endian throughout.
type record struct {
	subject, id string
	data        []byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func encode(subject string, data []byte, id string) []byte {
	body := make([]byte, 0, 4+len(subject)+len(id)+len(data))
	body = binary.LittleEndian.AppendUint16(body, uint16(len(subject)))
	body = append(body, subject...)
	body = binary.LittleEndian.AppendUint16(body, uint16(len(id)))
	body = append(body, id...)
	body = append(body, data...)
	out := make([]byte, 8, 8+len(body))
	binary.LittleEndian.PutUint32(out[0:], uint32(len(body)))
	binary.LittleEndian.PutUint32(out[4:], crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

// reader reads a segment's records from the start.
type reader struct {
	f   *os.File
	off int64 // where the next record starts
}

var errTorn = errors.New("torn or damaged record")

// next returns the next whole record and its size, or an error at the end
// of what is written (io.EOF) or at a torn or damaged record.
func (r *reader) next() (record, int64, error) {
	var head [8]byte
	if _, err := r.f.ReadAt(head[:], r.off); err != nil {
		return record{}, 0, err
	}
	n := binary.LittleEndian.Uint32(head[0:])
	if n < 4 || n > maxRecord {
		return record{}, 0, errTorn
	}
	body := make([]byte, n)
	if _, err := r.f.ReadAt(body, r.off+8); err != nil {
		if errors.Is(err, io.EOF) {
			return record{}, 0, io.ErrUnexpectedEOF
		}
		return record{}, 0, err
	}
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(head[4:]) {
		return record{}, 0, errTorn
	}
	var rec record
	sl := int(binary.LittleEndian.Uint16(body))
	if 2+sl+2 > len(body) {
		return record{}, 0, errTorn
	}
	rec.subject = string(body[2 : 2+sl])
	il := int(binary.LittleEndian.Uint16(body[2+sl:]))
	if 4+sl+il > len(body) {
		return record{}, 0, errTorn
	}
	rec.id = string(body[4+sl : 4+sl+il])
	rec.data = body[4+sl+il:]
	size := int64(8 + n)
	r.off += size
	return rec, size, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
