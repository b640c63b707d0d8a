package access

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	p := HashParams{Time: 1, Memory: 64, Threads: 2}
	h := hashPassword("a long enough password", p)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=2$") {
		t.Errorf("hash %q is not a PHC argon2id string with its parameters", h)
	}
	if h2 := hashPassword("a long enough password", p); h2 == h {
		t.Error("two hashes of one password are the same: no salt")
	}
	tests := []struct {
		password string
		match    bool
	}{
		{"a long enough password", true},
		{"a long enough passworD", false},
		{"a long enough password ", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, got, err := verifyPassword(h, tt.password)
		if err != nil {
			t.Fatalf("verify %q: %v", tt.password, err)
		}
		if ok != tt.match {
			t.Errorf("verify %q = %t, want %t", tt.password, ok, tt.match)
		}
		if got != p {
			t.Errorf("verify read parameters %+v, want %+v", got, p)
		}
	}
}

func TestDecodePHCRefusesDamage(t *testing.T) {
	good := hashPassword("a long enough password", cheap)
	f := strings.Split(good, "$")
	tests := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"version":        strings.Replace(good, "v=19", "v=16", 1),
		"no memory":      strings.Join([]string{"", f[1], f[2], "t=1,p=1", f[4], f[5]}, "$"),
		"zero time":      strings.Join([]string{"", f[1], f[2], "m=64,t=0,p=1", f[4], f[5]}, "$"),
		"huge memory":    strings.Join([]string{"", f[1], f[2], "m=4294967295,t=1,p=1", f[4], f[5]}, "$"),
		"unknown param":  strings.Join([]string{"", f[1], f[2], "m=64,t=1,p=1,x=2", f[4], f[5]}, "$"),
		"short salt":     strings.Join([]string{"", f[1], f[2], f[3], "AAAA", f[5]}, "$"),
		"bad base64":     strings.Join([]string{"", f[1], f[2], f[3], f[4], "!!!!"}, "$"),
		"missing fields": strings.Join(f[:5], "$"),
	}
	for name, s := range tests {
		if _, _, _, err := decodePHC(s); err == nil {
			t.Errorf("%s: decodePHC(%q) took it", name, s)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, password string
		ok             bool
	}{
		{"alice", "correct horse battery staple", true},
		{"alice", "exactly12chr", true},
		{"alice", "elevenchars", false},
		{"alice", "", false},
		{"alice", "ééééééééééé", false},           // 11 characters, 22 bytes
		{"alice", "naïve café crème", true},       // counted in characters
		{"alice", "my name is alice, ok?", false}, // contains the name
		{"alice", "my name is ALICE, ok?", false},
		{"alice", "aaaaaaaaaaaaaaaa", false},
		{"alice", "tab\tinside password", false},
		{"alice", strings.Repeat("ab", 513), false}, // over 1024 bytes
		{"alice", "bad utf8 \xff\xfe here", false},
	}
	for _, tt := range tests {
		err := checkPasswordPolicy(tt.name, tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("checkPasswordPolicy(%q, %q) = %v, want ok %t", tt.name, tt.password, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("checkPasswordPolicy(%q, %q) = %v, not ErrInvalid", tt.name, tt.password, err)
		}
	}
}
