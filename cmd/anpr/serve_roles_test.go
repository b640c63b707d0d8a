package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"anpr/engine/alert"
	"anpr/engine/bus/jetstream"
	"anpr/engine/ingest"
	"anpr/engine/role"
	"anpr/engine/store"
	"anpr/engine/store/postgres"
)

// A scaled-out deployment from the command line: a writer and a matcher
// started with `anpr serve --role`, a hotlist published with `anpr hotlist
// publish`, reads sent by an edge: the reads are stored in PostgreSQL once
// and the listed vehicle's alert raised. Needs NATS with JetStream
// (ANPR_TEST_NATS) and PostgreSQL (ANPR_TEST_POSTGRES); skips, saying so,
// where they are absent.
func TestServeRolesScaledOut(t *testing.T) {
	natsURL, pgURL := os.Getenv("ANPR_TEST_NATS"), os.Getenv("ANPR_TEST_POSTGRES")
	if natsURL == "" {
		natsURL = "nats://127.0.0.1:4222"
	}
	if pgURL == "" {
		pgURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	if nc, err := nats.Connect(natsURL, nats.Timeout(3*time.Second)); err != nil {
		t.Skipf("NATS not reachable (set ANPR_TEST_NATS to a server with JetStream to run this test): %v", err)
	} else {
		nc.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if c, err := pgx.Connect(ctx, pgURL); err != nil {
		t.Skipf("PostgreSQL not reachable (set ANPR_TEST_POSTGRES to a test database to run this test): %v", err)
	} else {
		c.Close(ctx)
	}
	suffix := make([]byte, 5)
	rand.Read(suffix)
	prefix, schema := "clitest_"+hex.EncodeToString(suffix), "anpr_clitest_"+hex.EncodeToString(suffix)
	t.Cleanup(func() {
		bg := context.Background()
		if b, err := jetstream.Open(bg, natsURL, jetstream.Options{Prefix: prefix}); err == nil {
			b.DeleteStreams(bg)
			b.Close()
		}
		if c, err := pgx.Connect(bg, pgURL); err == nil {
			c.Exec(bg, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			c.Close(bg)
		}
	})
	dir := t.TempDir()
	start := func(args ...string) chan error {
		done := make(chan error, 1)
		go func() {
			root := newRootCommand()
			root.SetArgs(args)
			root.SetOut(io.Discard)
			root.SetErr(io.Discard)
			done <- root.ExecuteContext(ctx)
		}()
		return done
	}
	common := []string{"--bus", natsURL, "--bus-prefix", prefix, "--postgres", pgURL, "--postgres-schema", schema}
	hl, _ := net.Listen("tcp", "127.0.0.1:0")
	healthAddr := hl.Addr().String()
	hl.Close()
	writer := start(append([]string{"serve", "--role", "writer", "--data", filepath.Join(dir, "w"), "--health", healthAddr}, common...)...)
	matcher := start(append([]string{"serve", "--role", "matcher", "--data", filepath.Join(dir, "m")}, common...)...)

	// A console, with an operator added as an administrator would.
	consoleDir := filepath.Join(dir, "c")
	root := newRootCommand()
	root.SetArgs([]string{"users", "add", "olive", "--role", "operator", "--data", consoleDir})
	root.SetIn(strings.NewReader("a long enough pass phrase\n"))
	root.SetOut(io.Discard)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	console := start(append([]string{"serve", "--role", "console", "--data", consoleDir, "--listen", addr, "--console-name", "test"}, common...)...)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	var res *http.Response
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		body, _ := json.Marshal(map[string]string{"name": "olive", "password": "a long enough pass phrase"})
		if res, err = hc.Post("http://"+addr+"/api/login", "application/json", bytes.NewReader(body)); err == nil {
			break
		}
	}
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("operator login at the console: %v", err)
	}
	res.Body.Close()
	stream, err := hc.Get("http://" + addr + "/api/alerts/events")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	live := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stream.Body)
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "data: ") && strings.Contains(lines.Text(), "AB12CDE") {
				live <- lines.Text()
				return
			}
		}
	}()

	list := filepath.Join(dir, "pnc.csv")
	os.WriteFile(list, []byte("vrm,list,marker,priority\nAB12CDE,PNC,stolen,2\n"), 0o600)
	if code := run([]string{"hotlist", "publish", "--bus", natsURL, "--bus-prefix", prefix, "pnc=" + list}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("hotlist publish exited %d", code)
	}

	b, err := jetstream.Open(ctx, natsURL, jetstream.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	edge, err := role.NewEdge(role.EdgeConfig{Bus: b, SpoolDir: filepath.Join(dir, "spool")})
	if err != nil {
		t.Fatal(err)
	}
	defer edge.Close()
	at := time.Now().UTC().Add(-time.Minute)
	if err := edge.Submit(ctx, []ingest.Submission{
		{Read: store.Read{ID: "cli-r1", Camera: "M6-J14", VRM: "AB12CDE", Confidence: 0.95, Captured: at}},
		{Read: store.Read{ID: "cli-r2", Camera: "M6-J14", VRM: "XY51ABC", Confidence: 0.95, Captured: at.Add(time.Second)}},
	}); err != nil {
		t.Fatal(err)
	}

	db, err := postgres.Open(ctx, pgURL, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var reads []store.Read
	var alerts []alert.Alert
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && (len(reads) < 2 || len(alerts) < 1); time.Sleep(200 * time.Millisecond) {
		reads, _ = db.SearchReads(ctx, store.Query{Cameras: []string{"M6-J14"}})
		alerts, _ = db.Alerts(ctx, alert.Query{})
	}
	if len(reads) != 2 || len(alerts) != 1 || alerts[0].Read.VRM != "AB12CDE" {
		t.Fatalf("after 60 s: %d reads stored, %d alerts (%+v); want 2 reads and AB12CDE's alert", len(reads), len(alerts), alerts)
	}
	select {
	case <-live:
	case <-time.After(30 * time.Second):
		t.Error("the matcher's alert did not reach the console's live stream within 30 s")
	}

	// The writer says it is healthy, with its counters.
	hres, err := http.Get("http://" + healthAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Healthy  bool   `json:"healthy"`
		Bus      string `json:"bus"`
		Postgres string `json:"postgres"`
		Stats    struct{ Reads uint64 }
	}
	json.NewDecoder(hres.Body).Decode(&health)
	hres.Body.Close()
	if hres.StatusCode != 200 || !health.Healthy || health.Bus != "connected" || health.Postgres != "ok" || health.Stats.Reads < 2 {
		t.Errorf("writer /healthz: %d %+v; want 200, healthy, with its 2 reads", hres.StatusCode, health)
	}
	// The matcher's audit log has the published list's load, and who
	// published it; the writer's has its retention runs.
	for _, c := range []struct{ dir, want string }{{"m", `"action":"hotlist-load"`}, {"m", "published pnc ("}, {"w", `"action":"retention-run"`}} {
		data, err := os.ReadFile(filepath.Join(dir, c.dir, "audit.log"))
		if err != nil || !strings.Contains(string(data), c.want) {
			t.Errorf("%s/audit.log (%v) lacks %s", c.dir, err, c.want)
		}
	}
	cancel()
	for _, done := range []chan error{writer, matcher, console} {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("role ended with %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("a role did not stop within 20 s of its context ending")
		}
	}
}
