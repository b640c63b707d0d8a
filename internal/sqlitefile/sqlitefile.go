// Package sqlitefile opens the project's SQLite files the one way they are
// kept: in WAL mode, with one writing connection that takes its lock when a
// transaction begins and read-only connections beside it, each connection
// set up by its pragmas, and the schema brought up to date by a list of
// migrations.
package sqlitefile

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"time"

	"github.com/mattn/go-sqlite3"
)

// OpenPool returns a pool of connections to the file at abs (an absolute
// path): the writer's (WAL journal, write lock taken at BEGIN) or, with
// writer false, read-only ones. Each connection runs pragmas ("synchronous
// = FULL", ...) when it opens.
func OpenPool(abs string, pragmas []string, writer bool) *sql.DB {
	// A file: URI with its path escaped, so that no character of a file
	// name (?, #, %) is read as a setting.
	name := "file:" + (&url.URL{Path: abs}).EscapedPath()
	if writer {
		// Take the write lock when a transaction begins, not at its first
		// write, so that a transaction that reads then writes never has to
		// give way half done.
		name += "?_txlock=immediate"
		// WAL persists in the file, so readers find it there.
		pragmas = append([]string{"journal_mode = WAL"}, pragmas...)
	} else {
		pragmas = append(pragmas, "query_only = 1")
	}
	hook := func(conn *sqlite3.SQLiteConn) error {
		for _, p := range pragmas {
			if _, err := conn.Exec("PRAGMA "+p, nil); err != nil {
				return fmt.Errorf("PRAGMA %s: %w", p, err)
			}
		}
		return nil
	}
	return sql.OpenDB(connector{driver: &sqlite3.SQLiteDriver{ConnectHook: hook}, name: name})
}

// connector opens connections to one file, each set up by its hook.
type connector struct {
	driver *sqlite3.SQLiteDriver
	name   string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.name) }
func (c connector) Driver() driver.Driver                        { return c.driver }

// Migrate brings the database up to the last version in migrations in one
// transaction, creating it from nothing if it is empty. Entry i takes a
// database from version i to i+1; the versions applied are recorded in
// schema_version. It refuses a database from a newer program rather than
// guess at its schema.
func Migrate(ctx context.Context, db *sql.DB, migrations []string, now time.Time) error {
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
