// Package sqlite is the embedded store of reads and alerts: one SQLite file, no server
// to run, implementing store.Store. It is the default for a single-process
// deployment; a national one puts a server database behind the same
// interface.
//
// The file is in WAL mode, so searches read a consistent snapshot while a
// batch is being written, and a writer never waits for readers. Writes go
// through a single connection (SQLite takes one writer at a time anyway;
// queueing them in the process avoids lock contention and busy retries),
// searches through a small pool of read-only connections.
//
// Deletion by age ([Store.RunRetention], [Store.DeleteReadsBefore]) runs
// in chunks, each its own short transaction, so that ingest carries on
// between them, and every run is recorded in the file ([Store.RetentionRuns]).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"anpr/engine/store"

	"anpr/internal/sqlitefile"
)

// Options configures a Store. The zero Options is the default.
type Options struct {
	MaxBatch    int              // most reads one AddReads call takes; 0: store.DefaultMaxBatch
	DeleteChunk int              // reads deleted per transaction by retention; 0: 5,000
	Readers     int              // connections serving searches at once; 0: 4
	CacheMiB    int              // page cache for each connection; 0: 64 MiB
	Now         func() time.Time // the clock for retention records and the guard on cutoffs; nil: time.Now
}

const (
	defaultDeleteChunk = 5000
	defaultReaders     = 4
	defaultCacheMiB    = 64
	busyTimeout        = 10 * time.Second // how long a statement waits for another process's lock
)

// Store is a store of reads in one SQLite file. It is safe for concurrent
// use. Only one Store (one process) should write a file at a time: a second
// one works, but its writers wait on the first one's locks.
type Store struct {
	w    *sql.DB // the one writing connection
	r    *sql.DB // read-only connections for searches
	opts Options

	chunkDeleted func() // called after each chunk a retention run deletes; for tests
}

var _ store.Store = (*Store)(nil)

// Open opens the store in the file at path, creating it if it does not
// exist and bringing its schema up to date.
func Open(path string, opts Options) (*Store, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = store.DefaultMaxBatch
	}
	if opts.DeleteChunk <= 0 {
		opts.DeleteChunk = defaultDeleteChunk
	}
	if opts.Readers <= 0 {
		opts.Readers = defaultReaders
	}
	if opts.CacheMiB <= 0 {
		opts.CacheMiB = defaultCacheMiB
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if path == "" {
		return nil, errors.New("open read store: no path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open read store %s: %w", path, err)
	}
	w := openPool(abs, opts.CacheMiB, true)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	ctx := context.Background()
	if err := sqlitefile.Migrate(ctx, w, migrations, opts.Now()); err != nil {
		w.Close()
		return nil, fmt.Errorf("open read store %s: %w", path, err)
	}
	r := openPool(abs, opts.CacheMiB, false)
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open read store %s: %w", path, err)
	}
	return &Store{w: w, r: r, opts: opts}, nil
}

// openPool returns a pool of connections to the file at abs: the writer's, or
// read-only ones.
func openPool(abs string, cacheMiB int, writer bool) *sql.DB {
	pragmas := []string{
		// synchronous=FULL: in WAL mode NORMAL syncs the log only at
		// checkpoints, so a commit AddReads has acknowledged can be lost
		// if the machine (not just the process) goes down before the next
		// one. Reads are evidence and the caller drops its copy once they
		// are acknowledged, so every commit is synced: one fsync a batch.
		// Measured, FULL costs little over NORMAL here: ingest is bound by
		// writing index pages, not by the sync.
		"synchronous = FULL",
		"busy_timeout = " + strconv.FormatInt(busyTimeout.Milliseconds(), 10),
		"cache_size = " + strconv.Itoa(-cacheMiB*1024), // negative: KiB, not pages
	}
	if writer {
		// Reads arrive in random VRM, camera and ID order, so a batch
		// dirties pages all over the three indexes on those. Checkpointing
		// every 10,000 pages (about 40 MB of log) rather than SQLite's
		// 1,000 copies a page that many batches touch into the file once,
		// not once each: ingest ran half as fast again in BenchmarkIngest.
		pragmas = append(pragmas, "wal_autocheckpoint = 10000")
	}
	return sqlitefile.OpenPool(abs, pragmas, writer)
}

// Close closes the store. Searches and writes in progress finish first.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// AddReads stores a batch of reads in one transaction; see store.Store.
func (s *Store) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	if err := store.CheckBatch(reads, s.opts.MaxBatch); err != nil {
		return 0, fmt.Errorf("add reads: %w", err)
	}
	if len(reads) == 0 {
		return 0, nil
	}
	added, err := s.insert(ctx, reads)
	if err != nil {
		return 0, fmt.Errorf("add %d reads: %w", len(reads), err)
	}
	return added, nil
}

// insertRows is how many reads one INSERT statement carries: fewer
// statements to step through the driver than one a read, and well under
// SQLite's limit on parameters.
const insertRows = 64

const readColumns = `id, camera, vrm, confidence, captured, lane, direction, format, patch_ref, overview_ref`

func insertSQL(rows int) string {
	b := []byte(`INSERT INTO reads (` + readColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "(?,?,?,?,?,?,?,?,?,?)"...)
	}
	// A read whose ID is stored already is a redelivery: keep the first.
	return string(append(b, " ON CONFLICT (id) DO NOTHING"...))
}

func (s *Store) insert(ctx context.Context, reads []store.Read) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	full, err := tx.PrepareContext(ctx, insertSQL(insertRows))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, 10*insertRows)
	var added int64
	for len(reads) > 0 {
		n := min(len(reads), insertRows)
		args = args[:0]
		for i := range reads[:n] {
			r := &reads[i]
			args = append(args, r.ID, r.Camera, r.VRM, r.Confidence, r.Captured.UnixNano(),
				r.Lane, r.Direction, r.Format, r.PatchRef, r.OverviewRef)
		}
		var res sql.Result
		if n == insertRows {
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = tx.ExecContext(ctx, insertSQL(n), args...)
		}
		if err != nil {
			return 0, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		added += k
		reads = reads[n:]
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return int(added), nil
}
