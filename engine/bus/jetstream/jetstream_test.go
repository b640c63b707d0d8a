package jetstream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anpr/engine/bus"
	"anpr/engine/bus/bustest"
	"anpr/engine/bus/jetstream/natstest"
	"anpr/engine/bus/spool"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// These tests need a NATS server with JetStream: the one ANPR_TEST_NATS
// names, or by default one on this machine. Where there is none they
// skip, saying so. Each test's streams have a prefix of their own and are
// deleted when it ends.
const defaultTestNATS = "nats://127.0.0.1:4222"

func testServer(t testing.TB) string {
	t.Helper()
	url := os.Getenv("ANPR_TEST_NATS")
	if url == "" {
		url = defaultTestNATS
	}
	nc, err := nats.Connect(url, nats.Timeout(3*time.Second))
	if err != nil {
		t.Skipf("NATS not reachable (set ANPR_TEST_NATS to a server with JetStream to run this test): %v", err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		t.Skipf("NATS at %s has no JetStream (run nats-server with -js): %v", url, err)
	}
	return url
}

// freshPrefix returns a prefix no other test uses; its streams are
// deleted when the test ends.
func freshPrefix(t testing.TB, url string) string {
	b := make([]byte, 4)
	rand.Read(b)
	prefix := "test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Errorf("delete test streams: %v", err)
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		for _, s := range []string{bus.Reads, bus.Alerts} {
			name := (&Bus{opts: Options{Prefix: prefix}}).streamName(s)
			if err := js.DeleteStream(context.Background(), name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
				t.Errorf("delete test stream %s: %v", name, err)
			}
		}
		bucket := (&Bus{opts: Options{Prefix: prefix}}).filesBucket()
		if err := js.DeleteObjectStore(context.Background(), bucket); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrBucketNotFound) {
			t.Errorf("delete test object store %s: %v", bucket, err)
		}
	})
	return prefix
}

func openTest(t testing.TB, url string, opts Options) *Bus {
	t.Helper()
	b, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

// The behaviour every bus.Bus must have.
func TestBus(t *testing.T) {
	url := testServer(t)
	bustest.Run(t, func(t testing.TB) bus.Bus {
		return openTest(t, url, Options{Prefix: freshPrefix(t, url)})
	})
}

// Files go through the bus's object store.
func TestFiles(t *testing.T) {
	url := testServer(t)
	bustest.RunFiles(t, func(t testing.TB) bus.Bus {
		return openTest(t, url, Options{Prefix: freshPrefix(t, url)})
	})
}

// BenchmarkJetStream measures JetStream on the test server end to end:
//
//	go test -run '^$' -bench JetStream ./engine/bus/jetstream/
func BenchmarkJetStream(b *testing.B) {
	url := testServer(b)
	bustest.Benchmark(b, func(t testing.TB) bus.Bus {
		return openTest(t, url, Options{Prefix: freshPrefix(t, url)})
	})
}

func TestOpenRefuses(t *testing.T) {
	url := testServer(t)
	for _, opts := range []Options{{Prefix: "a.b"}, {Prefix: freshPrefix(t, url), Streams: []Stream{{Name: "x y"}}}} {
		if b, err := Open(context.Background(), url, opts); err == nil {
			b.Close()
			t.Errorf("Open(%+v) succeeded", opts)
		}
	}
	if b, err := Open(context.Background(), "nats://127.0.0.1:1", Options{}); err == nil {
		b.Close()
		t.Error("Open of a server that is not there succeeded")
	}
}

// collect consumes as durable until it has n messages or patience runs
// out, and returns what it handled.
func collect(t *testing.T, b *Bus, c bus.Consumer, n int) []bus.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []bus.Message
	b.Consume(ctx, c, func(_ context.Context, msgs []bus.Message) error {
		got = append(got, msgs...)
		if len(got) >= n {
			cancel()
		}
		return nil
	})
	return got
}

