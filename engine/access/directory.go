package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"anpr/internal/sqlitefile"
)

// Options configures a Directory. The zero Options is the default.
type Options struct {
	Now         func() time.Time // the clock; nil: time.Now
	SessionIdle time.Duration    // a session unused this long ends; 0: 15 minutes
	SessionMax  time.Duration    // a session ends this long after login, used or not; 0: 12 hours

	// LoginFailures is how many logins may fail for one name, and from one
	// client address, within LoginWindow before more are refused; 0: 5.
	LoginFailures int
	LoginWindow   time.Duration // 0: 15 minutes

	HashParams HashParams // argon2id parameters for new password hashes; zero fields take defaults
	// MaxHashing is how many password hashes are computed at once; more
	// wait their turn. Each takes HashParams.Memory, so this bounds the
	// memory a flood of logins can take; 0: GOMAXPROCS.
	MaxHashing int

	// ApprovalAge is how far back an investigator may search on their own:
	// reads older than this need a senior authoriser's approval; 0: 90 days.
	ApprovalAge time.Duration
	// ReadRetention is how long reads are kept, and so the furthest back any
	// search may reach, approved or not; 0: 365 days.
	ReadRetention time.Duration
	// ApprovalValidity is how long an approval lasts once granted; 0: 7 days.
	ApprovalValidity time.Duration
}

const (
	defaultSessionIdle      = 15 * time.Minute
	defaultSessionMax       = 12 * time.Hour
	defaultLoginFailures    = 5
	defaultLoginWindow      = 15 * time.Minute
	defaultApprovalAge      = 90 * 24 * time.Hour
	defaultReadRetention    = 365 * 24 * time.Hour
	defaultApprovalValidity = 7 * 24 * time.Hour

	busyTimeout = 10 * time.Second // how long a statement waits for another process's lock
	readers     = 4                // connections serving lookups at once
)

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.SessionIdle, defaultSessionIdle)
	def(&o.SessionMax, defaultSessionMax)
	def(&o.LoginWindow, defaultLoginWindow)
	def(&o.ApprovalAge, defaultApprovalAge)
	def(&o.ReadRetention, defaultReadRetention)
	def(&o.ApprovalValidity, defaultApprovalValidity)
	if o.LoginFailures <= 0 {
		o.LoginFailures = defaultLoginFailures
	}
	if o.MaxHashing <= 0 {
		o.MaxHashing = runtime.GOMAXPROCS(0)
	}
	o.HashParams = o.HashParams.withDefaults()
	return o
}

// Directory is the record of who may use the system: users, their
// sessions, machine tokens and search approvals, in one SQLite file. It is
// safe for concurrent use. Only one process should open a file at a time:
// the login rate limits are kept in that process's memory.
type Directory struct {
	w    *sql.DB // the one writing connection
	r    *sql.DB // read-only connections for lookups
	opts Options

	logins  *limiter
	hashing chan struct{} // a slot for each hash computed at once
}

// Open opens the directory in the file at path, creating it if it does not
// exist and bringing its schema up to date.
func Open(path string, opts Options) (*Directory, error) {
	opts = opts.withDefaults()
	if path == "" {
		return nil, errors.New("open access directory: no path given")
	}
	if err := opts.HashParams.check(); err != nil {
		return nil, fmt.Errorf("open access directory %s: %w", path, err)
	}
	if opts.ApprovalAge >= opts.ReadRetention {
		return nil, fmt.Errorf("open access directory %s: approval age %v is not less than read retention %v",
			path, opts.ApprovalAge, opts.ReadRetention)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open access directory %s: %w", path, err)
	}
	w := openPool(abs, true)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	ctx := context.Background()
	if err := sqlitefile.Migrate(ctx, w, migrations, opts.Now()); err != nil {
		w.Close()
		return nil, fmt.Errorf("open access directory %s: %w", path, err)
	}
	r := openPool(abs, false)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open access directory %s: %w", path, err)
	}
	return &Directory{
		w: w, r: r, opts: opts,
		logins:  newLimiter(opts.LoginFailures, opts.LoginWindow),
		hashing: make(chan struct{}, opts.MaxHashing),
	}, nil
}

// Close closes the directory. Calls in progress finish first.
func (d *Directory) Close() error {
	return errors.Join(d.r.Close(), d.w.Close())
}

// openPool returns a pool of connections to the file at abs: the writer's, or
// read-only ones.
func openPool(abs string, writer bool) *sql.DB {
	return sqlitefile.OpenPool(abs, []string{
		// Every commit synced: an approval, a disabled account or a
		// revoked token must not come back after a power cut.
		"synchronous = FULL",
		"busy_timeout = " + strconv.FormatInt(busyTimeout.Milliseconds(), 10),
		"foreign_keys = ON",
	}, writer)
}

// withHashSlot runs f when a hashing slot is free, or returns ctx's error
// if ctx ends first.
func (d *Directory) withHashSlot(ctx context.Context, f func()) error {
	select {
	case d.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.hashing }()
	f()
	return nil
}
