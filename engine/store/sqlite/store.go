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
// Reads are kept in arrival segments (segments.go): a batch appends rows
// to the open segment, which is indexed whole once full, so ingest does not
// slow as the store grows; a redelivered read is recognised by the IDs of
// the open segment and the sealed segments' ID filters (readids.go).
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
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"anpr/engine/store"

	"anpr/internal/sqlitefile"
)

// Options configures a Store. The zero Options is the default.
type Options struct {
	MaxBatch     int // most reads one AddReads call takes; 0: store.DefaultMaxBatch
	DeleteChunk  int // reads deleted per transaction by retention; 0: 5,000
	Readers      int // connections serving searches at once; 0: 4
	CacheMiB     int // page cache for each connection; 0: 64 MiB
	SegmentReads int // reads the open segment takes before it is indexed (see segments.go); 0: 100,000
	// MergeSegments is how many sealed segments are merged into one, in
	// the background, once that many wait (see merge.go); 0: 10; 1 or
	// less: never merge.
	MergeSegments int
	// MergeQuiet is how long ingest must have been quiet (no batch
	// stored) before each step of a merge: a merge takes the writer from
	// ingest, so under full load it waits and catches up later; 0: 500 ms,
	// negative: no wait.
	MergeQuiet time.Duration
	Now        func() time.Time // the clock for retention records and the guard on cutoffs; nil: time.Now
	Logger     *slog.Logger     // for what goes wrong after a batch is stored; nil: slog.Default()
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

	ids readIDs // what redeliveries are checked against

	maintain    sync.Mutex    // held by a merge of segments and by a retention run of reads
	compactNow  chan struct{} // wakes the background merger
	stopCompact func()        // stops it
	compactDone chan struct{} // closed when it has stopped
	lastBatch   atomic.Int64  // when a batch last started or ended, Unix ns

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
	if opts.SegmentReads <= 0 {
		opts.SegmentReads = defaultSegmentReads
	}
	if opts.MergeSegments == 0 {
		opts.MergeSegments = defaultMergeSegments
	}
	if opts.MergeQuiet == 0 {
		opts.MergeQuiet = defaultMergeQuiet
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
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
	s := &Store{w: w, r: r, opts: opts}
	if err := s.loadIDs(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open read store %s: %w", path, err)
	}
	s.startCompactor()
	return s, nil
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

// Close closes the store. Searches and writes in progress finish first; a
// merge in progress is stopped (the next one starts it again).
func (s *Store) Close() error {
	s.stopCompact()
	<-s.compactDone
	return errors.Join(s.r.Close(), s.w.Close())
}

// startCompactor starts the background merger: it runs Compact whenever a
// segment has been sealed, until the store is closed.
func (s *Store) startCompactor() {
	ctx, cancel := context.WithCancel(context.Background())
	s.compactNow, s.stopCompact, s.compactDone = make(chan struct{}, 1), cancel, make(chan struct{})
	s.compactNow <- struct{}{} // a merge may be waiting since the store was last open
	go func() {
		defer close(s.compactDone)
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.compactNow:
				if err := s.Compact(ctx); err != nil && ctx.Err() == nil {
					s.opts.Logger.Warn("read store: merging segments failed; the next seal tries again", "err", err)
				}
			}
		}
	}()
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

// insertSQL inserts rows reads into table.
func insertSQL(table string, rows int) string {
	const group = "(?,?,?,?,?,?,?,?,?,?)" // a parameter for each of readColumns
	return `INSERT INTO ` + table + ` (` + readColumns + `) VALUES ` + group + strings.Repeat(","+group, rows-1)
}

// insert stores the reads whose IDs are new in the open segment, in one
// transaction, and seals the segment once it is full.
func (s *Store) insert(ctx context.Context, reads []store.Read) (int, error) {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	// Ingest is busy from a batch's start to the end of any seal it makes:
	// merges wait for it to be quiet.
	s.lastBatch.Store(time.Now().UnixNano())
	defer func() { s.lastBatch.Store(time.Now().UnixNano()) }()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	g, err := openSegment(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := s.ids.sync(ctx, tx, g); err != nil {
		return 0, err
	}
	fresh, err := s.ids.newReads(ctx, tx, reads)
	if err != nil {
		return 0, err
	}
	if err := appendReads(ctx, tx, g.table, fresh); err != nil {
		return 0, err
	}
	if len(fresh) > 0 {
		first, last := fresh[0].Captured.UnixNano(), fresh[0].Captured.UnixNano()
		for i := range fresh {
			c := fresh[i].Captured.UnixNano()
			first, last = min(first, c), max(last, c)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE read_segments SET reads = reads + ?,
			first_captured = min(coalesce(first_captured, ?), ?), last_captured = max(coalesce(last_captured, ?), ?)
			WHERE id = ?`, len(fresh), first, first, last, last, g.id); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	for i := range fresh {
		s.ids.open[fresh[i].ID] = struct{}{}
	}
	if g.reads+int64(len(fresh)) >= int64(s.opts.SegmentReads) {
		// The batch is stored whatever happens here: a segment that
		// could not be sealed stays open, and the next batch tries again.
		if err := s.seal(ctx, g); err != nil {
			s.opts.Logger.Warn("read store: sealing a full segment failed; the next batch tries again", "err", err)
		} else {
			select {
			case s.compactNow <- struct{}{}:
			default: // the merger is awake already
			}
		}
	}
	return len(fresh), nil
}

// appendReads inserts reads into table.
func appendReads(ctx context.Context, tx *sql.Tx, table string, reads []store.Read) error {
	var full *sql.Stmt
	args := make([]any, 0, 10*insertRows)
	for len(reads) > 0 {
		n := min(len(reads), insertRows)
		args = args[:0]
		for i := range reads[:n] {
			r := &reads[i]
			args = append(args, r.ID, r.Camera, r.VRM, r.Confidence, r.Captured.UnixNano(),
				r.Lane, r.Direction, r.Format, r.PatchRef, r.OverviewRef)
		}
		var err error
		if n == insertRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, insertSQL(table, insertRows)); err != nil {
					return err
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(table, n), args...)
		}
		if err != nil {
			return err
		}
		reads = reads[n:]
	}
	return nil
}
