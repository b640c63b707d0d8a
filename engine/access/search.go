package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SearchRequest is a search of stored reads as an investigator asks for it,
// before it runs: who, why, and over what stretch of time.
type SearchRequest struct {
	User          User
	Justification string    // why this search is necessary and proportionate; at least 10 characters
	Reference     string    // the incident or crime reference, e.g. "CRI/2026/12345": 1-64 printable characters
	CrimeCategory string    // what is being investigated; needed, and one of SeriousCrimes, when the search needs approval
	From, To      time.Time // the capture times searched; From is required, a zero To means now
	ApprovalID    string    // the approval a search back past Options.ApprovalAge needs
}

// seriousCrimes are the crimes for which a search of reads older than
// ApprovalAge may be approved: those serious enough that looking further
// back into where people have driven can be proportionate. Like the role
// table, a change to it is a change of policy, made here and reviewed.
var seriousCrimes = []string{
	"homicide",
	"kidnap",
	"firearms",
	"terrorism",
	"serious-sexual-offence",
	"robbery",
	"drug-trafficking",
	"child-sexual-exploitation",
	"human-trafficking",
	"organised-crime",
	"serious-violence",
}

// SeriousCrimes returns the crime categories for which a search of older
// reads may be approved: homicide, kidnap, firearms, terrorism,
// serious-sexual-offence, robbery, drug-trafficking,
// child-sexual-exploitation, human-trafficking, organised-crime and
// serious-violence.
func SeriousCrimes() []string { return slices.Clone(seriousCrimes) }

// IsSeriousCrime reports whether category is one of SeriousCrimes.
func IsSeriousCrime(category string) bool { return slices.Contains(seriousCrimes, category) }

const (
	minJustificationChars = 10
	maxJustificationChars = 2000
)

// CheckSearch applies the rules of lawful use to a search before it runs,
// and returns nil if it may run or a [*PolicyError] saying why it may not.
// Any other error is a failure to check, and the search must not run
// either. The rules:
//
//   - Only an active user whose role may search reads ([SearchReads]:
//     investigators) searches. The role is the one stored now, not the one
//     in req.User, which may be stale.
//   - Every search states a justification of at least 10 characters and an
//     incident or crime reference.
//   - The range has a start, and ends after it.
//   - Nothing captured before [Options.ReadRetention] ago is searched, with
//     or without approval: those reads have been, or are being, deleted.
//   - A range that starts before [Options.ApprovalAge] ago needs a serious
//     crime category and the ID of an approval that a senior authoriser
//     granted to this investigator for this reference and category, that
//     has not expired, and that covers the part of the range older than
//     ApprovalAge (the rest needs no approval). An ApprovalID on a search
//     that needs none is not looked at. An approval may be used for
//     any number of searches while it lasts: an investigation takes more
//     than one query, and each is audited with its own justification.
//
// CheckSearch does not record anything: the caller audits the search, or
// its refusal, with the PolicyError's Rule.
func (d *Directory) CheckSearch(ctx context.Context, req SearchRequest) error {
	now := d.opts.Now().UTC()
	u, err := d.activeUser(ctx, req.User)
	if err != nil {
		return policyOr("check search", err)
	}
	if !u.Role.Can(SearchReads) {
		return deny(RuleRole, "%s is %s %s, a role that may not search reads", u.Name, article(u.Role), u.Role)
	}
	if p := justificationProblem(req.Justification); p != nil {
		return p
	}
	if p := referenceProblem(req.Reference); p != nil {
		return p
	}
	from, to, p := d.checkRange(req.From, req.To, now)
	if p != nil {
		return p
	}
	line := now.Add(-d.opts.ApprovalAge)
	if !from.Before(line) {
		return nil // recent enough to need no approval
	}
	if req.CrimeCategory == "" {
		return deny(RuleCrimeCategory, "a search reaching back more than %s needs a crime category", days(d.opts.ApprovalAge))
	}
	if !IsSeriousCrime(req.CrimeCategory) {
		return deny(RuleCrimeCategory, "a search reaching back more than %s is only for a serious crime, and %q is not one",
			days(d.opts.ApprovalAge), req.CrimeCategory)
	}
	if req.ApprovalID == "" {
		return deny(RuleApproval, "a search reaching back more than %s (before %s) needs a senior authoriser's approval",
			days(d.opts.ApprovalAge), day(line))
	}
	a, err := d.approval(ctx, req.ApprovalID)
	if errors.Is(err, ErrNotFound) {
		return deny(RuleApproval, "there is no approval %q", req.ApprovalID)
	}
	if err != nil {
		return policyOr("check search", err)
	}
	switch old := minTime(to, line); {
	case a.Status != ApprovalApproved:
		return deny(RuleApproval, "approval %s is %s, not approved", a.ID, a.Status)
	case a.Investigator != u.Name:
		return deny(RuleApproval, "approval %s was not granted to %s", a.ID, u.Name)
	case a.Reference != req.Reference:
		return deny(RuleApproval, "approval %s is for reference %q, not %q", a.ID, a.Reference, req.Reference)
	case a.CrimeCategory != req.CrimeCategory:
		return deny(RuleApproval, "approval %s is for %s, not %s", a.ID, a.CrimeCategory, req.CrimeCategory)
	case !now.Before(a.Expires):
		return deny(RuleApproval, "approval %s expired at %s", a.ID, a.Expires.Format(time.RFC3339))
	case from.Before(a.From) || old.After(a.To):
		return deny(RuleApproval, "approval %s covers %s to %s, and the search reaches %s to %s",
			a.ID, stamp(a.From), stamp(a.To), stamp(from), stamp(old))
	}
	return nil
}

