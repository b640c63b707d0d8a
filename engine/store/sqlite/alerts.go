package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"anpr/engine/alert"
	"anpr/engine/store"
)

// The store keeps alerts too, in the same file as the reads they came
// from: one process, one file to back up.
var _ alert.Repository = (*Store)(nil)

// MaxAlertBatch is the most alerts one AddAlerts call takes.
const MaxAlertBatch = 1000

const alertColumns = `id, raised, kind, camera, vrm, list, marker, match_kind, priority, state, escalated, decision_kind, outcome_kind, body`

// alertRow returns the values of alertColumns for a.
func alertRow(a *alert.Alert) ([]any, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode alert %s: %w", a.ID, err)
	}
	f := a.Facts()
	escalated := 0
	if a.Escalated {
		escalated = 1
	}
	return []any{a.ID, a.Raised.UnixNano(), string(a.Kind), a.Read.Camera, a.Read.VRM, f.List, f.Marker, f.Match,
		a.Priority, string(a.State), escalated, string(f.Decision), string(f.Outcome), string(body)}, nil
}

func decodeAlert(body string) (alert.Alert, error) {
	var a alert.Alert
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return alert.Alert{}, fmt.Errorf("decode stored alert: %w", err)
	}
	return a, nil
}

// AddAlerts stores a batch of alerts in one transaction; see
// alert.Repository.
func (s *Store) AddAlerts(ctx context.Context, alerts []alert.Alert) error {
	if len(alerts) > MaxAlertBatch {
		return fmt.Errorf("add alerts: %w", alert.Invalidf("batch of %d alerts is over the limit of %d: split it", len(alerts), MaxAlertBatch))
	}
	rows := make([][]any, len(alerts))
	for i := range alerts {
		if err := alerts[i].Check(); err != nil {
			return fmt.Errorf("add alerts: alert %d of batch: %w", i, err)
		}
		row, err := alertRow(&alerts[i])
		if err != nil {
			return fmt.Errorf("add alerts: %w", err)
		}
		rows[i] = row
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.insertAlerts(ctx, rows); err != nil {
		return fmt.Errorf("add %d alerts: %w", len(alerts), err)
	}
	return nil
}

func (s *Store) insertAlerts(ctx context.Context, rows [][]any) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	marks := strings.Repeat(",?", strings.Count(alertColumns, ",")+1)[1:]
	// An alert whose ID is stored already keeps what it has: it may have
	// been decided since.
	ins, err := tx.PrepareContext(ctx, `INSERT INTO alerts (`+alertColumns+`) VALUES (`+marks+`) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, row := range rows {
		if _, err := ins.ExecContext(ctx, row...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Alert returns the alert with the ID; see alert.Repository.
func (s *Store) Alert(ctx context.Context, id string) (alert.Alert, error) {
	if err := alert.CheckID(id); err != nil {
		return alert.Alert{}, fmt.Errorf("get alert: %w", err)
	}
	var body string
	err := s.r.QueryRowContext(ctx, `SELECT body FROM alerts WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return alert.Alert{}, alert.NotFound(id)
	}
	if err != nil {
		return alert.Alert{}, fmt.Errorf("get alert %s: %w", id, err)
	}
	a, err := decodeAlert(body)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("get alert %s: %w", id, err)
	}
	return a, nil
}

// Alerts returns one page of the alerts q asks for, newest first; see
// alert.Repository.
func (s *Store) Alerts(ctx context.Context, q alert.Query) ([]alert.Alert, error) {
	q, err := q.Check()
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	// The cursor's position and the page come from one snapshot.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer tx.Rollback()
	var before *cursor
	if q.Before != "" {
		c := cursor{id: q.Before}
		err := tx.QueryRowContext(ctx, `SELECT raised FROM alerts WHERE id = ?`, q.Before).Scan(&c.raised)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("list alerts: %w", alert.Invalidf("cursor: alert %q is not stored (deleted since the page before?)", q.Before))
		}
		if err != nil {
			return nil, fmt.Errorf("list alerts: cursor: %w", err)
		}
		before = &c
	}
	text, args := alertsSQL(q, before)
	rows, err := tx.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	out := make([]alert.Alert, 0, min(q.Limit, 256))
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		a, err := decodeAlert(body)
		if err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// cursor is the position of an alert in the order alerts come in.
type cursor struct {
	raised int64
	id     string
}

