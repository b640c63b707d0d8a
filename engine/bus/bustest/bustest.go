// Package bustest checks that an implementation of bus.Bus does what the
// interface promises: every implementation runs the same suite, so that
// one can replace another. An implementation's tests call Run.
package bustest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anpr/engine/bus"
)

// Opener returns a new bus with the streams bus.Reads and bus.Alerts,
// empty, and no durable consumers. Run closes it.
type Opener func(t testing.TB) bus.Bus

// patience bounds every wait for a message, so that a bus that loses one
// fails the test rather than hang it. It is no measure of speed.
const patience = 20 * time.Second

// Run runs the suite against buses from open, each test on a bus of its
// own.
func Run(t *testing.T, open Opener) {
	fresh := func(t *testing.T) bus.Bus {
		b := open(t)
		t.Cleanup(func() {
			if err := b.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return b
	}
	tests := []struct {
		name string
		run  func(*testing.T, bus.Bus)
	}{
		{"RoundTripInOrder", testRoundTrip},
		{"EveryDurableGetsEveryMessage", testFanOut},
		{"OneDurableSharesItsMessages", testSharedDurable},
		{"DuplicatesDropped", testDuplicates},
		{"FailedBatchDeliveredAgain", testRedelivery},
		{"ResumesWhereItStopped", testResume},
		{"FailedThenStopped", testFailedThenStopped},
		{"Batches", testBatches},
		{"ConcurrentPublishers", testConcurrentPublishers},
		{"BadArgumentsRefused", testBadArguments},
		{"PublishAll", testPublishAll},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, fresh(t)) })
	}
}

func publish(t *testing.T, b bus.Bus, subject string, n int, idPrefix string) {
	t.Helper()
	for i := range n {
		if err := b.Publish(context.Background(), subject, fmt.Appendf(nil, "data %s %d", idPrefix, i), fmt.Sprintf("%s-%04d", idPrefix, i)); err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
	}
}

// consumer runs Consume in the background and records what it handles.
type consumer struct {
	mu      sync.Mutex
	got     []bus.Message
	batches []int
	changed chan struct{}
	cancel  context.CancelFunc
	done    chan error
}

// consume starts c with handle wrapped to record the messages of every
// batch it returns nil for. A nil handle accepts every batch.
func consume(t *testing.T, b bus.Bus, c bus.Consumer, handle bus.Handler) *consumer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &consumer{cancel: cancel, done: make(chan error, 1), changed: make(chan struct{}, 1)}
	go func() {
		r.done <- b.Consume(ctx, c, func(ctx context.Context, msgs []bus.Message) error {
			if handle != nil {
				if err := handle(ctx, msgs); err != nil {
					return err
				}
			}
			r.mu.Lock()
			r.got = append(r.got, msgs...)
			r.batches = append(r.batches, len(msgs))
			r.mu.Unlock()
			select {
			case r.changed <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// waitFor waits until the consumer has handled at least n messages and
// returns those it has.
func (r *consumer) waitFor(t *testing.T, n int) []bus.Message {
	t.Helper()
	deadline := time.After(patience)
	for {
		r.mu.Lock()
		got := slices.Clone(r.got)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("handled %d messages, waited for %d", len(got), n)
		case err := <-r.done:
			r.done <- err
			t.Fatalf("Consume returned %v after %d messages, waited for %d", err, len(got), n)
		}
	}
}

// stop cancels the consumer and waits for Consume to return, which must
// be with the context's error.
func (r *consumer) stop(t *testing.T) {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, bus.ErrClosed) {
			t.Errorf("Consume returned %v, want the context's error", err)
		}
		r.done <- err
	case <-time.After(patience):
		t.Errorf("Consume did not return once its context was cancelled")
	}
}

// settle gives a bus time to deliver anything it wrongly would (a
// duplicate, a message acknowledged already) before a test checks that it
// did not. It slows the test, and cannot make it pass wrongly.
func settle() { time.Sleep(300 * time.Millisecond) }

func ids(msgs []bus.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func wantIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

func testRoundTrip(t *testing.T, b bus.Bus) {
	before := time.Now().Add(-time.Minute)
	publish(t, b, bus.Reads, 30, "r")
	publish(t, b, bus.Reads+".CAM-1", 20, "c")
	publish(t, b, bus.Alerts, 5, "a") // another stream: not the reads consumer's
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, nil)
	got := r.waitFor(t, 50)
	settle()
	got = r.waitFor(t, 50)
	if want := append(wantIDs("r", 30), wantIDs("c", 20)...); !slices.Equal(ids(got), want) {
		t.Fatalf("handled %v, want %v in order", ids(got), want)
	}
	for i, m := range got {
		subject, prefix, n := bus.Reads, "r", i
		if i >= 30 {
			subject, prefix, n = bus.Reads+".CAM-1", "c", i-30
		}
		if m.Subject != subject || string(m.Data) != fmt.Sprintf("data %s %d", prefix, n) || m.Delivery != 1 || m.Published.Before(before) {
			t.Errorf("message %d = %+v, want subject %s, its data, delivery 1, a publish time", i, m, subject)
		}
	}
}

func testFanOut(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 40, "r")
	writer := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, nil)
	matcher := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "matcher"}, nil)
	for name, r := range map[string]*consumer{"writer": writer, "matcher": matcher} {
		if got := r.waitFor(t, 40); !slices.Equal(ids(got), wantIDs("r", 40)) {
			t.Errorf("%s handled %v, want every message", name, ids(got))
		}
	}
}

