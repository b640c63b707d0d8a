package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anpr/engine/store"

	"github.com/jackc/pgx/v5"
)

// RunRetention deletes the reads captured more than keep before now (12
// months, nationally) and returns the record of the run; see
// DeleteReadsBefore for how.
func (s *Store) RunRetention(ctx context.Context, keep time.Duration, now time.Time) (store.RetentionRun, error) {
	cutoff, err := store.RetentionCutoff(keep, now)
	if err != nil {
		return store.RetentionRun{}, err
	}
	return s.deleteBefore(ctx, cutoff)
}

// DeleteReadsBefore deletes every read captured before t and records the
// run (RetentionRuns). Whole days before t's day go by dropping their
// tables, oldest first, each counted, dropped and recorded in one
// transaction; the reads of t's own day that are before t are deleted in
// chunks of Options.DeleteChunk, each its own transaction; then the IDs of
// all of them. A run that stops early has deleted only reads it was meant
// to, its record says how many, and the next run finishes the job.
func (s *Store) DeleteReadsBefore(ctx context.Context, t time.Time) (int64, error) {
	run, err := s.deleteBefore(ctx, t)
	return run.Deleted, err
}

func (s *Store) deleteBefore(ctx context.Context, cutoff time.Time) (store.RetentionRun, error) {
	if err := s.checkCutoff(cutoff); err != nil {
		return store.RetentionRun{}, fmt.Errorf("delete reads: %w", err)
	}
	// No read is older than 1970 (store.Read.Check), and the store keeps
	// times as Unix nanoseconds, which an older cutoff would overflow.
	if epoch := time.Unix(0, 0); cutoff.Before(epoch) {
		cutoff = epoch
	}
	run := store.RetentionRun{Cutoff: cutoff.UTC()}
	at := run.Cutoff.Format(time.RFC3339Nano)
	if err := s.startRun(ctx, readRuns, &run); err != nil {
		return store.RetentionRun{}, fmt.Errorf("delete reads before %s: %w", at, err)
	}
	runErr := s.dropDays(ctx, &run)
	if runErr == nil {
		runErr = s.deletePartialDay(ctx, &run)
	}
	if runErr == nil {
		runErr = s.deleteIDs(ctx, run.Cutoff.UnixNano())
	}
	if runErr = s.endRun(ctx, readRuns, &run, runErr); runErr != nil {
		return run, fmt.Errorf("delete reads before %s: stopped after %d: %w", at, run.Deleted, runErr)
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

// dropDays drops the table of every whole day before the cutoff's day.
//
// It holds the schema's partition lock throughout (on one connection, a
// session lock, since DETACH ... CONCURRENTLY cannot run inside a
// transaction), so no batch makes or re-attaches a day's table while it is
// being dropped. Each day is detached first, CONCURRENTLY so that searches
// and ingest go on meanwhile, and once detached no insert can reach it: the
// count recorded is exact.
func (s *Store) dropDays(ctx context.Context, run *store.RetentionRun) error {
	last := dayOf(run.Cutoff.UnixNano()) // the first day not wholly before the cutoff
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	c := conn.Conn()
	return func() (err error) {
		key := lockKey(s.opts.Schema, "partitions")
		if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return fmt.Errorf("lock the partitions: %w", err)
		}
		defer func() {
			if _, uerr := c.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); uerr != nil {
				// Close the connection, and with it the lock, rather
				// than hand it back to the pool holding the lock: the
				// pool destroys a closed connection on release.
				c.Close(context.WithoutCancel(ctx))
				err = errors.Join(err, fmt.Errorf("unlock the partitions: %w", uerr))
			}
		}()
		tables, err := listDayTables(ctx, c, s.opts.Schema)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if t.day >= last {
				break
			}
			s.forgetDays([]int64{t.day})
			name := pgx.Identifier{t.name}.Sanitize()
			// A table neither attached nor pending was detached by a run
			// that stopped before dropping it: it only needs dropping.
			detach := ""
			switch {
			case t.pending:
				detach = `ALTER TABLE reads DETACH PARTITION ` + name + ` FINALIZE`
			case t.attached:
				detach = `ALTER TABLE reads DETACH PARTITION ` + name + ` CONCURRENTLY`
			}
			if detach != "" {
				if _, err := c.Exec(ctx, detach); err != nil {
					return fmt.Errorf("detach table for %s: %w", dayText(t.day), err)
				}
			}
			n, err := dropTable(ctx, c, name, run.ID)
			if err != nil {
				return fmt.Errorf("drop table for %s: %w", dayText(t.day), err)
			}
			run.Deleted += n
		}
		return nil
	}()
}

