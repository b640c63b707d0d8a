package sqlite

// Reads are kept in arrival segments: tables of reads, one after another in
// the order batches arrive, listed in read_segments with the range of
// capture times each holds.
//
// Why: a read indexed by VRM, camera and time lands at a random place in
// each index, and a batch of thousands of reads dirties a page of each
// index for almost every read once the indexes outgrow a batch; SQLite
// writes every dirty page to the log at commit and again at checkpoint, so
// ingest ran at a fraction of its small-store rate as the store grew. The
// newest segment, the open one, has no index but its row order: a batch
// appends rows. When it holds Options.SegmentReads reads it is sealed:
// indexed whole, by sorting, which writes each index page once. A search
// asks every segment whose capture times it overlaps (the open one by a
// scan of at most SegmentReads rows) and merges what they return.
//
// read_ids holds every stored read's ID, so that a read redelivered any
// time later is still stored once; it is the one index that ingest
// inserts into at random.
//
// The reads table of schema versions 1 to 3 is the first segment, sealed.
// Segments are not merged: at the default size a store of 10 million
// reads has 100 of them; a store of billions would want them merged.

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// defaultSegmentReads is how many reads the open segment takes before it
// is sealed: a scan of that many rows, which a search of the open segment
// is, takes a few milliseconds to tens of them.
const defaultSegmentReads = 100000

// segment is one row of read_segments.
type segment struct {
	id          int64
	table       string
	sealed      bool  // indexed; the open segment is not
	reads       int64 // how many reads it holds
	first, last int64 // the capture times of its oldest and newest reads (Unix ns); valid when reads > 0
	grams       bool  // it has a table of the three-character runs in its marks (gramsTable)
}

const segmentColumns = `id, tbl, sealed, reads, coalesce(first_captured, 0), coalesce(last_captured, 0), grams`

func scanSegment(row interface{ Scan(...any) error }) (segment, error) {
	var g segment
	err := row.Scan(&g.id, &g.table, &g.sealed, &g.reads, &g.first, &g.last, &g.grams)
	return g, err
}