func testSharedDurable(t *testing.T, b bus.Bus) {
	c := bus.Consumer{Stream: bus.Reads, Durable: "writers", MaxBatch: 5}
	slow := func(ctx context.Context, msgs []bus.Message) error {
		time.Sleep(time.Millisecond) // let the other take a turn
		return nil
	}
	a := consume(t, b, c, slow)
	bb := consume(t, b, c, slow)
	publish(t, b, bus.Reads, 200, "r")
	deadline := time.After(patience)
	for {
		a.mu.Lock()
		bb.mu.Lock()
		all := append(slices.Clone(a.got), bb.got...)
		bb.mu.Unlock()
		a.mu.Unlock()
		if len(all) >= 200 {
			break
		}
		select {
		case <-a.changed:
		case <-bb.changed:
		case <-deadline:
			t.Fatalf("the two handled %d messages between them, want 200", len(all))
		}
	}
	settle()
	a.stop(t)
	bb.stop(t)
	got := append(ids(a.got), ids(bb.got)...)
	slices.Sort(got)
	if !slices.Equal(got, wantIDs("r", 200)) {
		t.Errorf("the two handled %d messages between them, want each of 200 once", len(got))
	}
}

func testDuplicates(t *testing.T, b bus.Bus) {
	ctx := context.Background()
	for _, p := range []struct{ data, id string }{{"first", "x"}, {"second", "x"}, {"other", "y"}, {"third", "x"}} {
		if err := b.Publish(ctx, bus.Alerts, []byte(p.data), p.id); err != nil {
			t.Fatalf("Publish(%s, %s): %v", p.data, p.id, err)
		}
	}
	r := consume(t, b, bus.Consumer{Stream: bus.Alerts, Durable: "console"}, nil)
	r.waitFor(t, 2)
	settle()
	got := r.waitFor(t, 2)
	if len(got) != 2 || got[0].ID != "x" || string(got[0].Data) != "first" || got[1].ID != "y" {
		t.Errorf("handled %v, want x (first published) and y, once each", ids(got))
	}
}

func testRedelivery(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 10, "r")
	var mu sync.Mutex
	failures := 0
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer", RetryDelay: 50 * time.Millisecond},
		func(ctx context.Context, msgs []bus.Message) error {
			mu.Lock()
			defer mu.Unlock()
			if slices.Contains(ids(msgs), "r-0003") && failures < 2 {
				failures++
				return errors.New("store unavailable")
			}
			return nil
		})
	r.waitFor(t, 10)
	settle()
	got := r.waitFor(t, 10)
	seen := map[string]int{}
	for _, m := range got {
		seen[m.ID]++
		if m.ID == "r-0003" && m.Delivery != 3 {
			t.Errorf("r-0003 handled on delivery %d, want 3 (two failures first)", m.Delivery)
		}
	}
	for _, id := range wantIDs("r", 10) {
		if seen[id] != 1 {
			t.Errorf("%s handled %d times, want once", id, seen[id])
		}
	}
}

