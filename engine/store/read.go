package store

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Read is one capture of a vehicle's registration mark by a camera.
type Read struct {
	ID          string    `json:"id"`                     // unique, given by the caller; ingest is idempotent on it
	Camera      string    `json:"camera"`                 // the camera (site and lane position) that made the read
	VRM         string    `json:"vrm"`                    // normalised (vrm.Normalise): A-Z and 0-9 only, no spaces
	Confidence  float64   `json:"confidence"`             // the reader's confidence, 0 to 1
	Captured    time.Time `json:"captured"`               // when the camera captured the frame; stored to the nanosecond, returned in UTC
	Lane        string    `json:"lane,omitempty"`         // optional
	Direction   string    `json:"direction,omitempty"`    // optional: direction of travel
	Format      string    `json:"format,omitempty"`       // optional: the VRM's format as the reader judged it
	PatchRef    string    `json:"patch_ref,omitempty"`    // optional: the plate patch image, an Images ref
	OverviewRef string    `json:"overview_ref,omitempty"` // optional: the overview image, an Images ref
}

// Limits on what a store accepts.
const (
	MaxVRMLen       = 10    // the longest UK mark has 7 characters; foreign ones run to 10
	MaxIDLen        = 128   // room for a UUID with a prefix
	MaxCameraLen    = 64    //
	MaxLabelLen     = 32    // Lane, Direction and Format
	DefaultMaxBatch = 10000 // reads in one AddReads call, unless a store is configured otherwise
)

// Captured times a store can hold: stores keep them as Unix nanoseconds,
// which run out in 2262. Reads from before 1970 come from a camera whose
// clock was never set.
var (
	minCaptured = time.Unix(0, 0).UTC()
	maxCaptured = time.Unix(0, math.MaxInt64).UTC()
)

// ErrInvalid is wrapped by every error that refuses input: a bad read, a
// batch too large, a bad query or image ref. Such input will not succeed if
// retried as it is.
var ErrInvalid = errors.New("invalid input")

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns an error, formatted as by fmt.Sprintf, that wraps
// ErrInvalid: for a Store to refuse input of its own.
func Invalidf(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

var invalid = Invalidf

// BatchError reports the read that made a batch fail its checks. Nothing
// of the batch was stored.
type BatchError struct {
	Index int    // the read's position in the batch, from 0
	ID    string // its ID, as given
	Err   error  // what was wrong with it
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("read %d of batch (id %q): %v", e.Index, truncate(e.ID, MaxIDLen), e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// CheckBatch checks every read of a batch and the batch's size (at most
// maxBatch reads; maxBatch <= 0 means DefaultMaxBatch). The error for the
// first bad read is a *BatchError naming its index. An empty batch is
// valid.
func CheckBatch(reads []Read, maxBatch int) error {
	if maxBatch <= 0 {
		maxBatch = DefaultMaxBatch
	}
	if len(reads) > maxBatch {
		return invalid("batch of %d reads is over the limit of %d: split it", len(reads), maxBatch)
	}
	for i := range reads {
		if err := reads[i].Check(); err != nil {
			return &BatchError{Index: i, ID: reads[i].ID, Err: err}
		}
	}
	return nil
}

// Check reports the first thing wrong with r, or nil if a store can take it.
func (r *Read) Check() error {
	if err := checkText("id", r.ID, MaxIDLen, true); err != nil {
		return err
	}
	if err := checkText("camera", r.Camera, MaxCameraLen, true); err != nil {
		return err
	}
	if err := CheckVRM(r.VRM); err != nil {
		return err
	}
	if math.IsNaN(r.Confidence) || r.Confidence < 0 || r.Confidence > 1 {
		return invalid("confidence %v is not between 0 and 1", r.Confidence)
	}
	switch {
	case r.Captured.IsZero():
		return invalid("captured time is not set")
	case r.Captured.Before(minCaptured) || !r.Captured.Before(maxCaptured):
		return invalid("captured time %s is outside %d to %d", r.Captured.UTC().Format(time.RFC3339Nano), minCaptured.Year(), maxCaptured.Year())
	}
	for _, f := range []struct{ name, value string }{{"lane", r.Lane}, {"direction", r.Direction}, {"format", r.Format}} {
		if err := checkText(f.name, f.value, MaxLabelLen, false); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, value string }{{"patch ref", r.PatchRef}, {"overview ref", r.OverviewRef}} {
		if f.value == "" {
			continue
		}
		if err := CheckRef(f.value); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// CheckVRM reports whether vrm is a stored VRM: 1 to MaxVRMLen characters,
// each A-Z or 0-9. Marks must be normalised (vrm.Normalise) before they are
// stored; the store does not guess.
func CheckVRM(vrm string) error {
	if vrm == "" {
		return invalid("vrm is empty")
	}
	if len(vrm) > MaxVRMLen {
		return invalid("vrm %q is %d bytes long, over the limit of %d", truncate(vrm, MaxVRMLen), len(vrm), MaxVRMLen)
	}
	for i := 0; i < len(vrm); i++ {
		if !isVRMChar(vrm[i]) {
			return invalid("vrm %q: byte %d (%q) is not A-Z or 0-9 (normalise marks before storing them)", vrm, i, vrm[i])
		}
	}
	return nil
}

func isVRMChar(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') }

// checkText checks a free-text field: valid UTF-8, no control characters,
// at most max bytes, and not empty if required.
func checkText(name, s string, max int, required bool) error {
	if s == "" {
		if required {
			return invalid("%s is empty", name)
		}
		return nil
	}
	if len(s) > max {
		return invalid("%s %q... is %d bytes long, over the limit of %d", name, truncate(s, 16), len(s), max)
	}
	if !utf8.ValidString(s) {
		return invalid("%s %q is not valid UTF-8", name, s)
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return invalid("%s %q: byte %d is a control character", name, s, i)
		}
	}
	return nil
}

// truncate shortens s for an error message, at a byte boundary: messages
// quote with %q, which shows any broken character as an escape.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