// A consumer whose process dies holding a batch (here: its connection
// closed while its handler hangs) has the batch delivered to another
// after AckWait.
func TestDeadConsumersBatchDeliveredAgain(t *testing.T) {
	url := testServer(t)
	prefix := freshPrefix(t, url)
	dying := openTest(t, url, Options{Prefix: prefix})
	c := bus.Consumer{Stream: bus.Reads, Durable: "writer", AckWait: time.Second}
	if err := dying.Publish(context.Background(), bus.Reads, []byte("read"), "r1"); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	hang := make(chan struct{})
	defer close(hang)
	go dying.Consume(context.Background(), c, func(context.Context, []bus.Message) error {
		close(got)
		<-hang
		return nil
	})
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("the first consumer never got the message")
	}
	dying.Close()

	other := openTest(t, url, Options{Prefix: prefix})
	defer other.Close()
	// The same settings: a Consume call with others (a longer AckWait)
	// would change the consumer's, for the message held too.
	msgs := collect(t, other, c, 1)
	if len(msgs) != 1 || msgs[0].ID != "r1" || msgs[0].Delivery != 2 {
		t.Fatalf("the second consumer got %+v, want r1 on its second delivery", msgs)
	}
}

// Every message Publish acknowledged survives the server being killed
// and restarted, and a consumer running throughout carries on after it.
// Acknowledgements the server had not yet written when it was killed are
// lost with it, so some messages handled before the kill come again:
// delivery is at least once, and handlers are idempotent.
func TestServerKilledAndRestarted(t *testing.T) {
	srv := natstest.Start(t)
	b := openTest(t, srv.URL(), Options{})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []string
	distinct := map[string]bool{}
	handled := make(chan struct{}, 1)
	go b.Consume(ctx, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, func(_ context.Context, msgs []bus.Message) error {
		mu.Lock()
		for _, m := range msgs {
			got = append(got, m.ID)
			distinct[m.ID] = true
		}
		mu.Unlock()
		select {
		case handled <- struct{}{}:
		default:
		}
		return nil
	})
	// waitFor waits until n different messages have been handled: messages
	// handled again after the kill must not count twice.
	waitFor := func(n int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			mu.Lock()
			k := len(distinct)
			mu.Unlock()
			if k >= n {
				return
			}
			select {
			case <-handled:
			case <-deadline:
				t.Fatalf("handled %d, waited for %d", k, n)
			}
		}
	}
	var acked []string
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			id := fmt.Sprintf("r-%04d", i)
			if err := b.Publish(ctx, bus.Reads, []byte(id), id); err == nil {
				acked = append(acked, id)
			}
		}
	}
	publish(0, 50)
	waitFor(50)
	srv.Kill()
	pctx, pcancel := context.WithTimeout(ctx, time.Second)
	if err := b.Publish(pctx, bus.Reads, []byte("x"), "while-down"); err == nil {
		t.Error("Publish succeeded with the server down")
	}
	pcancel()
	srv.Start()
	// Publishing works again once the connection is back.
	deadline := time.Now().Add(20 * time.Second)
	for len(acked) < 51 && time.Now().Before(deadline) {
		publish(50, 51)
		if len(acked) < 51 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	publish(51, 100)
	if len(acked) != 100 {
		t.Fatalf("%d of 100 publishes acknowledged after the restart", len(acked))
	}
	waitFor(100)
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]bool{}
	var first []string
	for _, id := range got {
		if !seen[id] {
			first = append(first, id)
		}
		seen[id] = true
	}
	if !slices.Equal(first, acked) {
		t.Errorf("handled %v, want the %d acknowledged, in order", first, len(acked))
	}
	t.Logf("%d of %d messages handled again after the kill", len(got)-len(first), len(first))
}

