package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Action is what an entry records someone doing.
type Action string

// The actions the log records. New ones are added here and to actionList.
const (
	ActionSearch        Action = "search"         // a search of stored reads
	ActionViewRead      Action = "view-read"      // a stored read opened
	ActionViewImage     Action = "view-image"     // a plate patch or overview image opened
	ActionAlertDecision Action = "alert-decision" // an operator acted on an alert
	ActionHotlistLoad   Action = "hotlist-load"   // a whole hotlist loaded or replaced
	ActionHotlistChange Action = "hotlist-change" // one hotlist entry added, changed or removed
	ActionUserChange    Action = "user-change"    // an account or its rights changed
	ActionCameraChange  Action = "camera-change"  // a camera or site added, changed or removed
	ActionExport        Action = "export"         // reads or images taken out of the system
	ActionLogin         Action = "login"
	ActionLogout        Action = "logout"
	ActionLoginFailed   Action = "login-failed"
	ActionDenied        Action = "denied"        // an attempt refused before it was any of the above
	ActionRetentionRun  Action = "retention-run" // expired reads, images or alerts deleted

	ActionSearchApproval Action = "search-approval" // a search of older reads asked for, approved or refused
)

var actionList = []Action{
	ActionSearch, ActionViewRead, ActionViewImage, ActionAlertDecision,
	ActionHotlistLoad, ActionHotlistChange, ActionUserChange, ActionCameraChange,
	ActionExport, ActionLogin, ActionLogout, ActionLoginFailed, ActionDenied,
	ActionRetentionRun, ActionSearchApproval,
}

// Actions returns every action the log records.
func Actions() []Action { return slices.Clone(actionList) }

// Valid reports whether a is one of the actions the log records.
func (a Action) Valid() bool { return slices.Contains(actionList, a) }

// Outcome is what came of the action.
type Outcome string

// Allowed and Denied are access decisions; OK and Failed say how an action
// that was carried out went.
const (
	OutcomeAllowed Outcome = "allowed"
	OutcomeDenied  Outcome = "denied"
	OutcomeOK      Outcome = "ok"
	OutcomeFailed  Outcome = "failed"
)

var outcomeList = []Outcome{OutcomeAllowed, OutcomeDenied, OutcomeOK, OutcomeFailed}

// Outcomes returns every outcome an entry may record.
func Outcomes() []Outcome { return slices.Clone(outcomeList) }

// Valid reports whether o is one of the outcomes an entry may record.
func (o Outcome) Valid() bool { return slices.Contains(outcomeList, o) }

// Entry is one line of the log. The caller of [Log.Append] fills Actor to
// Detail; the log fills Seq, Time, Prev and Hash.
type Entry struct {
	Seq     uint64            `json:"seq"`
	Time    time.Time         `json:"time"`
	Actor   string            `json:"actor"` // user or machine id
	Role    string            `json:"role"`  // the role the actor acted in
	Action  Action            `json:"action"`
	Target  string            `json:"target"` // what was touched: a search's terms, a read id, a user id
	Outcome Outcome           `json:"outcome"`
	Detail  map[string]string `json:"detail,omitempty"` // justification, incident reference, reason...
	Prev    string            `json:"prev"`             // Hash of the entry before, Genesis for the first
	Hash    string            `json:"hash"`             // hex HMAC-SHA256 of all the other fields
}

// Genesis is the Prev of the first entry of every log.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// entryDomain and headDomain keep an entry's MAC and a head's MAC from ever
// being computed over the same bytes.
const (
	entryDomain = "anpr-audit-entry-v1\n"
	headDomain  = "anpr-audit-head-v1\n"
)

// canonical is the byte string an entry's hash covers: every field but Hash,
// each length-prefixed so that no two different entries encode alike, the
// time in UTC to the nanosecond, and Detail in key order.
func canonical(e *Entry) []byte {
	b := []byte(entryDomain)
	b = netstring(b, strconv.FormatUint(e.Seq, 10))
	b = netstring(b, e.Time.UTC().Format(time.RFC3339Nano))
	b = netstring(b, e.Actor)
	b = netstring(b, e.Role)
	b = netstring(b, string(e.Action))
	b = netstring(b, e.Target)
	b = netstring(b, string(e.Outcome))
	b = netstring(b, strconv.Itoa(len(e.Detail)))
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = netstring(b, k)
		b = netstring(b, e.Detail[k])
	}
	return netstring(b, e.Prev)
}

func netstring(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

// entryHash is the hex HMAC-SHA256 of e's canonical encoding under key.
func entryHash(key []byte, e *Entry) string {
	return mac(key, canonical(e))
}

func mac(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// sameHash compares two hex hashes in constant time.
func sameHash(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// validUTF8 replaces bytes that are not UTF-8, which JSON cannot carry and
// would otherwise change between hashing and writing.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
