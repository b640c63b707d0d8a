package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"anpr/engine/store"
)

// readIDs is what a batch's IDs are checked against, so that a read
// redelivered any time later is stored once, without an index of every ID
// (which ingest would insert into at random): the IDs in the open segment,
// held here, and each sealed segment's ID filter, which sends an ID on to
// that segment's ID index only when it may be there.
//
// It mirrors the file: sync brings it up to date, in the writer's
// transaction, before each batch (another process may have written the
// file; retention drops segments), and the batch adds its IDs after it
// commits. mu is held from the check of a batch's IDs to the end of its
// commit, so two batches never both find an ID new.
type readIDs struct {
	mu      sync.Mutex
	sealed  map[int64]sealedIDs // by segment
	openSeg int64               // the open segment whose IDs open holds; 0: none yet
	open    map[string]struct{}
}

type sealedIDs struct {
	table  string
	filter *idFilter
}

// loadIDs reads the segments' filters and the open segment's IDs when the
// store opens, making the filter of any sealed segment that lacks one (the
// reads table of a store made before segments).
func (s *Store) loadIDs(ctx context.Context) error {
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	g, _, err := findOpenSegment(ctx, tx)
	if err != nil {
		return err
	}
	if err := s.ids.sync(ctx, tx, g); err != nil {
		return err
	}
	return tx.Commit()
}

// sync brings the IDs up to date with the file, in the writer's
// transaction tx; open is the open segment (zero if there is none).
func (ids *readIDs) sync(ctx context.Context, tx *sql.Tx, open segment) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, tbl FROM read_segments WHERE sealed = 1`)
	if err != nil {
		return fmt.Errorf("list sealed segments: %w", err)
	}
	listed := map[int64]string{}
	for rows.Next() {
		var id int64
		var table string
		if err := rows.Scan(&id, &table); err != nil {
			rows.Close()
			return fmt.Errorf("list sealed segments: %w", err)
		}
		listed[id] = table
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("list sealed segments: %w", err)
	}
	if ids.sealed == nil {
		ids.sealed = map[int64]sealedIDs{}
	}
	for id := range ids.sealed {
		if _, ok := listed[id]; !ok {
			delete(ids.sealed, id)
		}
	}
	for id, table := range listed {
		if _, ok := ids.sealed[id]; ok {
			continue
		}
		f, err := segmentFilter(ctx, tx, id, table)
		if err != nil {
			return err
		}
		ids.sealed[id] = sealedIDs{table: table, filter: f}
	}
	if open.id != ids.openSeg || open.reads != int64(len(ids.open)) {
		got, err := segmentIDs(ctx, tx, open.table)
		if err != nil {
			return err
		}
		ids.openSeg, ids.open = open.id, got
	}
	return nil
}

// segmentFilter returns the ID filter kept with a sealed segment, making
// and keeping it if there is none.
func segmentFilter(ctx context.Context, tx *sql.Tx, id int64, table string) (*idFilter, error) {
	var blob []byte
	if err := tx.QueryRowContext(ctx, `SELECT id_filter FROM read_segments WHERE id = ?`, id).Scan(&blob); err != nil {
		return nil, fmt.Errorf("read the ID filter of %s: %w", table, err)
	}
	if blob != nil {
		f := new(idFilter)
		if err := f.UnmarshalBinary(blob); err != nil {
			return nil, fmt.Errorf("the ID filter of %s: %w", table, err)
		}
		return f, nil
	}
	in, err := segmentIDs(ctx, tx, table)
	if err != nil {
		return nil, err
	}
	f := filterOf(in)
	if err := keepFilter(ctx, tx, id, f); err != nil {
		return nil, fmt.Errorf("keep the ID filter of %s: %w", table, err)
	}
	return f, nil
}

func filterOf(ids map[string]struct{}) *idFilter {
	f := newIDFilter(len(ids))
	for id := range ids {
		f.add(hashID(id))
	}
	return f
}

func keepFilter(ctx context.Context, tx *sql.Tx, segment int64, f *idFilter) error {
	blob, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE read_segments SET id_filter = ? WHERE id = ?`, blob, segment)
	return err
}

// segmentIDs returns the IDs of the reads in table ("": none).
func segmentIDs(ctx context.Context, tx *sql.Tx, table string) (map[string]struct{}, error) {
	out := map[string]struct{}{}
	if table == "" {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+table)
	if err != nil {
		return nil, fmt.Errorf("read the IDs in %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read the IDs in %s: %w", table, err)
		}
		out[id] = struct{}{}
	}
	return out, rows.Err()
}

// newReads returns the reads of a batch to store: those whose IDs are not
// stored already, each the first of the batch with its ID (a redelivery
// keeps the first).
func (ids *readIDs) newReads(ctx context.Context, tx *sql.Tx, reads []store.Read) ([]store.Read, error) {
	seen := make(map[string]struct{}, len(reads))
	var candidates []int
	var hashes []uint64
	for i := range reads {
		id := reads[i].ID
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		if _, stored := ids.open[id]; stored {
			continue
		}
		candidates = append(candidates, i)
		hashes = append(hashes, hashID(id))
	}
	// Segment by segment, so that each filter is fetched into the cache
	// once a batch.
	stored := map[string]bool{}
	for _, g := range ids.sealed {
		var suspects []string
		for k, i := range candidates {
			if g.filter.mayContain(hashes[k]) {
				suspects = append(suspects, reads[i].ID)
			}
		}
		if len(suspects) == 0 {
			continue
		}
		list, err := json.Marshal(suspects)
		if err != nil {
			return nil, err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM `+g.table+` WHERE id IN (SELECT value FROM json_each(?))`, string(list))
		if err != nil {
			return nil, fmt.Errorf("look up IDs in %s: %w", g.table, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			stored[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("look up IDs in %s: %w", g.table, err)
		}
	}
	fresh := make([]store.Read, 0, len(candidates))
	for _, i := range candidates {
		if !stored[reads[i].ID] {
			fresh = append(fresh, reads[i])
		}
	}
	return fresh, nil
}
