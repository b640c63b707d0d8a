package role

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/bus"
	"anpr/engine/bus/spool"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// database is what the roles of a deployment share besides the bus: its
// reads and its alerts, in one store (SQLite here, PostgreSQL scaled out).
type database interface {
	store.Store
	alert.Repository
}

// deployment opens, for one test, a fresh bus and a fresh database. It
// arranges their closing.
type deployment func(t *testing.T) (bus.Bus, database)

// inProcess is the embedded deployment: the in-process bus and a SQLite
// file, which run anywhere.
func inProcess(t *testing.T) (bus.Bus, database) {
	b, err := bus.NewMemory(bus.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "anpr.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return b, db
}

// The scenarios every deployment must pass.
var scenarios = []struct {
	name string
	run  func(*testing.T, deployment)
}{
	{"EveryReadStoredOnceEveryAlertRaisedOnce", testEndToEnd},
	{"WriterKilledMidBatch", testWriterKilled},
	{"RedeliveredBatchStoredOnce", testRedeliveredBatch},
	{"MatcherRedeliveredBatchRaisesOnce", testMatcherRedelivered},
	{"StoppedWriterFinishesItsBatch", testGracefulStop},
	{"BadMessagesDropped", testBadMessages},
	{"SeveralReadsAMessage", testGrouped},
	{"ReplicatedHotlists", testReplicatedHotlists},
}

func TestInProcess(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, inProcess) })
	}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The hotlist every test matches against: hotMarks, each on the PNC list.
var hotMarks = []string{"HT12AAA", "HT12BBB", "HT12CCC"}

func testHotlists(t testing.TB) *hotlist.Hotlists {
	h, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	csv := "vrm,list,marker,priority,action\n"
	for _, m := range hotMarks {
		csv += m + ",PNC,stolen,2,Stop and check\n"
	}
	if _, err := h.Load(context.Background(), "national", strings.NewReader(csv), hotlist.CSV); err != nil {
		t.Fatal(err)
	}
	return h
}

// jpeg is a made-up JPEG: the start-of-image marker and some bytes.
func jpeg(i int) []byte { return fmt.Appendf([]byte{0xff, 0xd8, 0xff, 0xe0}, "image %d", i) }

// submissions are n reads over four cameras, a millisecond apart from
// t0; every tenth is of a hot mark, and every seventh has a plate patch.
func submissions(from, to int) []ingest.Submission {
	var out []ingest.Submission
	for i := from; i < to; i++ {
		mark := fmt.Sprintf("ZZ%05d", i)
		if i%10 == 0 {
			mark = hotMarks[(i/10)%len(hotMarks)]
		}
		s := ingest.Submission{Read: store.Read{ID: fmt.Sprintf("r-%05d", i), Camera: fmt.Sprintf("CAM-%d", i%4), VRM: mark,
			Confidence: 0.9, Captured: t0.Add(time.Duration(i) * time.Millisecond), Lane: "1", Direction: "N"}}
		if i%7 == 0 {
			s.Patch = jpeg(i)
		}
		out = append(out, s)
	}
	return out
}

// hotReads is how many of the first n submissions are of hot marks: one
// alert each.
func hotReads(n int) int { return (n + 9) / 10 }

// rig is one deployment with its roles, as a test runs them.
type rig struct {
	t      *testing.T
	bus    bus.Bus
	db     database
	images *store.Images
	edge   *Edge
	alerts *alert.Service
	hot    *hotlist.Hotlists
}

func newRig(t *testing.T, d deployment) *rig {
	b, db := d(t)
	return newRigOn(t, b, db)
}