func testResume(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 30, "r")
	c := bus.Consumer{Stream: bus.Reads, Durable: "writer", MaxBatch: 1}
	// The first consumer handles ten, then is stopped, as a writer is
	// when its process shuts down.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var first []bus.Message
	err := b.Consume(ctx, c, func(ctx context.Context, msgs []bus.Message) error {
		first = append(first, msgs...)
		if len(first) == 10 {
			stop()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Consume returned %v once stopped, want context.Canceled", err)
	}
	second := consume(t, b, c, nil)
	second.waitFor(t, 20)
	settle()
	got := append(ids(first), ids(second.waitFor(t, 20))...)
	if !slices.Equal(got, wantIDs("r", 30)) {
		t.Errorf("handled %v across the two, want each of 30 once, in order", got)
	}
}

// A consumer that fails and is stopped leaves its failed messages to the
// next, which handles them and everything after.
func testFailedThenStopped(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 30, "r")
	c := bus.Consumer{Stream: bus.Reads, Durable: "writer", MaxBatch: 3, RetryDelay: 20 * time.Millisecond}
	var mu sync.Mutex
	handled := 0
	first := consume(t, b, c, func(ctx context.Context, msgs []bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if handled >= 10 {
			return errors.New("store gone")
		}
		handled += len(msgs)
		return nil
	})
	first.waitFor(t, 10)
	time.Sleep(100 * time.Millisecond) // let it fail a few
	first.stop(t)
	second := consume(t, b, c, nil)
	n := 30 - len(first.got)
	second.waitFor(t, n)
	settle()
	got := append(ids(first.got), ids(second.waitFor(t, n))...)
	slices.Sort(got)
	if !slices.Equal(got, wantIDs("r", 30)) {
		t.Errorf("handled %v across the two, want each of 30 once", got)
	}
}

func testBatches(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 95, "r")
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer", MaxBatch: 10}, nil)
	r.waitFor(t, 95)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.batches {
		if n < 1 || n > 10 {
			t.Errorf("a batch of %d, want 1 to 10", n)
		}
	}
	// The messages were waiting: the bus should not hand them one by one.
	if len(r.batches) > 50 {
		t.Errorf("95 waiting messages came in %d batches of at most 10", len(r.batches))
	}
}

func testConcurrentPublishers(t *testing.T, b bus.Bus) {
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, nil)
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 50 {
				id := fmt.Sprintf("p%d-%04d", p, i)
				if err := b.Publish(context.Background(), bus.Reads+".edge"+fmt.Sprint(p), []byte(id), id); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	r.waitFor(t, 200)
	settle()
	got := r.waitFor(t, 200)
	last := map[string]string{}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.ID] {
			t.Errorf("%s handled twice", m.ID)
		}
		seen[m.ID] = true
		// Each publisher's messages come in the order it published them.
		if prev := last[m.Subject]; prev != "" && m.ID < prev {
			t.Errorf("%s came after %s", m.ID, prev)
		}
		last[m.Subject] = m.ID
	}
	if len(seen) != 200 {
		t.Errorf("handled %d distinct messages, want 200", len(seen))
	}
}

func testBadArguments(t *testing.T, b bus.Bus) {
	ctx := context.Background()
	for _, p := range []struct{ subject, id string }{
		{"", "id"}, {"reads.", "id"}, {".reads", "id"}, {"reads..x", "id"}, {"reads.*", "id"}, {"reads.>", "id"},
		{"reads x", "id"}, {bus.Reads, ""}, {bus.Reads, "has space"}, {bus.Reads, "nl\n"},
	} {
		if err := b.Publish(ctx, p.subject, []byte("x"), p.id); !errors.Is(err, bus.ErrInvalid) {
			t.Errorf("Publish(%q, id %q) = %v, want a refusal wrapping ErrInvalid", p.subject, p.id, err)
		}
	}
	if err := b.Publish(ctx, "nostream", []byte("x"), "id"); !errors.Is(err, bus.ErrNoStream) {
		t.Errorf("Publish to a stream the bus lacks = %v, want an error wrapping ErrNoStream", err)
	}
	never := func(context.Context, []bus.Message) error { return errors.New("handler called") }
	for _, c := range []bus.Consumer{
		{Stream: bus.Reads, Durable: ""},
		{Stream: bus.Reads, Durable: "a.b"},
		{Stream: bus.Reads, Durable: "a b"},
		{Stream: "", Durable: "x"},
		{Stream: bus.Reads, Durable: "x", MaxBatch: -1},
	} {
		if err := b.Consume(ctx, c, never); !errors.Is(err, bus.ErrInvalid) {
			t.Errorf("Consume(%+v) = %v, want a refusal wrapping ErrInvalid", c, err)
		}
	}
	if err := b.Consume(ctx, bus.Consumer{Stream: "nostream", Durable: "x"}, never); !errors.Is(err, bus.ErrNoStream) {
		t.Errorf("Consume of a stream the bus lacks = %v, want an error wrapping ErrNoStream", err)
	}
}

