package access

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A wrong password, an unknown name and a disabled account are one error,
// word for word, so that a login tells an outsider nothing.
func TestLoginSameErrorForEveryFailure(t *testing.T) {
	d, _ := openTest(t, Options{LoginFailures: 100})
	mustAddUser(t, d, "alice", Investigator)
	mustAddUser(t, d, "dave", Investigator)
	if err := d.SetDisabled(ctx, "dave", true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what, name, password string
		ok                   bool
	}{
		{"right password", "alice", goodPassword, true},
		{"name as typed, in capitals", " ALICE ", goodPassword, true},
		{"wrong password", "alice", "not the password at all", false},
		{"empty password", "alice", "", false},
		{"unknown name", "mallory", goodPassword, false},
		{"name too long to be one", strings.Repeat("m", 1000), goodPassword, false},
		{"password too long to be one", "alice", goodPassword + strings.Repeat("x", 2000), false},
		{"disabled, right password", "dave", goodPassword, false},
	}
	for _, tt := range tests {
		s, err := d.Login(ctx, tt.name, tt.password, "192.0.2.1")
		if tt.ok {
			if err != nil || s.User.Name != "alice" || s.Token == "" || s.CSRF == "" {
				t.Errorf("%s: Login = %+v, %v", tt.what, s, err)
			}
			continue
		}
		want := fmt.Sprintf("login %q: %v", normaliseName(tt.name), ErrBadCredentials)
		if !errors.Is(err, ErrBadCredentials) || err.Error() != want {
			t.Errorf("%s: Login error %v, want %q", tt.what, err, want)
		}
		if s != (Session{}) {
			t.Errorf("%s: Login returned a session with its error: %+v", tt.what, s)
		}
	}
}

func TestLoginRateLimitPerName(t *testing.T) {
	d, c := openTest(t, Options{LoginFailures: 3, LoginWindow: 10 * time.Minute})
	mustAddUser(t, d, "alice", Investigator)
	// Three failures a minute apart, each from a different address.
	for i := range 3 {
		if _, err := d.Login(ctx, "alice", "wrong wrong wrong", fmt.Sprintf("198.51.100.%d:1234", i)); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
		c.Advance(time.Minute)
	}
	// Now at +3m: even the right password, from a fresh address, is refused
	// until the first failure (at +0) is 10 minutes old.
	_, err := d.Login(ctx, "alice", goodPassword, "203.0.113.9")
	var rl *RateLimitError
	if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("Login after 3 failures = %v, want a RateLimitError", err)
	}
	if rl.Wait != 7*time.Minute {
		t.Errorf("wait %v, want 7m", rl.Wait)
	}
	// Refused attempts do not count, so the wait does not grow.
	c.Advance(7*time.Minute - time.Second)
	if _, err := d.Login(ctx, "alice", goodPassword, "203.0.113.9"); !errors.As(err, &rl) || rl.Wait != time.Second {
		t.Fatalf("Login a second early = %v, want a wait of 1s", err)
	}
	c.Advance(time.Second)
	if _, err := d.Login(ctx, "alice", goodPassword, "203.0.113.9"); err != nil {
		t.Fatalf("Login once the window has passed: %v", err)
	}
	// Another name was never limited.
	if _, err := d.Login(ctx, "bob", "wrong wrong wrong", "203.0.113.10"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("another name: %v, want ErrBadCredentials", err)
	}
}

