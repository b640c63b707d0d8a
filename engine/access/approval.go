package access

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Approval is an investigator's request to search reads older than
// [Options.ApprovalAge], and a senior authoriser's decision on it.
type Approval struct {
	ID            string
	Investigator  string // who asked, and the only one who may search under it
	Reference     string // the incident or crime reference searches under it must give
	CrimeCategory string // one of SeriousCrimes
	Justification string
	From, To      time.Time // the capture times it covers
	Requested     time.Time
	Status        string    // ApprovalPending, ApprovalApproved or ApprovalRefused
	DecidedBy     string    // the senior authoriser; "" while pending
	DecidedAt     time.Time // zero while pending
	Expires       time.Time // when an approval stops covering searches; zero unless approved
	Note          string    // the authoriser's reasons
}

// An approval's Status.
const (
	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRefused  = "refused"
)

// Active reports whether a covers searches at now: approved, and not
// expired.
func (a Approval) Active(now time.Time) bool {
	return a.Status == ApprovalApproved && now.Before(a.Expires)
}

const maxNoteChars = 2000

// RequestApproval asks a senior authoriser for leave to search reads from
// from to to (zero: now), which starts before [Options.ApprovalAge] ago.
// The rules are those of [Directory.CheckSearch]: an active investigator, a
// justification, a reference, a range within the retention period; and the
// crime category must be one of SeriousCrimes. A range that needs no
// approval is refused too, so that none reaches an authoriser for nothing.
// A refusal is a [*PolicyError].
func (d *Directory) RequestApproval(ctx context.Context, investigator User, reference, crimeCategory, justification string, from, to time.Time) (Approval, error) {
	now := d.opts.Now().UTC()
	u, err := d.activeUser(ctx, investigator)
	if err != nil {
		return Approval{}, policyOr("request approval", err)
	}
	if !u.Role.Can(SearchReads) {
		return Approval{}, deny(RuleRole, "%s is %s %s, a role that may not search reads", u.Name, article(u.Role), u.Role)
	}
	if p := justificationProblem(justification); p != nil {
		return Approval{}, p
	}
	if p := referenceProblem(reference); p != nil {
		return Approval{}, p
	}
	if !IsSeriousCrime(crimeCategory) {
		return Approval{}, deny(RuleCrimeCategory, "searches reaching back more than %s are approved only for a serious crime, and %q is not one",
			days(d.opts.ApprovalAge), crimeCategory)
	}
	from, to, p := d.checkRange(from, to, now)
	if p != nil {
		return Approval{}, p
	}
	if line := now.Add(-d.opts.ApprovalAge); !from.Before(line) {
		return Approval{}, deny(RuleRange, "the range starts at %s, within the last %s, and needs no approval",
			stamp(from), days(d.opts.ApprovalAge))
	}
	id := make([]byte, 8)
	rand.Read(id)
	a := Approval{
		ID: "apr-" + hex.EncodeToString(id), Investigator: u.Name, Reference: reference,
		CrimeCategory: crimeCategory, Justification: strings.TrimSpace(justification),
		From: from.UTC(), To: to.UTC(), Requested: now, Status: ApprovalPending,
	}
	if _, err := d.w.ExecContext(ctx, `INSERT INTO approvals
		(id, investigator, reference, crime_category, justification, range_from, range_to, requested, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Investigator, a.Reference, a.CrimeCategory, a.Justification,
		nanos(a.From), nanos(a.To), nanos(a.Requested), a.Status); err != nil {
		return Approval{}, fmt.Errorf("request approval for %s: %w", u.Name, err)
	}
	return a, nil
}

// DecideApproval approves or refuses a pending request. Only an active
// senior authoriser decides, never on their own request, and a refusal
// needs a note saying why. An approval lasts [Options.ApprovalValidity]
// from the decision. A refusal by the rules is a [*PolicyError]; an ID that
// is no approval's gives ErrNotFound.
func (d *Directory) DecideApproval(ctx context.Context, authoriser User, id string, approve bool, note string) (Approval, error) {
	now := d.opts.Now().UTC()
	u, err := d.activeUser(ctx, authoriser)
	if err != nil {
		return Approval{}, policyOr("decide approval "+id, err)
	}
	if !u.Role.Can(ApproveSearches) {
		return Approval{}, deny(RuleRole, "%s is %s %s, a role that may not approve searches", u.Name, article(u.Role), u.Role)
	}
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return Approval{}, deny(RuleNote, "a refusal needs a note saying why")
	}
	if n := utf8.RuneCountInString(note); n > maxNoteChars {
		return Approval{}, deny(RuleNote, "the note has %d characters, at most %d are allowed", n, maxNoteChars)
	}

	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return Approval{}, fmt.Errorf("decide approval %s: %w", id, err)
	}
	defer tx.Rollback()
	a, err := scanApproval(tx.QueryRowContext(ctx, `SELECT `+approvalColumns+` FROM approvals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Approval{}, fmt.Errorf("decide approval %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Approval{}, fmt.Errorf("decide approval %s: %w", id, err)
	}
	switch {
	case a.Investigator == u.Name:
		return Approval{}, deny(RuleSelfApproval, "%s asked for approval %s, and may not decide it", u.Name, a.ID)
	case a.Status != ApprovalPending:
		return Approval{}, deny(RuleDecided, "approval %s was %s by %s at %s", a.ID, a.Status, a.DecidedBy, stamp(a.DecidedAt))
	}
	if oldest := now.Add(-d.opts.ReadRetention); approve && a.From.Before(oldest) {
		return Approval{}, deny(RuleRetention, "approval %s starts at %s, and reads before %s are no longer kept",
			a.ID, stamp(a.From), stamp(oldest))
	}
	a.Status, a.DecidedBy, a.DecidedAt, a.Note = ApprovalRefused, u.Name, now, note
	if approve {
		a.Status, a.Expires = ApprovalApproved, now.Add(d.opts.ApprovalValidity)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, expires = ?, note = ?
		WHERE id = ? AND status = ?`,
		a.Status, a.DecidedBy, nanos(a.DecidedAt), nanos(a.Expires), a.Note, a.ID, ApprovalPending); err != nil {
		return Approval{}, fmt.Errorf("decide approval %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return Approval{}, fmt.Errorf("decide approval %s: %w", id, err)
	}
	return a, nil
}

// Approval returns the approval with the ID given.
func (d *Directory) Approval(ctx context.Context, id string) (Approval, error) {
	a, err := d.approval(ctx, id)
	if err != nil {
		return Approval{}, fmt.Errorf("approval %s: %w", id, err)
	}
	return a, nil
}

func (d *Directory) approval(ctx context.Context, id string) (Approval, error) {
	a, err := scanApproval(d.r.QueryRowContext(ctx, `SELECT `+approvalColumns+` FROM approvals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Approval{}, ErrNotFound
	}
	return a, err
}

// Approvals returns the approvals with the status given (ApprovalPending,
// ApprovalApproved or ApprovalRefused), or all of them for "", oldest
// request first: the order an authoriser works through them.
func (d *Directory) Approvals(ctx context.Context, status string) ([]Approval, error) {
	var (
		rows *sql.Rows
		err  error
	)
	switch status {
	case "":
		rows, err = d.r.QueryContext(ctx, `SELECT `+approvalColumns+` FROM approvals ORDER BY requested, id`)
	case ApprovalPending, ApprovalApproved, ApprovalRefused:
		rows, err = d.r.QueryContext(ctx, `SELECT `+approvalColumns+` FROM approvals WHERE status = ? ORDER BY requested, id`, status)
	default:
		return nil, fmt.Errorf("list approvals: %w", invalid("no such status %q: want %s, %s, %s or none",
			status, ApprovalPending, ApprovalApproved, ApprovalRefused))
	}
	if err != nil {
		return nil, fmt.Errorf("list approvals %s: %w", status, err)
	}
	defer rows.Close()
	var out []Approval
	for rows.Next() {
		a, err := scanApproval(rows)
		if err != nil {
			return nil, fmt.Errorf("list approvals %s: %w", status, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list approvals %s: %w", status, err)
	}
	return out, nil
}

const approvalColumns = `id, investigator, reference, crime_category, justification, range_from, range_to,
	requested, status, decided_by, decided_at, expires, note`

func scanApproval(s scanner) (Approval, error) {
	var (
		a                                     Approval
		from, to, requested, decided, expires int64
	)
	if err := s.Scan(&a.ID, &a.Investigator, &a.Reference, &a.CrimeCategory, &a.Justification, &from, &to,
		&requested, &a.Status, &a.DecidedBy, &decided, &expires, &a.Note); err != nil {
		return Approval{}, err
	}
	a.From, a.To, a.Requested = fromNanos(from), fromNanos(to), fromNanos(requested)
	a.DecidedAt, a.Expires = fromNanos(decided), fromNanos(expires)
	return a, nil
}
