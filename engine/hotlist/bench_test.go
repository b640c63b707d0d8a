package hotlist

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

var benchAsOf = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// benchEntries is the size of the benchmarks' list: 1,000,000, or
// $HOTLIST_BENCH_ENTRIES (the target size is 10,000,000; `anpr bench match`
// measures that).
var benchEntries = func() int {
	if n, err := strconv.Atoi(os.Getenv("HOTLIST_BENCH_ENTRIES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}()

// benchData is a synthetic list of benchEntries as CSV, and samples of its
// marks, made once for all benchmarks.
var benchData = sync.OnceValue(func() (d struct {
	csv    []byte
	listed []string
}) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for i := range benchEntries {
		e := SyntheticEntry(rng, benchAsOf)
		if i%100 == 0 {
			d.listed = append(d.listed, e.VRM)
		}
		w.Write(e)
	}
	w.Flush()
	d.csv = buf.Bytes()
	return d
})

var benchLists = sync.OnceValue(func() *Hotlists {
	h, err := New(Options{OneEditPriority: 1})
	if err != nil {
		panic(err)
	}
	if _, err := h.Load(context.Background(), "national", bytes.NewReader(benchData().csv), CSV); err != nil {
		panic(err)
	}
	return h
})

// benchMatch matches reads in turn, reporting reads per second.
func benchMatch(b *testing.B, reads []string) {
	h := benchLists()
	var hits []Hit
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		hits = h.AppendMatches(hits[:0], reads[i%len(reads)], benchAsOf)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// BenchmarkMatchTraffic reads marks drawn as the list's are: mostly on no list.
func BenchmarkMatchTraffic(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	reads := make([]string, 1<<16)
	for i := range reads {
		reads[i] = SyntheticEntry(rng, benchAsOf).VRM
	}
	benchMatch(b, reads)
}

func BenchmarkMatchExact(b *testing.B) {
	benchMatch(b, benchData().listed)
}

// BenchmarkMatchConfusion reads listed marks with one character confused.
func BenchmarkMatchConfusion(b *testing.B) {
	m := benchLists().cls.model
	var reads []string
	for _, v := range benchData().listed {
		for i := range len(v) {
			if alt := confusedWith(m, v[i]); alt != 0 {
				reads = append(reads, v[:i]+string(alt)+v[i+1:])
				break
			}
		}
	}
	benchMatch(b, reads)
}

func BenchmarkLoadCSV(b *testing.B) {
	data := benchData().csv
	h, _ := New(Options{OneEditPriority: 1})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := h.Load(context.Background(), "national", bytes.NewReader(data), CSV); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchEntries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
