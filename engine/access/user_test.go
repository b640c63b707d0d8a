package access

import (
	"errors"
	"strings"
	"testing"
)

func TestAddUser(t *testing.T) {
	d, _ := openTest(t, Options{})
	tests := []struct {
		name     string
		role     Role
		password string
		want     error
	}{
		{"pc1234", Investigator, goodPassword, nil},
		{"ops.room_1-a", Operator, goodPassword, nil},
		{"", Operator, goodPassword, ErrInvalid},
		{"PC1234", Operator, goodPassword, ErrInvalid},
		{"pc 1234", Operator, goodPassword, ErrInvalid},
		{strings.Repeat("a", 65), Operator, goodPassword, ErrInvalid},
		{"bob", Role("superuser"), goodPassword, ErrInvalid},
		{"camera1", Ingest, goodPassword, ErrInvalid},
		{"carol", Auditor, "short", ErrInvalid},
		{"carol", Auditor, "carol's password", ErrInvalid},
		{"pc1234", Auditor, goodPassword, ErrExists},
	}
	for _, tt := range tests {
		u, err := d.AddUser(ctx, tt.name, tt.role, tt.password)
		if !errors.Is(err, tt.want) || (err != nil) != (tt.want != nil) {
			t.Errorf("AddUser(%q, %q, %q) = %v, want %v", tt.name, tt.role, tt.password, err, tt.want)
			continue
		}
		if err == nil && (u.Name != tt.name || u.Role != tt.role || u.Disabled || !u.Created.Equal(t0)) {
			t.Errorf("AddUser(%q, %q) = %+v", tt.name, tt.role, u)
		}
	}
	users, err := d.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, " "); got != "ops.room_1-a pc1234" {
		t.Errorf("Users() = %s, want ops.room_1-a pc1234", got)
	}
	u, err := d.User(ctx, "pc1234")
	if err != nil || u.Role != Investigator {
		t.Errorf("User(pc1234) = %+v, %v", u, err)
	}
	if _, err := d.User(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(nobody) = %v, want ErrNotFound", err)
	}
}

func TestChangeUnknownUser(t *testing.T) {
	d, _ := openTest(t, Options{})
	for name, err := range map[string]error{
		"SetPassword": d.SetPassword(ctx, "nobody", goodPassword),
		"SetDisabled": d.SetDisabled(ctx, "nobody", true),
		"SetRole":     d.SetRole(ctx, "nobody", Auditor),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s(nobody) = %v, want ErrNotFound", name, err)
		}
	}
}

func TestSetRole(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Operator)
	s := mustLogin(t, d, "alice")
	if err := d.SetRole(ctx, "alice", Ingest); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetRole(ingest) = %v, want ErrInvalid", err)
	}
	if err := d.SetRole(ctx, "alice", Investigator); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after a role change: %v, want ErrNoSession", err)
	}
	if s := mustLogin(t, d, "alice"); s.User.Role != Investigator {
		t.Errorf("role after SetRole = %s, want investigator", s.User.Role)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := map[string]Options{
		"approval age past retention": {ApprovalAge: 400 * day24},
		"too little memory":           {HashParams: HashParams{Time: 1, Memory: 8, Threads: 4}},
	}
	for name, opts := range tests {
		if d, err := Open(dir+"/x.db", opts); err == nil {
			d.Close()
			t.Errorf("%s: Open took %+v", name, opts)
		}
	}
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open with no path worked")
	}
}
