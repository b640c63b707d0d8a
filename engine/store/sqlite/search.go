package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"anpr/engine/store"
)

// SearchReads returns one page of the reads q asks for; see store.Store.
//
// Every segment whose capture times the search overlaps is asked for a
// page, oldest segment first, in one read transaction (one snapshot of
// them all); the pages are merged in result order. Segments arrive about
// in capture order, so once the page is full and the next segment's
// oldest read is newer than the page's last, no later segment can change
// it and the rest are not asked.
func (s *Store) SearchReads(ctx context.Context, q store.Query) ([]store.Read, error) {
	search, err := q.Check()
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	defer tx.Rollback()
	lo, hi := captureBounds(search.From, search.To)
	if !search.After.IsZero() {
		lo = max(lo, search.After.Captured.UnixNano())
	}
	segs, err := segmentsBetween(ctx, tx, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("search reads: %w", err)
	}
	var page []store.Read
	for _, g := range segs {
		if len(page) == search.Limit && page[len(page)-1].Captured.UnixNano() < g.first {
			break
		}
		got, err := searchSegment(ctx, tx, g, search)
		if err != nil {
			return nil, fmt.Errorf("search reads: %w", err)
		}
		page = mergePages(page, got, search.Limit)
	}
	if page == nil {
		page = []store.Read{}
	}
	return page, nil
}

// captureBounds turns a search's time range into inclusive bounds in Unix
// nanoseconds.
func captureBounds(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	if !to.IsZero() {
		hi = to.UnixNano() - 1
	}
	return lo, hi
}

// searchSegment returns one page of the reads of segment g that search asks for.
func searchSegment(ctx context.Context, tx *sql.Tx, g segment, search store.Search) ([]store.Read, error) {
	text, args := searchSQL(g, search)
	rows, err := tx.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Read
	for rows.Next() {
		var r store.Read
		var captured int64
		if err := rows.Scan(&r.ID, &r.Camera, &r.VRM, &r.Confidence, &captured,
			&r.Lane, &r.Direction, &r.Format, &r.PatchRef, &r.OverviewRef); err != nil {
			return nil, err
		}
		r.Captured = time.Unix(0, captured).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// mergePages merges two pages in result order and keeps the first limit reads.
func mergePages(a, b []store.Read, limit int) []store.Read {
	if len(a) == 0 {
		return b
	}
	out := make([]store.Read, 0, min(len(a)+len(b), limit))
	for len(out) < limit && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || (len(a) > 0 && !store.CursorOf(b[0]).Before(store.CursorOf(a[0]))) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// searchSQL turns a checked search into one SELECT from segment g and its
// arguments. Every value the user gave is an argument, never part of the
// text. The open segment has no index: its SELECT scans it.
//
// A VRM search is made to use the (vrm, captured) index: an exact mark is
// one range of it, already in capture order; a pattern with a fixed start
// ("AB1*") is a range of marks from that prefix, with LIKE to check the
// rest. A pattern that starts with a wildcard but has a fixed end ("*2CDE",
// "?B12CDE") is a range of the reversed-mark index instead. A pattern
// whose ends fix fewer than three characters but which holds a run of
// three ("*12C*", "A*12C*") reads the rows of that run in the segment's
// table of runs (gramsTable). Otherwise a pattern fixed at neither end
// scans the (vrm, captured) index, checking LIKE against each mark before
// the row is read, unless the search names cameras, when the planner's
// choice of the (camera, captured) index is better; so does a fixed end of
// one or two characters with cameras named.
// Without a VRM the planner chooses between the camera and time indexes,
// both of which fit.
func searchSQL(g segment, s store.Search) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT ` + readColumns + ` FROM ` + g.table)
	prefix, suffix := s.VRM.Prefix(), s.VRM.Suffix()
	byEnd := prefix == "" && suffix != "" && (len(suffix) >= store.MinFixed || len(s.Cameras) == 0)
	run := s.VRM.LongestRun()
	byRun := g.grams && !s.VRM.Exact() && len(run) >= 3 && len(prefix) < 3 && len(suffix) < 3
	switch {
	case !g.sealed, s.VRM.IsZero(), byRun:
	case byEnd:
		b.WriteString(` INDEXED BY ` + indexName(g.table, "vrm_reversed_captured"))
	case prefix != "" || len(s.Cameras) == 0:
		b.WriteString(` INDEXED BY ` + indexName(g.table, "vrm_captured"))
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
		if byRun {
			where(`seq IN (SELECT seq FROM `+gramsTable(g.table)+` WHERE gram = ?)`, run[:3])
		}
		if prefix != "" {
			where(`vrm >= ?`, prefix)
			if end, ok := store.PrefixEnd(prefix); ok {
				where(`vrm < ?`, end)
			}
		}
		// The reversed mark is computed, not stored: in the open
		// segment, which has no index on it, it would be computed for
		// every row scanned, for nothing LIKE does not check anyway.
		if byEnd && g.sealed && !byRun {
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
	fail := func(err error) (map[string]int64, error) {
		return nil, fmt.Errorf("count reads by camera: %w", err)
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	lo, hi := clampNano(from), clampNano(to)
	if hi <= lo {
		return map[string]int64{}, nil
	}
	segs, err := segmentsBetween(ctx, tx, lo, hi-1)
	if err != nil {
		return fail(err)
	}
	out := map[string]int64{}
	for _, g := range segs {
		index := ""
		if g.sealed {
			index = ` INDEXED BY ` + indexName(g.table, "captured")
		}
		rows, err := tx.QueryContext(ctx, `SELECT camera, count(*) FROM `+g.table+index+`
			WHERE captured >= ? AND captured < ? GROUP BY camera`, lo, hi)
		if err != nil {
			return fail(err)
		}
		for rows.Next() {
			var cam string
			var n int64
			if err := rows.Scan(&cam, &n); err != nil {
				rows.Close()
				return fail(err)
			}
			out[cam] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fail(err)
		}
	}
	return out, nil
}
