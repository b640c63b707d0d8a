package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations builds the schema. Entry i takes a database from version i to
// version i+1; a database records the versions applied in schema_version.
// Append to the list, never edit an entry that has shipped.
var migrations = []string{
	// 1: reads, their indexes, and the record of retention runs.
	//
	// seq is the rowid: reads are appended in arrival order, so the table
	// itself grows at its end, and every index carries seq for free. id is
	// the caller's ID, unique so that a redelivered read is stored once.
	// captured is Unix nanoseconds, UTC: exact, and ordered as integers.
	// The indexes serve a search by VRM, by camera, and by time (also
	// retention); each is in capture order within its key, so a page comes
	// straight off the index.
	`CREATE TABLE reads (
		seq          INTEGER PRIMARY KEY,
		id           TEXT    NOT NULL UNIQUE,
		camera       TEXT    NOT NULL,
		vrm          TEXT    NOT NULL,
		confidence   REAL    NOT NULL,
		captured     INTEGER NOT NULL,
		lane         TEXT    NOT NULL,
		direction    TEXT    NOT NULL,
		format       TEXT    NOT NULL,
		patch_ref    TEXT    NOT NULL,
		overview_ref TEXT    NOT NULL
	) STRICT;
	CREATE INDEX reads_vrm_captured    ON reads (vrm, captured);
	CREATE INDEX reads_camera_captured ON reads (camera, captured);
	CREATE INDEX reads_captured        ON reads (captured);

	-- One row a deletion run, written when it starts (finished NULL) and
	-- updated when it ends, so a run cut short by a crash still shows.
	CREATE TABLE retention_runs (
		id       INTEGER PRIMARY KEY,
		started  INTEGER NOT NULL,
		finished INTEGER,
		cutoff   INTEGER NOT NULL,
		deleted  INTEGER NOT NULL,
		error    TEXT    NOT NULL
	) STRICT;`,
}

// migrate brings the database up to the last version in migrations in one
// transaction, creating it from nothing if it is empty. It refuses a
// database from a newer program rather than guess at its schema.
func migrate(ctx context.Context, db *sql.DB, now time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY,
		applied INTEGER NOT NULL  -- Unix nanoseconds
	) STRICT`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database schema is version %d, newer than this program's %d: upgrade the program", have, len(migrations))
	}
	for v := have; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied) VALUES (?, ?)`, v+1, now.UnixNano()); err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	return tx.Commit()
}
