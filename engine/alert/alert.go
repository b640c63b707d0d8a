package alert

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/store"
)

// Kind says what raised an alert.
type Kind string

const (
	// KindHotlist: a read hit an entry on a hotlist (Alert.Hit).
	KindHotlist Kind = "hotlist"
	// KindClone: a mark was read at two cameras sooner apart than any one
	// vehicle could manage (Alert.Clone).
	KindClone Kind = "clone"
)

func (k Kind) valid() bool { return k == KindHotlist || k == KindClone }

// State is where an alert is in its handling; see the package
// documentation for the ways between them.
type State string

const (
	// StateNew: raised, and nobody has picked it up yet.
	StateNew State = "new"
	// StateAcknowledged: an operator has opened it and is dealing with it.
	StateAcknowledged State = "acknowledged"
	// StateDecided: a resource was deployed to it; the outcome is awaited.
	StateDecided State = "decided"
	// StateClosed: nothing more to record. It was decided without a
	// deployment, or the deployment's outcome is recorded.
	StateClosed State = "closed"
)

// states lists every state, in the order an alert goes through them.
var states = []State{StateNew, StateAcknowledged, StateDecided, StateClosed}

func (s State) valid() bool {
	switch s {
	case StateNew, StateAcknowledged, StateDecided, StateClosed:
		return true
	}
	return false
}

// Alert is a read of interest put before an operator, with what was done
// about it.
type Alert struct {
	ID     string    `json:"id"`
	Kind   Kind      `json:"kind"`
	Raised time.Time `json:"raised"`
	// Read is the read that raised the alert: the camera, the mark, the
	// reader's confidence, when it was captured, and the references to the
	// plate patch and overview images. For a clone alert, the later of the
	// two sightings' reads.
	Read store.Read `json:"read"`
	// Hit is the hotlist entry the read matched (list, marker, priority,
	// action advice, owner's reference), how it matched, and where the read
	// differs from the listed mark. Set for KindHotlist only.
	Hit *hotlist.Hit `json:"hit,omitempty"`
	// Clone holds the two sightings and the least travel time between
	// their cameras. Set for KindClone only.
	Clone *hotlist.CloneAlert `json:"clone,omitempty"`
	// Priority runs from hotlist.HighestPriority (1, most urgent) to
	// hotlist.LowestPriority (9): the entry's for a hit,
	// Options.ClonePriority for a clone.
	Priority     int        `json:"priority"`
	State        State      `json:"state"`
	Escalated    bool       `json:"escalated"`
	EscalatedAt  *time.Time `json:"escalated_at,omitempty"`
	Acknowledged *Ack       `json:"acknowledged,omitempty"`
	Decision     *Decision  `json:"decision,omitempty"`
	Outcome      *Outcome   `json:"outcome,omitempty"`
}

// Ack records who picked an alert up, and when.
type Ack struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Explain is the alert in one line for an operator: the hit's or the
// clone's own explanation.
func (a *Alert) Explain() string {
	switch {
	case a.Hit != nil:
		return a.Hit.Explain()
	case a.Clone != nil:
		return a.Clone.Explain()
	}
	return fmt.Sprintf("%s alert on %s at %s", a.Kind, a.Read.VRM, a.Read.Camera)
}

// List is the source list (PNC, DVLA, insurance, local...) of the entry a
// hotlist alert hit; "" for a clone alert.
func (a *Alert) List() string {
	if a.Hit == nil {
		return ""
	}
	return a.Hit.List
}

// Limits on what an alert holds.
const (
	MaxIDLen       = 64   // alert IDs
	MaxByLen       = 128  // who acknowledged, decided or recorded an outcome
	MaxResourceLen = 128  // the resource deployed
	MaxReasonLen   = 2000 // a decision's reason, an outcome's note
)

// Check reports the first thing wrong with a, or nil if a Repository can
// store it. Its state must agree with what it records: an acknowledged
// alert has an Ack, a decided one a deploy Decision and no Outcome, and so
// on.
func (a *Alert) Check() error {
	if err := CheckID(a.ID); err != nil {
		return err
	}
	if !a.Kind.valid() {
		return Invalidf("alert %s: kind %q is not %s or %s", a.ID, a.Kind, KindHotlist, KindClone)
	}
	switch {
	case a.Raised.IsZero():
		return Invalidf("alert %s: raised time is not set", a.ID)
	case a.Raised.Before(minRaised) || !a.Raised.Before(maxRaised):
		// Repositories keep times as Unix nanoseconds, as stores keep reads.
		return Invalidf("alert %s: raised time %s is outside %d to %d", a.ID, a.Raised.UTC().Format(time.RFC3339), minRaised.Year(), maxRaised.Year())
	}
	if err := a.Read.Check(); err != nil {
		return fmt.Errorf("%w: alert %s: read: %w", ErrInvalid, a.ID, err)
	}
	switch a.Kind {
	case KindHotlist:
		if a.Hit == nil || a.Clone != nil {
			return Invalidf("alert %s: a hotlist alert holds a hit and no clone", a.ID)
		}
		if a.Hit.Read != a.Read.VRM {
			return Invalidf("alert %s: the hit is for the read %q, not %q", a.ID, a.Hit.Read, a.Read.VRM)
		}
		if a.Priority != a.Hit.Priority {
			return Invalidf("alert %s: priority %d is not the entry's, %d", a.ID, a.Priority, a.Hit.Priority)
		}
	case KindClone:
		if a.Clone == nil || a.Hit != nil {
			return Invalidf("alert %s: a clone alert holds a clone and no hit", a.ID)
		}
		if a.Clone.VRM != a.Read.VRM {
			return Invalidf("alert %s: the clone is of %q, not the read's %q", a.ID, a.Clone.VRM, a.Read.VRM)
		}
	}
	if a.Priority < hotlist.HighestPriority || a.Priority > hotlist.LowestPriority {
		return Invalidf("alert %s: priority %d is outside %d to %d", a.ID, a.Priority, hotlist.HighestPriority, hotlist.LowestPriority)
	}
	if a.Escalated != (a.EscalatedAt != nil) {
		return Invalidf("alert %s: escalated is %v but its time is %s", a.ID, a.Escalated, map[bool]string{true: "set", false: "not set"}[a.EscalatedAt != nil])
	}
	if a.EscalatedAt != nil && a.EscalatedAt.IsZero() {
		return Invalidf("alert %s: escalated time is zero", a.ID)
	}
	return a.checkState()
}

