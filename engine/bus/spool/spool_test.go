package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"anpr/engine/bus"
)

// fakeBus is a Publisher that can be taken down and brought back.
type fakeBus struct {
	mu       sync.Mutex
	down     bool
	failOnce map[string]bool // IDs to fail the first time they come
	got      []string        // IDs taken, in order
	sent     chan struct{}
}

func newFakeBus() *fakeBus { return &fakeBus{sent: make(chan struct{}, 1)} }

func (f *fakeBus) Publish(ctx context.Context, subject string, data []byte, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("nats: no servers available for connection")
	}
	if f.failOnce[id] {
		delete(f.failOnce, id)
		return errors.New("nats: timeout")
	}
	if string(data) != "data "+id {
		return fmt.Errorf("%w: data %q does not go with id %s", bus.ErrInvalid, data, id)
	}
	f.got = append(f.got, id)
	select {
	case f.sent <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeBus) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeBus) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// waitFor waits until the bus has taken n messages.
func (f *fakeBus) waitFor(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if got := f.ids(); len(got) >= n {
			return got
		}
		select {
		case <-f.sent:
		case <-deadline:
			t.Fatalf("the bus took %d messages, waited for %d", len(f.ids()), n)
		}
	}
}

func publish(t *testing.T, s *Spool, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		id := fmt.Sprintf("r-%04d", i)
		if err := s.Publish(context.Background(), bus.Reads+".CAM-1", []byte("data "+id), id); err != nil {
			t.Fatalf("Publish %s: %v", id, err)
		}
	}
}

func wantIDs(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("r-%04d", i))
	}
	return out
}