func testClose(t *testing.T, b bus.Bus) {
	publish(t, b, bus.Reads, 1, "r")
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, nil)
	r.waitFor(t, 1)
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-r.done:
		if !errors.Is(err, bus.ErrClosed) {
			t.Errorf("Consume returned %v on Close, want ErrClosed", err)
		}
		r.done <- err
	case <-time.After(patience):
		t.Fatal("Consume did not return on Close")
	}
	if err := b.Publish(context.Background(), bus.Reads, []byte("x"), "late"); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

// A batch published at once arrives whole, in order, its repeats (by ID)
// dropped; a batch with a bad message is refused whole. On a bus without
// PublishBatch, bus.PublishAll publishes one message at a time.
func testPublishAll(t *testing.T, b bus.Bus) {
	ctx := context.Background()
	var batch []bus.Outgoing
	for i := range 300 {
		batch = append(batch, bus.Outgoing{Subject: bus.Reads + ".CAM-1", Data: fmt.Appendf(nil, "data %d", i), ID: fmt.Sprintf("b-%04d", i)})
	}
	if err := bus.PublishAll(ctx, b, batch); err != nil {
		t.Fatal(err)
	}
	// Again, with one message more: only that one is new.
	more := append(slices.Clone(batch[250:]), bus.Outgoing{Subject: bus.Reads, Data: []byte("data 300"), ID: "b-0300"})
	if err := bus.PublishAll(ctx, b, more); err != nil {
		t.Fatal(err)
	}
	bad := []bus.Outgoing{{Subject: bus.Reads, Data: []byte("x"), ID: "z-1"}, {Subject: bus.Reads, Data: []byte("x"), ID: "has space"}}
	if err := bus.PublishAll(ctx, b, bad); !errors.Is(err, bus.ErrInvalid) {
		t.Errorf("a batch with a bad ID: err = %v, want ErrInvalid", err)
	}
	r := consume(t, b, bus.Consumer{Stream: bus.Reads, Durable: "writer", MaxBatch: 500}, nil)
	r.waitFor(t, 301)
	settle()
	if got := r.waitFor(t, 301); !slices.Equal(ids(got), wantIDs("b", 301)) {
		t.Errorf("handled %d messages %v..., want the 301 published once each, in order", len(got), ids(got)[:min(5, len(got))])
	}
}