// An edge publishing through a spool loses nothing while the server is
// down: what it publishes meanwhile is kept on disk and sent, in order,
// when the server is back.
func TestEdgeSpoolsWhileServerDown(t *testing.T) {
	srv := natstest.Start(t)
	b := openTest(t, srv.URL(), Options{})
	defer b.Close()
	sp, err := spool.Open(t.TempDir(), b, spool.Options{SendTimeout: time.Second, RetryWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sp.Run(ctx)

	var mu sync.Mutex
	seen := map[string]bool{}
	var first []string
	go b.Consume(ctx, bus.Consumer{Stream: bus.Reads, Durable: "writer"}, func(_ context.Context, msgs []bus.Message) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			if !seen[m.ID] {
				first = append(first, m.ID)
			}
			seen[m.ID] = true
		}
		return nil
	})
	publish := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			id := fmt.Sprintf("r-%04d", i)
			if err := sp.Publish(ctx, bus.Reads+".CAM-1", []byte(id), id); err != nil {
				t.Fatalf("Publish %s through the spool: %v", id, err)
			}
		}
	}
	publish(0, 20)
	srv.Kill()
	publish(20, 60)
	if n, _ := sp.Pending(); n == 0 {
		t.Error("nothing spooled while the server was down")
	}
	srv.Start()
	publish(60, 80)
	var want []string
	for i := range 80 {
		want = append(want, fmt.Sprintf("r-%04d", i))
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(first)
		mu.Unlock()
		if n >= 80 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(first, want) {
		t.Errorf("consumer got %d: %v; want all 80 in the order published", len(first), first)
	}
}

// A message over the server's max_payload can never be sent: the bus says
// so as invalid, and a spool refuses it at once instead of keeping it,
// and everything behind it, for ever.
func TestOversizedMessageRefusedNotSpooled(t *testing.T) {
	url := testServer(t)
	b := openTest(t, url, Options{Prefix: freshPrefix(t, url)})
	defer b.Close()
	huge := make([]byte, 9<<20) // over any default max_payload (1 MiB, at most 8 MiB)
	ctx := context.Background()
	if err := b.Publish(ctx, bus.Reads, huge, "huge-1"); !errors.Is(err, bus.ErrInvalid) {
		t.Fatalf("Publish of 9 MiB = %v; want an error wrapping bus.ErrInvalid", err)
	}
	sp, err := spool.Open(t.TempDir(), b, spool.Options{SendTimeout: time.Second, RetryWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if err := sp.Publish(ctx, bus.Reads, huge, "huge-2"); !errors.Is(err, bus.ErrInvalid) {
		t.Errorf("spool Publish of 9 MiB = %v; want a refusal wrapping bus.ErrInvalid", err)
	}
	if n, _ := sp.Pending(); n != 0 {
		t.Errorf("the spool holds %d messages after the refusal, want 0", n)
	}
	if err := sp.Publish(ctx, bus.Reads, []byte("small"), "small-1"); err != nil {
		t.Errorf("a small message after the refusal: %v", err)
	}
}

// The streams take the settings a deployment gives (anpr serve
// --stream-max-age, --stream-max-bytes), and a process that opens the bus
// only to publish files (anpr hotlist publish) leaves them as they are.
func TestStreamSettingsAppliedAndKept(t *testing.T) {
	url := testServer(t)
	prefix := freshPrefix(t, url)
	var streams []Stream
	for _, name := range []string{bus.Reads, bus.Alerts} {
		streams = append(streams, Stream{Name: name, MaxAge: 36 * time.Hour, MaxBytes: 64 << 20})
	}
	b := openTest(t, url, Options{Prefix: prefix, Streams: streams})
	b.Close()
	publisher := openTest(t, url, Options{Prefix: prefix, Streams: []Stream{}})
	if err := publisher.PutFile(context.Background(), "hotlist-pnc", strings.NewReader("vrm\nAB12CDE\n"), nil); err != nil {
		t.Fatal(err)
	}
	publisher.Close()

	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	for _, name := range []string{bus.Reads, bus.Alerts} {
		s, err := js.Stream(context.Background(), (&Bus{opts: Options{Prefix: prefix}}).streamName(name))
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.MaxAge != 36*time.Hour || info.Config.MaxBytes != 64<<20 {
			t.Errorf("%s: max age %v, max bytes %d after a publisher opened the bus; want 36h and 64 MiB",
				name, info.Config.MaxAge, info.Config.MaxBytes)
		}
	}
}
