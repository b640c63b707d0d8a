package access

import (
	"slices"
	"testing"
)

// The whole permission table, written out again: a change to what a role
// may do must change this test too, on purpose.
func TestRoleCan(t *testing.T) {
	want := map[Role][]Permission{
		Operator:      {ViewAlerts, DecideAlerts, SeeCameraLocations},
		Investigator:  {SearchReads, SeeCameraLocations},
		Authoriser:    {ApproveSearches, SeeCameraLocations},
		Auditor:       {ReadAudit},
		Administrator: {ManageUsers, ManageCameras, ManageHotlists, SeeCameraLocations},
		Ingest:        {IngestReads},
	}
	for _, r := range Roles() {
		for _, p := range Permissions() {
			if got, w := r.Can(p), slices.Contains(want[r], p); got != w {
				t.Errorf("%s.Can(%s) = %t, want %t", r, p, got, w)
			}
		}
	}
	if len(want) != len(Roles()) {
		t.Errorf("the table covers %d roles, Roles() has %d", len(want), len(Roles()))
	}
}

// The separations the lawful-use rules depend on, named one by one.
func TestRoleSeparation(t *testing.T) {
	tests := []struct {
		role Role
		p    Permission
		can  bool
	}{
		{Operator, SearchReads, false},
		{Operator, ViewAlerts, true},
		{Administrator, SearchReads, false},
		{Administrator, ViewAlerts, false},
		{Administrator, ManageUsers, true},
		{Investigator, SearchReads, true},
		{Investigator, ApproveSearches, false},
		{Authoriser, ApproveSearches, true},
		{Authoriser, SearchReads, false},
		{Auditor, ReadAudit, true},
		{Auditor, SeeCameraLocations, false},
		{Ingest, IngestReads, true},
		{Ingest, SeeCameraLocations, false},
		{Role("superuser"), ReadAudit, false},
		{Role(""), ViewAlerts, false},
		{Investigator, Permission("everything"), false},
	}
	for _, tt := range tests {
		if got := tt.role.Can(tt.p); got != tt.can {
			t.Errorf("%q.Can(%q) = %t, want %t", tt.role, tt.p, got, tt.can)
		}
	}
	if got := Auditor.Permissions(); !slices.Equal(got, []Permission{ReadAudit}) {
		t.Errorf("auditor may %v, want only %s", got, ReadAudit)
	}
	if got := Ingest.Permissions(); !slices.Equal(got, []Permission{IngestReads}) {
		t.Errorf("ingest may %v, want only %s", got, IngestReads)
	}
}

func TestRoleValid(t *testing.T) {
	for _, r := range Roles() {
		if !r.Valid() {
			t.Errorf("%s.Valid() = false", r)
		}
		if got, want := r.Machine(), r == Ingest; got != want {
			t.Errorf("%s.Machine() = %t, want %t", r, got, want)
		}
	}
	for _, r := range []Role{"", "Operator", "admin", "camera"} {
		if r.Valid() {
			t.Errorf("%q.Valid() = true", r)
		}
	}
	for _, p := range Permissions() {
		if !p.Valid() {
			t.Errorf("%s.Valid() = false", p)
		}
	}
	if Permission("search").Valid() {
		t.Error(`Permission("search").Valid() = true`)
	}
}