// checkState checks that the state agrees with the records.
func (a *Alert) checkState() error {
	if !a.State.valid() {
		return Invalidf("alert %s: state %q is not one of %v", a.ID, a.State, states)
	}
	if a.Acknowledged != nil {
		if err := checkText("acknowledged by", a.Acknowledged.By, MaxByLen, true, false); err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if a.Acknowledged.At.IsZero() {
			return Invalidf("alert %s: acknowledged time is not set", a.ID)
		}
	}
	if a.Decision != nil {
		if err := a.Decision.Check(); err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if a.Decision.At.IsZero() {
			return Invalidf("alert %s: decision time is not set", a.ID)
		}
	}
	if a.Outcome != nil {
		if err := a.Outcome.Check(); err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if a.Outcome.At.IsZero() {
			return Invalidf("alert %s: outcome time is not set", a.ID)
		}
	}
	has := func(ack, dec, out bool) bool {
		return (a.Acknowledged != nil) == ack && (a.Decision != nil) == dec && (a.Outcome != nil) == out
	}
	deployed := a.Decision != nil && a.Decision.Kind == Deploy
	ok := false
	switch a.State {
	case StateNew:
		ok = has(false, false, false)
	case StateAcknowledged:
		ok = has(true, false, false)
	case StateDecided:
		ok = has(true, true, false) && deployed
	case StateClosed:
		ok = has(true, true, deployed)
	}
	if !ok {
		return Invalidf("alert %s: state %s does not agree with what it records (acknowledged %v, decision %s, outcome %v)",
			a.ID, a.State, a.Acknowledged != nil, a.decisionKind(), a.Outcome != nil)
	}
	return nil
}

func (a *Alert) decisionKind() DecisionKind {
	if a.Decision == nil {
		return ""
	}
	return a.Decision.Kind
}

func (a *Alert) outcomeKind() OutcomeKind {
	if a.Outcome == nil {
		return ""
	}
	return a.Outcome.Kind
}

// Times an alert can be raised at: repositories keep them as Unix
// nanoseconds, which run out in 2262.
var (
	minRaised = time.Unix(0, 0).UTC()
	maxRaised = time.Unix(0, math.MaxInt64).UTC()
)

// CheckID reports whether id can be an alert ID: 1 to MaxIDLen of A-Z,
// a-z, 0-9, '.', '_' and '-'.
func CheckID(id string) error {
	if id == "" {
		return Invalidf("alert id is empty")
	}
	if len(id) > MaxIDLen {
		return Invalidf("alert id %q... is %d bytes long, over the limit of %d", truncate(id, 16), len(id), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return Invalidf("alert id %q: byte %d (%q) is not a letter, digit, '.', '_' or '-'", id, i, c)
		}
	}
	return nil
}

// hitID is the ID of the alert a read's hit raises: 32 hex digits, the
// same every time the same read hits the same entry, so that a read
// delivered twice raises its alerts once.
func hitID(r store.Read, h hotlist.Hit) string {
	return digest("hotlist", r.ID, h.Hotlist, h.VRM, h.List, h.Marker)
}

// cloneID is the ID of the clone alert a read raises, stable as hitID is.
func cloneID(r store.Read, c hotlist.CloneAlert) string {
	var at [16]byte
	binary.BigEndian.PutUint64(at[:8], uint64(c.Earlier.At.UnixNano()))
	binary.BigEndian.PutUint64(at[8:], uint64(c.Later.At.UnixNano()))
	// The pair of sightings, not the read that completed it: the same pair
	// seen again from its other read (a redelivery, or a late read arriving
	// after a later one) is the same suspected clone, raised once.
	return digest("clone", c.VRM, c.Earlier.Camera, c.Later.Camera, string(at[:]))
}

// digest hashes its parts, each prefixed by its length so that no two lists
// of parts run together alike.
func digest(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