// policyOr passes a PolicyError on as it is, for the caller to show and
// audit, and wraps any other error with what was being done.
func policyOr(what string, err error) error {
	if p, ok := err.(*PolicyError); ok {
		return p
	}
	return fmt.Errorf("%s: %w", what, err)
}

func justificationProblem(j string) *PolicyError {
	switch n := utf8.RuneCountInString(strings.TrimSpace(j)); {
	case n == 0:
		return deny(RuleJustification, "a justification is required")
	case n < minJustificationChars:
		return deny(RuleJustification, "the justification has %d characters, at least %d are needed", n, minJustificationChars)
	case n > maxJustificationChars:
		return deny(RuleJustification, "the justification has %d characters, at most %d are allowed", n, maxJustificationChars)
	}
	return nil
}

func referenceProblem(ref string) *PolicyError {
	if strings.TrimSpace(ref) == "" {
		return deny(RuleReference, "an incident or crime reference is required")
	}
	if p := labelProblem("reference", ref); p != "" {
		return deny(RuleReference, "%s", p)
	}
	return nil
}

// checkRange checks a range searched, or to be approved, against the
// retention period, with a zero to meaning now.
func (d *Directory) checkRange(from, to, now time.Time) (time.Time, time.Time, *PolicyError) {
	if from.IsZero() {
		return from, to, deny(RuleRange, "the time range needs a start")
	}
	if to.IsZero() {
		to = now
	}
	if !from.Before(to) {
		return from, to, deny(RuleRange, "the time range starts at %s, not before its end at %s", stamp(from), stamp(to))
	}
	if oldest := now.Add(-d.opts.ReadRetention); from.Before(oldest) {
		return from, to, deny(RuleRetention, "reads are kept for %s, so nothing before %s can be searched, and the range starts at %s",
			days(d.opts.ReadRetention), stamp(oldest), stamp(from))
	}
	return from, to, nil
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

func day(t time.Time) string   { return t.UTC().Format(time.DateOnly) }
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func article(r Role) string {
	if r != "" && strings.ContainsRune("aeiou", rune(r[0])) {
		return "an"
	}
	return "a"
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