func TestLoginRateLimitPerRemote(t *testing.T) {
	d, c := openTest(t, Options{LoginFailures: 3, LoginWindow: 10 * time.Minute})
	mustAddUser(t, d, "alice", Investigator)
	mustAddUser(t, d, "mallory", Operator)
	const attacker = "198.51.100.7"
	// Two guesses at other names, then a login to the attacker's own
	// account, which must not wipe the address's count, then one more.
	for _, name := range []string{"bob", "carol"} {
		if _, err := d.Login(ctx, name, "guess guess guess", attacker+":1111"); !errors.Is(err, ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := d.Login(ctx, "mallory", goodPassword, attacker+":2222"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Login(ctx, "dave", "guess guess guess", attacker+":3333"); !errors.Is(err, ErrBadCredentials) {
		t.Fatal(err)
	}
	// The address is spent, whatever the name or port.
	if _, err := d.Login(ctx, "alice", goodPassword, attacker+":4444"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("fourth login from the address = %v, want ErrRateLimited", err)
	}
	// The names guessed at are not (one failure each), and alice, from
	// elsewhere, is fine.
	if _, err := d.Login(ctx, "alice", goodPassword, "203.0.113.1"); err != nil {
		t.Errorf("alice from another address: %v", err)
	}
	c.Advance(10 * time.Minute)
	if _, err := d.Login(ctx, "alice", goodPassword, attacker); err != nil {
		t.Errorf("login from the address once the window has passed: %v", err)
	}
}

// A person who mistypes now and then is not locked out: a success clears
// their name's count.
func TestLoginSuccessClearsNameCount(t *testing.T) {
	d, _ := openTest(t, Options{LoginFailures: 3})
	mustAddUser(t, d, "alice", Investigator)
	for round := range 3 {
		for i := range 2 {
			if _, err := d.Login(ctx, "alice", "typo typo typo", fmt.Sprintf("192.0.2.%d", 10*round+i)); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("round %d failure %d: %v", round, i, err)
			}
		}
		if _, err := d.Login(ctx, "alice", goodPassword, fmt.Sprintf("192.0.2.%d", 10*round+5)); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	d, c := openTest(t, Options{SessionIdle: 15 * time.Minute, SessionMax: 12 * time.Hour})
	mustAddUser(t, d, "alice", Operator)
	s := mustLogin(t, d, "alice")
	if want := t0.Add(15 * time.Minute); !s.Expires.Equal(want) || !s.Created.Equal(t0) {
		t.Errorf("login: created %v expires %v, want %v and %v", s.Created, s.Expires, t0, want)
	}
	// Used every 14 minutes, it lives on.
	for i := 1; i <= 4; i++ {
		c.Advance(14 * time.Minute)
		got, err := d.Session(ctx, s.Token)
		if err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
		if want := c.Now().Add(15 * time.Minute); !got.Expires.Equal(want) {
			t.Errorf("use %d: expires %v, want %v", i, got.Expires, want)
		}
		if got.CSRF != s.CSRF || got.Token != s.Token || got.User.Name != "alice" || !got.Created.Equal(t0) {
			t.Errorf("use %d: session %+v, want the one opened at login", i, got)
		}
	}
	// Left for 15 minutes, it ends, and stays ended.
	c.Advance(15 * time.Minute)
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("after 15 idle minutes: %v, want ErrSessionExpired", err)
	}
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after expiry, again: %v, want ErrNoSession", err)
	}
}

func TestSessionMaxExpiry(t *testing.T) {
	d, c := openTest(t, Options{SessionIdle: 15 * time.Minute, SessionMax: time.Hour})
	mustAddUser(t, d, "alice", Operator)
	s := mustLogin(t, d, "alice")
	for range 5 {
		c.Advance(10 * time.Minute)
		if _, err := d.Session(ctx, s.Token); err != nil {
			t.Fatalf("at %v: %v", c.Now().Sub(t0), err)
		}
	}
	// At 50 minutes the idle limit would be 65: the absolute one is sooner.
	got, err := d.Session(ctx, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Hour); !got.Expires.Equal(want) {
		t.Errorf("expires %v, want the absolute limit %v", got.Expires, want)
	}
	c.Advance(10 * time.Minute)
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("an hour after login, used all along: %v, want ErrSessionExpired", err)
	}
}

func TestLogout(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Operator)
	s1, s2 := mustLogin(t, d, "alice"), mustLogin(t, d, "alice")
	if err := d.Logout(ctx, s1.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Session(ctx, s1.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after logout: %v, want ErrNoSession", err)
	}
	if err := d.Logout(ctx, s1.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("second logout: %v, want ErrNoSession", err)
	}
	if _, err := d.Session(ctx, s2.Token); err != nil {
		t.Errorf("the other session: %v", err)
	}
	if n, err := d.EndSessions(ctx, "alice"); n != 1 || err != nil {
		t.Errorf("EndSessions = %d, %v, want 1", n, err)
	}
	if _, err := d.Session(ctx, s2.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("after EndSessions: %v, want ErrNoSession", err)
	}
}

func TestSessionBadTokens(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Operator)
	s := mustLogin(t, d, "alice")
	for _, token := range []string{"", "x", s.Token + "x", s.Token[1:], s.CSRF, strings.Repeat("A", 10000)} {
		if _, err := d.Session(ctx, token); !errors.Is(err, ErrNoSession) {
			t.Errorf("Session(%.20q) = %v, want ErrNoSession", token, err)
		}
	}
}

func TestDisabledUserLosesSessions(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Investigator)
	s := mustLogin(t, d, "alice")
	if err := d.SetDisabled(ctx, "alice", true); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a disabled user: %v, want ErrNoSession", err)
	}
	if _, err := d.Login(ctx, "alice", goodPassword, "192.0.2.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("login of a disabled user: %v, want ErrBadCredentials", err)
	}
	if u, _ := d.User(ctx, "alice"); !u.Disabled {
		t.Error("User says not disabled")
	}
	if err := d.SetDisabled(ctx, "alice", false); err != nil {
		t.Fatal(err)
	}
	mustLogin(t, d, "alice")
}

