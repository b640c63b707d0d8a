package access

import (
	"errors"
	"testing"
	"time"
)

func TestRequestApproval(t *testing.T) {
	f := newSearchFixture(t)
	from, to := t0.Add(-150*day24), t0.Add(-100*day24)
	tests := []struct {
		what                        string
		user                        User
		reference, category, reason string
		from, to                    time.Time
		want                        Rule
	}{
		{"investigator, serious crime", f.ivy, ref, "firearms", reason, from, to, ""},
		{"open-ended", f.ivy, ref, "kidnap", reason, from, time.Time{}, ""},
		{"operator", f.olly, ref, homicid, reason, from, to, RuleRole},
		{"senior authoriser", f.sam, ref, homicid, reason, from, to, RuleRole},
		{"disabled investigator", User{Name: "dan", Role: Investigator}, ref, homicid, reason, from, to, RuleRole},
		{"not a serious crime", f.ivy, ref, "shoplifting", reason, from, to, RuleCrimeCategory},
		{"no category", f.ivy, ref, "", reason, from, to, RuleCrimeCategory},
		{"no justification", f.ivy, ref, homicid, "", from, to, RuleJustification},
		{"no reference", f.ivy, "", homicid, reason, from, to, RuleReference},
		{"beyond retention", f.ivy, ref, homicid, reason, t0.Add(-400 * day24), to, RuleRetention},
		{"recent enough to need none", f.ivy, ref, homicid, reason, t0.Add(-60 * day24), to, RuleRange},
		{"back to front", f.ivy, ref, homicid, reason, to, from, RuleRange},
	}
	for _, tt := range tests {
		a, err := f.d.RequestApproval(ctx, tt.user, tt.reference, tt.category, tt.reason, tt.from, tt.to)
		if got := ruleOf(t, err); got != tt.want {
			t.Errorf("%s: RequestApproval = %v, want rule %q", tt.what, err, tt.want)
			continue
		}
		if err != nil {
			continue
		}
		wantTo := tt.to
		if wantTo.IsZero() {
			wantTo = t0
		}
		if a.Status != ApprovalPending || a.Investigator != tt.user.Name || a.Reference != tt.reference ||
			a.CrimeCategory != tt.category || !a.From.Equal(tt.from) || !a.To.Equal(wantTo) || !a.Requested.Equal(t0) {
			t.Errorf("%s: RequestApproval = %+v", tt.what, a)
		}
		stored, err := f.d.Approval(ctx, a.ID)
		if err != nil || stored != a {
			t.Errorf("%s: stored as %+v, %v; want %+v", tt.what, stored, err, a)
		}
	}
}

func TestDecideApproval(t *testing.T) {
	f := newSearchFixture(t)
	a := f.pending
	// ivy asks, then is made a senior authoriser: she still may not decide
	// her own request.
	mustAddUser(t, f.d, "sue", Authoriser)
	tests := []struct {
		what    string
		user    User
		approve bool
		note    string
		want    Rule
	}{
		{"investigator", f.ian, true, "", RuleRole},
		{"operator", f.olly, true, "", RuleRole},
		{"unknown user", User{Name: "ghost", Role: Authoriser}, true, "", RuleRole},
		{"refusal with no note", f.sam, false, "  ", RuleNote},
	}
	for _, tt := range tests {
		_, err := f.d.DecideApproval(ctx, tt.user, a.ID, tt.approve, tt.note)
		if got := ruleOf(t, err); got != tt.want {
			t.Errorf("%s: DecideApproval = %v, want rule %q", tt.what, err, tt.want)
		}
	}

	if err := f.d.SetRole(ctx, "ivy", Authoriser); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.DecideApproval(ctx, f.ivy, a.ID, true, ""); ruleOf(t, err) != RuleSelfApproval {
		t.Errorf("deciding one's own request: %v, want rule %q", err, RuleSelfApproval)
	}

	f.c.Advance(time.Hour)
	got, err := f.d.DecideApproval(ctx, User{Name: "sue"}, a.ID, true, "")
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	if got.Status != ApprovalApproved || got.DecidedBy != "sue" || !got.DecidedAt.Equal(now) ||
		!got.Expires.Equal(now.Add(7*day24)) || !got.Active(now) || got.Active(now.Add(7*day24)) {
		t.Errorf("approved: %+v", got)
	}
	if _, err := f.d.DecideApproval(ctx, f.sam, a.ID, false, "changed my mind"); ruleOf(t, err) != RuleDecided {
		t.Errorf("deciding again: %v, want rule %q", err, RuleDecided)
	}
	if _, err := f.d.DecideApproval(ctx, f.sam, "apr-nothing", true, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("deciding an unknown approval: %v, want ErrNotFound", err)
	}
	if _, err := f.d.Approval(ctx, "apr-nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Approval(unknown) = %v, want ErrNotFound", err)
	}
	if f.refuse.Status != ApprovalRefused || f.refuse.Note == "" || !f.refuse.Expires.IsZero() || f.refuse.Active(t0) {
		t.Errorf("refused: %+v", f.refuse)
	}
}

func TestApprovals(t *testing.T) {
	f := newSearchFixture(t)
	tests := []struct {
		status string
		want   []string
	}{
		{"", []string{f.approved.ID, f.pending.ID, f.refuse.ID}},
		{ApprovalPending, []string{f.pending.ID}},
		{ApprovalApproved, []string{f.approved.ID}},
		{ApprovalRefused, []string{f.refuse.ID}},
	}
	for _, tt := range tests {
		list, err := f.d.Approvals(ctx, tt.status)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range list {
			ids = append(ids, a.ID)
		}
		// All three were requested at t0, so their order is by ID.
		if len(ids) != len(tt.want) {
			t.Errorf("Approvals(%q) = %v, want %v", tt.status, ids, tt.want)
			continue
		}
		for _, id := range tt.want {
			found := false
			for _, got := range ids {
				found = found || got == id
			}
			if !found {
				t.Errorf("Approvals(%q) = %v, lacks %s", tt.status, ids, id)
			}
		}
	}
	// Oldest request first: the order an authoriser works through them.
	var later []string
	for range 2 {
		f.c.Advance(time.Hour)
		a, err := f.d.RequestApproval(ctx, f.ian, "CRI/2026/00009", "robbery", reason, t0.Add(-100*day24), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		later = append(later, a.ID)
	}
	list, err := f.d.Approvals(ctx, ApprovalPending)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].ID != f.pending.ID || list[1].ID != later[0] || list[2].ID != later[1] {
		t.Errorf("pending approvals out of request order: %+v", list)
	}
	if _, err := f.d.Approvals(ctx, "expired"); !errors.Is(err, ErrInvalid) {
		t.Errorf(`Approvals("expired") = %v, want ErrInvalid`, err)
	}
}
