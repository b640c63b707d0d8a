package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"anpr/engine/alert"
	"anpr/engine/store"

	"github.com/jackc/pgx/v5"
)

// The store keeps alerts too, in the same database as the reads they came
// from, so that a matcher and a console share them: alert.Repository.
var _ alert.Repository = (*Store)(nil)

// MaxAlertBatch is the most alerts one AddAlerts call takes.
const MaxAlertBatch = 1000

const alertColumnList = `id, raised, kind, camera, vrm, list, marker, match_kind, priority, state, escalated, decision_kind, outcome_kind, body`

// alertRow is an alert's values for alertColumnList.
type alertRow struct {
	id, kind, camera, vrm, list, marker, match, state, decision, outcome string
	raised                                                               int64
	priority                                                             int16
	escalated                                                            bool
	body                                                                 string
}

func rowOf(a *alert.Alert) (alertRow, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return alertRow{}, fmt.Errorf("encode alert %s: %w", a.ID, err)
	}
	f := a.Facts()
	return alertRow{id: a.ID, raised: a.Raised.UnixNano(), kind: string(a.Kind), camera: a.Read.Camera, vrm: a.Read.VRM,
		list: f.List, marker: f.Marker, match: f.Match, priority: int16(a.Priority), state: string(a.State),
		escalated: a.Escalated, decision: string(f.Decision), outcome: string(f.Outcome), body: string(body)}, nil
}

func (r *alertRow) values() []any {
	return []any{r.id, r.raised, r.kind, r.camera, r.vrm, r.list, r.marker, r.match, r.priority, r.state,
		r.escalated, r.decision, r.outcome, r.body}
}

func decodeAlert(body []byte) (alert.Alert, error) {
	var a alert.Alert
	if err := json.Unmarshal(body, &a); err != nil {
		return alert.Alert{}, fmt.Errorf("decode stored alert: %w", err)
	}
	return a, nil
}

// insertAlertsSQL stores a batch given as one array a column, in one
// statement. An alert whose ID is stored already keeps what it has: it may
// have been decided since.
const insertAlertsSQL = `INSERT INTO alerts (` + alertColumnList + `)
SELECT id, raised, kind, camera, vrm, list, marker, match_kind, priority, state, escalated, decision_kind, outcome_kind, body::jsonb
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
	$9::smallint[], $10::text[], $11::boolean[], $12::text[], $13::text[], $14::text[])
	AS b(id, raised, kind, camera, vrm, list, marker, match_kind, priority, state, escalated, decision_kind, outcome_kind, body)
ON CONFLICT (id) DO NOTHING`

