package access

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Session is a user logged in.
type Session struct {
	// Token is the session's secret, 256 random bits in unpadded base64url,
	// for the HTTP layer to put in a cookie (HttpOnly, Secure,
	// SameSite=Strict). Only its SHA-256 is stored.
	Token string
	// CSRF is the secret the browser must echo, in a header, on every
	// request that changes anything; check it with [Directory.CheckCSRF].
	// It is derived from Token, one way, so it may be shown to page scripts.
	CSRF    string
	User    User
	Created time.Time // when the user logged in
	Expires time.Time // the earlier of the idle and the absolute limit, as of the last use
}

const (
	secretBytes    = 32  // session tokens and API token secrets
	maxSecretChars = 128 // longer is no secret of ours: refused without work
	csrfDomain     = "anpr-csrf-v1"
)

// Login checks a user's password and, if it is right, opens a session.
// remote is the client's address (an HTTP request's RemoteAddr will do; ""
// is one address shared by every caller that gives it), for the rate
// limit: failures count per name and per address, and beyond
// [Options.LoginFailures] in [Options.LoginWindow] either of them refuses
// further logins with a [*RateLimitError], before the password is looked
// at. A successful login clears its name's count, since the person has
// shown they hold the password, but not its address's, so that an attacker
// who holds one account cannot use it to wipe the count of their guesses at
// others.
//
// A wrong name, a wrong password and a disabled account all return
// [ErrBadCredentials], and all take the time of one password hash. The
// name is taken in lower case, as it is stored.
func (d *Directory) Login(ctx context.Context, name, password, remote string) (Session, error) {
	name = normaliseName(name)
	u, stored, params, err := d.authenticate(ctx, name, password, remote)
	if err != nil {
		return Session{}, fmt.Errorf("login %q: %w", name, err)
	}
	// A hash made with other parameters than today's is made again, now
	// that the password is at hand.
	rehash := ""
	if params != d.opts.HashParams {
		if rehash, err = d.hash(ctx, password); err != nil {
			return Session{}, fmt.Errorf("login %s: %w", name, err)
		}
	}
	s, err := d.openSession(ctx, u, stored, rehash)
	if err != nil {
		return Session{}, fmt.Errorf("login %s: %w", name, err)
	}
	return s, nil
}

// authenticate checks name and password under the rate limit and returns
// the user, their stored hash and the parameters it was made with.
func (d *Directory) authenticate(ctx context.Context, name, password, remote string) (User, string, HashParams, error) {
	now := d.opts.Now()
	// A name too long to be one still counts, as itself cut short: cut to
	// one byte more than a name can have, it can never be taken for one.
	nk, rk := nameKey(name[:min(len(name), maxNameLen+1)]), remoteKey(remote)
	if wait, ok := d.logins.begin(now, nk, rk); !ok {
		return User{}, "", HashParams{}, &RateLimitError{Wait: wait}
	}
	forgive := func() {
		d.logins.forgive(nk, now)
		d.logins.forgive(rk, now)
	}

	var (
		u       User
		stored  string
		created int64
	)
	err := d.r.QueryRowContext(ctx, `SELECT name, role, disabled, created, password FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &u.Disabled, &created, &stored)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		forgive() // our failure, not the client's
		return User{}, "", HashParams{}, err
	}
	u.Created = fromNanos(created)

	tooLong := len(password) > maxPasswordBytes
	if tooLong {
		password = password[:maxPasswordBytes]
	}
	var (
		match  bool
		params HashParams
		bad    error
	)
	if err := d.withHashSlot(ctx, func() {
		if !known {
			burnHash(password, d.opts.HashParams)
			return
		}
		match, params, bad = verifyPassword(stored, password)
	}); err != nil {
		forgive()
		return User{}, "", HashParams{}, err
	}
	if bad != nil {
		return User{}, "", HashParams{}, fmt.Errorf("stored password hash: %w", bad)
	}
	if !known || !match || tooLong || u.Disabled {
		return User{}, "", HashParams{}, ErrBadCredentials
	}
	d.logins.reset(nk)
	d.logins.forgive(rk, now)
	return u, stored, params, nil
}

// openSession stores a new session for u, provided that u's password is
// still stored and u is still enabled: neither may have changed while the
// password was being checked. A rehash, if given, replaces stored.
func (d *Directory) openSession(ctx context.Context, u User, stored, rehash string) (Session, error) {
	token := newSecret()
	th := secretHash(token)
	now := d.opts.Now().UTC()
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return Session{}, err
	}
	defer tx.Rollback()
	// Sessions that have expired unseen go now; a login is as good a time
	// as any, and keeps the table to the sessions that are live.
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_used <= ? OR created <= ?`,
		now.Add(-d.opts.SessionIdle).UnixNano(), now.Add(-d.opts.SessionMax).UnixNano()); err != nil {
		return Session{}, err
	}
	current := stored
	if rehash != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password = ? WHERE name = ? AND password = ?`,
			rehash, u.Name, stored); err != nil {
			return Session{}, err
		}
		current = rehash
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user, created, last_used)
		SELECT ?, name, ?, ? FROM users WHERE name = ? AND password = ? AND disabled = 0`,
		th, now.UnixNano(), now.UnixNano(), u.Name, current)
	if err != nil {
		return Session{}, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return Session{}, err
	} else if n == 0 {
		return Session{}, ErrBadCredentials // password changed or user disabled meanwhile
	}
	if err := tx.Commit(); err != nil {
		return Session{}, err
	}
	return Session{Token: token, CSRF: csrfFor(token), User: u, Created: now, Expires: d.expires(now, now)}, nil
}

