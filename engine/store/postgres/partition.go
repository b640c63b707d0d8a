package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A day is a UTC day, numbered from 1970-01-01 (day 0); the table of day d
// holds the reads captured from dayStart(d) up to dayStart(d+1).
const dayNanos = int64(24 * time.Hour)

// dayOf returns the day of a capture time in Unix nanoseconds, which a
// checked read never has before 1970.
func dayOf(ns int64) int64 { return ns / dayNanos }

func dayStart(d int64) int64 { return d * dayNanos }

// dayBounds returns the partition bounds of day d as SQL literals. The
// last day a Unix nanosecond can reach (2262) has no upper bound.
func dayBounds(d int64) (from, to string) {
	from = strconv.FormatInt(dayStart(d), 10)
	if d >= math.MaxInt64/dayNanos {
		return from, "MAXVALUE"
	}
	return from, strconv.FormatInt(dayStart(d+1), 10)
}

const dayTablePrefix = "reads_"

// dayTable returns the name of day d's table: reads_YYYYMMDD.
func dayTable(d int64) string {
	return dayTablePrefix + time.Unix(0, dayStart(d)).UTC().Format("20060102")
}

// dayOfTable returns the day a table named by dayTable holds, or false if
// name is not such a name.
func dayOfTable(name string) (int64, bool) {
	digits, ok := strings.CutPrefix(name, dayTablePrefix)
	if !ok || len(digits) != 8 {
		return 0, false
	}
	t, err := time.Parse("20060102", digits)
	if err != nil || t.Before(time.Unix(0, 0)) {
		return 0, false
	}
	return dayOf(t.UnixNano()), true
}

func dayText(d int64) string { return time.Unix(0, dayStart(d)).UTC().Format(time.DateOnly) }

// dayTableInfo is a day's table as the catalogue has it.
type dayTableInfo struct {
	name     string
	day      int64
	attached bool // a partition of reads
	pending  bool // being detached: a DETACH ... CONCURRENTLY that did not finish
}

// listDayTables returns the day tables in the schema, attached or not,
// oldest first. A table left detached but not dropped (a retention run cut
// short) is listed too.
func listDayTables(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, schema string) ([]dayTableInfo, error) {
	rows, err := q.Query(ctx, `
		SELECT c.relname, i.inhrelid IS NOT NULL, coalesce(i.inhdetachpending, false)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
		WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE 'reads\_%'`, schema)
	if err != nil {
		return nil, fmt.Errorf("list day tables: %w", err)
	}
	defer rows.Close()
	var out []dayTableInfo
	for rows.Next() {
		var t dayTableInfo
		if err := rows.Scan(&t.name, &t.attached, &t.pending); err != nil {
			return nil, fmt.Errorf("list day tables: %w", err)
		}
		var ok bool
		if t.day, ok = dayOfTable(t.name); ok {
			out = append(out, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list day tables: %w", err)
	}
	slices.SortFunc(out, func(a, b dayTableInfo) int { return cmp.Compare(a.day, b.day) })
	return out, nil
}

// ensureDays makes sure every one of days has its table attached, making
// those that are missing, and tomorrow's when days holds today's.
//
// Tables are made by one process at a time (an advisory lock on the
// schema), and retention takes the same lock while it detaches and drops
// one, so a table is never made and dropped at once. Each is created alone
// and then attached: ATTACH PARTITION locks reads in SHARE UPDATE
// EXCLUSIVE mode, which lets searches and ingest go on, where CREATE TABLE
// ... PARTITION OF would lock them all out until it committed.
func (s *Store) ensureDays(ctx context.Context, days []int64) error {
	today := dayOf(s.opts.Now().UnixNano())
	s.mu.Lock()
	var missing []int64
	for _, d := range days {
		if !s.days[d] {
			missing = append(missing, d)
		}
		if d == today && !s.days[d+1] && !slices.Contains(days, d+1) {
			missing = append(missing, d+1)
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	err := func() error {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '`+lockTimeout+`'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(s.opts.Schema, "partitions")); err != nil {
			return fmt.Errorf("lock the partitions: %w", err)
		}
		tables, err := listDayTables(ctx, tx, s.opts.Schema)
		if err != nil {
			return err
		}
		have := map[int64]dayTableInfo{}
		for _, t := range tables {
			have[t.day] = t
		}
		for _, d := range missing {
			t, ok := have[d]
			name := pgx.Identifier{dayTable(d)}.Sanitize()
			from, to := dayBounds(d)
			switch {
			case ok && t.pending:
				return fmt.Errorf("table for %s is part way through being detached by a retention run that stopped; the next run drops it", dayText(d))
			case ok && t.attached:
				continue
			case !ok:
				if _, err := tx.Exec(ctx, `CREATE TABLE `+name+` (LIKE reads INCLUDING DEFAULTS)`); err != nil {
					return fmt.Errorf("create table for %s: %w", dayText(d), err)
				}
			}
			// A table here but detached was left by a retention run cut
			// short. Attaching it again keeps its reads until the next
			// run drops it and counts them, rather than losing them
			// unrecorded or refusing this batch until then.
			if _, err := tx.Exec(ctx, `ALTER TABLE reads ATTACH PARTITION `+name+` FOR VALUES FROM (`+from+`) TO (`+to+`)`); err != nil {
				return fmt.Errorf("attach table for %s: %w", dayText(d), err)
			}
		}
		return tx.Commit(ctx)
	}()
	if err != nil {
		return fmt.Errorf("make day tables: %w", err)
	}
	s.mu.Lock()
	for _, d := range missing {
		s.days[d] = true
	}
	s.mu.Unlock()
	return nil
}

// forgetDays drops days from what this Store believes is attached, so the
// next batch that needs them looks again.
func (s *Store) forgetDays(days []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range days {
		delete(s.days, d)
	}
}
