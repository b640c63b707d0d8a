package traffic

import (
	"sync/atomic"
	"time"
)

// Clock is a simulated clock: a run moves it to the time of each passage
// and trip it reports (RunOptions.Clock), and anything given its Now reads
// simulated time rather than the wall clock. It is safe for concurrent use.
type Clock struct {
	ns  atomic.Int64
	loc *time.Location
}

// NewClock returns a clock reading t, in t's location.
func NewClock(t time.Time) *Clock {
	c := &Clock{loc: t.Location()}
	c.ns.Store(t.UnixNano())
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).In(c.loc) }

// Set moves the clock to t, backwards or forwards.
func (c *Clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }

func (c *Clock) set(ns int64) { c.ns.Store(ns) }