// Session returns the session whose token is given, and counts this as a
// use of it, putting back its idle expiry. A token that opens no session,
// or one whose user is disabled, gives ErrNoSession; one that has timed out
// gives ErrSessionExpired, and is ended.
func (d *Directory) Session(ctx context.Context, token string) (Session, error) {
	if token == "" || len(token) > maxSecretChars {
		return Session{}, fmt.Errorf("session: %w", ErrNoSession)
	}
	th := secretHash(token)
	now := d.opts.Now().UTC()
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	defer tx.Rollback()
	var (
		s                      Session
		created, used, ucreate int64
	)
	err = tx.QueryRowContext(ctx, `SELECT s.created, s.last_used, u.name, u.role, u.disabled, u.created
		FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_hash = ?`, th).
		Scan(&created, &used, &s.User.Name, &s.User.Role, &s.User.Disabled, &ucreate)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("session: %w", ErrNoSession)
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	s.Created, s.User.Created = fromNanos(created), fromNanos(ucreate)
	var end error
	switch {
	case s.User.Disabled:
		end = ErrNoSession
	case !now.Before(d.expires(s.Created, fromNanos(used))):
		end = ErrSessionExpired
	}
	if end != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, th); err != nil {
			return Session{}, fmt.Errorf("session of %s: %w", s.User.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return Session{}, fmt.Errorf("session of %s: %w", s.User.Name, err)
		}
		return Session{}, fmt.Errorf("session of %s: %w", s.User.Name, end)
	}
	// max: a clock stepped back must not shorten a session's life.
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_used = max(last_used, ?) WHERE token_hash = ?`,
		now.UnixNano(), th); err != nil {
		return Session{}, fmt.Errorf("session of %s: %w", s.User.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return Session{}, fmt.Errorf("session of %s: %w", s.User.Name, err)
	}
	s.Token, s.CSRF = token, csrfFor(token)
	s.Expires = d.expires(s.Created, maxTime(now, fromNanos(used)))
	return s, nil
}

// Logout ends the session whose token is given. It returns ErrNoSession if
// there was none (it had expired, say), which a caller may ignore.
func (d *Directory) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > maxSecretChars {
		return fmt.Errorf("logout: %w", ErrNoSession)
	}
	res, err := d.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, secretHash(token))
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("logout: %w", err)
	} else if n == 0 {
		return fmt.Errorf("logout: %w", ErrNoSession)
	}
	return nil
}

// EndSessions ends every session of the user named, wherever they are
// logged in, and returns how many there were.
func (d *Directory) EndSessions(ctx context.Context, name string) (int, error) {
	res, err := d.w.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, name)
	if err != nil {
		return 0, fmt.Errorf("end sessions of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("end sessions of %s: %w", name, err)
	}
	return int(n), nil
}

// CheckCSRF reports whether presented is the CSRF secret of session s,
// comparing in constant time. The HTTP layer calls it on every request that
// changes anything, with the secret the page sent in a header.
func (d *Directory) CheckCSRF(s Session, presented string) bool {
	if s.Token == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(csrfFor(s.Token)), []byte(presented)) == 1
}

// expires is when a session created and last used at the times given ends.
func (d *Directory) expires(created, used time.Time) time.Time {
	idle, absolute := used.Add(d.opts.SessionIdle), created.Add(d.opts.SessionMax)
	if idle.Before(absolute) {
		return idle
	}
	return absolute
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// newSecret returns 256 random bits in unpadded base64url.
func newSecret() string {
	b := make([]byte, secretBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secretHash is what is stored of a session token or an API token secret.
// A plain SHA-256 is enough: the secrets are 256 random bits, so there is
// nothing to guess, and no slow hash is needed as it is for passwords.
func secretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// csrfFor is the CSRF secret of the session whose token is given: an HMAC
// of a fixed string under the token, which only the token's holder can
// make and from which the token cannot be had back.
func csrfFor(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(csrfDomain))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
