package access

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Token is an API token: how a machine, such as a camera that reads plates
// itself, authenticates. Its secret is shown once, when it is made; only
// its SHA-256 is kept.
type Token struct {
	ID        string // not secret: for listing and revoking
	Name      string // what it is for, e.g. the camera's ID
	Role      Role
	Created   time.Time
	Revoked   bool
	RevokedAt time.Time // zero if not revoked
}

// tokenPrefix starts every token secret, so that one pasted where it
// should not be (a log, a ticket, a repository) is easy to find and
// recognise.
const tokenPrefix = "anpr_"

// NewToken makes an API token for a machine and returns it with its
// secret, which cannot be had again: a lost secret means a new token. Only
// machine roles ([Role.Machine]) may be given to a token: a bearer secret
// standing for a person would get round the password, the session limits
// and the per-person audit trail.
func (d *Directory) NewToken(ctx context.Context, name string, role Role) (Token, string, error) {
	if err := checkLabel("token name", name); err != nil {
		return Token{}, "", fmt.Errorf("new token: %w", err)
	}
	if !role.Machine() {
		return Token{}, "", fmt.Errorf("new token %s: %w", name, invalid("role %q is not a machine role", role))
	}
	id := make([]byte, 8)
	rand.Read(id)
	t := Token{ID: "tok-" + hex.EncodeToString(id), Name: name, Role: role, Created: d.opts.Now().UTC()}
	secret := tokenPrefix + newSecret()
	if _, err := d.w.ExecContext(ctx, `INSERT INTO tokens (id, secret_hash, name, role, created) VALUES (?, ?, ?, ?, ?)`,
		t.ID, secretHash(secret), t.Name, string(t.Role), nanos(t.Created)); err != nil {
		return Token{}, "", fmt.Errorf("new token %s: %w", name, err)
	}
	return t, secret, nil
}

// CheckToken returns the token whose secret is given. A secret that is no
// token's gives ErrBadCredentials; a revoked token's gives ErrRevoked, which
// also matches ErrBadCredentials.
//
// There is no rate limit: a secret is 256 random bits, so guessing is
// hopeless, and the lookup is by the secret's SHA-256, so its timing says
// nothing of use about any stored secret.
func (d *Directory) CheckToken(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > maxSecretChars {
		return Token{}, fmt.Errorf("check token: %w", ErrBadCredentials)
	}
	t, err := d.token(ctx, `secret_hash = ?`, secretHash(secret))
	if errors.Is(err, ErrNotFound) {
		return Token{}, fmt.Errorf("check token: %w", ErrBadCredentials)
	}
	if err != nil {
		return Token{}, fmt.Errorf("check token: %w", err)
	}
	if t.Revoked {
		return Token{}, fmt.Errorf("check token %s: %w: %w", t.ID, ErrRevoked, ErrBadCredentials)
	}
	return t, nil
}

// RevokeToken revokes a token for good. Revoking one revoked already does
// nothing more.
func (d *Directory) RevokeToken(ctx context.Context, id string) error {
	res, err := d.w.ExecContext(ctx, `UPDATE tokens SET revoked = CASE revoked WHEN 0 THEN ? ELSE revoked END WHERE id = ?`,
		nanos(d.opts.Now()), id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("revoke token %s: %w", id, ErrNotFound)
	}
	return nil
}

// Tokens returns every token, revoked ones too, oldest first.
func (d *Directory) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

const tokenColumns = `id, name, role, created, revoked`

type scanner interface{ Scan(dest ...any) error }

func scanToken(s scanner) (Token, error) {
	var (
		t                Token
		created, revoked int64
	)
	if err := s.Scan(&t.ID, &t.Name, &t.Role, &created, &revoked); err != nil {
		return Token{}, err
	}
	t.Created, t.RevokedAt, t.Revoked = fromNanos(created), fromNanos(revoked), revoked != 0
	return t, nil
}

func (d *Directory) token(ctx context.Context, where string, arg any) (Token, error) {
	t, err := scanToken(d.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	return t, err
}

const maxLabelChars = 64

// checkLabel reports whether s, named what in the error, is 1 to 64
// printable characters, not starting or ending with space: a name or a
// reference a person will read in a list or an audit record.
func checkLabel(what, s string) error {
	if p := labelProblem(what, s); p != "" {
		return invalid("%s", p)
	}
	return nil
}

// labelProblem says what is wrong with s as a label (see checkLabel), or
// "" if nothing is.
func labelProblem(what, s string) string {
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		return fmt.Sprintf("%s %q is not valid UTF-8", what, s)
	case strings.TrimSpace(s) == "":
		return fmt.Sprintf("%s is empty", what)
	case n > maxLabelChars:
		return fmt.Sprintf("%s %q has %d characters, at most %d are allowed", what, s, n, maxLabelChars)
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("%s %q starts or ends with space", what, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Sprintf("%s %q holds a character that is not printable", what, s)
		}
	}
	return ""
}
