package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"anpr/engine/store"
)

// RunRetention deletes the reads captured more than keep before now (12
// months, nationally) and returns the record of the run. It deletes in
// chunks of Options.DeleteChunk reads, each its own transaction, oldest
// first, so ingest waits at most one chunk for it, and a run that stops
// early (ctx cancelled, disk full) has deleted only reads it was meant to
// and says so in its record.
func (s *Store) RunRetention(ctx context.Context, keep time.Duration, now time.Time) (store.RetentionRun, error) {
	cutoff, err := store.RetentionCutoff(keep, now)
	if err != nil {
		return store.RetentionRun{}, err
	}
	return s.deleteBefore(ctx, cutoff)
}

// DeleteReadsBefore deletes every read captured before t, as RunRetention
// does, and records the run in the same way.
func (s *Store) DeleteReadsBefore(ctx context.Context, t time.Time) (int64, error) {
	run, err := s.deleteBefore(ctx, t)
	return run.Deleted, err
}

func (s *Store) deleteBefore(ctx context.Context, cutoff time.Time) (store.RetentionRun, error) {
	if err := s.checkCutoff(cutoff); err != nil {
		return store.RetentionRun{}, fmt.Errorf("delete reads: %w", err)
	}
	// Not while segments are merged: a read deleted from a source would
	// live on in the merged copy.
	s.maintain.Lock()
	defer s.maintain.Unlock()
	return s.deleteOlder(ctx, readsRetained, cutoff, s.deleteReadsChunk)
}

// retained is what retention deletes from by age, oldest first, and where
// it records its runs.
type retained struct {
	table, index, column string // the rows, the index on their age, the age column (reads: in segments)
	runs                 string // the record of runs
}

var (
	readsRetained  = retained{table: "reads", runs: "retention_runs"}
	alertsRetained = retained{table: "alerts", index: "alerts_raised", column: "raised", runs: "alert_retention_runs"}
)

// deleteChunkFunc deletes one chunk of what a run deletes, older than
// cutoff (Unix ns), adds the count to run runID's record in the same
// transaction, and says whether there may be more.
type deleteChunkFunc func(ctx context.Context, runID, cutoff int64) (deleted int64, more bool, err error)

// deleteOlder deletes the rows of t older than cutoff, a chunk at a time,
// and records the run, its end included even when it stops early.
func (s *Store) deleteOlder(ctx context.Context, t retained, cutoff time.Time, chunk deleteChunkFunc) (store.RetentionRun, error) {
	// No row is older than 1970 (reads and alerts are checked so), and
	// the file keeps times as Unix nanoseconds, which an older cutoff
	// would overflow.
	if epoch := time.Unix(0, 0); cutoff.Before(epoch) {
		cutoff = epoch
	}
	run := store.RetentionRun{Started: s.opts.Now().UTC(), Cutoff: cutoff.UTC()}
	fail := func(what string, err error) (store.RetentionRun, error) {
		return run, fmt.Errorf("delete %s before %s: %s: %w", t.table, run.Cutoff.Format(time.RFC3339), what, err)
	}
	res, err := s.w.ExecContext(ctx,
		`INSERT INTO `+t.runs+` (started, finished, cutoff, deleted, error) VALUES (?, NULL, ?, 0, '')`,
		run.Started.UnixNano(), run.Cutoff.UnixNano())
	if err != nil {
		return fail("record the run", err)
	}
	if run.ID, err = res.LastInsertId(); err != nil {
		return fail("record the run", err)
	}
	var runErr error
	for {
		n, more, err := chunk(ctx, run.ID, run.Cutoff.UnixNano())
		run.Deleted += n
		if s.chunkDeleted != nil {
			s.chunkDeleted()
		}
		if err != nil {
			runErr = err
			break
		}
		if !more {
			break
		}
	}
	run.Finished = s.opts.Now().UTC()
	if runErr != nil {
		run.Err = runErr.Error()
	}
	// Record the end even if ctx was cancelled: that is when it matters.
	if _, err := s.w.ExecContext(context.WithoutCancel(ctx),
		`UPDATE `+t.runs+` SET finished = ?, error = ? WHERE id = ?`,
		run.Finished.UnixNano(), run.Err, run.ID); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("record the run's end: %w", err))
	}
	if runErr != nil {
		return fail(fmt.Sprintf("stopped after %d", run.Deleted), runErr)
	}
	return run, nil
}

