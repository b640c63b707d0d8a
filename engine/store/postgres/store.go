// Package postgres is the scaled-out store of reads: store.Store on a
// PostgreSQL server, for a deployment whose reads outgrow one SQLite file
// (nationally, about 50 million a day kept a year).
//
// # Partitions by day
//
// Reads are partitioned by the UTC day they were captured: one table a day
// (reads_YYYYMMDD), made when the first batch with a read of that day
// arrives, and the next day's too when that day is today, so that midnight
// finds its table ready. A search bounded in time touches only its days'
// tables, and retention drops whole days, which costs nothing like
// deleting fifty million rows one by one. A day's table is made on its own
// and then attached, which takes a lock on the parent table that lets
// searches and ingest carry on, where CREATE TABLE ... PARTITION OF would
// stop them all.
//
// # Idempotence across days
//
// Ingest is idempotent on the read's ID, across all days: a read delivered
// again is skipped even if its captured time differs from the first
// delivery's (store.Store requires it, and storetest checks it). PostgreSQL
// cannot enforce that on reads itself: a unique index on a partitioned
// table must include the partition key, so the primary key (captured, id)
// only says an ID is unique within one capture time. Keying the identity
// on (id, captured) instead would make a redelivery with a corrected clock
// a second read.
//
// So every stored read's ID is also kept in read_ids, one unpartitioned
// table whose primary key is the ID alone. A batch is copied (COPY) into a
// temporary staging table; its IDs are inserted into read_ids with ON
// CONFLICT DO NOTHING, and only the reads whose IDs went in are inserted
// into reads, in the same transaction. Two writers delivering the same
// read at once are settled by the unique index: the second waits for the
// first to commit and then skips it. IDs are inserted in ID order, so
// writers with overlapping batches lock them in the same order and cannot
// deadlock.
//
// The price is a second index entry per read, in a B-tree that spans the
// whole retention period (about 18 billion IDs nationally). Retention
// deletes from read_ids row by row, in chunks, after dropping the days'
// tables. IDs that arrive in time order (ULIDs, UUIDv7) keep inserts into
// read_ids at the right edge of the index, where they are cheap.
//
// # Retention
//
// [Store.DeleteReadsBefore] and [Store.RunRetention] delete reads captured
// before a cutoff: every whole day before the cutoff's by dropping its
// table, oldest first; then the rows of the cutoff's own day that are
// before it, in chunks; then those reads' IDs. A day is detached with DETACH PARTITION CONCURRENTLY,
// which does not stop searches or ingest, then counted and dropped, so the
// run's record ([Store.RetentionRuns]) says exactly how many reads went. A
// run cut short (a crash between detaching and dropping) is finished by
// the next one.
//
// # Alerts
//
// The store is an alert.Repository too, so that matchers raising alerts
// and consoles deciding them share one record (the alerttest suite holds
// it to the same behaviour as the SQLite store). Each alert is one row of
// alerts: the whole alert as jsonb, beside copies of the fields queries,
// statistics and retention look at, each indexed with (raised, id), the
// order results come in. The table is not partitioned: raising is
// idempotent on the alert's ID alone, which takes a unique index a
// partitioned table cannot have, and alerts are a small share of reads.
// [Store.UpdateAlert] reads the alert with SELECT ... FOR UPDATE and
// writes it in the same transaction, so that changes from any number of
// processes take turns. Alerts are deleted by age in chunks, each run
// recorded ([Store.AlertRetentionRuns]) apart from the runs on reads.
//
// Connections come from a pool of its own (pgxpool, at most
// [Options.MaxConns]); each has search_path set to [Options.Schema], so
// one database can hold several stores (tests use a schema each), and its
// own temporary staging table for ingest.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"anpr/engine/store"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configures a Store. The zero Options is the default.
type Options struct {
	Schema      string           // the schema that holds the store's tables, created if missing; "": "anpr"
	MaxBatch    int              // most reads one AddReads call takes; 0: store.DefaultMaxBatch
	DeleteChunk int              // rows deleted per transaction by retention; 0: 10,000
	MaxConns    int              // connections to the server at most; 0: 8 (the connection string's pool_max_conns is not used)
	Now         func() time.Time // the clock for retention records and the guard on cutoffs; nil: time.Now
}

const (
	defaultSchema      = "anpr"
	defaultDeleteChunk = 10000
	defaultMaxConns    = 8
	// lockTimeout bounds how long a change to the partitions waits for a
	// lock before giving up (to be retried) rather than queue every
	// search and ingest behind it.
	lockTimeout = "10s"
)

// Store is a store of reads in a PostgreSQL schema. It is safe for
// concurrent use, and several processes may use one schema at once.
type Store struct {
	pool *pgxpool.Pool
	opts Options

	mu   sync.Mutex
	days map[int64]bool // days whose table this Store knows to be attached
}

var _ store.Store = (*Store)(nil)

