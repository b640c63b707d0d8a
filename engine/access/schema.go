package access

import (
	"time"
)

// migrations builds the schema. Entry i takes a database from version i to
// version i+1; a database records the versions applied in schema_version.
// Append to the list, never edit an entry that has shipped.
//
// Times are Unix nanoseconds, UTC; 0 where there is none.
var migrations = []string{
	// 1: users, sessions, machine tokens and search approvals.
	//
	// A user is never deleted, only disabled, so that a name in the audit
	// log or on an approval always means the one person. password is an
	// argon2id PHC string. Sessions and tokens are looked up by the SHA-256
	// of their secret; the secret itself is never stored.
	`CREATE TABLE users (
		name         TEXT    PRIMARY KEY,
		role         TEXT    NOT NULL,
		password     TEXT    NOT NULL,
		disabled     INTEGER NOT NULL DEFAULT 0,
		created      INTEGER NOT NULL,
		password_set INTEGER NOT NULL
	) STRICT;

	CREATE TABLE sessions (
		token_hash BLOB    PRIMARY KEY,
		user       TEXT    NOT NULL REFERENCES users (name),
		created    INTEGER NOT NULL,
		last_used  INTEGER NOT NULL
	) STRICT;
	CREATE INDEX sessions_user ON sessions (user);

	CREATE TABLE tokens (
		id          TEXT    PRIMARY KEY,
		secret_hash BLOB    NOT NULL UNIQUE,
		name        TEXT    NOT NULL,
		role        TEXT    NOT NULL,
		created     INTEGER NOT NULL,
		revoked     INTEGER NOT NULL DEFAULT 0
	) STRICT;

	CREATE TABLE approvals (
		id             TEXT    PRIMARY KEY,
		investigator   TEXT    NOT NULL REFERENCES users (name),
		reference      TEXT    NOT NULL,
		crime_category TEXT    NOT NULL,
		justification  TEXT    NOT NULL,
		range_from     INTEGER NOT NULL,
		range_to       INTEGER NOT NULL,
		requested      INTEGER NOT NULL,
		status         TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
		decided_by     TEXT    NOT NULL DEFAULT '',
		decided_at     INTEGER NOT NULL DEFAULT 0,
		expires        INTEGER NOT NULL DEFAULT 0,
		note           TEXT    NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX approvals_status ON approvals (status, requested);`,
}

// nanos and fromNanos convert times to and from the columns: 0 is no time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
