package access

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// searchFixture is a directory with a user of every role, a second
// investigator, a disabled one, and approvals in every state for ivy.
type searchFixture struct {
	d                         *Directory
	c                         *clock
	ivy, ian, sam, olly       User
	approved, pending, refuse Approval
}

const (
	ref     = "CRI/2026/00001"
	reason  = "suspect vehicle seen leaving the scene"
	homicid = "homicide"
)

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	d, c := openTest(t, Options{})
	f := &searchFixture{d: d, c: c}
	f.ivy = mustAddUser(t, d, "ivy", Investigator)
	f.ian = mustAddUser(t, d, "ian", Investigator)
	f.sam = mustAddUser(t, d, "sam", Authoriser)
	f.olly = mustAddUser(t, d, "olly", Operator)
	mustAddUser(t, d, "ada", Administrator)
	mustAddUser(t, d, "aud", Auditor)
	mustAddUser(t, d, "dan", Investigator)
	if err := d.SetDisabled(ctx, "dan", true); err != nil {
		t.Fatal(err)
	}
	request := func(ref string) Approval {
		a, err := d.RequestApproval(ctx, f.ivy, ref, homicid, reason, t0.Add(-200*day24), t0.Add(-80*day24))
		if err != nil {
			t.Fatalf("RequestApproval(%s): %v", ref, err)
		}
		return a
	}
	decide := func(a Approval, ok bool) Approval {
		a, err := d.DecideApproval(ctx, f.sam, a.ID, ok, "proportionate to a murder inquiry")
		if err != nil {
			t.Fatalf("DecideApproval(%s, %t): %v", a.ID, ok, err)
		}
		return a
	}
	f.approved = decide(request(ref), true)
	f.pending = request("CRI/2026/00002")
	f.refuse = decide(request("CRI/2026/00003"), false)
	return f
}

func TestCheckSearch(t *testing.T) {
	f := newSearchFixture(t)
	recent := SearchRequest{User: f.ivy, Justification: reason, Reference: ref, From: t0.Add(-30 * day24)}
	old := SearchRequest{User: f.ivy, Justification: reason, Reference: ref, CrimeCategory: homicid,
		From: t0.Add(-150 * day24), To: t0.Add(-100 * day24), ApprovalID: f.approved.ID}
	with := func(base SearchRequest, change func(*SearchRequest)) SearchRequest {
		change(&base)
		return base
	}
	tests := []struct {
		what string
		req  SearchRequest
		want Rule
	}{
		{"investigator, last 30 days", recent, ""},
		{"back 89 days, no approval needed", with(recent, func(r *SearchRequest) { r.From = t0.Add(-89 * day24) }), ""},
		{"a closed range", with(recent, func(r *SearchRequest) { r.To = t0.Add(-10 * day24) }), ""},
		{"operator", with(recent, func(r *SearchRequest) { r.User = f.olly }), RuleRole},
		{"operator claiming to be an investigator", with(recent, func(r *SearchRequest) { r.User = User{Name: "olly", Role: Investigator} }), RuleRole},
		{"administrator", with(recent, func(r *SearchRequest) { r.User = User{Name: "ada", Role: Administrator} }), RuleRole},
		{"auditor", with(recent, func(r *SearchRequest) { r.User = User{Name: "aud", Role: Auditor} }), RuleRole},
		{"senior authoriser", with(recent, func(r *SearchRequest) { r.User = f.sam }), RuleRole},
		{"disabled investigator", with(recent, func(r *SearchRequest) { r.User = User{Name: "dan", Role: Investigator} }), RuleRole},
		{"unknown user", with(recent, func(r *SearchRequest) { r.User = User{Name: "ghost", Role: Investigator} }), RuleRole},
		{"no justification", with(recent, func(r *SearchRequest) { r.Justification = "" }), RuleJustification},
		{"blank justification", with(recent, func(r *SearchRequest) { r.Justification = "            " }), RuleJustification},
		{"short justification", with(recent, func(r *SearchRequest) { r.Justification = "because" }), RuleJustification},
		{"no reference", with(recent, func(r *SearchRequest) { r.Reference = "" }), RuleReference},
		{"reference too long", with(recent, func(r *SearchRequest) { r.Reference = strings.Repeat("R", 65) }), RuleReference},
		{"reference with a newline", with(recent, func(r *SearchRequest) { r.Reference = "CRI/1\nCRI/2" }), RuleReference},
		{"no start", with(recent, func(r *SearchRequest) { r.From = time.Time{} }), RuleRange},
		{"start after end", with(recent, func(r *SearchRequest) { r.To = t0.Add(-31 * day24) }), RuleRange},
		{"back 91 days, no approval", with(old, func(r *SearchRequest) { r.From, r.To, r.ApprovalID = t0.Add(-91*day24), time.Time{}, "" }), RuleApproval},
		{"back 91 days, no category", with(old, func(r *SearchRequest) { r.CrimeCategory = "" }), RuleCrimeCategory},
		{"back 91 days, not a serious crime", with(old, func(r *SearchRequest) { r.CrimeCategory = "vehicle-theft" }), RuleCrimeCategory},
		{"with approval", old, ""},
		{"with approval, to now", with(old, func(r *SearchRequest) { r.To = time.Time{} }), ""},
		{"with approval, all it covers", with(old, func(r *SearchRequest) { r.From, r.To = f.approved.From, f.approved.To }), ""},
		{"with approval, starting before it", with(old, func(r *SearchRequest) { r.From = t0.Add(-201 * day24) }), RuleApproval},
		{"another investigator's approval", with(old, func(r *SearchRequest) { r.User = f.ian }), RuleApproval},
		{"approval for another reference", with(old, func(r *SearchRequest) { r.Reference = "CRI/2026/99999" }), RuleApproval},
		{"approval for another crime", with(old, func(r *SearchRequest) { r.CrimeCategory = "firearms" }), RuleApproval},
		{"pending approval", with(old, func(r *SearchRequest) { r.ApprovalID, r.Reference = f.pending.ID, f.pending.Reference }), RuleApproval},
		{"refused approval", with(old, func(r *SearchRequest) { r.ApprovalID, r.Reference = f.refuse.ID, f.refuse.Reference }), RuleApproval},
		{"no such approval", with(old, func(r *SearchRequest) { r.ApprovalID = "apr-0000000000000000" }), RuleApproval},
		{"beyond retention, approved or not", with(old, func(r *SearchRequest) { r.From = t0.Add(-366 * day24) }), RuleRetention},
		{"beyond retention, recent end", with(recent, func(r *SearchRequest) { r.From = t0.Add(-400 * day24) }), RuleRetention},
	}
	for _, tt := range tests {
		err := f.d.CheckSearch(ctx, tt.req)
		if got := ruleOf(t, err); got != tt.want {
			t.Errorf("%s: CheckSearch = %v, want rule %q", tt.what, err, tt.want)
		}
	}
}

