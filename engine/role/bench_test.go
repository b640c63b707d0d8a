package role

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/vrm"
)

// BenchmarkPipeline measures the scaled-out path end to end on the
// services of this machine: edges publish reads to JetStream (batches of
// 100 from 16 cameras at once, each batch a window of publishes in
// flight; per-message reads in a message), a matcher matches them against a 100,000-entry hotlist and
// raises alerts into PostgreSQL, and a writer stores them in PostgreSQL
// in COPY batches. Every process shares the machine.
//
// rate is the rate the cameras offer reads at (0: as fast as the edge
// takes them). reads/s is reads stored over the time from the first
// submission to the last commit; offered/s the rate reads were submitted
// at; p50-ms and p99-ms the ingest-to-stored latency (from the edge taking
// a read in to the commit that stored it), and alert-p99-ms the
// ingest-to-alert latency of the reads that raised alerts. The writer runs
// 2 workers, batches waiting up to 20 ms to fill (ANPR_BENCH_WRITERS and
// ANPR_BENCH_WAIT_MS change them). Run it with a fixed count, since each
// run is a fresh deployment:
//
//	go test -run '^$' -bench Pipeline -benchtime 200000x ./engine/role/
func BenchmarkPipeline(b *testing.B) {
	natsURL, pgURL := services(b)
	hot, listed := benchHotlists(b)
	for _, per := range []int{1, 100} {
		for _, rate := range []int{0, 10000, 20000} {
			name := fmt.Sprintf("per-message=%d/rate=max", per)
			if rate > 0 {
				name = fmt.Sprintf("per-message=%d/rate=%d", per, rate)
			}
			b.Run(name, func(b *testing.B) { benchPipeline(b, natsURL, pgURL, hot, listed, per, rate) })
		}
	}
}

// benchHotlists is a synthetic national-shaped list of 100,000 entries,
// and some of its marks for reads to hit.
func benchHotlists(b *testing.B) (*hotlist.Hotlists, []string) {
	rng := rand.New(rand.NewPCG(7, 8))
	var buf bytes.Buffer
	w := hotlist.NewCSVWriter(&buf)
	var listed []string
	now := time.Now()
	for i := range 100000 {
		e := hotlist.SyntheticEntry(rng, now)
		if i%100 == 0 {
			listed = append(listed, e.VRM)
		}
		w.Write(e)
	}
	w.Flush()
	h, err := hotlist.New(hotlist.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Load(context.Background(), "national", &buf, hotlist.CSV); err != nil {
		b.Fatal(err)
	}
	return h, listed
}

// benchReads are n reads as cameras send them: marks of the current mix,
// one in 200 of a listed vehicle; IDs rising with time, as ULIDs do.
func benchReads(n int, listed []string) []ingest.Submission {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	out := make([]ingest.Submission, n)
	for i := range out {
		mark := vrm.GenerateMix(rng, start).Text
		if i%200 == 0 {
			mark = listed[rng.IntN(len(listed))]
		}
		out[i] = ingest.Submission{Read: store.Read{
			ID:         fmt.Sprintf("%013x-%07d", start.UnixMilli(), i),
			Camera:     fmt.Sprintf("CAM-%04d", rng.IntN(2000)),
			VRM:        mark,
			Confidence: 0.9,
			Captured:   start.Add(time.Duration(i) * time.Microsecond),
			Lane:       "1", Direction: "N", Format: "current",
		}}
	}
	return out
}

func benchPipeline(b *testing.B, natsURL, pgURL string, hot *hotlist.Hotlists, listed []string, per, rate int) {
	n := b.N
	reads := benchReads(n, listed)
	prefix, schema := scaledOutNames(b, natsURL, pgURL)
	// Each role its own connections, as its own process would have.
	edgeBus, matcherBus, writerBus := openBus(b, natsURL, prefix), openBus(b, natsURL, prefix), openBus(b, natsURL, prefix)
	defer edgeBus.Close()
	defer matcherBus.Close()
	defer writerBus.Close()
	matcherDB, writerDB := openDB(b, pgURL, schema), openDB(b, pgURL, schema)
	defer matcherDB.Close()
	defer writerDB.Close()
	edge, err := NewEdge(EdgeConfig{Bus: edgeBus, SpoolDir: b.TempDir(), ReadsPerMessage: per, Log: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	defer edge.Close()
	w, err := NewWriter(WriterConfig{Bus: writerBus, Store: writerDB, Log: quiet(),
		Consumer: ConsumerConfig{Workers: envInt("ANPR_BENCH_WRITERS", 2), MaxBatch: max(1, 1000/per), MaxWait: time.Duration(envInt("ANPR_BENCH_WAIT_MS", 20)) * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewMatcher(MatcherConfig{Bus: matcherBus, Hotlists: hot, Log: quiet(),
		Alerts:   alert.NewService(matcherDB, alert.Options{Log: quiet()}),
		Consumer: ConsumerConfig{Workers: 2, MaxBatch: max(1, 500/per)}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var roles sync.WaitGroup
	for _, run := range []func(context.Context) error{edge.Run, w.Run, m.Run} {
		roles.Go(func() { run(ctx) })
	}
	defer func() { cancel(); roles.Wait() }()
	// The day's partition is made before the clock starts, as it is in
	// service by the day before.
	if _, err := writerDB.AddReads(ctx, []store.Read{{ID: "warm-up", Camera: "CAM-0000", VRM: "AB12CDE", Confidence: 1, Captured: reads[0].Read.Captured}}); err != nil {
		b.Fatal(err)
	}

	const cameras, batch = 16, 100
	b.ResetTimer()
	start := time.Now()
	var submitted time.Duration
	var cams sync.WaitGroup
	for c := range cameras {
		cams.Go(func() {
			for k, from := 0, c*batch; from < n; k, from = k+1, from+cameras*batch {
				if rate > 0 {
					// Batch k of camera c is due when the reads before it
					// have been offered at the rate.
					due := start.Add(time.Duration(float64(from) / float64(rate) * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				if err := edge.Submit(ctx, reads[from:min(from+batch, n)]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	cams.Wait()
	submitted = time.Since(start)
	deadline := time.Now().Add(10 * time.Minute)
	for w.Stats().Added < uint64(n) || m.Stats().Reads < uint64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("after 10 minutes: stored %d, matched %d of %d", w.Stats().Added, m.Stats().Reads, n)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	ws, ms := w.Stats(), m.Stats()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "reads/s")
	b.ReportMetric(float64(n)/submitted.Seconds(), "offered/s")
	b.ReportMetric(float64(ws.Lag.P50)/1e6, "p50-ms")
	b.ReportMetric(float64(ws.Lag.P99)/1e6, "p99-ms")
	b.ReportMetric(float64(ms.Lag.P99)/1e6, "alert-p99-ms")
	b.ReportMetric(float64(ms.Alerts), "alerts")
	b.ReportMetric(0, "ns/op")
	if ws.Rejected+ms.Rejected > 0 || edge.Stats().Spooled > 0 {
		b.Errorf("rejected %d, %d; spooled %d: want none", ws.Rejected, ms.Rejected, edge.Stats().Spooled)
	}
}

// envInt is the integer environment variable name, or def: for trying the
// writer's settings without editing the benchmark.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
