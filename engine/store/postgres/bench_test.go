package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"anpr/engine/store"
)

// benchReads returns n reads as a day's traffic brings them: random marks
// over 2,000 cameras, IDs unique across the run, times rising through one
// day from start.
func benchReads(rng *rand.Rand, n, from int, start time.Time) []store.Read {
	const letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
	out := make([]store.Read, n)
	for i := range out {
		vrm := []byte{letters[rng.IntN(24)], letters[rng.IntN(24)], byte('0' + rng.IntN(10)), byte('0' + rng.IntN(10)),
			letters[rng.IntN(24)], letters[rng.IntN(24)], letters[rng.IntN(24)]}
		k := from + i
		out[i] = store.Read{
			ID:         fmt.Sprintf("%016x-%08d", rng.Uint64(), k),
			Camera:     fmt.Sprintf("CAM-%04d", rng.IntN(2000)),
			VRM:        string(vrm),
			Confidence: 0.9,
			Captured:   start.Add(time.Duration(k) * 2 * time.Millisecond),
			Lane:       "1",
			Direction:  "N",
			Format:     "current",
		}
	}
	return out
}

// BenchmarkIngest measures batched ingest into a fresh schema: reads/s is
// the figure to compare with the national rate (about 600 reads/s on
// average, several times that at peak, per writer process).
//
//	go test -run '^$' -bench Ingest -benchtime 200000x ./engine/store/postgres/
func BenchmarkIngest(b *testing.B) {
	for _, bc := range []struct {
		batch, writers int
	}{{1000, 1}, {1000, 4}, {5000, 4}} {
		b.Run(fmt.Sprintf("batch=%d/writers=%d", bc.batch, bc.writers), func(b *testing.B) {
			s := openTest(b, Options{})
			defer s.Close()
			ctx := context.Background()
			// Batches are made before the clock starts; each writer
			// takes every writers'th batch.
			rng := rand.New(rand.NewPCG(1, 2))
			var batches [][]store.Read
			for from := 0; from < b.N; from += bc.batch {
				batches = append(batches, benchReads(rng, min(bc.batch, b.N-from), from, t0))
			}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := range bc.writers {
				wg.Go(func() {
					for i := w; i < len(batches); i += bc.writers {
						if _, err := s.AddReads(ctx, batches[i]); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
		})
	}
}