func segments(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func openTest(t *testing.T, dir string, pub Publisher, opts Options) *Spool {
	t.Helper()
	if opts.RetryWait == 0 {
		opts.RetryWait = 5 * time.Millisecond
	}
	s, err := Open(dir, pub, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s *Spool) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestBusUpGoesStraightThrough(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	s := openTest(t, dir, b, Options{})
	defer s.Close()
	publish(t, s, 0, 10)
	if got := b.ids(); !slices.Equal(got, wantIDs(0, 10)) {
		t.Errorf("bus took %v, want all ten at once", got)
	}
	if n, _ := s.Pending(); n != 0 || len(segments(t, dir)) != 0 {
		t.Errorf("spool holds %d messages in %v, want nothing", n, segments(t, dir))
	}
}

func TestBusDownSpoolsThenSends(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	s := openTest(t, dir, b, Options{SegmentBytes: 200})
	defer s.Close()
	stop := run(t, s)
	defer stop()
	publish(t, s, 0, 5)
	b.setDown(true)
	publish(t, s, 5, 40)
	if n, _ := s.Pending(); n == 0 {
		t.Fatal("spool holds nothing with the bus down")
	}
	if len(segments(t, dir)) < 2 {
		t.Errorf("segments %v, want several of 200 bytes", segments(t, dir))
	}
	b.setDown(false)
	// Published once the bus is back: after those spooled, not before.
	publish(t, s, 40, 50)
	got := b.waitFor(t, 50)
	if !slices.Equal(got, wantIDs(0, 50)) {
		t.Errorf("bus took %v, want the 50 in the order published", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := s.Pending(); n == 0 && len(segments(t, dir)) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, bytes := s.Pending(); n != 0 || bytes != 0 || len(segments(t, dir)) != 0 {
		t.Errorf("after sending, the spool holds %d messages, %d bytes, files %v; want none", n, bytes, segments(t, dir))
	}
	// Empty again: straight through.
	publish(t, s, 50, 51)
	if got := b.ids(); len(got) != 51 {
		t.Errorf("bus took %d, want 51 at once with the spool empty", len(got))
	}
}

func TestSpoolSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	b.setDown(true)
	s := openTest(t, dir, b, Options{SegmentBytes: 300})
	publish(t, s, 0, 30)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b.setDown(false)
	s = openTest(t, dir, b, Options{})
	defer s.Close()
	if n, _ := s.Pending(); n != 30 {
		t.Errorf("reopened spool holds %d messages, want 30", n)
	}
	stop := run(t, s)
	defer stop()
	if got := b.waitFor(t, 30); !slices.Equal(got, wantIDs(0, 30)) {
		t.Errorf("bus took %v, want the 30 spooled before the restart, in order", got)
	}
}

// A record torn by a crash mid-write (never acknowledged to its caller)
// is cut off; the records before it are kept.
func TestTornRecordCutOff(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	b.setDown(true)
	s := openTest(t, dir, b, Options{})
	publish(t, s, 0, 3)
	s.Close()
	seg := segments(t, dir)[0]
	whole, _ := os.ReadFile(seg)
	torn := encode(bus.Reads, []byte("data r-0003"), "r-0003")
	os.WriteFile(seg, append(whole, torn[:len(torn)-4]...), 0o640)
	s = openTest(t, dir, b, Options{})
	defer s.Close()
	if n, bytes := s.Pending(); n != 3 || bytes != int64(len(whole)) {
		t.Errorf("spool with a torn record holds %d messages, %d bytes; want 3, %d", n, bytes, len(whole))
	}
	b.setDown(false)
	stop := run(t, s)
	defer stop()
	if got := b.waitFor(t, 3); !slices.Equal(got, wantIDs(0, 3)) {
		t.Errorf("bus took %v, want the three whole ones", got)
	}
	// Appending after the cut starts clean.
	publish(t, s, 3, 5)
	if got := b.waitFor(t, 5); !slices.Equal(got, wantIDs(0, 5)) {
		t.Errorf("bus took %v, want five", got)
	}
}

func TestFullSpoolRefuses(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	b.setDown(true)
	rec := int64(len(encode(bus.Reads+".CAM-1", []byte("data r-0000"), "r-0000")))
	s := openTest(t, dir, b, Options{MaxBytes: 3 * rec})
	defer s.Close()
	publish(t, s, 0, 3)
	err := s.Publish(context.Background(), bus.Reads+".CAM-1", []byte("data r-0003"), "r-0003")
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Publish to a full spool with the bus down = %v, want ErrFull", err)
	}
	b.setDown(false)
	stop := run(t, s)
	defer stop()
	b.waitFor(t, 3)
	deadline := time.Now().Add(10 * time.Second)
	for n, _ := s.Pending(); n > 0 && time.Now().Before(deadline); n, _ = s.Pending() {
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Publish(context.Background(), bus.Reads+".CAM-1", []byte("data r-0003"), "r-0003"); err != nil {
		t.Errorf("Publish once the spool drained: %v", err)
	}
}

// A message the bus refuses as invalid is the caller's to fix: not
// spooled, the error returned.
func TestInvalidNotSpooled(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	s := openTest(t, dir, b, Options{})
	defer s.Close()
	if err := s.Publish(context.Background(), bus.Reads, []byte("wrong"), "r-0000"); !errors.Is(err, bus.ErrInvalid) {
		t.Errorf("Publish of a message the bus refuses = %v, want the refusal", err)
	}
	for _, bad := range []struct{ subject, id string }{{"", "x"}, {"reads.*", "x"}, {bus.Reads, ""}} {
		if err := s.Publish(context.Background(), bad.subject, nil, bad.id); !errors.Is(err, bus.ErrInvalid) {
			t.Errorf("Publish(%q, %q) = %v, want ErrInvalid", bad.subject, bad.id, err)
		}
	}
	if n, _ := s.Pending(); n != 0 {
		t.Errorf("spool holds %d, want nothing", n)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, r := range []record{
		{subject: "reads", id: "a", data: nil},
		{subject: "reads.CAM-1", id: "r-1", data: []byte{0, 1, 2, 0xff}},
		{subject: "alerts", id: "x", data: make([]byte, 100000)},
	} {
		path := filepath.Join(t.TempDir(), "seg")
		os.WriteFile(path, encode(r.subject, r.data, r.id), 0o640)
		f, _ := os.Open(path)
		got, n, err := (&reader{f: f}).next()
		f.Close()
		if err != nil || got.subject != r.subject || got.id != r.id || !slices.Equal(got.data, r.data) && len(r.data) > 0 {
			t.Errorf("record %s %s: read back %s %s (%d bytes), %v", r.subject, r.id, got.subject, got.id, n, err)
		}
	}
	// Damage anywhere in a record is caught.
	rec := encode("reads", []byte("data"), "id")
	for i := 8; i < len(rec); i++ {
		bad := slices.Clone(rec)
		bad[i] ^= 0x40
		path := filepath.Join(t.TempDir(), "seg")
		os.WriteFile(path, bad, 0o640)
		f, _ := os.Open(path)
		if _, _, err := (&reader{f: f}).next(); err == nil {
			t.Errorf("a record with byte %d altered read back without error", i)
		}
		f.Close()
	}
}

func batch(from, to int) []bus.Outgoing {
	var out []bus.Outgoing
	for i := from; i < to; i++ {
		id := fmt.Sprintf("r-%04d", i)
		out = append(out, bus.Outgoing{Subject: bus.Reads + ".CAM-1", Data: []byte("data " + id), ID: id})
	}
	return out
}

// A batch the bus takes part of: the rest is spooled, and follows.
func TestBatchSpoolsWhatTheBusFailed(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	b.failOnce = map[string]bool{"r-0003": true, "r-0007": true}
	s := openTest(t, dir, b, Options{})
	defer s.Close()
	if err := s.PublishBatch(context.Background(), batch(0, 10)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Pending(); n != 2 {
		t.Errorf("spool holds %d messages, want the 2 the bus failed", n)
	}
	stop := run(t, s)
	defer stop()
	want := append(slices.Delete(wantIDs(0, 10), 7, 8), "r-0007")
	want = append(slices.Delete(want, 3, 4), "r-0003")
	// 0-2, 4-6, 8-9 at once; 3 and 7 from the spool after.
	got := b.waitFor(t, 10)
	if !slices.Equal(got[:8], want[:8]) || !slices.ContainsFunc(got[8:], func(id string) bool { return id == "r-0003" }) ||
		!slices.ContainsFunc(got[8:], func(id string) bool { return id == "r-0007" }) || len(got) != 10 {
		t.Errorf("bus took %v, want each of the 10 once, the 2 it failed last", got)
	}
}

// With the bus down a batch goes to disk whole, and to the bus in order
// when it is back; a batch with a bad message is refused whole.
func TestBatchBusDown(t *testing.T) {
	dir := t.TempDir()
	b := newFakeBus()
	b.setDown(true)
	s := openTest(t, dir, b, Options{})
	defer s.Close()
	bad := append(batch(0, 2), bus.Outgoing{Subject: "reads.*", Data: nil, ID: "x"})
	if err := s.PublishBatch(context.Background(), bad); !errors.Is(err, bus.ErrInvalid) {
		t.Errorf("a batch with a bad subject: err = %v, want ErrInvalid", err)
	}
	if err := s.PublishBatch(context.Background(), batch(0, 600)); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishBatch(context.Background(), batch(600, 700)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Pending(); n != 700 {
		t.Errorf("spool holds %d messages, want 700", n)
	}
	b.setDown(false)
	stop := run(t, s)
	defer stop()
	if got := b.waitFor(t, 700); !slices.Equal(got, wantIDs(0, 700)) {
		t.Errorf("bus took %d, want the 700 in order", len(got))
	}
}