func newRigOn(t *testing.T, b bus.Bus, db database) *rig {
	images, err := store.OpenImages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	edge, err := NewEdge(EdgeConfig{Bus: b, SpoolDir: t.TempDir(), Log: quiet(),
		Spool: spoolOptions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { edge.Close() })
	r := &rig{t: t, bus: b, db: db, images: images, edge: edge, hot: testHotlists(t),
		alerts: alert.NewService(db, alert.Options{Log: quiet()})}
	r.start(edge.Run)
	return r
}

// start runs a role's Run in the background until the test ends.
func (r *rig) start(run func(context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				err = errors.New("did not stop within 30 s of its context ending")
			}
		})
		return err
	}
	r.t.Cleanup(func() { stop() })
	return stop
}

func (r *rig) writer(cfg WriterConfig) *Writer {
	r.t.Helper()
	if cfg.Bus == nil {
		cfg.Bus = r.bus
	}
	if cfg.Store == nil {
		cfg.Store = r.db
	}
	if cfg.Images == nil {
		cfg.Images = r.images
	}
	cfg.Log = quiet()
	w, err := NewWriter(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return w
}

func (r *rig) matcher(cfg MatcherConfig) *Matcher {
	r.t.Helper()
	if cfg.Bus == nil {
		cfg.Bus = r.bus
	}
	cfg.Alerts, cfg.Hotlists, cfg.Log = r.alerts, r.hot, quiet()
	m, err := NewMatcher(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func (r *rig) submit(from, to int) { r.submitBy(from, to, 100) }

// submitBy submits reads from to to in batches of size.
func (r *rig) submitBy(from, to, size int) {
	r.t.Helper()
	subs := submissions(from, to)
	for len(subs) > 0 {
		n := min(len(subs), size)
		if err := r.edge.Submit(context.Background(), subs[:n]); err != nil {
			r.t.Fatalf("Submit: %v", err)
		}
		subs = subs[n:]
	}
}

// patience bounds every wait, so that a lost read fails the test rather
// than hang it. It is no measure of speed.
const patience = 60 * time.Second

// waitFor waits until cond holds.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("waited %v for %s", patience, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stored returns the IDs of every read the database holds, in capture
// order.
func (r *rig) stored() []string {
	r.t.Helper()
	var ids []string
	q := store.Query{From: t0.Add(-time.Hour), To: t0.Add(24 * time.Hour), Limit: store.MaxLimit}
	for {
		page, err := r.db.SearchReads(context.Background(), q)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, rd := range page {
			ids = append(ids, rd.ID)
		}
		if len(page) < q.Limit {
			return ids
		}
		q.After = store.CursorOf(page[len(page)-1])
	}
}

// checkStored checks that the database holds each of the first n reads
// once, and nothing else.
func (r *rig) checkStored(n int) {
	r.t.Helper()
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("r-%05d", i)
	}
	if got := r.stored(); !slices.Equal(got, want) {
		r.t.Errorf("stored %d reads, want each of the %d submitted once", len(got), n)
	}
}

// alertIDs returns the IDs of the alerts the repository holds.
func (r *rig) alertIDs() []string {
	r.t.Helper()
	var ids []string
	q := alert.Query{Limit: alert.MaxLimit}
	for {
		page, err := r.db.Alerts(context.Background(), q)
		if err != nil {
			r.t.Fatal(err)
		}
		for _, a := range page {
			ids = append(ids, a.ID)
		}
		if len(page) < q.Limit {
			return ids
		}
		q.Before = page[len(page)-1].ID
	}
}

// console records the alert events on the bus, as a console would get
// them.
type console struct {
	mu     sync.Mutex
	events []alert.Event
}

func (r *rig) console() *console {
	c := &console{}
	r.start(func(ctx context.Context) error {
		return r.bus.Consume(ctx, bus.Consumer{Stream: bus.Alerts, Durable: "console"}, func(_ context.Context, msgs []bus.Message) error {
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, m := range msgs {
				var e alert.Event
				if err := json.Unmarshal(m.Data, &e); err != nil {
					return err
				}
				c.events = append(c.events, e)
			}
			return nil
		})
	})
	return c
}

func (c *console) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.events))
	for i, e := range c.events {
		out[i] = e.Alert.ID
	}
	return out
}

