package access

import (
	"errors"
	"fmt"
	"time"
)

// The errors the package returns, wrapped with context; test for them with
// errors.Is.
var (
	// ErrBadCredentials is a login or a token refused: a name that does not
	// exist, a wrong password and a disabled account all give this one
	// error, so that it does not tell an outsider which names exist.
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrRateLimited is a login refused for too many failures; the error is
	// a *RateLimitError saying how long to wait.
	ErrRateLimited = errors.New("too many failed logins")
	// ErrNoSession is a session token that opens no session: never issued,
	// ended by logout, or its user disabled.
	ErrNoSession = errors.New("no such session")
	// ErrSessionExpired is a session that ended by its idle or its
	// absolute time limit. The user logs in again.
	ErrSessionExpired = errors.New("session expired")
	// ErrRevoked is an API token that was revoked. It also matches
	// ErrBadCredentials.
	ErrRevoked = errors.New("token revoked")
	// ErrNotFound is a user, token or approval that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists is a user added under a name already taken.
	ErrExists = errors.New("already exists")
	// ErrInvalid is bad input: every such error wraps it with what was
	// wrong.
	ErrInvalid = errors.New("invalid")
	// ErrDenied is a search or an approval that the rules refuse; the
	// error is a *PolicyError saying which rule and why.
	ErrDenied = errors.New("denied")
)

// RateLimitError is a login refused because too many failed for the name
// or the client address. It matches ErrRateLimited.
type RateLimitError struct {
	Wait time.Duration // how long until a login will be tried again
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v: try again in %v", ErrRateLimited, e.Wait.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// PolicyError is a search, or a request or decision about one, that the
// rules refuse. It matches ErrDenied.
type PolicyError struct {
	Rule   Rule   // the rule that refused it
	Reason string // why, in words for the person refused
}

func (e *PolicyError) Error() string { return "denied: " + e.Reason }

// Is makes errors.Is(err, ErrDenied) true.
func (e *PolicyError) Is(target error) bool { return target == ErrDenied }

// Rule names a rule of lawful use, for the audit log's record of a refusal.
type Rule string

// The rules a PolicyError can name.
const (
	RuleRole          Rule = "role"           // the user's role may not do this, or there is no such active user
	RuleJustification Rule = "justification"  // no justification, or too short
	RuleReference     Rule = "reference"      // no incident or crime reference, or not a valid one
	RuleRange         Rule = "range"          // the time range is missing or back to front
	RuleRetention     Rule = "retention"      // reaches back beyond the retention period
	RuleCrimeCategory Rule = "crime-category" // no crime category, or not a serious crime where one is needed
	RuleApproval      Rule = "approval"       // no approval where one is needed, or one that does not cover the search
	RuleSelfApproval  Rule = "self-approval"  // an authoriser deciding their own request
	RuleDecided       Rule = "decided"        // an approval decided already
	RuleNote          Rule = "note"           // a refusal without a note saying why
)

func deny(rule Rule, format string, args ...any) *PolicyError {
	return &PolicyError{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
