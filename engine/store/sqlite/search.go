package sqlite

import (
	"context"
	"fmt"
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
	rows, err := s.r.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	defer rows.Close()
	out := make([]store.Read, 0, min(search.Limit, 256))
	for rows.Next() {
		var r store.Read
		var captured int64
		if err := rows.Scan(&r.ID, &r.Camera, &r.VRM, &r.Confidence, &captured,
			&r.Lane, &r.Direction, &r.Format, &r.PatchRef, &r.OverviewRef); err != nil {
			return nil, fmt.Errorf("search reads: %w", err)
		}
		r.Captured = time.Unix(0, captured).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	return out, nil
}

// searchSQL turns a checked search into one SELECT and its arguments. Every
// value the user gave is an argument, never part of the text.
//
// A VRM search is made to use the (vrm, captured) index: an exact mark is
// one range of it, already in capture order; a pattern with a fixed start
// ("AB1*") is a range of marks from that prefix, with LIKE to check the
// rest. A pattern that starts with a wildcard but has a fixed end ("*2CDE",
// "?B12CDE") is a range of the reversed-mark index instead. A pattern
// fixed at neither end ("*12C*") scans the (vrm, captured) index, checking
// LIKE against each mark before the row is read, unless the search names
// cameras, when the planner's choice of the (camera, captured) index is
// better; so does a fixed end of one or two characters with cameras named.
// Without a VRM the planner chooses between the camera and time indexes,
// both of which fit.
func searchSQL(s store.Search) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT ` + readColumns + ` FROM reads`)
	prefix, suffix := s.VRM.Prefix(), s.VRM.Suffix()
	byEnd := prefix == "" && suffix != "" && (len(suffix) >= store.MinFixed || len(s.Cameras) == 0)
	switch {
	case s.VRM.IsZero():
	case byEnd:
		b.WriteString(` INDEXED BY reads_vrm_reversed_captured`)
	case prefix != "" || len(s.Cameras) == 0:
		b.WriteString(` INDEXED BY reads_vrm_captured`)
	}
	and := " WHERE "
	where := func(cond string, a ...any) {
		b.WriteString(and)
		b.WriteString(cond)
		args = append(args, a...)
		and = " AND "
	}
	switch {
	case s.VRM.IsZero():
	case s.VRM.Exact():
		where(`vrm = ?`, s.VRM.String())
	default:
		if prefix != "" {
			where(`vrm >= ?`, prefix)
			if end, ok := store.PrefixEnd(prefix); ok {
				where(`vrm < ?`, end)
			}
		}
		if byEnd {
			start := store.Reverse(suffix)
			where(`vrm_reversed >= ?`, start)
			if end, ok := store.PrefixEnd(start); ok {
				where(`vrm_reversed < ?`, end)
			}
		}
		// SQLite's LIKE ignores ASCII case, which cannot matter: stored
		// marks are upper case only.
		where(`vrm LIKE ? ESCAPE '\'`, store.LikePattern(s.VRM.String()))
	}
	if len(s.Cameras) > 0 {
		marks := strings.Repeat(",?", len(s.Cameras))[1:]
		cams := make([]any, len(s.Cameras))
		for i, c := range s.Cameras {
			cams[i] = c
		}
		where(`camera IN (`+marks+`)`, cams...)
	}
	if !s.From.IsZero() {
		where(`captured >= ?`, s.From.UnixNano())
	}
	if !s.To.IsZero() {
		where(`captured < ?`, s.To.UnixNano())
	}
	if !s.After.IsZero() {
		// The first condition alone bounds an index range; the second
		// settles ties on the time.
		at := s.After.Captured.UnixNano()
		where(`captured >= ? AND (captured > ? OR id > ?)`, at, at, s.After.ID)
	}
	b.WriteString(` ORDER BY captured, id LIMIT ?`)
	args = append(args, s.Limit)
	return b.String(), args
}

// CountReadsByCamera counts the reads each camera made from from to to
// (captured at or after from, before to): for reviewing whether each site
// earns its place. Cameras with no reads are absent.
func (s *Store) CountReadsByCamera(ctx context.Context, from, to time.Time) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT camera, count(*) FROM reads INDEXED BY reads_captured
		WHERE captured >= ? AND captured < ? GROUP BY camera`, clampNano(from), clampNano(to))
	if err != nil {
		return nil, fmt.Errorf("count reads by camera: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var cam string
		var n int64
		if err := rows.Scan(&cam, &n); err != nil {
			return nil, fmt.Errorf("count reads by camera: %w", err)
		}
		out[cam] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count reads by camera: %w", err)
	}
	return out, nil
}