// checkAlerts checks that the first n reads raised one alert each of the
// hot ones, stored once and published once.
func (r *rig) checkAlerts(n int, c *console) { r.checkAlertsDelivered(n, c, true) }

// checkAlertsDelivered checks that the first n reads raised one alert each
// of the hot ones, stored once and delivered to the console: once each if
// once, else at least once (a server killed loses acknowledgements, and
// what they acknowledged comes again).
func (r *rig) checkAlertsDelivered(n int, c *console, once bool) {
	r.t.Helper()
	stored := r.checkAlertsStored(n)
	r.waitFor("the alert events", func() bool { return len(c.ids()) >= len(stored) })
	time.Sleep(300 * time.Millisecond) // time for a repeat to arrive, if one wrongly would
	events := c.ids()
	if !once {
		distinct := slices.Compact(slices.Sorted(slices.Values(events)))
		if len(events) > len(distinct) {
			r.t.Logf("%d alert events delivered again to the console", len(events)-len(distinct))
		}
		events = distinct
	}
	if !slices.Equal(slices.Sorted(slices.Values(events)), slices.Sorted(slices.Values(stored))) {
		r.t.Errorf("%d alert events published, want one for each of the %d alerts stored", len(events), len(stored))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if e.Type != alert.EventRaised || e.Alert.Read.ID == "" || e.Alert.Hit == nil || !slices.Contains(hotMarks, e.Alert.Read.VRM) {
			r.t.Errorf("alert event %+v: want a raised hotlist alert on a hot read", e)
			break
		}
	}
}

// checkAlertsStored checks that the first n reads raised one alert each,
// and returns the stored alerts' IDs.
func (r *rig) checkAlertsStored(n int) []string {
	r.t.Helper()
	stored := r.alertIDs()
	if len(stored) != hotReads(n) {
		r.t.Errorf("%d alerts stored, want %d, one for each read of a hot mark", len(stored), hotReads(n))
	}
	return stored
}

// checkAlertEventsStored checks, for a bus that may lose what it had
// acknowledged, that every alert event the console got is of a stored
// alert, and reports how many stored alerts it never got.
func (r *rig) checkAlertEventsStored(n int, c *console) {
	r.t.Helper()
	stored := r.checkAlertsStored(n)
	time.Sleep(500 * time.Millisecond)
	events := slices.Compact(slices.Sorted(slices.Values(c.ids())))
	for _, id := range events {
		if !slices.Contains(stored, id) {
			r.t.Errorf("alert event %s is of no stored alert", id)
		}
	}
	if missing := len(stored) - len(events); missing > 0 {
		r.t.Logf("%d of %d stored alerts reached no console: the killed server lost reads it had acknowledged", missing, len(stored))
	}
}