// AddAlerts stores a batch of alerts in one statement; see
// alert.Repository.
func (s *Store) AddAlerts(ctx context.Context, alerts []alert.Alert) error {
	if len(alerts) > MaxAlertBatch {
		return fmt.Errorf("add alerts: %w", alert.Invalidf("batch of %d alerts is over the limit of %d: split it", len(alerts), MaxAlertBatch))
	}
	rows := make([]alertRow, 0, len(alerts))
	seen := make(map[string]bool, len(alerts))
	for i := range alerts {
		if err := alerts[i].Check(); err != nil {
			return fmt.Errorf("add alerts: alert %d of batch: %w", i, err)
		}
		if seen[alerts[i].ID] {
			continue // the first of the batch is the one kept
		}
		seen[alerts[i].ID] = true
		row, err := rowOf(&alerts[i])
		if err != nil {
			return fmt.Errorf("add alerts: %w", err)
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil
	}
	// In ID order, so that matchers adding overlapping batches (a read
	// redelivered to two of them) lock the IDs in the same order and
	// cannot deadlock.
	slices.SortFunc(rows, func(a, b alertRow) int { return cmp.Compare(a.id, b.id) })
	// One array a column.
	n := len(rows)
	ids, kinds, cameras, vrms, lists := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	markers, matches, states, decisions, outcomes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	bodies, raised, priorities, escalated := make([]string, n), make([]int64, n), make([]int16, n), make([]bool, n)
	for i, r := range rows {
		ids[i], raised[i], kinds[i], cameras[i], vrms[i] = r.id, r.raised, r.kind, r.camera, r.vrm
		lists[i], markers[i], matches[i], priorities[i], states[i] = r.list, r.marker, r.match, r.priority, r.state
		escalated[i], decisions[i], outcomes[i], bodies[i] = r.escalated, r.decision, r.outcome, r.body
	}
	if _, err := s.pool.Exec(ctx, insertAlertsSQL, ids, raised, kinds, cameras, vrms, lists, markers, matches,
		priorities, states, escalated, decisions, outcomes, bodies); err != nil {
		return fmt.Errorf("add %d alerts: %w", len(alerts), err)
	}
	return nil
}

// Alert returns the alert with the ID; see alert.Repository.
func (s *Store) Alert(ctx context.Context, id string) (alert.Alert, error) {
	if err := alert.CheckID(id); err != nil {
		return alert.Alert{}, fmt.Errorf("get alert: %w", err)
	}
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT body FROM alerts WHERE id = $1`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
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
	var db interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	} = s.pool
	var before *alertCursor
	if q.Before != "" {
		// The cursor's position and the page come from one snapshot.
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		c := alertCursor{id: q.Before}
		err = tx.QueryRow(ctx, `SELECT raised FROM alerts WHERE id = $1`, q.Before).Scan(&c.raised)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("list alerts: %w", alert.Invalidf("cursor: alert %q is not stored (deleted since the page before?)", q.Before))
		}
		if err != nil {
			return nil, fmt.Errorf("list alerts: cursor: %w", err)
		}
		before, db = &c, tx
	}
	text, args := alertsSQL(q, before)
	rows, err := db.Query(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (alert.Alert, error) {
		var body []byte
		if err := row.Scan(&body); err != nil {
			return alert.Alert{}, err
		}
		return decodeAlert(body)
	})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// alertCursor is the position of an alert in the order alerts come in.
type alertCursor struct {
	raised int64
	id     string
}

// alertsSQL turns a checked query into one SELECT and its arguments. Every
// value the user gave is an argument, never part of the text. The planner
// picks the index: each one ends in (raised, id), the order of the results.
func alertsSQL(q alert.Query, before *alertCursor) (string, []any) {
	var b strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT body FROM alerts`)
	and := " WHERE "
	where := func(cond string) {
		b.WriteString(and)
		b.WriteString(cond)
		and = " AND "
	}
	if len(q.States) > 0 {
		states := make([]string, len(q.States))
		for i, st := range q.States {
			states[i] = string(st)
		}
		if len(states) == 1 {
			where(`state = ` + arg(states[0]))
		} else {
			where(`state = ANY(` + arg(states) + `)`)
		}
	}
	if q.Kind != "" {
		where(`kind = ` + arg(string(q.Kind)))
	}
	if q.Camera != "" {
		where(`camera = ` + arg(q.Camera))
	}
	if q.List != "" {
		where(`list = ` + arg(q.List))
	}
	if q.VRM != "" {
		where(`vrm = ` + arg(q.VRM))
	}
	if q.Escalated != nil {
		where(`escalated = ` + arg(*q.Escalated))
	}
	if !q.Since.IsZero() {
		where(`raised >= ` + arg(clampNano(q.Since)))
	}
	if !q.Until.IsZero() {
		where(`raised < ` + arg(clampNano(q.Until)))
	}
	if before != nil {
		// The first condition alone bounds an index range; the row
		// comparison settles ties on the time, id byte by byte.
		at := arg(before.raised)
		where(`raised <= ` + at + ` AND (raised, id) < (` + at + `, ` + arg(before.id) + `)`)
	}
	b.WriteString(` ORDER BY raised DESC, id DESC LIMIT ` + arg(q.Limit))
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

// UpdateAlert reads, changes and writes an alert in one transaction, the
// row locked (SELECT ... FOR UPDATE) from the read to the commit, so that
// changes from any number of processes take turns; see alert.Repository.
// fn's error is returned as it is.
func (s *Store) UpdateAlert(ctx context.Context, id string, fn func(*alert.Alert) error) (alert.Alert, error) {
	if err := alert.CheckID(id); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert: %w", err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var body []byte
	err = tx.QueryRow(ctx, `SELECT body FROM alerts WHERE id = $1 FOR UPDATE`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
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
	row, err := rowOf(&a)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE alerts SET (`+alertColumnList+`) =
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb) WHERE id = $1`, row.values()...); err != nil {
		return alert.Alert{}, fmt.Errorf("update alert %s: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
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
		args = append(args, clampNano(since))
		b.WriteString(and + `raised >= $1`)
		and = " AND "
	}
	if !until.IsZero() {
		args = append(args, clampNano(until))
		b.WriteString(and + `raised < $` + strconv.Itoa(len(args)))
	}
	b.WriteString(` GROUP BY camera, list, marker, match_kind, kind, state, decision_kind, outcome_kind, escalated`)
	rows, err := s.pool.Query(ctx, b.String(), args...)
	if err != nil {
		return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	defer rows.Close()
	var t alert.Tally
	for rows.Next() {
		var f alert.Facts
		var kind, state, decision, outcome string
		var n int64
		if err := rows.Scan(&f.Camera, &f.List, &f.Marker, &f.Match, &kind, &state, &decision, &outcome, &f.Escalated, &n); err != nil {
			return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
		}
		f.Kind, f.State, f.Decision, f.Outcome = alert.Kind(kind), alert.State(state), alert.DecisionKind(decision), alert.OutcomeKind(outcome)
		t.Add(f, int(n))
	}
	if err := rows.Err(); err != nil {
		return alert.Stats{}, fmt.Errorf("alert stats: %w", err)
	}
	return t.Stats(since, until), nil
}

// DeleteAlertsBefore deletes every alert raised before t, whatever its
// state, and records the run (AlertRetentionRuns). It goes in chunks of
// Options.DeleteChunk, oldest first, each its own transaction with its
// count recorded, and refuses a t after the clock's now.
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
	// Alerts are raised after 1970 (alert.Alert.Check); an older cutoff
	// would overflow the nanoseconds the run is recorded in.
	if epoch := time.Unix(0, 0); cutoff.Before(epoch) {
		cutoff = epoch
	}
	run := store.RetentionRun{Cutoff: cutoff.UTC()}
	at := run.Cutoff.Format(time.RFC3339Nano)
	if err := s.startRun(ctx, alertRuns, &run); err != nil {
		return store.RetentionRun{}, fmt.Errorf("delete alerts before %s: %w", at, err)
	}
	var runErr error
	for {
		var n int64
		runErr = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `DELETE FROM alerts WHERE id IN (
				SELECT id FROM alerts WHERE raised < $1 ORDER BY raised LIMIT $2)`, run.Cutoff.UnixNano(), s.opts.DeleteChunk)
			if err != nil {
				return err
			}
			n = tag.RowsAffected()
			return countDeleted(ctx, tx, alertRuns, run.ID, n)
		})
		if runErr != nil {
			break
		}
		run.Deleted += n
		if n < int64(s.opts.DeleteChunk) {
			break
		}
	}
	if runErr = s.endRun(ctx, alertRuns, &run, runErr); runErr != nil {
		return run, fmt.Errorf("delete alerts before %s: stopped after %d: %w", at, run.Deleted, runErr)
	}
	return run, nil
}

// AlertRetentionRuns returns the record of every deletion of alerts,
// oldest first.
func (s *Store) AlertRetentionRuns(ctx context.Context) ([]store.RetentionRun, error) {
	return s.runsOf(ctx, alertRuns)
}

// AlertImageRefs lists the images stored alerts hold (plate patch and
// overview), so that image retention keeps them after their reads go.
func (s *Store) AlertImageRefs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT coalesce(body->'read'->>'patch_ref', ''), coalesce(body->'read'->>'overview_ref', '') FROM alerts`)
	if err != nil {
		return nil, fmt.Errorf("list alert images: %w", err)
	}
	defer rows.Close()
	refs := map[string]bool{}
	for rows.Next() {
		var patch, overview string
		if err := rows.Scan(&patch, &overview); err != nil {
			return nil, fmt.Errorf("list alert images: %w", err)
		}
		for _, r := range []string{patch, overview} {
			if r != "" {
				refs[r] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alert images: %w", err)
	}
	return refs, nil
}