// An approval covers searches until it expires, then none.
func TestCheckSearchApprovalExpires(t *testing.T) {
	f := newSearchFixture(t)
	req := SearchRequest{User: f.ivy, Justification: reason, Reference: ref, CrimeCategory: homicid,
		From: f.approved.From, To: f.approved.To, ApprovalID: f.approved.ID}
	if want := t0.Add(7 * day24); !f.approved.Expires.Equal(want) {
		t.Errorf("approval expires %v, want %v", f.approved.Expires, want)
	}
	for range 3 { // any number of searches while it lasts
		if err := f.d.CheckSearch(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	f.c.Advance(7*day24 - time.Second)
	if err := f.d.CheckSearch(ctx, req); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	f.c.Advance(time.Second)
	err := f.d.CheckSearch(ctx, req)
	if ruleOf(t, err) != RuleApproval || !strings.Contains(err.Error(), "expired") {
		t.Errorf("at expiry: %v, want an expired approval", err)
	}
}

// The role that counts is the one stored now, not the one in a User the
// caller has held since login.
func TestCheckSearchUsesStoredRole(t *testing.T) {
	f := newSearchFixture(t)
	req := SearchRequest{User: f.ivy, Justification: reason, Reference: ref, From: t0.Add(-day24)}
	if err := f.d.CheckSearch(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := f.d.SetRole(ctx, "ivy", Operator); err != nil {
		t.Fatal(err)
	}
	if got := ruleOf(t, f.d.CheckSearch(ctx, req)); got != RuleRole {
		t.Errorf("after ivy became an operator: rule %q, want %q", got, RuleRole)
	}
}

func TestPolicyErrorReads(t *testing.T) {
	f := newSearchFixture(t)
	err := f.d.CheckSearch(ctx, SearchRequest{User: f.ivy, Justification: reason, Reference: ref,
		CrimeCategory: homicid, From: t0.Add(-120 * day24)})
	want := "denied: a search reaching back more than 90 days (before 2025-12-02) needs a senior authoriser's approval"
	if err == nil || err.Error() != want {
		t.Errorf("error reads %q, want %q", err, want)
	}
	if !errors.Is(err, ErrDenied) {
		t.Error("not ErrDenied")
	}
}

func TestSeriousCrimes(t *testing.T) {
	list := SeriousCrimes()
	for _, c := range []string{"homicide", "kidnap", "firearms", "terrorism", "serious-sexual-offence", "robbery",
		"drug-trafficking", "child-sexual-exploitation", "organised-crime", "serious-violence"} {
		if !IsSeriousCrime(c) {
			t.Errorf("%s is not a serious crime", c)
		}
	}
	for _, c := range []string{"", "shoplifting", "vehicle-theft", "speeding", "Homicide"} {
		if IsSeriousCrime(c) {
			t.Errorf("%q is a serious crime", c)
		}
	}
	list[0] = "parking"
	if IsSeriousCrime("parking") {
		t.Error("changing SeriousCrimes' result changed the list")
	}
}