// Reads submitted at an edge are stored once each, with their images;
// every read of a hot mark raises one alert, stored once and published
// once; and the matcher and writer share their work between workers.
func testEndToEnd(t *testing.T, d deployment) {
	r := newRig(t, d)
	const n = 2000
	w := r.writer(WriterConfig{Consumer: ConsumerConfig{Workers: 3, MaxBatch: 300}})
	m := r.matcher(MatcherConfig{Consumer: ConsumerConfig{Workers: 2}})
	c := r.console()
	r.start(w.Run)
	r.start(m.Run)
	r.submit(0, n)
	r.waitFor("the writer to store every read", func() bool { return w.Stats().Added >= n })
	r.waitFor("the matcher to match every read", func() bool { return m.Stats().Reads >= n })
	r.checkStored(n)
	r.checkAlerts(n, c)

	// Images went inline and are in the writer's store, under the refs the
	// stored reads and the alerts name.
	page, err := r.db.SearchReads(context.Background(), store.Query{VRM: hotMarks[0], Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	withImage := 0
	for _, rd := range page {
		var i int
		fmt.Sscanf(rd.ID, "r-%d", &i)
		if i%7 != 0 {
			continue
		}
		withImage++
		if img, err := r.images.Get(rd.PatchRef); err != nil || string(img) != string(jpeg(i)) {
			t.Errorf("read %s: patch %q: %v; want its image", rd.ID, rd.PatchRef, err)
		}
		a, err := r.db.Alerts(context.Background(), alert.Query{VRM: rd.VRM, Limit: alert.MaxLimit})
		if err != nil || !slices.ContainsFunc(a, func(a alert.Alert) bool { return a.Read.PatchRef == rd.PatchRef }) {
			t.Errorf("read %s: no alert names its patch %s (%v)", rd.ID, rd.PatchRef, err)
		}
	}
	if withImage == 0 {
		t.Error("no stored read of a hot mark has an image: the test checks nothing")
	}
	if st := w.Stats(); st.Lag.Count != n || st.Rejected != 0 || st.ImagesDropped != 0 {
		t.Errorf("writer stats %+v: want %d reads' lag, nothing rejected or dropped", st, n)
	}
	if st := r.edge.Stats(); st.Reads != n || st.Spooled != 0 {
		t.Errorf("edge stats %+v: want %d reads, none spooled", st, n)
	}
}

// stallingStore stands in for a writer killed mid-batch: its AddReads
// call number stallOn never commits, and returns only when its context is
// cancelled.
type stallingStore struct {
	database
	stallOn int64
	calls   atomic.Int64
	stalled chan struct{}
}

func (s *stallingStore) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	if s.calls.Add(1) == s.stallOn {
		close(s.stalled)
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return s.database.AddReads(ctx, reads)
}

// A writer stopped dead part way through a batch (no grace) leaves the
// batch uncommitted and unacknowledged; another writer stores it, and
// every read is stored once.
func testWriterKilled(t *testing.T, d deployment) {
	r := newRig(t, d)
	const n = 1500
	stalling := &stallingStore{database: r.db, stallOn: 3, stalled: make(chan struct{})}
	consumer := ConsumerConfig{MaxBatch: 200, Workers: 1, Grace: -1, AckWait: 2 * time.Second}
	first := r.writer(WriterConfig{Store: stalling, Consumer: consumer})
	stopFirst := r.start(first.Run)
	r.submit(0, n)
	select {
	case <-stalling.stalled:
	case <-time.After(patience):
		t.Fatal("the first writer never reached its third batch")
	}
	if err := stopFirst(); err != nil {
		t.Fatalf("the first writer's Run: %v", err)
	}
	before := len(r.stored())
	if before == 0 || before >= n {
		t.Fatalf("the first writer stored %d reads before it stopped; want some, not all", before)
	}
	second := r.writer(WriterConfig{Consumer: consumer})
	r.start(second.Run)
	r.waitFor("the second writer to store the rest", func() bool { return first.Stats().Added+second.Stats().Added >= n })
	r.checkStored(n)
	if added := first.Stats().Added + second.Stats().Added; added != n {
		t.Errorf("the writers added %d reads between them, want %d", added, n)
	}
}

// lossyStore stands in for a writer whose acknowledgement is lost after
// its batch commits: its AddReads call number loseOn commits and then
// fails.
type lossyStore struct {
	database
	loseOn int64
	calls  atomic.Int64
	lost   atomic.Int64 // reads in the batch whose acknowledgement was lost
}

func (s *lossyStore) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	added, err := s.database.AddReads(ctx, reads)
	if err == nil && s.calls.Add(1) == s.loseOn {
		s.lost.Store(int64(len(reads)))
		return 0, errors.New("connection lost after commit")
	}
	return added, err
}

// A batch stored and then delivered again is skipped, read by read.
func testRedeliveredBatch(t *testing.T, d deployment) {
	r := newRig(t, d)
	const n = 1000
	lossy := &lossyStore{database: r.db, loseOn: 2}
	w := r.writer(WriterConfig{Store: lossy,
		Consumer: ConsumerConfig{MaxBatch: 200, Workers: 1, AckWait: 2 * time.Second}})
	r.start(w.Run)
	r.submit(0, n)
	// Stats count batches acknowledged: the one whose acknowledgement was
	// lost counts once, when it came again, and added nothing then.
	r.waitFor("the writer to store every read", func() bool { return w.Stats().Reads >= n })
	r.checkStored(n)
	// A batch holds what had arrived, up to MaxBatch: on a busy machine the
	// lost one can be short of 200.
	lost := int(lossy.lost.Load())
	if st := w.Stats(); lost == 0 || st.Reads != n || st.Added != uint64(n-lost) {
		t.Errorf("writer stats %+v: want %d reads handled, %d of them added, the batch of %d that came again skipped", st, n, n-lost, lost)
	}
}

// failingAlerts is a bus whose first publish of alerts fails: a matcher
// that dies between storing a batch's alerts and publishing them.
type failingAlerts struct {
	bus.Bus
	failed atomic.Bool
}

func (b *failingAlerts) Publish(ctx context.Context, subject string, data []byte, id string) error {
	if strings.HasPrefix(subject, bus.Alerts) && b.failed.CompareAndSwap(false, true) {
		return errors.New("nats: connection closed")
	}
	return b.Bus.Publish(ctx, subject, data, id)
}

// A matcher batch that fails after its alerts were stored is matched
// again: no alert is raised twice, and each is published once.
func testMatcherRedelivered(t *testing.T, d deployment) {
	r := newRig(t, d)
	const n = 500
	fb := &failingAlerts{Bus: r.bus}
	m := r.matcher(MatcherConfig{Bus: fb, Consumer: ConsumerConfig{MaxBatch: 100, Workers: 1, AckWait: 2 * time.Second}})
	c := r.console()
	r.start(m.Run)
	r.submit(0, n)
	r.waitFor("the matcher to match every read", func() bool { return m.Stats().Reads >= n })
	if !fb.failed.Load() {
		t.Fatal("no publish of alerts failed: the test checks nothing")
	}
	r.checkAlerts(n, c)
}

// slowStore takes a while to store each batch.
type slowStore struct {
	database
	delay   time.Duration
	started chan struct{}
	once    sync.Once
}

func (s *slowStore) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	s.once.Do(func() { close(s.started) })
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return s.database.AddReads(ctx, reads)
}

