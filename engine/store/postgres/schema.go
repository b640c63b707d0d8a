package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations builds the schema. Entry i takes a database from version i to
// version i+1; a database records the versions applied in schema_version.
// Append to the list, never edit an entry that has shipped.
var migrations = []string{
	// 1: reads, the ids that make ingest idempotent, and the record of
	// retention runs.
	//
	// captured is Unix nanoseconds, UTC, as in the SQLite store: a
	// timestamptz keeps microseconds only, and a read comes back to the
	// nanosecond. Text compared for order or by range (id, vrm, camera) is
	// COLLATE "C": results are ordered by ID byte by byte, and a VRM prefix
	// is an index range only under a bytewise collation.
	//
	// reads is partitioned by UTC day of captured; the day tables
	// (reads_YYYYMMDD) are made as batches need them. The primary key
	// (captured, id) serves searches by time and cursors; the other two
	// indexes serve searches by VRM and by camera, each in capture order
	// within its key, so a page comes straight off an index.
	//
	// read_ids holds every stored read's ID, unique across all days (see
	// the package documentation for why), with its capture time so that
	// retention can find the IDs of the days it drops.
	`CREATE TABLE reads (
		id           text COLLATE "C" NOT NULL,
		camera       text COLLATE "C" NOT NULL,
		vrm          text COLLATE "C" NOT NULL,
		confidence   double precision NOT NULL,
		captured     bigint NOT NULL,
		lane         text NOT NULL,
		direction    text NOT NULL,
		format       text NOT NULL,
		patch_ref    text NOT NULL,
		overview_ref text NOT NULL,
		PRIMARY KEY (captured, id)
	) PARTITION BY RANGE (captured);
	CREATE INDEX reads_vrm_captured    ON reads (vrm, captured, id);
	CREATE INDEX reads_camera_captured ON reads (camera, captured, id);

	CREATE TABLE read_ids (
		id       text COLLATE "C" PRIMARY KEY,
		captured bigint NOT NULL
	);
	CREATE INDEX read_ids_captured ON read_ids (captured);

	-- One row a deletion run, written when it starts (finished NULL) and
	-- updated as it goes, so a run cut short by a crash still shows.
	CREATE TABLE retention_runs (
		id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		started  bigint NOT NULL,
		finished bigint,
		cutoff   bigint NOT NULL,
		deleted  bigint NOT NULL,
		error    text   NOT NULL
	);`,

	// 2: alerts, and the record of their retention runs.
	//
	// body is the whole alert (alert.Alert's JSON encoding) as jsonb; the
	// other columns copy the fields that queries, statistics and retention
	// look at, and are rewritten with body on every update. raised is Unix
	// nanoseconds, UTC. Results come newest first by (raised, id), so each
	// index ends in those; ids compare byte by byte (COLLATE "C"). list,
	// marker and match_kind are '' for clone alerts, decision_kind and
	// outcome_kind until they are recorded.
	//
	// The table is not partitioned. Raising is idempotent on the alert's
	// ID alone, which takes a unique index on id, and a partitioned table
	// can only have unique indexes that include its partition key; and
	// alerts are a small share of reads (hundreds of thousands a day
	// nationally at most, against fifty million reads), so retention
	// deleting them in chunks costs little. The partial index serves
	// escalation, which looks for new alerts not yet escalated.
	`CREATE TABLE alerts (
		id            text COLLATE "C" PRIMARY KEY,
		raised        bigint   NOT NULL,
		kind          text     NOT NULL,
		camera        text COLLATE "C" NOT NULL,
		vrm           text COLLATE "C" NOT NULL,
		list          text COLLATE "C" NOT NULL,
		marker        text COLLATE "C" NOT NULL,
		match_kind    text     NOT NULL,
		priority      smallint NOT NULL,
		state         text     NOT NULL,
		escalated     boolean  NOT NULL,
		decision_kind text     NOT NULL,
		outcome_kind  text     NOT NULL,
		body          jsonb    NOT NULL
	);
	CREATE INDEX alerts_raised        ON alerts (raised, id);
	CREATE INDEX alerts_camera_raised ON alerts (camera, raised, id);
	CREATE INDEX alerts_state_raised  ON alerts (state, raised, id);
	CREATE INDEX alerts_list_raised   ON alerts (list, raised, id);
	CREATE INDEX alerts_vrm_raised    ON alerts (vrm, raised, id);
	CREATE INDEX alerts_unescalated   ON alerts (raised, id) WHERE state = 'new' AND NOT escalated;

	CREATE TABLE alert_retention_runs (
		id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		started  bigint NOT NULL,
		finished bigint,
		cutoff   bigint NOT NULL,
		deleted  bigint NOT NULL,
		error    text   NOT NULL
	);`,

	// 3: an index on the VRM reversed, so that a search that knows only the
	// end of a mark ("*2CDE", "?B12CDE": a witness's partial plate) is a
	// range of it, not a scan of every mark, as in the SQLite store. On
	// the partitioned table, so every day's table has it.
	`CREATE INDEX reads_vrm_reversed_captured ON reads ((reverse(vrm)), captured, id);`,
}

// migrate creates the schema if it is missing and brings it up to the last
// version in migrations, in one transaction. Several processes may open
// the store at once: an advisory lock on the schema's name makes them take
// turns. It refuses a database from a newer program rather than guess at
// its schema.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, now time.Time) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(schema, "migrate")); err != nil {
		return fmt.Errorf("lock schema %s: %w", schema, err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version integer PRIMARY KEY,
		applied bigint NOT NULL  -- Unix nanoseconds
	)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database schema is version %d, newer than this program's %d: upgrade the program", have, len(migrations))
	}
	for v := have; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version, applied) VALUES ($1, $2)`, v+1, now.UnixNano()); err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	return tx.Commit(ctx)
}

// lockKey is the advisory lock that serialises one kind of schema change
// (migration, partition changes) on one schema, across processes.
func lockKey(schema, what string) int64 {
	// FNV-1a, 64 bits: stable across processes and releases, which a
	// lock key shared by several processes must be.
	h := uint64(14695981039346656037)
	for _, s := range []string{"anpr/engine/store/postgres", schema, what} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0
		h *= 1099511628211
	}
	return int64(h)
}
