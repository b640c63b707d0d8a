package sqlite

// Merging sealed segments. A search asks every segment its time range
// overlaps and each sealed segment's ID filter is held in memory, so a
// store of many small segments searches slower and holds more. Once
// Options.MergeSegments sealed segments of SegmentReads are waiting, the
// oldest of them are merged into one: a year of a county's reads is then a
// few hundred segments, not thousands. Merged segments are not merged again:
// their indexes are built whole, in one transaction each, and ingest waits
// while they are (a few seconds for a million reads).
//
// A merge gives way to ingest: each step waits until no batch has come for
// Options.MergeQuiet, so under full load merges wait and catch up when the
// load falls. It never holds the write lock for long: the merged segment is made
// as a table that no search, batch or retention run sees (sealed = 2, no
// reads counted), filled a chunk of rows a transaction, indexed an index a
// transaction, and swapped in for its sources in one last transaction. A
// merge cut short leaves only that invisible table, which the next merge
// drops. Retention waits for a merge (s.maintain), so that no read it
// deletes from a source lives on in the merged copy.

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

const (
	defaultMergeSegments = 10
	defaultMergeQuiet    = 500 * time.Millisecond
	mergeCopyRows        = 20000 // rows copied a transaction
)

// waitQuiet returns once no batch has been stored for MergeQuiet.
func (s *Store) waitQuiet(ctx context.Context) error {
	for {
		since := time.Since(time.Unix(0, s.lastBatch.Load()))
		if since >= s.opts.MergeQuiet {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.opts.MergeQuiet - since):
		}
	}
}

// Compact merges sealed segments while MergeSegments of them wait to be
// merged; see merge.go. The store runs it in the background after each
// seal; it is safe to call at any time.
func (s *Store) Compact(ctx context.Context) error {
	if s.opts.MergeSegments < 2 {
		return nil
	}
	s.maintain.Lock()
	defer s.maintain.Unlock()
	if err := s.dropUnfinishedMerges(ctx); err != nil {
		return fmt.Errorf("compact reads: %w", err)
	}
	for {
		sources, err := s.mergeSources(ctx)
		if err != nil {
			return fmt.Errorf("compact reads: %w", err)
		}
		if len(sources) < s.opts.MergeSegments {
			return nil
		}
		if err := s.merge(ctx, sources); err != nil {
			return fmt.Errorf("compact reads: merge %s to %s: %w", sources[0].table, sources[len(sources)-1].table, err)
		}
	}
}

// mergeSources returns the oldest MergeSegments sealed segments made by
// sealing (not merging), in arrival order, or fewer if fewer wait.
func (s *Store) mergeSources(ctx context.Context) ([]segment, error) {
	return listSegments(ctx, s.w, `WHERE sealed = 1 AND merged = 0 AND reads > 0 ORDER BY id LIMIT ?`, s.opts.MergeSegments)
}

// dropUnfinishedMerges drops what merges cut short left behind.
func (s *Store) dropUnfinishedMerges(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `SELECT id, tbl FROM read_segments WHERE sealed = 2`)
	if err != nil {
		return err
	}
	type left struct {
		id    int64
		table string
	}
	var all []left
	for rows.Next() {
		var l left
		if err := rows.Scan(&l.id, &l.table); err != nil {
			rows.Close()
			return err
		}
		all = append(all, l)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return err
	}
	for _, l := range all {
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return dropSegment(ctx, tx, l.id, l.table) }); err != nil {
			return err
		}
	}
	return nil
}

// inTx runs fn in a transaction of the writer and commits it.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// merge copies sources into a new segment, indexes it and swaps it in for
// them.
func (s *Store) merge(ctx context.Context, sources []segment) error {
	var g segment
	if err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM read_segments`).Scan(&g.id); err != nil {
			return err
		}
		g.table = segmentTable(g.id)
		if _, err := tx.ExecContext(ctx, createSegmentSQL(g.table)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO read_segments (id, tbl, sealed, reads, merged) VALUES (?, ?, 2, 0, 1)`, g.id, g.table)
		return err
	}); err != nil {
		return err
	}
	// The rows, source by source, in their order of arrival.
	for _, src := range sources {
		var last int64
		for {
			if err := s.waitQuiet(ctx); err != nil {
				return err
			}
			var next int64
			err := s.inTx(ctx, func(tx *sql.Tx) error {
				if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM `+src.table+`
					WHERE seq > ? ORDER BY seq LIMIT ?)`, last, mergeCopyRows).Scan(&next); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO `+g.table+` (`+readColumns+`) SELECT `+readColumns+
					` FROM `+src.table+` WHERE seq > ? AND seq <= ? ORDER BY seq`, last, next)
				return err
			})
			if err != nil {
				return fmt.Errorf("copy %s: %w", src.table, err)
			}
			if next == 0 {
				break
			}
			last = next
		}
	}
	// Its indexes and table of runs, each in a transaction of its own.
	for _, ix := range segmentIndexes {
		if err := s.waitQuiet(ctx); err != nil {
			return err
		}
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return createIndex(ctx, tx, g.table, ix.suffix, ix.columns) }); err != nil {
			return err
		}
	}
	if err := s.waitQuiet(ctx); err != nil {
		return err
	}
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return makeGrams(ctx, tx, g.table) }); err != nil {
		return err
	}
	// The swap: the merged segment in, its sources out, at once.
	if err := s.waitQuiet(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := segmentIDs(ctx, tx, g.table)
		if err != nil {
			return err
		}
		if err := keepFilter(ctx, tx, g.id, filterOf(ids)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE read_segments SET sealed = 1, grams = 1, reads = ?,
			first_captured = (SELECT min(captured) FROM `+g.table+`),
			last_captured = (SELECT max(captured) FROM `+g.table+`) WHERE id = ?`, len(ids), g.id); err != nil {
			return err
		}
		for _, src := range sources {
			if err := dropSegment(ctx, tx, src.id, src.table); err != nil {
				return err
			}
		}
		return nil
	})
}