// Open connects to the database connString names (a URL or DSN as libpq
// takes them, e.g. "postgres://anpr@db1:5432/anpr") and brings the
// store's schema up to date, creating it if it does not exist.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	if opts.Schema == "" {
		opts.Schema = defaultSchema
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = store.DefaultMaxBatch
	}
	if opts.DeleteChunk <= 0 {
		opts.DeleteChunk = defaultDeleteChunk
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = defaultMaxConns
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	config, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// The parse error may quote the connection string, password and
		// all; say only that it was bad.
		return nil, fmt.Errorf("open read store: connection string: %w", store.Invalidf("cannot be parsed"))
	}
	config.MaxConns = int32(opts.MaxConns)
	cc := config.ConnConfig
	where := fmt.Sprintf("%s@%s:%d/%s schema %s", cc.User, cc.Host, cc.Port, cc.Database, opts.Schema)
	cc.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "anpr read store"
	}
	config.AfterConnect = setupConn
	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return nil, fmt.Errorf("open read store %s: %w", where, err)
	}
	s := &Store{pool: pool, opts: opts, days: map[int64]bool{}}
	// Processes starting together race to create the schema: the
	// advisory lock serialises them, but a catalog lookup made after
	// waiting for it can miss the schema the first one just committed,
	// and CREATE SCHEMA IF NOT EXISTS then fails on the catalog's unique
	// index. Once more, and the schema is there to be seen.
	for attempt := 0; ; attempt++ {
		err = migrate(ctx, pool, opts.Schema, opts.Now())
		var pgErr *pgconn.PgError
		if err == nil || attempt == 2 || !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			break
		}
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open read store %s: %w", where, err)
	}
	return s, nil
}

// setupConn makes a new connection's staging table: temporary, so each
// connection has its own, and emptied at every commit.
func setupConn(ctx context.Context, c *pgx.Conn) error {
	_, err := c.Exec(ctx, `CREATE TEMPORARY TABLE read_staging (
		id           text COLLATE "C" NOT NULL,
		camera       text NOT NULL,
		vrm          text NOT NULL,
		confidence   double precision NOT NULL,
		captured     bigint NOT NULL,
		lane         text NOT NULL,
		direction    text NOT NULL,
		format       text NOT NULL,
		patch_ref    text NOT NULL,
		overview_ref text NOT NULL
	) ON COMMIT DELETE ROWS`)
	if err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close closes the store's connections, waiting for calls in progress.
// Calls made after it fail.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

var readColumns = []string{"id", "camera", "vrm", "confidence", "captured", "lane", "direction", "format", "patch_ref", "overview_ref"}

const readColumnList = `id, camera, vrm, confidence, captured, lane, direction, format, patch_ref, overview_ref`

// insertSQL moves the staged batch into the store: the reads whose IDs are
// new go in, the rest are redeliveries and are skipped. The outer ON
// CONFLICT only matters if read_ids has lost an ID whose read is still
// stored (retention racing a late redelivery of a read it is removing);
// skipping is right then too.
const insertSQL = `WITH new AS (
	INSERT INTO read_ids (id, captured)
	SELECT id, captured FROM read_staging ORDER BY id
	ON CONFLICT (id) DO NOTHING
	RETURNING id
)
INSERT INTO reads (` + readColumnList + `)
SELECT ` + readColumnList + ` FROM read_staging WHERE id IN (SELECT id FROM new)
ON CONFLICT DO NOTHING`

// AddReads stores a batch of reads in one transaction; see store.Store.
func (s *Store) AddReads(ctx context.Context, reads []store.Read) (int, error) {
	if err := store.CheckBatch(reads, s.opts.MaxBatch); err != nil {
		return 0, fmt.Errorf("add reads: %w", err)
	}
	if len(reads) == 0 {
		return 0, nil
	}
	rows, days := stage(reads)
	for attempt := 0; ; attempt++ {
		if err := s.ensureDays(ctx, days); err != nil {
			return 0, fmt.Errorf("add %d reads: %w", len(reads), err)
		}
		added, err := s.insert(ctx, rows)
		// Another process's retention may have dropped a day this Store
		// thought was there: look again, once.
		if err != nil && isNoPartition(err) && attempt == 0 {
			s.forgetDays(days)
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("add %d reads: %w", len(reads), err)
		}
		return added, nil
	}
}

// stage returns the rows to copy for a batch, with any read whose ID came
// earlier in the batch left out (the first delivery is the one kept), and
// the days the batch touches.
func stage(reads []store.Read) (rows [][]any, days []int64) {
	seen := make(map[string]bool, len(reads))
	seenDay := map[int64]bool{}
	rows = make([][]any, 0, len(reads))
	for i := range reads {
		r := &reads[i]
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		ns := r.Captured.UnixNano()
		if d := dayOf(ns); !seenDay[d] {
			seenDay[d] = true
			days = append(days, d)
		}
		rows = append(rows, []any{r.ID, r.Camera, r.VRM, r.Confidence, ns,
			r.Lane, r.Direction, r.Format, r.PatchRef, r.OverviewRef})
	}
	return rows, days
}

func (s *Store) insert(ctx context.Context, rows [][]any) (int, error) {
	// One connection for the whole transaction: the staging table is that
	// connection's own.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"read_staging"}, readColumns, pgx.CopyFromRows(rows)); err != nil {
		return 0, fmt.Errorf("copy into staging: %w", err)
	}
	tag, err := tx.Exec(ctx, insertSQL)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// isNoPartition reports whether err is PostgreSQL's refusal of a row for
// which the partitioned table has no partition.
func isNoPartition(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && strings.HasPrefix(pe.Message, "no partition of relation")
}
