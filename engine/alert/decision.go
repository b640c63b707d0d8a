package alert

import (
	"strings"
	"time"
	"unicode/utf8"
)

// DecisionKind is what an operator decided about an alert.
type DecisionKind string

const (
	// Misread: the camera did not read the plate right; the vehicle is not
	// the listed one.
	Misread DecisionKind = "misread"
	// NotVehicle: the plate was read right, but the vehicle is not the
	// listed one (another make or colour: possibly false plates).
	NotVehicle DecisionKind = "not-vehicle"
	// NoAction: it is the vehicle, and nothing is to be done; Reason says
	// why (no resource free, already dealt with...).
	NoAction DecisionKind = "no-action"
	// Deploy: a resource (Decision.Resource) is sent; an outcome follows.
	Deploy DecisionKind = "deploy"
)

// decisionKinds lists every kind of decision.
var decisionKinds = []DecisionKind{Misread, NotVehicle, NoAction, Deploy}

// Decision is an operator's decision on an alert.
type Decision struct {
	Kind DecisionKind `json:"kind"`
	// Reason says why: required for NoAction, optional otherwise.
	Reason string `json:"reason,omitempty"`
	// Resource is who or what was deployed (a call sign, a unit): required
	// for Deploy, and for Deploy only.
	Resource string `json:"resource,omitempty"`
	// By is the operator who decided: required.
	By string `json:"by"`
	// At is when; Service.Decide sets it from its clock.
	At time.Time `json:"at"`
}

// Check reports the first thing wrong with d, wrapping ErrInvalid, or nil.
// It does not look at At, which the Service sets.
func (d Decision) Check() error {
	switch d.Kind {
	case Misread, NotVehicle, NoAction, Deploy:
	case "":
		return Invalidf("decision: kind is not given (want one of %v)", decisionKinds)
	default:
		return Invalidf("decision: kind %q is not one of %v", d.Kind, decisionKinds)
	}
	if err := checkText("decision: by", d.By, MaxByLen, true, false); err != nil {
		return err
	}
	if d.Kind == NoAction && blank(d.Reason) {
		return Invalidf("decision no-action: a reason is required")
	}
	if err := checkText("decision: reason", d.Reason, MaxReasonLen, false, true); err != nil {
		return err
	}
	if d.Kind == Deploy {
		if blank(d.Resource) {
			return Invalidf("decision deploy: the resource deployed is required")
		}
		if err := checkText("decision: resource", d.Resource, MaxResourceLen, true, false); err != nil {
			return err
		}
	} else if d.Resource != "" {
		return Invalidf("decision %s: a resource is for a deployment only", d.Kind)
	}
	return nil
}

// OutcomeKind is what came of a deployment.
type OutcomeKind string

const (
	// Stopped: the vehicle was stopped; nobody was arrested.
	Stopped OutcomeKind = "stopped"
	// Arrest: someone was arrested.
	Arrest OutcomeKind = "arrest"
	// NothingFound: the vehicle was found or stopped and nothing was
	// amiss.
	NothingFound OutcomeKind = "nothing-found"
	// NotLocated: the resource did not find the vehicle.
	NotLocated OutcomeKind = "not-located"
)

// outcomeKinds lists every kind of outcome.
var outcomeKinds = []OutcomeKind{Stopped, Arrest, NothingFound, NotLocated}

// Outcome is what came of a deployment to an alert.
type Outcome struct {
	Kind OutcomeKind `json:"kind"`
	Note string      `json:"note,omitempty"` // optional
	By   string      `json:"by"`             // who recorded it: required
	At   time.Time   `json:"at"`             // Service.RecordOutcome sets it
}

// Check reports the first thing wrong with o, wrapping ErrInvalid, or nil.
// It does not look at At, which the Service sets.
func (o Outcome) Check() error {
	switch o.Kind {
	case Stopped, Arrest, NothingFound, NotLocated:
	case "":
		return Invalidf("outcome: kind is not given (want one of %v)", outcomeKinds)
	default:
		return Invalidf("outcome: kind %q is not one of %v", o.Kind, outcomeKinds)
	}
	if err := checkText("outcome: by", o.By, MaxByLen, true, false); err != nil {
		return err
	}
	return checkText("outcome: note", o.Note, MaxReasonLen, false, true)
}

// checkText checks a free-text field: valid UTF-8, no control characters
// (but for line breaks and tabs where multiline), at most max bytes, and
// not empty if required.
func checkText(name, s string, max int, required, multiline bool) error {
	if required && blank(s) {
		return Invalidf("%s is empty", name)
	}
	if s == "" {
		return nil
	}
	if len(s) > max {
		return Invalidf("%s %q... is %d bytes long, over the limit of %d", name, truncate(s, 16), len(s), max)
	}
	if !utf8.ValidString(s) {
		return Invalidf("%s %q is not valid UTF-8", name, truncate(s, 32))
	}
	for i, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return Invalidf("%s %q: byte %d is a control character", name, truncate(s, 32), i)
		}
	}
	return nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// truncate shortens s for an error message, at a byte boundary (messages
// quote with %q, which shows a broken character as an escape).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
