package sqlite

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

	// 2: alerts, and the record of their retention runs.
	//
	// body is the whole alert as JSON (alert.Alert's encoding); the other
	// columns copy the fields that queries, statistics and retention look
	// at, and are rewritten with body on every update. raised is Unix
	// nanoseconds, UTC. Results come newest first, by (raised, id), so each
	// index ends in those. list, marker and match_kind are '' for clone
	// alerts, decision_kind and outcome_kind until they are recorded.
	//
	// Alert retention runs have a table of their own, like retention_runs,
	// so that neither record mixes in the other's runs.
	`CREATE TABLE alerts (
		seq           INTEGER PRIMARY KEY,
		id            TEXT    NOT NULL UNIQUE,
		raised        INTEGER NOT NULL,
		kind          TEXT    NOT NULL,
		camera        TEXT    NOT NULL,
		vrm           TEXT    NOT NULL,
		list          TEXT    NOT NULL,
		marker        TEXT    NOT NULL,
		match_kind    TEXT    NOT NULL,
		priority      INTEGER NOT NULL,
		state         TEXT    NOT NULL,
		escalated     INTEGER NOT NULL,
		decision_kind TEXT    NOT NULL,
		outcome_kind  TEXT    NOT NULL,
		body          TEXT    NOT NULL
	) STRICT;
	CREATE INDEX alerts_raised        ON alerts (raised, id);
	CREATE INDEX alerts_camera_raised ON alerts (camera, raised, id);
	CREATE INDEX alerts_state_raised  ON alerts (state, raised, id);
	CREATE INDEX alerts_list_raised   ON alerts (list, raised, id);
	CREATE INDEX alerts_vrm_raised    ON alerts (vrm, raised, id);

	CREATE TABLE alert_retention_runs (
		id       INTEGER PRIMARY KEY,
		started  INTEGER NOT NULL,
		finished INTEGER,
		cutoff   INTEGER NOT NULL,
		deleted  INTEGER NOT NULL,
		error    TEXT    NOT NULL
	) STRICT;`,

	// 3: the VRM reversed, and an index on it, so that a search that knows
	// only the end of a mark ("*2CDE", "?B12CDE": a witness's partial
	// plate) is a range of that index, not a scan of every mark. The
	// column is generated (virtual: computed, never stored), so nothing
	// that writes reads has to fill it in. Ten characters: store.MaxVRMLen.
	`ALTER TABLE reads ADD COLUMN vrm_reversed TEXT GENERATED ALWAYS AS (
		substr(vrm, 10, 1)||substr(vrm, 9, 1)||substr(vrm, 8, 1)||substr(vrm, 7, 1)||substr(vrm, 6, 1)||substr(vrm, 5, 1)||substr(vrm, 4, 1)||substr(vrm, 3, 1)||substr(vrm, 2, 1)||substr(vrm, 1, 1)
	) VIRTUAL;
	CREATE INDEX reads_vrm_reversed_captured ON reads (vrm_reversed, captured);`,

	// 4: reads in arrival segments (see segments.go). Each segment is a
	// table of reads like reads itself; the newest, open one has no index
	// but its row order, and is indexed whole when it is sealed, so that
	// ingest appends rows instead of inserting into indexes at random
	// places. A sealed segment keeps a filter of its read IDs (idfilter.go)
	// so that a redelivery is still stored once without an index of every
	// ID, and a table of the three-character runs in its marks, for
	// searches that know only the middle of a mark. The reads table so far
	// becomes the first segment, sealed (it has its indexes, but no table
	// of runs); its filter is made when the store is first opened.
	`CREATE TABLE read_segments (
		id             INTEGER PRIMARY KEY,
		tbl            TEXT    NOT NULL UNIQUE,
		sealed         INTEGER NOT NULL, -- 0 open, 1 sealed, 2 being made by a merge (merge.go)
		reads          INTEGER NOT NULL,
		first_captured INTEGER, -- Unix nanoseconds; NULL while it holds no reads
		last_captured  INTEGER,
		id_filter      BLOB,    -- sealed: the filter of its IDs
		grams          INTEGER NOT NULL DEFAULT 0, -- 1: it has a table of its marks' three-character runs
		merged         INTEGER NOT NULL DEFAULT 0  -- 1: made by merging sealed segments; never merged again
	) STRICT;
	INSERT INTO read_segments (id, tbl, sealed, reads, first_captured, last_captured)
		SELECT 0, 'reads', 1, count(*), min(captured), max(captured) FROM reads;`,
}