// checkCutoff refuses a cutoff that is unset or after now: deleting reads
// that may not yet have arrived is never retention, only a mistake.
func (s *Store) checkCutoff(cutoff time.Time) error {
	if cutoff.IsZero() {
		return store.Invalidf("cutoff time is not set")
	}
	if now := s.opts.Now(); cutoff.After(now) {
		return store.Invalidf("cutoff %s is after now (%s): refusing to delete reads not yet captured",
			cutoff.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// deleteRowsChunk returns the chunk function for a table of t: it deletes
// up to DeleteChunk of the oldest rows older than cutoff.
func (s *Store) deleteRowsChunk(t retained) deleteChunkFunc {
	return func(ctx context.Context, runID, cutoff int64) (int64, bool, error) {
		n, err := s.deleteChunk(ctx, t, runID, cutoff)
		return n, n == int64(s.opts.DeleteChunk), err
	}
}

func (s *Store) deleteChunk(ctx context.Context, t retained, runID, cutoff int64) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE seq IN (
		SELECT seq FROM `+t.table+` INDEXED BY `+t.index+` WHERE `+t.column+` < ? ORDER BY `+t.column+` LIMIT ?)`,
		cutoff, s.opts.DeleteChunk)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+t.runs+` SET deleted = deleted + ? WHERE id = ?`, n, runID); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return n, nil
}

// deleteReadsChunk deletes up to DeleteChunk of the oldest reads older
// than cutoff from the segment that holds the oldest, in one transaction.
// A sealed segment left empty is dropped in the same transaction (the
// next batch's sync of the IDs forgets its filter).
func (s *Store) deleteReadsChunk(ctx context.Context, runID, cutoff int64) (int64, bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	g, err := scanSegment(tx.QueryRowContext(ctx, `SELECT `+segmentColumns+` FROM read_segments
		WHERE reads > 0 AND first_captured < ? ORDER BY first_captured, id LIMIT 1`, cutoff))
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	index := ""
	if g.sealed {
		index = ` INDEXED BY ` + indexName(g.table, "captured")
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+g.table+` WHERE seq IN (
		SELECT seq FROM `+g.table+index+` WHERE captured < ? ORDER BY captured LIMIT ?)`,
		cutoff, s.opts.DeleteChunk)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	var left bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+g.table+`)`).Scan(&left); err != nil {
		return 0, false, err
	}
	if !left && g.sealed {
		if err := dropSegment(ctx, tx, g.id, g.table); err != nil {
			return 0, false, err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE read_segments SET reads = reads - ?,
		first_captured = (SELECT min(captured) FROM `+g.table+`),
		last_captured = (SELECT max(captured) FROM `+g.table+`) WHERE id = ?`, n, g.id); err != nil {
		return 0, false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE retention_runs SET deleted = deleted + ? WHERE id = ?`, n, runID); err != nil {
		return 0, false, err
	}
	if err := tx.Commit(); err != nil {
		return 0, false, err
	}
	return n, true, nil
}

// RetentionRuns returns the record of every deletion run of reads, oldest
// first.
func (s *Store) RetentionRuns(ctx context.Context) ([]store.RetentionRun, error) {
	return s.runsOf(ctx, readsRetained)
}

func (s *Store) runsOf(ctx context.Context, t retained) ([]store.RetentionRun, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, started, finished, cutoff, deleted, error FROM `+t.runs+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list %s retention runs: %w", t.table, err)
	}
	defer rows.Close()
	var out []store.RetentionRun
	for rows.Next() {
		var run store.RetentionRun
		var started, cutoff int64
		var finished sql.NullInt64
		if err := rows.Scan(&run.ID, &started, &finished, &cutoff, &run.Deleted, &run.Err); err != nil {
			return nil, fmt.Errorf("list %s retention runs: %w", t.table, err)
		}
		run.Started = time.Unix(0, started).UTC()
		run.Cutoff = time.Unix(0, cutoff).UTC()
		if finished.Valid {
			run.Finished = time.Unix(0, finished.Int64).UTC()
		}
		out = append(out, run)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s retention runs: %w", t.table, err)
	}
	return out, nil
}
