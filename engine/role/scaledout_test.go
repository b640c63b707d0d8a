package role

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/bus"
	"anpr/engine/bus/jetstream"
	"anpr/engine/bus/jetstream/natstest"
	"anpr/engine/store"
	"anpr/engine/store/postgres"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
)

// These tests need the services a scaled-out deployment runs on: a NATS
// server with JetStream (ANPR_TEST_NATS, by default one on this machine)
// and a PostgreSQL database (ANPR_TEST_POSTGRES, by default the database
// "test" on this machine). Where either is missing they skip, saying so.
// Each test has streams and a schema of its own, deleted when it ends.
const (
	defaultTestNATS     = "nats://127.0.0.1:4222"
	defaultTestPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

func services(t testing.TB) (natsURL, pgURL string) {
	t.Helper()
	natsURL, pgURL = os.Getenv("ANPR_TEST_NATS"), os.Getenv("ANPR_TEST_POSTGRES")
	if natsURL == "" {
		natsURL = defaultTestNATS
	}
	if pgURL == "" {
		pgURL = defaultTestPostgres
	}
	nc, err := nats.Connect(natsURL, nats.Timeout(3*time.Second))
	if err != nil {
		t.Skipf("NATS not reachable (set ANPR_TEST_NATS to a server with JetStream to run this test): %v", err)
	}
	nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Skipf("PostgreSQL not reachable (set ANPR_TEST_POSTGRES to a test database to run this test): %v", err)
	}
	c.Close(ctx)
	return natsURL, pgURL
}

func randomName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// scaledOutNames returns a stream prefix and a schema no other test uses;
// both are deleted when the test ends.
func scaledOutNames(t testing.TB, natsURL, pgURL string) (prefix, schema string) {
	prefix, schema = randomName("roletest_"), randomName("anpr_roletest_")
	t.Cleanup(func() {
		ctx := context.Background()
		if b, err := jetstream.Open(ctx, natsURL, jetstream.Options{Prefix: prefix}); err == nil {
			if err := b.DeleteStreams(ctx); err != nil {
				t.Errorf("delete test streams: %v", err)
			}
			b.Close()
		}
		c, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return prefix, schema
}

func openBus(t testing.TB, url, prefix string) *jetstream.Bus {
	t.Helper()
	b, err := jetstream.Open(context.Background(), url, jetstream.Options{Prefix: prefix})
	if err != nil {
		t.Fatalf("open bus: %v", err)
	}
	return b
}

func openDB(t testing.TB, url, schema string) *postgres.Store {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	return db
}

// scaledOut is the deployment on the services: NATS JetStream and
// PostgreSQL.
func scaledOut(t *testing.T) (bus.Bus, database) {
	natsURL, pgURL := services(t)
	prefix, schema := scaledOutNames(t, natsURL, pgURL)
	b := openBus(t, natsURL, prefix)
	// Cleanups run last first: the bus closes, then the streams go.
	t.Cleanup(func() { b.Close() })
	db := openDB(t, pgURL, schema)
	t.Cleanup(func() { db.Close() })
	return b, db
}

func TestScaledOut(t *testing.T) {
	services(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, scaledOut) })
	}
}

