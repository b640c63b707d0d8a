package role

import (
	"math"
	"sync/atomic"
	"time"
)

// Latencies counts durations in buckets a millisecond wide up to
// maxLatencyMillis, and those longer in one bucket: fine enough to tell a
// p99 of 150 ms from one of 200 ms, and cheap enough to count every read.
// The zero value is empty and ready; it is safe for concurrent use.
type Latencies struct {
	buckets [maxLatencyMillis + 1]atomic.Uint64 // buckets[i]: from i ms up to i+1 ms; the last: longer
	count   atomic.Uint64
	max     atomic.Int64
}

const maxLatencyMillis = 30000

// Observe counts one duration. A negative one (clocks out of step between
// machines) counts as zero.
func (l *Latencies) Observe(d time.Duration) {
	d = max(d, 0)
	l.buckets[min(int64(d/time.Millisecond), maxLatencyMillis)].Add(1)
	l.count.Add(1)
	for {
		m := l.max.Load()
		if int64(d) <= m || l.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Count is how many durations have been observed.
func (l *Latencies) Count() uint64 { return l.count.Load() }

// Max is the longest duration observed.
func (l *Latencies) Max() time.Duration { return time.Duration(l.max.Load()) }

// Quantile returns the duration that a share q (0 to 1) of those observed
// are no longer than, to the millisecond above: the upper edge of its
// bucket, or Max if that is less. It is 0 when none were observed.
func (l *Latencies) Quantile(q float64) time.Duration {
	n := l.count.Load()
	if n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(n))), 1), n) // nearest rank
	var seen uint64
	for i := range l.buckets {
		seen += l.buckets[i].Load()
		if seen >= rank {
			if i == maxLatencyMillis {
				break // longer than the buckets go
			}
			return min(time.Duration(i+1)*time.Millisecond, l.Max())
		}
	}
	return l.Max()
}

// LatencySummary is a Latencies at one moment.
type LatencySummary struct {
	Count         uint64
	P50, P99, Max time.Duration
}

// Summary returns the count, median, 99th percentile and maximum.
func (l *Latencies) Summary() LatencySummary {
	return LatencySummary{Count: l.Count(), P50: l.Quantile(0.5), P99: l.Quantile(0.99), Max: l.Max()}
}