func TestSetPasswordEndsSessions(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Investigator)
	s := mustLogin(t, d, "alice")
	if err := d.SetPassword(ctx, "alice", "short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetPassword(short) = %v, want ErrInvalid", err)
	}
	const next = "a different long passphrase"
	if err := d.SetPassword(ctx, "alice", next); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Session(ctx, s.Token); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after a password change: %v, want ErrNoSession", err)
	}
	if _, err := d.Login(ctx, "alice", goodPassword, "192.0.2.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password: %v, want ErrBadCredentials", err)
	}
	if _, err := d.Login(ctx, "alice", next, "192.0.2.1"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Investigator)
	const next = "a different long passphrase"
	if err := d.ChangePassword(ctx, "alice", "not the old one!", next, "192.0.2.1"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("with a wrong old password: %v, want ErrBadCredentials", err)
	}
	if err := d.ChangePassword(ctx, "alice", goodPassword, "short", "192.0.2.1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("to a short password: %v, want ErrInvalid", err)
	}
	if err := d.ChangePassword(ctx, "alice", goodPassword, next, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Login(ctx, "alice", next, "192.0.2.1"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestCheckCSRF(t *testing.T) {
	d, _ := openTest(t, Options{})
	mustAddUser(t, d, "alice", Operator)
	s1, s2 := mustLogin(t, d, "alice"), mustLogin(t, d, "alice")
	again, err := d.Session(ctx, s1.Token)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what      string
		s         Session
		presented string
		ok        bool
	}{
		{"its own", s1, s1.CSRF, true},
		{"from a later lookup", again, s1.CSRF, true},
		{"none", s1, "", false},
		{"another session's", s1, s2.CSRF, false},
		{"the session token", s1, s1.Token, false},
		{"cut short", s1, s1.CSRF[:len(s1.CSRF)-1], false},
		{"no session", Session{}, "", false},
	}
	for _, tt := range tests {
		if got := d.CheckCSRF(tt.s, tt.presented); got != tt.ok {
			t.Errorf("%s: CheckCSRF = %t, want %t", tt.what, got, tt.ok)
		}
	}
	if s1.CSRF == s1.Token || s1.CSRF == s2.CSRF {
		t.Error("CSRF secret is the token, or the same for two sessions")
	}
}

// A copy of the file holds no session token, only its hash, and sessions
// outlive a restart.
func TestSessionStoredAsHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.db")
	d, _ := openAt(t, path, Options{})
	mustAddUser(t, d, "alice", Operator)
	s := mustLogin(t, d, "alice")
	var n int
	if err := d.r.QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ? OR token_hash = ?`,
		s.Token, []byte(s.Token)).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions holding the token itself: %d, %v", n, err)
	}
	if err := d.r.QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, secretHash(s.Token)).Scan(&n); err != nil || n != 1 {
		t.Errorf("sessions holding the token's hash: %d, %v", n, err)
	}
	d.Close()
	d2, _ := openAt(t, path, Options{})
	if got, err := d2.Session(ctx, s.Token); err != nil || got.User.Name != "alice" {
		t.Errorf("session after reopening: %+v, %v", got, err)
	}
}

// A hash made with old parameters is made again with the new ones at the
// next login.
func TestLoginRehashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.db")
	d, _ := openAt(t, path, Options{HashParams: HashParams{Time: 1, Memory: 64, Threads: 1}})
	mustAddUser(t, d, "alice", Operator)
	d.Close()
	d2, _ := openAt(t, path, Options{HashParams: HashParams{Time: 2, Memory: 128, Threads: 1}})
	stored := func() string {
		var h string
		if err := d2.r.QueryRow(`SELECT password FROM users WHERE name = 'alice'`).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := stored(); !strings.Contains(h, "$m=64,t=1,p=1$") {
		t.Fatalf("stored hash %s, want the old parameters", h)
	}
	mustLogin(t, d2, "alice")
	if h := stored(); !strings.Contains(h, "$m=128,t=2,p=1$") {
		t.Errorf("stored hash after login %s, want the new parameters", h)
	}
	mustLogin(t, d2, "alice")
}

// A burst of guesses sent at once gets no more tries than guesses sent one
// by one: each counts from when it starts, before its hash is done.
func TestLoginBurstIsLimited(t *testing.T) {
	d, _ := openTest(t, Options{LoginFailures: 3, MaxHashing: 1})
	mustAddUser(t, d, "alice", Investigator)
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := d.Login(ctx, "alice", fmt.Sprint("guess number ", i), fmt.Sprint("198.51.100.", i))
			errs <- err
		}()
	}
	var bad, limited int
	for range n {
		switch err := <-errs; {
		case errors.Is(err, ErrBadCredentials):
			bad++
		case errors.Is(err, ErrRateLimited):
			limited++
		default:
			t.Errorf("Login = %v", err)
		}
	}
	if bad != 3 || limited != n-3 {
		t.Errorf("%d passwords checked and %d refused, want 3 and %d", bad, limited, n-3)
	}
}