// TestHelperProcess is not a test: it is a writer or a matcher that
// TestRoleProcessKilled runs as a process of its own, to kill -9.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv("ANPR_ROLE_HELPER")
	if role == "" {
		return // run by TestRoleProcessKilled only; not a skip, which make test-integration counts as a missing service
	}
	natsURL, pgURL := services(t)
	b := openBus(t, natsURL, os.Getenv("ANPR_ROLE_PREFIX"))
	db := openDB(t, pgURL, os.Getenv("ANPR_ROLE_SCHEMA"))
	consumer := ConsumerConfig{MaxBatch: 100, Workers: 2, AckWait: 2 * time.Second}
	var run func(context.Context) error
	switch role {
	case "writer":
		// Slow, so that the kill finds batches in hand: some before
		// their commit, some between commit and acknowledgement.
		w, err := NewWriter(WriterConfig{Bus: b, Store: &slowWrites{database: db, delay: 30 * time.Millisecond}, Consumer: consumer, Log: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		run = w.Run
	case "matcher":
		m, err := NewMatcher(MatcherConfig{Bus: b, Alerts: alert.NewService(&slowAlerts{database: db, delay: 30 * time.Millisecond}, alert.Options{Log: quiet()}),
			Hotlists: testHotlists(t), Consumer: consumer, Log: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		run = m.Run
	default:
		t.Fatalf("no role %q", role)
	}
	fmt.Println("ready")
	run(context.Background()) // until killed
}

// slowWrites sleeps before and after each batch it stores.
type slowWrites struct {
	database
	delay time.Duration
}

func (s *slowWrites) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	time.Sleep(s.delay)
	n, err := s.database.AddReads(ctx, reads)
	time.Sleep(s.delay)
	return n, err
}

// slowAlerts sleeps after storing alerts, before the matcher publishes
// them.
type slowAlerts struct {
	database
	delay time.Duration
}

func (s *slowAlerts) AddAlerts(ctx context.Context, alerts []alert.Alert) error {
	err := s.database.AddAlerts(ctx, alerts)
	time.Sleep(s.delay)
	return err
}

// A writer or matcher process killed (SIGKILL) part way through the reads
// loses nothing: another process of the role picks up the batches it held
// once their AckWait passes, every read is stored once, and every alert
// raised and published once.
func TestRoleProcessKilled(t *testing.T) {
	natsURL, pgURL := services(t)
	for _, role := range []string{"writer", "matcher"} {
		t.Run(role, func(t *testing.T) {
			prefix, schema := scaledOutNames(t, natsURL, pgURL)
			b := openBus(t, natsURL, prefix)
			t.Cleanup(func() { b.Close() })
			db := openDB(t, pgURL, schema)
			t.Cleanup(func() { db.Close() })
			r := newRigOn(t, b, db)
			c := r.console()
			const n = 3000
			r.submit(0, n)

			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "ANPR_ROLE_HELPER="+role, "ANPR_ROLE_PREFIX="+prefix, "ANPR_ROLE_SCHEMA="+schema,
				"ANPR_TEST_NATS="+natsURL, "ANPR_TEST_POSTGRES="+pgURL)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			defer func() {
				if !killed {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			progress := func() int {
				if role == "writer" {
					return len(r.stored())
				}
				return len(r.alertIDs())
			}
			target := n / 3
			if role == "matcher" {
				target = hotReads(n) / 3
			}
			deadline := time.Now().Add(patience)
			for progress() < target {
				if time.Now().After(deadline) {
					t.Fatalf("the %s process made %d of %d in %v; its output:\n%s", role, progress(), target, patience, out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Kill()
			cmd.Wait()
			killed = true
			at := progress()
			t.Logf("killed the %s process after %d", role, at)

			consumer := ConsumerConfig{MaxBatch: 100, Workers: 2, AckWait: 2 * time.Second}
			switch role {
			case "writer":
				w := r.writer(WriterConfig{Consumer: consumer})
				r.start(w.Run)
				r.waitFor("the new writer to store the rest", func() bool { return len(r.stored()) >= n })
				// What the killed process held comes once its AckWait
				// has passed, maybe after the rest is stored.
				r.waitFor("the reads the killed writer held", func() bool { return w.Stats().Redelivered > 0 })
				time.Sleep(500 * time.Millisecond)
				r.checkStored(n)
				st := w.Stats()
				t.Logf("the new writer handled %d reads, %d of them stored already, %d delivered before", st.Reads, st.Reads-st.Added, st.Redelivered)
			case "matcher":
				m := r.matcher(MatcherConfig{Consumer: consumer})
				r.start(m.Run)
				r.waitFor("the new matcher to raise the rest", func() bool { return len(r.alertIDs()) >= hotReads(n) })
				r.waitFor("the reads the killed matcher held", func() bool { return m.Stats().Redelivered > 0 })
				r.checkAlerts(n, c)
				st := m.Stats()
				t.Logf("the new matcher handled %d reads, %d delivered before", st.Reads, st.Redelivered)
			}
		})
	}
}

// proxy forwards TCP connections to a server, and can cut them all and
// refuse new ones for a while: the server gone, as its clients see it.
type proxy struct {
	t      *testing.T
	l      net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, l: l, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { l.Close(); p.setDown(true) })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		if !down {
			p.conns[c] = true
		}
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[s] = true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close(); c.Close() }()
	io.Copy(c, s)
	c.Close()
	s.Close()
}

// setDown cuts every connection and refuses new ones (down), or lets them
// through again.
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// With the database away for 30 s (every connection cut, none taken), the
// writer and the matcher retry their batches until it is back: no read is
// lost or stored twice, and every alert is raised and published once.
func TestDatabaseAway(t *testing.T) {
	natsURL, pgURL := services(t)
	u, err := url.Parse(pgURL)
	if err != nil || u.Host == "" {
		t.Skipf("ANPR_TEST_POSTGRES is not a URL with a host (%v): the test puts a proxy in front of the server", err)
	}
	prefix, schema := scaledOutNames(t, natsURL, pgURL)
	b := openBus(t, natsURL, prefix)
	t.Cleanup(func() { b.Close() })
	direct := openDB(t, pgURL, schema) // the test's own view, never cut off
	t.Cleanup(func() { direct.Close() })
	p := startProxy(t, u.Host)
	u.Host = p.addr()
	viaProxy := openDB(t, u.String(), schema)
	t.Cleanup(func() { viaProxy.Close() })

	r := newRigOn(t, b, direct)
	r.alerts = alert.NewService(viaProxy, alert.Options{Log: quiet()})
	consumer := ConsumerConfig{MaxBatch: 100, Workers: 2, AckWait: 5 * time.Second}
	w := r.writer(WriterConfig{Store: viaProxy, Consumer: consumer})
	m := r.matcher(MatcherConfig{Consumer: consumer})
	c := r.console()
	r.start(w.Run)
	r.start(m.Run)

	const n = 3000
	r.submit(0, n/3)
	r.waitFor("the first reads stored", func() bool { return w.Stats().Added > 0 })
	p.setDown(true)
	r.submit(n/3, 2*n/3) // the edge takes reads while the database is away
	time.Sleep(30 * time.Second)
	if got := len(r.stored()); got >= 2*n/3 {
		t.Errorf("%d reads stored with the database away: the proxy let them through", got)
	}
	p.setDown(false)
	r.submit(2*n/3, n)
	r.waitFor("every read stored", func() bool { return len(r.stored()) >= n })
	r.waitFor("every read matched", func() bool { return len(r.alertIDs()) >= hotReads(n) })
	time.Sleep(500 * time.Millisecond)
	r.checkStored(n)
	r.checkAlerts(n, c)
}

// With the NATS server killed (SIGKILL) part way through and started
// again, the edge keeps what it takes meanwhile on disk and sends it when
// the server is back, and the matcher and writer carry on where they
// were: no acknowledged read is lost or stored twice, and every alert is
// raised once and reaches the console.
func TestBusAway(t *testing.T) {
	_, pgURL := services(t)
	srv := natstest.Start(t)
	prefix, schema := scaledOutNames(t, srv.URL(), pgURL)
	b := openBus(t, srv.URL(), prefix)
	t.Cleanup(func() { b.Close() })
	db := openDB(t, pgURL, schema)
	t.Cleanup(func() { db.Close() })
	r := newRigOn(t, b, db)
	consumer := ConsumerConfig{MaxBatch: 100, Workers: 2, AckWait: 5 * time.Second}
	w := r.writer(WriterConfig{Consumer: consumer})
	m := r.matcher(MatcherConfig{Consumer: consumer})
	c := r.console()
	r.start(w.Run)
	r.start(m.Run)

	const n = 3000
	r.submit(0, n/3)
	r.waitFor("the first reads stored", func() bool { return w.Stats().Added > 0 })
	srv.Kill()
	r.submit(n/3, 2*n/3) // to the edge's spool
	if st := r.edge.Stats(); st.Spooled == 0 {
		t.Error("the edge spooled nothing with the server down")
	}
	srv.Start()
	r.submit(2*n/3, n)
	r.waitFor("every read stored", func() bool { return len(r.stored()) >= n })
	r.waitFor("every read matched", func() bool { return len(r.alertIDs()) >= hotReads(n) })
	r.waitFor("the spool emptied", func() bool { return r.edge.Stats().Spooled == 0 })
	time.Sleep(500 * time.Millisecond)
	r.checkStored(n)
	// The console's acknowledgements the server had not written when it
	// was killed are lost with it: it may get an event again, and keys
	// alerts by ID. The matcher published each once.
	if srv.SyncsEveryWrite() {
		r.checkAlertsDelivered(n, c, false)
	} else {
		// A server that acknowledges before it writes (no sync_interval:
		// always, docs/deployment.md) can lose reads it had taken when
		// killed; an alert the matcher stored for one, in a batch the kill
		// failed, is then never published. Every event must still be of
		// a stored alert; the ones missing are reported.
		r.checkAlertEventsStored(n, c)
	}
	if st := m.Stats(); st.Alerts != uint64(hotReads(n)) {
		t.Logf("the matcher published %d alert events for %d alerts (batches failed part way)", st.Alerts, hotReads(n))
	}
	t.Logf("writer %+v; matcher %+v", w.Stats(), m.Stats())
}
