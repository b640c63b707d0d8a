package alert

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"anpr/engine/store"
	"anpr/engine/vrm"
)

// Repository keeps alerts. engine/store/sqlite implements it; the suite in
// alert/alerttest says what every implementation must do. Implementations
// are safe for concurrent use, and their errors wrap ErrNotFound,
// ErrInvalid or ErrConflict where those apply.
type Repository interface {
	// AddAlerts stores a batch of alerts in one transaction: all or, on
	// any error, none. It is idempotent on ID: an alert whose ID is stored
	// already is left as it is. Every alert must pass Check.
	AddAlerts(ctx context.Context, alerts []Alert) error

	// Alert returns the alert with the ID, or an error wrapping
	// ErrNotFound.
	Alert(ctx context.Context, id string) (Alert, error)

	// Alerts returns one page of the alerts q asks for, newest first (by
	// Raised, then by ID, greatest first). A page shorter than the limit is
	// the last.
	Alerts(ctx context.Context, q Query) ([]Alert, error)

	// UpdateAlert reads the alert, applies fn to it, and stores the result,
	// all in one transaction, so that no other change comes between the
	// read and the write, and returns the alert as stored. An error from fn
	// aborts the update and is returned as it is, unwrapped; a result that
	// fails Check or changes the ID aborts it with an error wrapping
	// ErrInvalid. fn may run while the repository holds its write lock: it
	// must be quick and must not call the repository.
	UpdateAlert(ctx context.Context, id string, fn func(*Alert) error) (Alert, error)

	// AlertStats counts the alerts raised at or after since and before
	// until (zero: unbounded); see Stats.
	AlertStats(ctx context.Context, since, until time.Time) (Stats, error)

	// DeleteAlertsBefore deletes every alert raised before t, whatever its
	// state, and returns how many it deleted. It refuses a t after the
	// repository's clock's now, and records the deletion where the
	// repository records such things.
	DeleteAlertsBefore(ctx context.Context, t time.Time) (int64, error)

	// AlertImageRefs lists the image refs (plate patch and overview) the
	// stored alerts hold, so that image retention keeps them after their
	// reads are gone.
	AlertImageRefs(ctx context.Context) (map[string]bool, error)
}

// Query asks for stored alerts. Fields left zero do not restrict.
type Query struct {
	States []State `json:"states,omitempty"` // alerts in any of these states
	Kind   Kind    `json:"kind,omitempty"`
	Camera string  `json:"camera,omitempty"` // alerts raised by this camera's reads
	// List is a source list (PNC, DVLA...): hotlist alerts on entries
	// from it. Clone alerts belong to no list.
	List string `json:"list,omitempty"`
	// VRM is the mark read (normalised first): exact, no wildcards.
	VRM string `json:"vrm,omitempty"`
	// Escalated, if set, asks for alerts that were (true) or were not
	// (false) escalated.
	Escalated *bool `json:"escalated,omitempty"`
	// Alerts raised at or after Since and before Until.
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// Limit is alerts a page: 0 means DefaultLimit, at most MaxLimit.
	Limit int `json:"limit,omitempty"`
	// Before is the ID of the last alert of the page before: this page
	// starts after it in the order results come in (older). "": the
	// newest.
	Before string `json:"before,omitempty"`
}

// Limits on a query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Check returns q with its defaults filled in (Limit), its states without
// repeats, its VRM normalised and its times in UTC: what a Repository runs.
// An error says what is wrong and wraps ErrInvalid.
func (q Query) Check() (Query, error) {
	var uniq []State
	for _, s := range q.States {
		if !s.valid() {
			return Query{}, Invalidf("query: state %q is not one of %v", s, states)
		}
		if !slices.Contains(uniq, s) {
			uniq = append(uniq, s)
		}
	}
	q.States = uniq
	if q.Kind != "" && !q.Kind.valid() {
		return Query{}, Invalidf("query: kind %q is not %s or %s", q.Kind, KindHotlist, KindClone)
	}
	if err := checkText("query: camera", q.Camera, store.MaxCameraLen, false, false); err != nil {
		return Query{}, err
	}
	if err := checkText("query: list", q.List, 64, false, false); err != nil {
		return Query{}, err
	}
	if q.VRM != "" {
		q.VRM = vrm.Normalise(q.VRM)
		if err := store.CheckVRM(q.VRM); err != nil {
			return Query{}, fmt.Errorf("%w: query: %w", ErrInvalid, err)
		}
	}
	if !q.Since.IsZero() {
		q.Since = q.Since.UTC()
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.UTC()
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return Query{}, Invalidf("query: time range is empty: until (%s) is not after since (%s)",
			q.Until.Format(time.RFC3339), q.Since.Format(time.RFC3339))
	}
	switch {
	case q.Limit < 0:
		return Query{}, Invalidf("query: limit %d is negative", q.Limit)
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit > MaxLimit:
		return Query{}, Invalidf("query: limit %d is over the most a page holds, %d: page with Before", q.Limit, MaxLimit)
	}
	if q.Before != "" {
		if err := CheckID(q.Before); err != nil {
			return Query{}, fmt.Errorf("query: cursor: %w", err)
		}
	}
	return q, nil
}

// Match reports whether a is one of the alerts q finds, ignoring Limit and
// Before: the meaning every Repository's query must have. q must be
// checked.
func (q Query) Match(a *Alert) bool {
	switch {
	case len(q.States) > 0 && !slices.Contains(q.States, a.State):
		return false
	case q.Kind != "" && a.Kind != q.Kind:
		return false
	case q.Camera != "" && a.Read.Camera != q.Camera:
		return false
	case q.List != "" && (a.Hit == nil || a.Hit.List != q.List):
		return false
	case q.VRM != "" && a.Read.VRM != q.VRM:
		return false
	case q.Escalated != nil && a.Escalated != *q.Escalated:
		return false
	case !q.Since.IsZero() && a.Raised.Before(q.Since):
		return false
	case !q.Until.IsZero() && !a.Raised.Before(q.Until):
		return false
	}
	return true
}

// NewestFirst orders alerts as a Repository returns them: by Raised, then
// by ID (compared byte by byte), greatest first. For slices.SortFunc.
func NewestFirst(a, b *Alert) int {
	return cmp.Or(b.Raised.Compare(a.Raised), cmp.Compare(b.ID, a.ID))
}
