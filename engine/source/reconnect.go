package source

import (
	"context"
	"math/rand/v2"
	"time"
)

// keepConnected runs session again and again until ctx ends. A session
// connects, reads frames until the connection fails or is lost, and returns
// how many frames it read and why it stopped. Between sessions it waits with
// capped exponential back-off, reset when a session delivered frames, so a
// camera that is down is not hammered and one that blinked is back quickly.
func (s *src) keepConnected(ctx context.Context, name string, session func(context.Context) (int, error)) {
	log := s.opts.Logger.With("source", name)
	delay := s.opts.MinBackoff
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			s.reconnects.Add(1)
		}
		n, err := session(ctx)
		s.connected.Store(false)
		if ctx.Err() != nil {
			return
		}
		if n > 0 {
			delay = s.opts.MinBackoff
		}
		wait := jitter(delay)
		s.fail(err)
		log.Warn("source: stream failed; will reconnect", "err", err, "frames", n, "retry_in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, s.opts.MaxBackoff)
	}
}

// jitter returns a random duration between d/2 and d, so that many cameras
// lost at once do not all reconnect at the same moment.
func jitter(d time.Duration) time.Duration {
	half := d / 2
	return half + rand.N(d-half+1)
}