// querier is what both a transaction and a pool offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// listSegments returns the segments that the SQL after "FROM
// read_segments" (a WHERE and an ORDER BY) picks.
func listSegments(ctx context.Context, q querier, where string, args ...any) ([]segment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+segmentColumns+` FROM read_segments `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	defer rows.Close()
	var out []segment
	for rows.Next() {
		g, err := scanSegment(rows)
		if err != nil {
			return nil, fmt.Errorf("list segments: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	return out, nil
}

// segmentsBetween returns the segments holding reads captured from lo to
// hi (Unix ns, both inclusive), oldest first reads first.
func segmentsBetween(ctx context.Context, q querier, lo, hi int64) ([]segment, error) {
	return listSegments(ctx, q, `WHERE reads > 0 AND last_captured >= ? AND first_captured <= ?
		ORDER BY first_captured, id`, lo, hi)
}

// allSegments returns every segment that holds reads.
func allSegments(ctx context.Context, q querier) ([]segment, error) {
	return segmentsBetween(ctx, q, math.MinInt64, math.MaxInt64)
}

// findOpenSegment returns the open segment, or false if there is none.
func findOpenSegment(ctx context.Context, q querier) (segment, bool, error) {
	g, err := scanSegment(q.QueryRowContext(ctx,
		`SELECT `+segmentColumns+` FROM read_segments WHERE sealed = 0 ORDER BY id DESC LIMIT 1`))
	switch {
	case err == sql.ErrNoRows:
		return segment{}, false, nil
	case err != nil:
		return segment{}, false, fmt.Errorf("find the open segment: %w", err)
	}
	return g, true, nil
}

// openSegment returns the open segment, making one if there is none.
func openSegment(ctx context.Context, tx *sql.Tx) (segment, error) {
	g, found, err := findOpenSegment(ctx, tx)
	if err != nil || found {
		return g, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM read_segments`).Scan(&g.id); err != nil {
		return segment{}, fmt.Errorf("open a segment: %w", err)
	}
	g.table = segmentTable(g.id)
	if _, err := tx.ExecContext(ctx, createSegmentSQL(g.table)); err != nil {
		return segment{}, fmt.Errorf("open segment %s: %w", g.table, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO read_segments (id, tbl, sealed, reads) VALUES (?, ?, 0, 0)`,
		g.id, g.table); err != nil {
		return segment{}, fmt.Errorf("open segment %s: %w", g.table, err)
	}
	return g, nil
}

// dropSegment drops a segment's tables and its row in read_segments.
func dropSegment(ctx context.Context, tx *sql.Tx, id int64, table string) error {
	for _, stmt := range []string{`DROP TABLE IF EXISTS ` + table, `DROP TABLE IF EXISTS ` + gramsTable(table)} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM read_segments WHERE id = ?`, id)
	return err
}

func segmentTable(id int64) string { return fmt.Sprintf("reads_%06d", id) }

// createIndex makes the index of table named by suffix, on columns.
func createIndex(ctx context.Context, tx *sql.Tx, table, suffix, columns string) error {
	_, err := tx.ExecContext(ctx, `CREATE INDEX `+indexName(table, suffix)+` ON `+table+` (`+columns+`)`)
	return err
}

// createSegmentSQL makes a segment's table: the columns of the reads table
// of schema version 3, with no index.
func createSegmentSQL(table string) string {
	return `CREATE TABLE ` + table + ` (
		seq          INTEGER PRIMARY KEY,
		id           TEXT    NOT NULL,
		camera       TEXT    NOT NULL,
		vrm          TEXT    NOT NULL,
		confidence   REAL    NOT NULL,
		captured     INTEGER NOT NULL,
		lane         TEXT    NOT NULL,
		direction    TEXT    NOT NULL,
		format       TEXT    NOT NULL,
		patch_ref    TEXT    NOT NULL,
		overview_ref TEXT    NOT NULL,
		vrm_reversed TEXT GENERATED ALWAYS AS (` + reversedVRM + `) VIRTUAL
	) STRICT`
}

// reversedVRM is the mark backwards, as in schema version 3.
const reversedVRM = `substr(vrm, 10, 1)||substr(vrm, 9, 1)||substr(vrm, 8, 1)||substr(vrm, 7, 1)||substr(vrm, 6, 1)||` +
	`substr(vrm, 5, 1)||substr(vrm, 4, 1)||substr(vrm, 3, 1)||substr(vrm, 2, 1)||substr(vrm, 1, 1)`

// The indexes of a sealed segment, by what they serve; each is named
// table_suffix, as the reads table's are.
var segmentIndexes = []struct{ suffix, columns string }{
	{"vrm_captured", "vrm, captured"},                   // a mark, or the start of one
	{"vrm_reversed_captured", "vrm_reversed, captured"}, // the end of a mark
	{"camera_captured", "camera, captured"},             // a camera's reads
	{"captured", "captured"},                            // a time range; retention
	{"id", "id"},                                        // whether an ID its filter lets through is there
}

func indexName(table, suffix string) string { return table + "_" + suffix }

// seal indexes the open segment g and keeps the filter of its IDs, in one
// transaction: from then on reads go to a new segment. The caller holds
// s.ids.mu.
func (s *Store) seal(ctx context.Context, g segment) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another batch may have filled and sealed it first.
	var sealed bool
	switch err := tx.QueryRowContext(ctx, `SELECT sealed, reads FROM read_segments WHERE id = ?`, g.id).Scan(&sealed, &g.reads); {
	case err == sql.ErrNoRows || (err == nil && sealed):
		return nil
	case err != nil:
		return fmt.Errorf("seal segment %s: %w", g.table, err)
	}
	for _, ix := range segmentIndexes {
		if err := createIndex(ctx, tx, g.table, ix.suffix, ix.columns); err != nil {
			return fmt.Errorf("seal segment %s: %w", g.table, err)
		}
	}
	if err := makeGrams(ctx, tx, g.table); err != nil {
		return fmt.Errorf("seal segment %s: %w", g.table, err)
	}
	in := s.ids.open
	if s.ids.openSeg != g.id || int64(len(in)) != g.reads {
		if in, err = segmentIDs(ctx, tx, g.table); err != nil {
			return fmt.Errorf("seal segment %s: %w", g.table, err)
		}
	}
	f := filterOf(in)
	if err := keepFilter(ctx, tx, g.id, f); err != nil {
		return fmt.Errorf("seal segment %s: %w", g.table, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE read_segments SET sealed = 1, grams = 1 WHERE id = ?`, g.id); err != nil {
		return fmt.Errorf("seal segment %s: %w", g.table, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seal segment %s: %w", g.table, err)
	}
	s.ids.sealed[g.id] = sealedIDs{table: g.table, filter: f}
	s.ids.openSeg, s.ids.open = 0, map[string]struct{}{}
	return nil
}

// gramsTable is the table of a sealed segment's three-character runs: one
// row for each run in each mark (AB12CDE: AB1, B12, 12C, 2CD, CDE) with the
// read's seq, in run order. A search that knows only the middle of a mark
// ("*12C*") reads the rows of one run instead of scanning every mark.
func gramsTable(table string) string { return table + "_grams" }

// makeGrams makes the table of runs of segment table, by sorting: each
// page is written once.
func makeGrams(ctx context.Context, tx *sql.Tx, table string) error {
	grams := gramsTable(table)
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+grams+` (
		gram TEXT    NOT NULL,
		seq  INTEGER NOT NULL,
		PRIMARY KEY (gram, seq)
	) STRICT, WITHOUT ROWID`); err != nil {
		return err
	}
	// A run can come twice in one mark (AAA1AAA): OR IGNORE keeps one row.
	_, err := tx.ExecContext(ctx, `WITH k(i) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8))
		INSERT OR IGNORE INTO `+grams+` (gram, seq)
		SELECT substr(vrm, i, 3), seq FROM `+table+`, k WHERE i <= length(vrm) - 2 ORDER BY 1, 2`)
	return err
}

// countReads counts the reads stored, segment by segment.
func (s *Store) countReads(ctx context.Context) (int64, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	segs, err := allSegments(ctx, tx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, g := range segs {
		var k int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+g.table).Scan(&k); err != nil {
			return 0, fmt.Errorf("count reads in %s: %w", g.table, err)
		}
		n += k
	}
	return n, nil
}