// A writer stopped while it stores a batch finishes the batch (within its
// grace) and acknowledges it: the next writer gets none of it again.
func testGracefulStop(t *testing.T, d deployment) {
	r := newRig(t, d)
	const n = 300
	slow := &slowStore{database: r.db, delay: 500 * time.Millisecond, started: make(chan struct{})}
	consumer := ConsumerConfig{MaxBatch: n, MaxWait: 200 * time.Millisecond, Workers: 1, Grace: 10 * time.Second}
	first := r.writer(WriterConfig{Store: slow, Consumer: consumer})
	stop := r.start(first.Run)
	r.submit(0, n)
	select {
	case <-slow.started:
	case <-time.After(patience):
		t.Fatal("the writer never began a batch")
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	added := first.Stats().Added
	if added == 0 {
		t.Fatal("the writer stored nothing of the batch it had in hand when stopped")
	}
	second := r.writer(WriterConfig{Consumer: consumer})
	r.start(second.Run)
	r.waitFor("the rest to be stored", func() bool { return added+second.Stats().Added >= n })
	time.Sleep(300 * time.Millisecond)
	r.checkStored(n)
	if st := second.Stats(); st.Reads != n-added {
		t.Errorf("the second writer handled %d reads, want the %d the first did not store: it finished and acknowledged its batch", st.Reads, n-added)
	}
}

// Messages that are not reads, or hold a bad read, are dropped and
// counted, and the reads around them stored.
func testBadMessages(t *testing.T, d deployment) {
	r := newRig(t, d)
	ctx := context.Background()
	w := r.writer(WriterConfig{Consumer: ConsumerConfig{MaxBatch: 50, Workers: 1}})
	m := r.matcher(MatcherConfig{Consumer: ConsumerConfig{MaxBatch: 50, Workers: 1}})
	r.start(w.Run)
	r.start(m.Run)
	r.submit(0, 20)
	for i, data := range []string{
		`not json`,
		`{"read":{"id":"bad-1","camera":"CAM-1","vrm":"ab 12","confidence":0.9,"captured":"2026-03-02T09:00:00Z"}}`,
		`{"read":{"id":"bad-2","camera":"CAM-1","vrm":"AB12CDE","confidence":0.9,"captured":"2026-03-02T09:00:00Z"},"patch":"/9j/AAAA"}`,
	} {
		if err := r.bus.Publish(ctx, bus.Reads, []byte(data), fmt.Sprintf("bad-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	r.submit(20, 40)
	r.waitFor("the writer to store the good reads", func() bool { return w.Stats().Added >= 40 && w.Stats().Rejected >= 3 })
	r.waitFor("the matcher to match the good reads", func() bool { return m.Stats().Reads >= 40 && m.Stats().Rejected >= 3 })
	r.checkStored(40)
	if st := w.Stats(); st.Rejected != 3 {
		t.Errorf("writer rejected %d messages, want 3", st.Rejected)
	}
}

// Reads the edge refuses never reach the bus.
func TestEdgeRefusesBadBatches(t *testing.T) {
	r := newRig(t, inProcess)
	ctx := context.Background()
	good := submissions(0, 3)
	for _, c := range []struct {
		name string
		edit func([]ingest.Submission)
	}{
		{"bad mark", func(s []ingest.Submission) { s[1].Read.VRM = "ab 12" }},
		{"not a JPEG", func(s []ingest.Submission) { s[2].Patch = []byte("GIF89a") }},
		{"image too large", func(s []ingest.Submission) { s[2].Overview = make([]byte, store.MaxImageSize+1) }},
	} {
		subs := slices.Clone(good)
		c.edit(subs)
		err := r.edge.Submit(ctx, subs)
		var be *store.BatchError
		if !errors.Is(err, store.ErrInvalid) || !errors.As(err, &be) {
			t.Errorf("%s: err = %v, want a *store.BatchError wrapping store.ErrInvalid", c.name, err)
		}
	}
	if st := r.edge.Stats(); st.Reads != 0 {
		t.Errorf("edge took %d reads from refused batches", st.Reads)
	}
}

// The ref an edge works out for an image sent inline is the one the
// writer's image store gives it.
func TestImageRefIsTheStoresRef(t *testing.T) {
	images, err := store.OpenImages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range []time.Time{t0, t0.Add(15 * time.Hour), time.Date(2026, 12, 31, 23, 59, 59, 0, time.FixedZone("BST", 3600))} {
		ref, err := images.Put(jpeg(i), at)
		if err != nil {
			t.Fatal(err)
		}
		if got := imageRef(jpeg(i), at); got != ref {
			t.Errorf("image %d at %s: edge's ref %s, store's %s", i, at, got, ref)
		}
	}
}

func TestMessageID(t *testing.T) {
	long := strings.Repeat("a b", 50)
	cases := []struct{ read, want string }{
		{"01J9Z3K7Q8", "01J9Z3K7Q8"},
		{"cam 4/2026-03-02/17", "cam%204/2026-03-02/17"},
		{"50%", "50%25"},
		{"50%20", "50%2520"},
		{"%hx", "%25hx"},
	}
	for _, c := range cases {
		if got := MessageID(c.read); got != c.want {
			t.Errorf("MessageID(%q) = %q, want %q", c.read, got, c.want)
		}
	}
	seen := map[string]string{}
	for _, id := range []string{"a b", "a%20b", "a%2520b", "a%b", "a%25b", long, long + "x", "%h" + strings.Repeat("0", 64), "x"} {
		m := MessageID(id)
		if err := bus.CheckID(m); err != nil {
			t.Errorf("MessageID(%q) = %q: %v", id, m, err)
		}
		if other, ok := seen[m]; ok {
			t.Errorf("MessageID(%q) = MessageID(%q) = %q", id, other, m)
		}
		seen[m] = id
	}
}

func TestLatencies(t *testing.T) {
	var l Latencies
	if l.Quantile(0.99) != 0 {
		t.Error("an empty Latencies has a quantile")
	}
	// 1 ms, 2 ms, ..., 100 ms, and one of a minute.
	for i := 1; i <= 100; i++ {
		l.Observe(time.Duration(i)*time.Millisecond - time.Microsecond)
	}
	l.Observe(time.Minute)
	l.Observe(-time.Second) // clocks out of step: counted as 0
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.01, time.Millisecond}, {0.5, 50 * time.Millisecond}, {0.99, 100 * time.Millisecond}, {1, time.Minute}} {
		if got := l.Quantile(c.q); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if s := l.Summary(); s.Count != 102 || s.Max != time.Minute {
		t.Errorf("Summary = %+v, want 102 observed, the longest a minute", s)
	}
}

// spoolOptions give up on the bus, and try it again, sooner than in
// service, so that tests with a server down do not wait long.
func spoolOptions() spool.Options {
	return spool.Options{SendTimeout: 2 * time.Second, RetryWait: 50 * time.Millisecond}
}

// An edge putting several reads in a message: every read stored once and
// every alert raised once; the same batches submitted again are dropped
// by the bus, and the same reads grouped otherwise are skipped by the
// writer, read by read. A bad read in a message is dropped alone.
func testGrouped(t *testing.T, d deployment) {
	r := newRig(t, d)
	r.edge.Close()
	edge, err := NewEdge(EdgeConfig{Bus: r.bus, SpoolDir: t.TempDir(), ReadsPerMessage: 64, Log: quiet(), Spool: spoolOptions()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { edge.Close() })
	r.edge = edge
	r.start(edge.Run)
	const n = 2000
	w := r.writer(WriterConfig{StoreBatch: 150, Consumer: ConsumerConfig{MaxBatch: 5, Workers: 2}})
	m := r.matcher(MatcherConfig{Consumer: ConsumerConfig{MaxBatch: 5}})
	c := r.console()
	r.start(w.Run)
	r.start(m.Run)
	r.submit(0, n)
	r.waitFor("the writer to store every read", func() bool { return w.Stats().Added >= n })
	r.waitFor("the matcher to match every read", func() bool { return m.Stats().Reads >= n })
	r.checkStored(n)
	r.checkAlerts(n, c)

	r.submit(0, n) // the same messages: dropped by the bus
	time.Sleep(300 * time.Millisecond)
	if st := w.Stats(); st.Reads != n {
		t.Errorf("the writer handled %d reads after the same batches came again, want %d: the bus should drop them", st.Reads, n)
	}
	r.submitBy(0, n, 30) // the same reads in other messages: skipped by the writer
	r.waitFor("the writer to handle the reads again", func() bool { return w.Stats().Reads >= 2*n })
	r.checkStored(n)
	if st := w.Stats(); st.Added != n {
		t.Errorf("the writer added %d reads, want %d: each once", st.Added, n)
	}
	r.waitFor("the matcher to handle the reads again", func() bool { return m.Stats().Reads >= 2*n })
	if ids := r.alertIDs(); len(ids) != hotReads(n) {
		t.Errorf("%d alerts stored after the reads came again, want %d", len(ids), hotReads(n))
	}

	// A message of three reads, the middle one bad.
	var parts []string
	for i, sub := range submissions(n, n+3) {
		if i == 1 {
			sub.Read.VRM = "ab 12"
		}
		data, _ := json.Marshal(ReadMessage{Read: sub.Read, Ingested: time.Now()})
		parts = append(parts, string(data))
	}
	group := `{"reads":[` + strings.Join(parts, ",") + `]}`
	if err := r.bus.Publish(context.Background(), bus.Reads, []byte(group), "group-with-a-bad-read"); err != nil {
		t.Fatal(err)
	}
	r.waitFor("the writer to store the good reads of the message", func() bool { return w.Stats().Added >= n+2 })
	if st := w.Stats(); st.Rejected != 1 {
		t.Errorf("the writer rejected %d reads, want the 1 bad one", st.Rejected)
	}
}

// A hotlist published on the bus reaches a matcher's replica, and through
// it the matcher: reads of its marks raise alerts. A new version replaces
// the old on the replica, atomically; one the replica refuses leaves the
// old in force.
func testReplicatedHotlists(t *testing.T, d deployment) {
	r := newRig(t, d)
	files, ok := r.bus.(bus.Files)
	if !ok {
		t.Skipf("%T keeps no files", r.bus)
	}
	ctx := context.Background()
	csv := func(marks ...string) io.Reader {
		s := "vrm,list,marker,priority,action\n"
		for _, m := range marks {
			s += m + ",PNC,stolen,2,Stop and check\n"
		}
		return strings.NewReader(s)
	}
	if err := PublishHotlist(ctx, files, "national", hotlist.CSV, csv(hotMarks[0]), "tester@test"); err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int64
	var sources sync.Map // the source of each load, as a matcher's audit log records it
	lists, err := hotlist.New(hotlist.Options{OnLoad: func(rep hotlist.LoadReport) {
		sources.Store(rep.File, true)
		if rep.Refused {
			refused.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	replica, err := NewHotlistReplica(HotlistReplicaConfig{Files: files, Hotlists: lists, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	r.start(replica.Run)
	r.hot = lists
	m := r.matcher(MatcherConfig{WaitFor: replica.Ready()})
	r.start(m.Run)
	select {
	case <-replica.Ready():
	case <-time.After(patience):
		t.Fatal("the replica never caught up")
	}
	if got := len(lists.Match(hotMarks[0], t0)); got != 1 {
		t.Errorf("once ready, the replica's lists give %d hits on %s, want 1", got, hotMarks[0])
	}
	sources.Range(func(k, _ any) bool {
		if src := k.(string); !strings.HasPrefix(src, "published national (") || !strings.HasSuffix(src, ") by tester@test") {
			t.Errorf("load source %q, want the published version and who published it", src)
		}
		return true
	})
	r.submit(0, 10) // read 0 is of hotMarks[0]
	r.waitFor("the alert on the published list", func() bool { return len(r.alertIDs()) == 1 })

	// A new version: hotMarks[1] in, hotMarks[0] out.
	if err := PublishHotlist(ctx, files, "national", hotlist.CSV, csv(hotMarks[1]), "tester@test"); err != nil {
		t.Fatal(err)
	}
	r.waitFor("the new version on the replica", func() bool { return len(lists.Match(hotMarks[1], t0)) == 1 })
	if got := len(lists.Match(hotMarks[0], t0)); got != 0 {
		t.Errorf("after the new version, %d hits on the mark it dropped", got)
	}
	// A version the replica refuses: every row bad.
	if err := PublishHotlist(ctx, files, "national", hotlist.CSV, strings.NewReader("vrm,list,marker,priority\nAB12CDE,PNC,stolen,99\n"), "tester@test"); err != nil {
		t.Fatal(err)
	}
	r.waitFor("the replica to refuse the bad version", func() bool { return refused.Load() == 1 })
	if got := len(lists.Match(hotMarks[1], t0)); got != 1 {
		t.Errorf("after a refused version, %d hits on the mark of the version in force, want 1", got)
	}
}