// Benchmark measures a bus end to end: publishers putting messages the
// size of an encoded read on bus.Reads, one at a time or in batches
// (bus.PublishAll), while one durable consumer takes them in batches of
// 500. msgs/s is the figure to compare with a force's
// or the nation's read rate.
func Benchmark(b *testing.B, open Opener) {
	for _, bc := range []struct{ publishers, batch int }{{1, 1}, {8, 1}, {1, 500}, {4, 500}} {
		publishers := bc.publishers
		b.Run(fmt.Sprintf("publishers=%d/batch=%d", publishers, bc.batch), func(b *testing.B) {
			bs := open(b)
			defer bs.Close()
			data := make([]byte, 400)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			handled := 0
			all := make(chan struct{})
			go bs.Consume(ctx, bus.Consumer{Stream: bus.Reads, Durable: "bench", MaxBatch: 500}, func(_ context.Context, msgs []bus.Message) error {
				mu.Lock()
				defer mu.Unlock()
				handled += len(msgs)
				if handled == b.N {
					close(all)
				}
				return nil
			})
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for p := range publishers {
				wg.Go(func() {
					var batch []bus.Outgoing
					for i := p; i < b.N; i += publishers {
						batch = append(batch, bus.Outgoing{Subject: bus.Reads, Data: data, ID: fmt.Sprintf("m-%d", i)})
						if len(batch) < bc.batch && i+publishers < b.N {
							continue
						}
						if err := bus.PublishAll(ctx, bs, batch); err != nil {
							b.Error(err)
							return
						}
						batch = batch[:0]
					}
				})
			}
			wg.Wait()
			select {
			case <-all:
			case <-time.After(time.Minute):
				b.Fatalf("consumer handled %d of %d", handled, b.N)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}

// RunFiles runs the suite of bus.Files against buses from open, which
// must implement it.
func RunFiles(t *testing.T, open Opener) {
	for _, tt := range []struct {
		name string
		run  func(*testing.T, bus.Files)
	}{
		{"HeldThenPut", testFilesWatched},
		{"LargeFile", testLargeFile},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t)
			t.Cleanup(func() { b.Close() })
			f, ok := b.(bus.Files)
			if !ok {
				t.Fatalf("%T does not keep files", b)
			}
			tt.run(t, f)
		})
	}
}

// watched is what a watch has seen: the files, and where it caught up.
type watched struct {
	mu       sync.Mutex
	files    []string // name=contents
	caughtUp int      // files seen before the nil: -1 until then
	changed  chan struct{}
}

func watch(t *testing.T, f bus.Files) *watched {
	w := &watched{caughtUp: -1, changed: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- f.WatchFiles(ctx, func(_ context.Context, fi *bus.FileInfo, r io.Reader) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			if fi == nil {
				w.caughtUp = len(w.files)
			} else {
				data, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				if int64(len(data)) != fi.Size || fi.Digest == "" || fi.Put.IsZero() {
					return fmt.Errorf("file %s: %d bytes read, info %+v", fi.Name, len(data), fi)
				}
				w.files = append(w.files, fi.Name+"="+string(data)+" "+fi.Meta["format"])
			}
			select {
			case w.changed <- struct{}{}:
			default:
			}
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("WatchFiles returned %v, want the context's error", err)
		}
	})
	return w
}

func (w *watched) waitFor(t *testing.T, n int) ([]string, int) {
	t.Helper()
	deadline := time.After(patience)
	for {
		w.mu.Lock()
		files, caughtUp := slices.Clone(w.files), w.caughtUp
		w.mu.Unlock()
		if len(files) >= n && caughtUp >= 0 {
			return files, caughtUp
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("watch saw %v (caught up after %d), waited for %d", files, caughtUp, n)
		}
	}
}

// A watch sees the files held when it starts, then that it has caught up,
// then each file put later; a file put again comes again, as put.
func testFilesWatched(t *testing.T, f bus.Files) {
	ctx := context.Background()
	put := func(name, data string) {
		t.Helper()
		if err := f.PutFile(ctx, name, strings.NewReader(data), map[string]string{"format": "csv"}); err != nil {
			t.Fatalf("PutFile %s: %v", name, err)
		}
	}
	put("national", "v1")
	put("local", "v1")
	put("national", "v2")
	w := watch(t, f)
	files, caughtUp := w.waitFor(t, 2)
	if caughtUp != 2 || !slices.Equal(slices.Sorted(slices.Values(files)), []string{"local=v1 csv", "national=v2 csv"}) {
		t.Errorf("watch began with %v, caught up after %d; want the two files as last put, then caught up", files, caughtUp)
	}
	put("local", "v2")
	if files, _ := w.waitFor(t, 3); files[2] != "local=v2 csv" {
		t.Errorf("after a put the watch saw %v, want local=v2 last", files)
	}
	if err := f.PutFile(ctx, "no.dots", strings.NewReader("x"), nil); !errors.Is(err, bus.ErrInvalid) {
		t.Errorf("PutFile with a bad name: %v, want ErrInvalid", err)
	}
}

// A file larger than any one message goes whole.
func testLargeFile(t *testing.T, f bus.Files) {
	data := bytes.Repeat([]byte("AB12CDE,PNC,stolen,2,Stop and check\n"), 100000) // 3.6 MB
	if err := f.PutFile(context.Background(), "national", bytes.NewReader(data), map[string]string{"format": "csv"}); err != nil {
		t.Fatal(err)
	}
	w := watch(t, f)
	files, _ := w.waitFor(t, 1)
	if want := "national=" + string(data) + " csv"; files[0] != want {
		t.Errorf("watch saw a file of %d bytes, want %d", len(files[0]), len(want))
	}
}