// alertsSQL turns a checked query into one SELECT and its arguments. Every
// value the user gave is an argument, never part of the text. The planner
// picks the index: each one ends in (raised, id), the order of the results.
func alertsSQL(q alert.Query, before *cursor) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT body FROM alerts`)
	and := " WHERE "
	where := func(cond string, a ...any) {
		b.WriteString(and)
		b.WriteString(cond)
		args = append(args, a...)
		and = " AND "
	}
	if len(q.States) > 0 {
		states := make([]any, len(q.States))
		for i, st := range q.States {
			states[i] = string(st)
		}
		where(`state IN (`+strings.Repeat(",?", len(states))[1:]+`)`, states...)
	}
	if q.Kind != "" {
		where(`kind = ?`, string(q.Kind))
	}
	if q.Camera != "" {
		where(`camera = ?`, q.Camera)
	}
	if q.List != "" {
		where(`list = ?`, q.List)
	}
	if q.VRM != "" {
		where(`vrm = ?`, q.VRM)
	}
	if q.Escalated != nil {
		where(`escalated = ?`, map[bool]int{false: 0, true: 1}[*q.Escalated])
	}
	if !q.Since.IsZero() {
		where(`raised >= ?`, clampNano(q.Since))
	}
	if !q.Until.IsZero() {
		where(`raised < ?`, clampNano(q.Until))
	}
	if before != nil {
		// The first condition alone bounds an index range; the second
		// settles ties on the time.
		where(`raised <= ? AND (raised < ? OR id < ?)`, before.raised, before.raised, before.id)
	}
	b.WriteString(` ORDER BY raised DESC, id DESC LIMIT ?`)
	args = append(args, q.Limit)
	return b.String(), args
}

// clampNano is t in Unix nanoseconds, clamped to what that can hold: a
// bound outside it bounds no stored alert anyway.
func clampNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, minNano)):
		return minNano
	case t.After(time.Unix(0, maxNano)):
		return maxNano
	}
	return t.UnixNano()
}

const (
	minNano = -1 << 63
	maxNano = 1<<63 - 1
)

// UpdateAlert reads, changes and writes an alert in one transaction on the
// writing connection; see alert.Repository. fn's error is returned as it
// is.
func (s *Store) UpdateAlert(ctx context.Context, id string, fn func(*alert.Alert) error) (alert.Alert, error) {
	if err := alert.CheckID(id); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert: %w", err)
	}
	// The writer's transactions take the write lock as they begin, so no
	// other write comes between this read and the write below.
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	defer tx.Rollback()
	var body string
	err = tx.QueryRowContext(ctx, `SELECT body FROM alerts WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return alert.Alert{}, alert.NotFound(id)
	}
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	a, err := decodeAlert(body)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	if err := fn(&a); err != nil {
		return alert.Alert{}, err
	}
	if a.ID != id {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, alert.Invalidf("the update changed the alert's id to %q", a.ID))
	}
	if err := a.Check(); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	row, err := alertRow(&a)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET (`+alertColumns+`) = (`+strings.Repeat(",?", len(row))[1:]+`) WHERE id = ?`,
		append(row, id)...); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	return a, nil
}

// AlertStats counts the alerts raised in a period; see alert.Repository.
// It counts them grouped by everything alert.Stats breaks them down by,
// in one statement, so that every figure comes from one snapshot.
func (s *Store) AlertStats(ctx context.Context, since, until time.Time) (alert.Stats, error) {
	if err := alert.CheckPeriod(since, until); err != nil {
		return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT camera, list, marker, match_kind, kind, state, decision_kind, outcome_kind, escalated, count(*) FROM alerts`)
	and := " WHERE "
	if !since.IsZero() {
		b.WriteString(and + `raised >= ?`)
		args = append(args, clampNano(since))
		and = " AND "
	}
	if !until.IsZero() {
		b.WriteString(and + `raised < ?`)
		args = append(args, clampNano(until))
	}
	b.WriteString(` GROUP BY camera, list, marker, match_kind, kind, state, decision_kind, outcome_kind, escalated`)
	rows, err := s.r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	defer rows.Close()
	var t alert.Tally
	for rows.Next() {
		var f alert.Facts
		var kind, state, decision, outcome string
		var n int
		if err := rows.Scan(&f.Camera, &f.List, &f.Marker, &f.Match, &kind, &state, &decision, &outcome, &f.Escalated, &n); err != nil {
			return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
		}
		f.Kind, f.State, f.Decision, f.Outcome = alert.Kind(kind), alert.State(state), alert.DecisionKind(decision), alert.OutcomeKind(outcome)
		t.Add(f, n)
	}
	if err := rows.Err(); err != nil {
		return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	return t.Stats(since, until), nil
}

// DeleteAlertsBefore deletes every alert raised before t, whatever its
// state, and records the run (AlertRetentionRuns). Like the deletion of
// reads it goes in chunks of Options.DeleteChunk, each its own
// transaction, and refuses a t after the clock's now.
func (s *Store) DeleteAlertsBefore(ctx context.Context, t time.Time) (int64, error) {
	run, err := s.deleteAlertsBefore(ctx, t)
	return run.Deleted, err
}

func (s *Store) deleteAlertsBefore(ctx context.Context, cutoff time.Time) (store.RetentionRun, error) {
	switch now := s.opts.Now(); {
	case cutoff.IsZero():
		return store.RetentionRun{}, fmt.Errorf("delete alerts: %w", alert.Invalidf("cutoff time is not set"))
	case cutoff.After(now):
		return store.RetentionRun{}, fmt.Errorf("delete alerts: %w", alert.Invalidf("cutoff %s is after now (%s): refusing to delete alerts not yet raised",
			cutoff.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	return s.deleteOlder(ctx, alertsRetained, cutoff, s.deleteRowsChunk(alertsRetained))
}

// AlertRetentionRuns returns the record of every deletion of alerts,
// oldest first.
func (s *Store) AlertRetentionRuns(ctx context.Context) ([]store.RetentionRun, error) {
	return s.runsOf(ctx, alertsRetained)
}

// AlertImageRefs returns the image refs of every stored alert's read: the
// images image retention must keep while their alerts are kept, after the
// reads themselves are gone.
func (s *Store) AlertImageRefs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT json_extract(body, '$.read.patch_ref'), json_extract(body, '$.read.overview_ref') FROM alerts`)
	if err != nil {
		return nil, fmt.Errorf("list alert images: %w", err)
	}
	defer rows.Close()
	refs := map[string]bool{}
	for rows.Next() {
		var patch, overview sql.NullString
		if err := rows.Scan(&patch, &overview); err != nil {
			return nil, fmt.Errorf("list alert images: %w", err)
		}
		for _, r := range []sql.NullString{patch, overview} {
			if r.Valid && r.String != "" {
				refs[r.String] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alert images: %w", err)
	}
	return refs, nil
}
