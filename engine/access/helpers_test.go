package access

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// t0 is the tests' now, at the start.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const day24 = 24 * time.Hour

// cheap are argon2id parameters that make a hash take microseconds, not
// the default tenths of a second; what is tested does not depend on cost.
var cheap = HashParams{Time: 1, Memory: 64, Threads: 1}

// clock is a clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a directory in a new file under t.TempDir with cheap
// hashes and a clock of its own, unless opts sets them.
func openTest(t *testing.T, opts Options) (*Directory, *clock) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "access.db"), opts)
}

func openAt(t *testing.T, path string, opts Options) (*Directory, *clock) {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.HashParams == (HashParams{}) {
		opts.HashParams = cheap
	}
	d, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d, c
}

const goodPassword = "correct horse battery staple"

var ctx = context.Background()

func mustAddUser(t *testing.T, d *Directory, name string, role Role) User {
	t.Helper()
	u, err := d.AddUser(ctx, name, role, goodPassword)
	if err != nil {
		t.Fatalf("AddUser(%s, %s): %v", name, role, err)
	}
	return u
}

func mustLogin(t *testing.T, d *Directory, name string) Session {
	t.Helper()
	s, err := d.Login(ctx, name, goodPassword, "192.0.2.1:40000")
	if err != nil {
		t.Fatalf("Login(%s): %v", name, err)
	}
	return s
}

// ruleOf is the rule a PolicyError names, "" for nil, and fails the test
// for any other error.
func ruleOf(t *testing.T, err error) Rule {
	t.Helper()
	if err == nil {
		return ""
	}
	var p *PolicyError
	if !errors.As(err, &p) {
		t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
	}
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("error %v does not match ErrDenied", err)
	}
	return p.Rule
}