// dropTable counts and drops a detached day table and adds the count to
// the run's record, in one transaction.
func dropTable(ctx context.Context, c *pgx.Conn, name string, runID int64) (int64, error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var n int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&n); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DROP TABLE `+name); err != nil {
		return 0, err
	}
	if err := countDeleted(ctx, tx, readRuns, runID, n); err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// deletePartialDay deletes the reads before the cutoff that are left once
// whole days are dropped, those of the cutoff's own day, in chunks, each
// with its count recorded in the same transaction.
func (s *Store) deletePartialDay(ctx context.Context, run *store.RetentionRun) error {
	cutoff := run.Cutoff.UnixNano()
	if cutoff == dayStart(dayOf(cutoff)) {
		return nil // the cutoff is midnight: no part of a day to delete
	}
	for {
		var n int64
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `DELETE FROM reads WHERE (captured, id) IN (
				SELECT captured, id FROM reads WHERE captured >= $1 AND captured < $2 ORDER BY captured LIMIT $3)`,
				dayStart(dayOf(cutoff)), cutoff, s.opts.DeleteChunk)
			if err != nil {
				return err
			}
			n = tag.RowsAffected()
			return countDeleted(ctx, tx, readRuns, run.ID, n)
		})
		if err != nil {
			return fmt.Errorf("delete reads of %s: %w", dayText(dayOf(cutoff)), err)
		}
		run.Deleted += n
		if n < int64(s.opts.DeleteChunk) {
			return nil
		}
	}
}

// deleteIDs deletes the IDs of reads captured before cutoff, in chunks.
// Until it runs, a redelivery of a read retention has deleted is still
// skipped as stored, which is as well.
func (s *Store) deleteIDs(ctx context.Context, cutoff int64) error {
	for {
		tag, err := s.pool.Exec(ctx, `DELETE FROM read_ids WHERE id IN (
			SELECT id FROM read_ids WHERE captured < $1 LIMIT $2)`, cutoff, s.opts.DeleteChunk)
		n := tag.RowsAffected()
		if err != nil {
			return fmt.Errorf("delete the IDs of deleted reads: %w", err)
		}
		if n < int64(s.opts.DeleteChunk) {
			return nil
		}
	}
}

// RetentionRuns returns the record of every deletion of reads, oldest
// first.
func (s *Store) RetentionRuns(ctx context.Context) ([]store.RetentionRun, error) {
	return s.runsOf(ctx, readRuns)
}

// The tables that record deletion runs, one for reads and one for alerts,
// so that neither record mixes in the other's runs. Each run is a row
// written when it starts (finished NULL), counted up in the transaction of
// each deletion, and finished when it ends, so that a run cut short by a
// crash still shows, with an exact count.
const (
	readRuns  = "retention_runs"
	alertRuns = "alert_retention_runs"
)

// startRun records the start of a run, setting its ID and start time.
func (s *Store) startRun(ctx context.Context, table string, run *store.RetentionRun) error {
	run.Started = s.opts.Now().UTC()
	err := s.pool.QueryRow(ctx,
		`INSERT INTO `+table+` (started, finished, cutoff, deleted, error) VALUES ($1, NULL, $2, 0, '') RETURNING id`,
		run.Started.UnixNano(), run.Cutoff.UnixNano()).Scan(&run.ID)
	if err != nil {
		return fmt.Errorf("record the run: %w", err)
	}
	return nil
}

// countDeleted adds n to the count of a run, in the transaction that
// deleted them.
func countDeleted(ctx context.Context, tx pgx.Tx, table string, runID, n int64) error {
	_, err := tx.Exec(ctx, `UPDATE `+table+` SET deleted = deleted + $1 WHERE id = $2`, n, runID)
	return err
}

// endRun records the end of a run that stopped with runErr (nil: it
// finished), and returns runErr with any failure to record it.
func (s *Store) endRun(ctx context.Context, table string, run *store.RetentionRun, runErr error) error {
	run.Finished = s.opts.Now().UTC()
	if runErr != nil {
		run.Err = runErr.Error()
	}
	// Record the end even if ctx was cancelled: that is when it matters.
	end := context.WithoutCancel(ctx)
	if _, err := s.pool.Exec(end, `UPDATE `+table+` SET finished = $1, error = $2 WHERE id = $3`,
		run.Finished.UnixNano(), run.Err, run.ID); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("record the run's end: %w", err))
	}
	return runErr
}

// runsOf returns the runs a table records, oldest first.
func (s *Store) runsOf(ctx context.Context, table string) ([]store.RetentionRun, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, started, finished, cutoff, deleted, error FROM `+table+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list retention runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.RetentionRun, error) {
		var run store.RetentionRun
		var started, cutoff int64
		var finished *int64
		if err := row.Scan(&run.ID, &started, &finished, &cutoff, &run.Deleted, &run.Err); err != nil {
			return run, err
		}
		run.Started = time.Unix(0, started).UTC()
		run.Cutoff = time.Unix(0, cutoff).UTC()
		if finished != nil {
			run.Finished = time.Unix(0, *finished).UTC()
		}
		return run, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list retention runs: %w", err)
	}
	return out, nil
}
