package access

import (
	"fmt"
	"testing"
	"time"
)

// Attempts count when they start, so a burst all at once is cut off at the
// limit, not let through to wait for the first failure.
func TestLimiterCountsAttemptsInFlight(t *testing.T) {
	l := newLimiter(3, time.Minute)
	for i := range 3 {
		if _, ok := l.begin(t0, "k"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	wait, ok := l.begin(t0, "k")
	if ok || wait != time.Minute {
		t.Errorf("fourth attempt at once: ok %t wait %v, want refused for 1m", ok, wait)
	}
	l.forgive("k", t0)
	if _, ok := l.begin(t0, "k"); !ok {
		t.Error("an attempt taken back still counts")
	}
}

func TestLimiterSlides(t *testing.T) {
	l := newLimiter(2, 10*time.Minute)
	l.begin(t0, "k")
	l.begin(t0.Add(4*time.Minute), "k")
	tests := []struct {
		at   time.Duration
		ok   bool
		wait time.Duration
	}{
		{5 * time.Minute, false, 5 * time.Minute},
		{10*time.Minute - time.Nanosecond, false, time.Nanosecond},
		{10 * time.Minute, true, 0}, // the first has left the window; this one counts
		{11 * time.Minute, false, 3 * time.Minute},
	}
	for _, tt := range tests {
		wait, ok := l.begin(t0.Add(tt.at), "k")
		if ok != tt.ok || wait != tt.wait {
			t.Errorf("at +%v: ok %t wait %v, want %t %v", tt.at, ok, wait, tt.ok, tt.wait)
		}
	}
}

// Either key at its limit refuses, and then neither is counted.
func TestLimiterKeysTogether(t *testing.T) {
	l := newLimiter(1, time.Minute)
	l.begin(t0, "a")
	if _, ok := l.begin(t0, "b", "a"); ok {
		t.Fatal("b with a spent was let through")
	}
	if _, ok := l.begin(t0, "b"); !ok {
		t.Error("b alone refused: the refused attempt was counted")
	}
}

// Keys whose attempts have all left the window are forgotten, so memory
// does not grow with every name and address ever tried.
func TestLimiterForgetsOldKeys(t *testing.T) {
	l := newLimiter(5, time.Minute)
	for i := range 1000 {
		l.begin(t0, fmt.Sprint("k", i))
	}
	l.begin(t0.Add(2*time.Minute), "new")
	if n := len(l.attempts); n != 1 {
		t.Errorf("%d keys held two windows later, want 1", n)
	}
}

func TestRemoteKey(t *testing.T) {
	same := [][]string{
		{"192.0.2.1", "192.0.2.1:443", "192.0.2.1:50000", "::ffff:192.0.2.1", "[::ffff:192.0.2.1]:80", " 192.0.2.1 "},
		{"2001:db8::1", "[2001:db8::2]:443", "2001:db8::ffff:1", "2001:db8:0:0:1:2:3:4"},
		{"fe80::1%eth0", "[fe80::2%eth1]:443"},
		{"unix-socket", "unix-socket"},
	}
	for _, group := range same {
		for _, r := range group[1:] {
			if remoteKey(r) != remoteKey(group[0]) {
				t.Errorf("remoteKey(%q) = %q, remoteKey(%q) = %q: want the same", r, remoteKey(r), group[0], remoteKey(group[0]))
			}
		}
	}
	differ := [][2]string{
		{"192.0.2.1", "192.0.2.2"},
		{"2001:db8::1", "2001:db8:0:1::1"},
		{"192.0.2.1", "unix-socket"},
	}
	for _, p := range differ {
		if remoteKey(p[0]) == remoteKey(p[1]) {
			t.Errorf("remoteKey(%q) = remoteKey(%q) = %q: want different", p[0], p[1], remoteKey(p[0]))
		}
	}
}
