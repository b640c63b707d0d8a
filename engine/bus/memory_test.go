package bus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"anpr/engine/bus"
	"anpr/engine/bus/bustest"
)

// The behaviour every bus.Bus must have.
func TestMemory(t *testing.T) {
	bustest.Run(t, openMemory)
}

func TestMemoryFiles(t *testing.T) {
	bustest.RunFiles(t, openMemory)
}

func openMemory(t testing.TB) bus.Bus {
	b, err := bus.NewMemory(bus.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkMemory measures the in-process bus end to end:
//
//	go test -run '^$' -bench Memory ./engine/bus/
func BenchmarkMemory(b *testing.B) { bustest.Benchmark(b, openMemory) }

// A full stream makes Publish wait until a consumer has made room, and
// give up when its context ends.
func TestMemoryBounded(t *testing.T) {
	b, _ := bus.NewMemory(bus.MemoryOptions{Capacity: 3})
	defer b.Close()
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if err := b.Publish(ctx, bus.Reads, nil, id); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := b.Publish(short, bus.Reads, nil, "d"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Publish to a full stream = %v, want it to wait and give up with its context", err)
	}
	// Another stream has its own room.
	if err := b.Publish(ctx, bus.Alerts, nil, "d"); err != nil {
		t.Errorf("Publish to another stream: %v", err)
	}
	published := make(chan error)
	go func() { published <- b.Publish(ctx, bus.Reads, nil, "d") }()
	cctx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	var got []string
	go b.Consume(cctx, bus.Consumer{Stream: bus.Reads, Durable: "w"}, func(_ context.Context, msgs []bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			got = append(got, m.ID)
		}
		return nil
	})
	defer stop()
	select {
	case err := <-published:
		if err != nil {
			t.Errorf("Publish once there was room: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Publish still waiting after a consumer took what the stream held")
	}
}

// The de-duplication window runs on the bus's clock: an ID is dropped
// within it and taken again after it.
func TestMemoryDuplicateWindow(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	b, _ := bus.NewMemory(bus.MemoryOptions{Duplicates: time.Minute, Now: clock})
	defer b.Close()
	ctx := context.Background()
	steps := []struct {
		after time.Duration
		id    string
	}{
		{0, "x"},                // taken
		{30 * time.Second, "x"}, // dropped: within the minute
		{0, "y"},                // taken
		{31 * time.Second, "x"}, // taken: a minute and a second after the first
		{0, "x"},                // dropped again
	}
	for i, s := range steps {
		advance(s.after)
		if err := b.Publish(ctx, bus.Reads, []byte{byte('0' + i)}, s.id); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var got []string
	b.Consume(cctx, bus.Consumer{Stream: bus.Reads, Durable: "w", MaxBatch: 10, MaxWait: 10 * time.Millisecond},
		func(_ context.Context, msgs []bus.Message) error {
			for _, m := range msgs {
				got = append(got, m.ID+string(m.Data))
			}
			cancel()
			return nil
		})
	if want := "x0 y2 x3"; fmtIDs(got) != want {
		t.Errorf("delivered %s, want %s", fmtIDs(got), want)
	}
}

func fmtIDs(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// Messages are dropped once every durable consumer has acknowledged them,
// not before: a slow consumer still gets what a fast one has finished.
func TestMemoryHoldsUntilEveryDurableAcks(t *testing.T) {
	b, _ := bus.NewMemory(bus.MemoryOptions{Capacity: 10})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fast := make(chan string, 100)
	slowGate := make(chan struct{})
	slow := make(chan string, 100)
	fastC := bus.Consumer{Stream: bus.Reads, Durable: "fast"}
	slowC := bus.Consumer{Stream: bus.Reads, Durable: "slow", MaxBatch: 1}
	// Both durables exist before anything is published: a Consume call
	// with its context ended makes one and returns.
	ended, end := context.WithCancel(ctx)
	end()
	for _, c := range []bus.Consumer{fastC, slowC} {
		if err := b.Consume(ended, c, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("Consume with its context ended = %v", err)
		}
	}
	go b.Consume(ctx, fastC, func(_ context.Context, msgs []bus.Message) error {
		for _, m := range msgs {
			fast <- m.ID
		}
		return nil
	})
	go b.Consume(ctx, slowC, func(_ context.Context, msgs []bus.Message) error {
		<-slowGate
		slow <- msgs[0].ID
		return nil
	})
	for _, id := range []string{"a", "b", "c"} {
		if err := b.Publish(ctx, bus.Reads, nil, id); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		<-fast
	}
	close(slowGate)
	for _, want := range []string{"a", "b", "c"} {
		select {
		case got := <-slow:
			if got != want {
				t.Errorf("slow consumer got %s, want %s", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("slow consumer never got %s", want)
		}
	}
}
