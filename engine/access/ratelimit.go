package access

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter counts failed logins per key (a name, a client address) in a
// sliding window and refuses a key that has had too many. It counts an
// attempt when it starts, not when it has failed, so that a burst of
// attempts at once cannot all slip in before the first failure is
// recorded; a success takes its count back.
//
// It holds at most max times a key, and forgets a key whose times have all
// left the window, so its memory is bounded by the keys seen within about
// one window.
type limiter struct {
	max    int
	window time.Duration

	mu        sync.Mutex
	attempts  map[string][]time.Time // oldest first, at most max
	lastSweep time.Time
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{max: limit, window: window, attempts: make(map[string][]time.Time)}
}

// begin starts an attempt at now for every key, or, if any key has had max
// attempts within the window, starts none and says how long until the
// oldest of them leaves it.
func (l *limiter) begin(now time.Time, keys ...string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	var wait time.Duration
	for _, k := range keys {
		ts := l.live(k, now)
		if len(ts) >= l.max {
			wait = max(wait, ts[len(ts)-l.max].Add(l.window).Sub(now))
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, k := range keys {
		ts := append(l.attempts[k], now)
		if len(ts) > l.max {
			ts = ts[len(ts)-l.max:]
		}
		l.attempts[k] = ts
	}
	return 0, true
}

// forgive takes back the attempt started at t for key.
func (l *limiter) forgive(key string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.attempts[key]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(t) {
			ts = append(ts[:i], ts[i+1:]...)
			break
		}
	}
	l.set(key, ts)
}

// reset forgets every attempt for key.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.attempts, key)
}

// live drops key's attempts that have left the window and returns the rest.
func (l *limiter) live(key string, now time.Time) []time.Time {
	ts := l.attempts[key]
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-l.window)) {
		i++
	}
	ts = ts[i:]
	l.set(key, ts)
	return ts
}

func (l *limiter) set(key string, ts []time.Time) {
	if len(ts) == 0 {
		delete(l.attempts, key)
	} else {
		l.attempts[key] = ts
	}
}

// sweep forgets, once a window, every key with nothing left in it.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for k := range l.attempts {
		l.live(k, now)
	}
}

// nameKey and remoteKey keep names and addresses apart in one limiter.
func nameKey(name string) string { return "name\x00" + name }

// remoteKey is the key for a client address as an HTTP server gives it,
// with or without a port. An IPv6 address counts by its /64, the block one
// subscriber is usually given, so that an attacker cannot step through the
// addresses of their own block to get round the limit. Anything else that
// is not an address counts as itself.
func remoteKey(remote string) string {
	remote = strings.TrimSpace(remote)
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			if p, err := a.Prefix(64); err == nil {
				return "remote\x00" + p.String()
			}
		}
		return "remote\x00" + a.String()
	}
	return "remote\x00" + remote
}
