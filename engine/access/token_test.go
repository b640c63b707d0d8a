package access

import (
	"errors"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	d, c := openTest(t, Options{})
	cam, secret, err := d.NewToken(ctx, "CAM-7 M25 J10", Ingest)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) < 40 || cam.ID == "" || cam.Role != Ingest || cam.Revoked {
		t.Fatalf("NewToken = %+v, %q", cam, secret)
	}
	c.Advance(1)
	other, otherSecret, err := d.NewToken(ctx, "CAM-9", Ingest)
	if err != nil {
		t.Fatal(err)
	}

	got, err := d.CheckToken(ctx, secret)
	if err != nil || got.ID != cam.ID || got.Role != Ingest || got.Name != "CAM-7 M25 J10" {
		t.Errorf("CheckToken = %+v, %v", got, err)
	}
	for _, bad := range []string{"", secret[:len(secret)-1], secret + "x", strings.TrimPrefix(secret, tokenPrefix), cam.ID} {
		if _, err := d.CheckToken(ctx, bad); !errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrRevoked) {
			t.Errorf("CheckToken(%q) = %v, want ErrBadCredentials", bad, err)
		}
	}

	if err := d.RevokeToken(ctx, cam.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeToken(ctx, cam.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := d.CheckToken(ctx, secret); !errors.Is(err, ErrRevoked) || !errors.Is(err, ErrBadCredentials) {
		t.Errorf("CheckToken(revoked) = %v, want ErrRevoked and ErrBadCredentials", err)
	}
	if _, err := d.CheckToken(ctx, otherSecret); err != nil {
		t.Errorf("the other token after revoking one: %v", err)
	}
	if err := d.RevokeToken(ctx, "tok-nothing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}

	list, err := d.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != cam.ID || !list[0].Revoked || !list[0].RevokedAt.Equal(c.Now()) ||
		list[1].ID != other.ID || list[1].Revoked {
		t.Errorf("Tokens() = %+v", list)
	}
	var n int
	if err := d.r.QueryRow(`SELECT count(*) FROM tokens WHERE secret_hash = ? OR secret_hash = ?`, secret, []byte(secret)).Scan(&n); err != nil || n != 0 {
		t.Errorf("tokens holding the secret itself: %d, %v", n, err)
	}
}

func TestNewTokenRefuses(t *testing.T) {
	d, _ := openTest(t, Options{})
	tests := []struct {
		name string
		role Role
	}{
		{"CAM-1", Investigator}, // a bearer secret standing for a person
		{"CAM-1", Administrator},
		{"CAM-1", Role("camera")},
		{"", Ingest},
		{" CAM-1", Ingest},
		{strings.Repeat("c", 65), Ingest},
		{"CAM\n1", Ingest},
	}
	for _, tt := range tests {
		if _, _, err := d.NewToken(ctx, tt.name, tt.role); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewToken(%q, %q) = %v, want ErrInvalid", tt.name, tt.role, err)
		}
	}
}
