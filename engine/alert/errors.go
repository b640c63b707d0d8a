package alert

import (
	"errors"
	"fmt"
)

// Errors the package and every Repository wrap, so that a caller (an HTTP
// handler) can tell them apart with errors.Is.
var (
	// ErrNotFound: no alert has that ID.
	ErrNotFound = errors.New("alert not found")
	// ErrInvalid: the input is wrong in itself (a deployment without a
	// resource, a bad query) and will fail again as it is.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the alert is not in a state that allows the action
	// (decided already, an outcome without a deployment). Fetch it again
	// to see why.
	ErrConflict = errors.New("conflicts with the alert's state")
)

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns an error, formatted as by fmt.Sprintf, that wraps
// ErrInvalid: for a Repository to refuse input of its own.
func Invalidf(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

type conflictError struct{ msg string }

func (e *conflictError) Error() string        { return e.msg }
func (e *conflictError) Is(target error) bool { return target == ErrConflict }

// Conflictf returns an error, formatted as by fmt.Sprintf, that wraps
// ErrConflict.
func Conflictf(format string, args ...any) error {
	return &conflictError{fmt.Sprintf(format, args...)}
}

type notFoundError struct{ id string }

func (e *notFoundError) Error() string        { return fmt.Sprintf("no alert %q", e.id) }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// NotFound returns the error for an alert ID that is not stored, wrapping
// ErrNotFound.
func NotFound(id string) error { return &notFoundError{truncate(id, MaxIDLen)} }
