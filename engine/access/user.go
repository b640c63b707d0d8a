package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// User is a person's account.
type User struct {
	Name     string // login name, 1-64 characters of a-z 0-9 . _ -
	Role     Role
	Disabled bool // cannot log in; their sessions have ended
	Created  time.Time
}

const maxNameLen = 64

// checkName reports whether name is a valid login name. Names are lower case
// only, so that no two accounts differ only by case.
func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return invalid("user name %q must be 1 to %d characters", name, maxNameLen)
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid("user name %q may hold only a-z, 0-9, '.', '_' and '-'", name)
		}
	}
	return nil
}

// AddUser adds a person's account with the password they will log in with.
// The password must be at least 12 characters, not contain the name, and
// not be one character repeated. Machines do not get accounts: the ingest
// role is refused here, and given to an API token with [Directory.NewToken].
func (d *Directory) AddUser(ctx context.Context, name string, role Role, password string) (User, error) {
	if err := checkName(name); err != nil {
		return User{}, fmt.Errorf("add user: %w", err)
	}
	if !role.Valid() {
		return User{}, fmt.Errorf("add user %s: %w", name, invalid("no such role %q", role))
	}
	if role.Machine() {
		return User{}, fmt.Errorf("add user %s: %w", name, invalid("role %s is for machines, which get API tokens", role))
	}
	if err := checkPasswordPolicy(name, password); err != nil {
		return User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	hash, err := d.hash(ctx, password)
	if err != nil {
		return User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	u := User{Name: name, Role: role, Created: d.opts.Now().UTC()}
	_, err = d.w.ExecContext(ctx, `INSERT INTO users (name, role, password, created, password_set) VALUES (?, ?, ?, ?, ?)`,
		u.Name, string(u.Role), hash, nanos(u.Created), nanos(u.Created))
	if isUniqueViolation(err) {
		return User{}, fmt.Errorf("add user %s: %w", name, ErrExists)
	}
	if err != nil {
		return User{}, fmt.Errorf("add user %s: %w", name, err)
	}
	return u, nil
}

// SetPassword changes a user's password, for example when an administrator
// resets it, and ends every session the user has. The password rules are
// those of [Directory.AddUser].
func (d *Directory) SetPassword(ctx context.Context, name, password string) error {
	if err := checkPasswordPolicy(name, password); err != nil {
		return fmt.Errorf("set password of %s: %w", name, err)
	}
	hash, err := d.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("set password of %s: %w", name, err)
	}
	err = d.update(ctx, name, `UPDATE users SET password = ?, password_set = ? WHERE name = ?`,
		hash, nanos(d.opts.Now()), name)
	if err != nil {
		return fmt.Errorf("set password of %s: %w", name, err)
	}
	return nil
}

// ChangePassword is a user changing their own password: it checks the old
// one as [Directory.Login] does, rate limits and all, then sets the new one
// and ends every session the user has, this one too.
func (d *Directory) ChangePassword(ctx context.Context, name, oldPassword, newPassword, remote string) error {
	name = normaliseName(name)
	if err := checkPasswordPolicy(name, newPassword); err != nil {
		return fmt.Errorf("change password of %s: %w", name, err)
	}
	if _, _, _, err := d.authenticate(ctx, name, oldPassword, remote); err != nil {
		return fmt.Errorf("change password of %s: %w", name, err)
	}
	return d.SetPassword(ctx, name, newPassword)
}

// SetDisabled disables a user, ending their sessions, or enables them
// again. Nothing else is undone: approvals they asked for or granted stand
// (each was a decision of its time, and is in the audit log).
func (d *Directory) SetDisabled(ctx context.Context, name string, disabled bool) error {
	if err := d.update(ctx, name, `UPDATE users SET disabled = ? WHERE name = ?`, disabled, name); err != nil {
		return fmt.Errorf("set %s disabled %t: %w", name, disabled, err)
	}
	return nil
}

// SetRole changes a user's role and ends their sessions, so that the new
// role takes effect at their next login. The ingest role is refused, as in
// [Directory.AddUser].
func (d *Directory) SetRole(ctx context.Context, name string, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role of %s: %w", name, invalid("no such role %q", role))
	}
	if role.Machine() {
		return fmt.Errorf("set role of %s: %w", name, invalid("role %s is for machines, which get API tokens", role))
	}
	if err := d.update(ctx, name, `UPDATE users SET role = ? WHERE name = ?`, string(role), name); err != nil {
		return fmt.Errorf("set role of %s to %s: %w", name, role, err)
	}
	return nil
}

// update runs a statement that changes the user name, and ends the user's
// sessions, in one transaction. It returns ErrNotFound if there is no such
// user.
func (d *Directory) update(ctx context.Context, name, query string, args ...any) error {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, name); err != nil {
		return err
	}
	return tx.Commit()
}

// User returns the user with the name given.
func (d *Directory) User(ctx context.Context, name string) (User, error) {
	u, err := d.user(ctx, d.r, name)
	if err != nil {
		return User{}, fmt.Errorf("user %s: %w", name, err)
	}
	return u, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (d *Directory) user(ctx context.Context, q querier, name string) (User, error) {
	var (
		u       User
		created int64
	)
	err := q.QueryRowContext(ctx, `SELECT name, role, disabled, created FROM users WHERE name = ?`, name).
		Scan(&u.Name, &u.Role, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	u.Created = fromNanos(created)
	return u, nil
}

// Users returns every user, disabled ones too, by name.
func (d *Directory) Users(ctx context.Context) ([]User, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT name, role, disabled, created FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var (
			u       User
			created int64
		)
		if err := rows.Scan(&u.Name, &u.Role, &u.Disabled, &created); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.Created = fromNanos(created)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// activeUser returns the stored account behind u, which the caller may have
// held for a while (in a session, say): the directory, not the caller, says
// what role someone has now and whether they are still allowed in.
func (d *Directory) activeUser(ctx context.Context, u User) (User, error) {
	stored, err := d.user(ctx, d.r, u.Name)
	if errors.Is(err, ErrNotFound) || err == nil && stored.Disabled {
		return User{}, deny(RuleRole, "%q is not an active user", u.Name)
	}
	return stored, err
}

// hash hashes a new password with the directory's parameters when a
// hashing slot is free.
func (d *Directory) hash(ctx context.Context, password string) (string, error) {
	var h string
	err := d.withHashSlot(ctx, func() { h = hashPassword(password, d.opts.HashParams) })
	return h, err
}

// normaliseName is a login name as a person may type it, made what it is
// stored as: names are lower case, so "PC1234" logs in as pc1234.
func normaliseName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}
