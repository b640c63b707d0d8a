package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"anpr/engine/store"
)

// SearchReads returns one page of the reads q asks for; see store.Store.
func (s *Store) SearchReads(ctx context.Context, q store.Query) ([]store.Read, error) {
	search, err := q.Check()
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	text, args := searchSQL(search)
	out := make([]store.Read, 0, min(search.Limit, 256))
	rows, err := s.pool.Query(ctx, text, args...)
	if err == nil {
		for rows.Next() {
			var r store.Read
			var captured int64
			if err := rows.Scan(&r.ID, &r.Camera, &r.VRM, &r.Confidence, &captured,
				&r.Lane, &r.Direction, &r.Format, &r.PatchRef, &r.OverviewRef); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search reads: %w", err)
			}
			r.Captured = time.Unix(0, captured).UTC()
			out = append(out, r)
		}
		rows.Close()
		err = rows.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	return out, nil
}

// searchSQL turns a checked search into one SELECT and its arguments. Every
// value the user gave is an argument, never part of the text.
//
// The conditions are those of the SQLite store's search, so the two find
// the same reads in the same order. A time range prunes the search to its
// days' tables; within a table an exact mark is one range of the (vrm,
// captured, id) index, already in result order, and a pattern with a fixed
// start is a range of marks from that prefix, with LIKE to check the rest;
// one with only a fixed end, a range of the reversed-mark index.
// Partitions are ranges of captured, the leading key of the order, so the
// planner reads them in order and stops when the page is full.
func searchSQL(s store.Search) (string, []any) {
	var b strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT ` + readColumnList + ` FROM reads`)
	and := " WHERE "
	where := func(cond string) {
		b.WriteString(and)
		b.WriteString(cond)
		and = " AND "
	}
	switch {
	case s.VRM.IsZero():
	case s.VRM.Exact():
		where(`vrm = ` + arg(s.VRM.String()))
	default:
		if prefix := s.VRM.Prefix(); prefix != "" {
			where(`vrm >= ` + arg(prefix))
			if end, ok := store.PrefixEnd(prefix); ok {
				where(`vrm < ` + arg(end))
			}
		} else if suffix := s.VRM.Suffix(); suffix != "" {
			// Only the end is fixed: a range of the reversed-mark index.
			start := store.Reverse(suffix)
			where(`reverse(vrm) >= ` + arg(start))
			if end, ok := store.PrefixEnd(start); ok {
				where(`reverse(vrm) < ` + arg(end))
			}
		}
		where(`vrm LIKE ` + arg(store.LikePattern(s.VRM.String())) + ` ESCAPE '\'`)
	}
	if len(s.Cameras) > 0 {
		where(`camera = ANY(` + arg(s.Cameras) + `)`)
	}
	if !s.From.IsZero() {
		where(`captured >= ` + arg(s.From.UnixNano()))
	}
	if !s.To.IsZero() {
		where(`captured < ` + arg(s.To.UnixNano()))
	}
	if !s.After.IsZero() {
		// The first condition alone bounds an index range and prunes
		// days; the row comparison settles ties on the time. id is
		// COLLATE "C", so it compares byte by byte, as store.Cursor does.
		at := arg(s.After.Captured.UnixNano())
		where(`captured >= ` + at + ` AND (captured, id) > (` + at + `, ` + arg(s.After.ID) + `)`)
	}
	b.WriteString(` ORDER BY captured, id LIMIT ` + arg(s.Limit))
	return b.String(), args
}
