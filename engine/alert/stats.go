package alert

import (
	"cmp"
	"slices"
	"time"
)

// Stats counts the alerts raised in a period: in all, and broken down by
// camera, by source list, by marker, by kind and by how the read matched.
// The breakdowns serve a control-room supervisor (how many alerts, how many
// still undecided, how many escalated, what came of deployments) and a
// review of where cameras are sited and how matching is tuned (which
// cameras and which match kinds raise alerts that operators judge
// misreads). Counts are by each alert's state when asked.
type Stats struct {
	Since time.Time `json:"since,omitzero"` // alerts raised at or after this; zero: from the first
	Until time.Time `json:"until,omitzero"` // and before this; zero: to the last

	Total    Count   `json:"total"`
	ByCamera []Count `json:"by_camera"`
	ByList   []Count `json:"by_list"`   // hotlist alerts by their entry's source list
	ByMarker []Count `json:"by_marker"` // hotlist alerts by their entry's marker
	ByKind   []Count `json:"by_kind"`   // hotlist and clone alerts
	ByMatch  []Count `json:"by_match"`  // hotlist alerts by match kind: exact, confusion, one-edit
}

// Count is how many alerts of one group (one camera, one list...) there
// were, and what became of them. Every breakdown is sorted by Alerts, most
// first, then by Key.
type Count struct {
	Key       string `json:"key"` // the camera, list, marker, kind or match kind; "" for the total
	Alerts    int    `json:"alerts"`
	Escalated int    `json:"escalated"` // left unacknowledged too long

	Open            int `json:"open"`             // not closed: Undecided + AwaitingOutcome
	Undecided       int `json:"undecided"`        // new or acknowledged
	AwaitingOutcome int `json:"awaiting_outcome"` // deployed to, outcome not yet recorded

	Decided    int `json:"decided"` // Misread + NotVehicle + NoAction + Deployed
	Misread    int `json:"misread"`
	NotVehicle int `json:"not_vehicle"`
	NoAction   int `json:"no_action"`
	Deployed   int `json:"deployed"`

	// Outcomes of deployments.
	Stopped      int `json:"stopped"`
	Arrest       int `json:"arrest"`
	NothingFound int `json:"nothing_found"`
	NotLocated   int `json:"not_located"`

	// Shares of the decided alerts, 0 to 1; 0 when none was decided.
	MisreadShare  float64 `json:"misread_share"`
	DeployedShare float64 `json:"deployed_share"`
}

// Facts are what Stats counts an alert by.
type Facts struct {
	Camera    string
	List      string // "" for a clone alert
	Marker    string // "" for a clone alert
	Match     string // the hotlist.MatchKind's name; "" for a clone alert
	Kind      Kind
	State     State
	Decision  DecisionKind // "" if not decided
	Outcome   OutcomeKind  // "" if none recorded
	Escalated bool
}

// Facts returns what Stats counts a by.
func (a *Alert) Facts() Facts {
	f := Facts{
		Camera:    a.Read.Camera,
		Kind:      a.Kind,
		State:     a.State,
		Decision:  a.decisionKind(),
		Outcome:   a.outcomeKind(),
		Escalated: a.Escalated,
	}
	if a.Hit != nil {
		f.List, f.Marker, f.Match = a.Hit.List, a.Hit.Marker, a.Hit.Kind.String()
	}
	return f
}

// Tally adds up Stats. A repository that counts alerts grouped by their
// Facts adds each group with its count; one with the alerts at hand adds
// them one by one. The zero Tally is empty and ready.
type Tally struct {
	total Count
	by    [numBreakdowns]map[string]*Count
}

const (
	byCamera = iota
	byList
	byMarker
	byKind
	byMatch
	numBreakdowns
)

// Add counts n alerts with the facts f.
func (t *Tally) Add(f Facts, n int) {
	t.total.add(f, n)
	keys := [numBreakdowns]string{byCamera: f.Camera, byList: f.List, byMarker: f.Marker, byKind: string(f.Kind), byMatch: f.Match}
	for i, k := range keys {
		if k == "" {
			continue // a clone alert has no list, marker or match kind
		}
		if t.by[i] == nil {
			t.by[i] = map[string]*Count{}
		}
		c := t.by[i][k]
		if c == nil {
			c = &Count{Key: k}
			t.by[i][k] = c
		}
		c.add(f, n)
	}
}

func (c *Count) add(f Facts, n int) {
	c.Alerts += n
	if f.Escalated {
		c.Escalated += n
	}
	switch f.State {
	case StateNew, StateAcknowledged:
		c.Open += n
		c.Undecided += n
	case StateDecided:
		c.Open += n
		c.AwaitingOutcome += n
	}
	if f.Decision != "" {
		c.Decided += n
	}
	switch f.Decision {
	case Misread:
		c.Misread += n
	case NotVehicle:
		c.NotVehicle += n
	case NoAction:
		c.NoAction += n
	case Deploy:
		c.Deployed += n
	}
	switch f.Outcome {
	case Stopped:
		c.Stopped += n
	case Arrest:
		c.Arrest += n
	case NothingFound:
		c.NothingFound += n
	case NotLocated:
		c.NotLocated += n
	}
}

func (c Count) withShares() Count {
	if c.Decided > 0 {
		c.MisreadShare = float64(c.Misread) / float64(c.Decided)
		c.DeployedShare = float64(c.Deployed) / float64(c.Decided)
	}
	return c
}

// Stats returns what has been added, for alerts raised at or after since
// and before until.
func (t *Tally) Stats(since, until time.Time) Stats {
	s := Stats{Total: t.total.withShares()}
	if !since.IsZero() {
		s.Since = since.UTC()
	}
	if !until.IsZero() {
		s.Until = until.UTC()
	}
	for i, out := range [numBreakdowns]*[]Count{byCamera: &s.ByCamera, byList: &s.ByList, byMarker: &s.ByMarker, byKind: &s.ByKind, byMatch: &s.ByMatch} {
		counts := make([]Count, 0, len(t.by[i]))
		for _, c := range t.by[i] {
			counts = append(counts, c.withShares())
		}
		slices.SortFunc(counts, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.Key, b.Key)) })
		*out = counts
	}
	return s
}

// CheckPeriod checks the period a Stats covers: until after since when
// both are given. The error wraps ErrInvalid.
func CheckPeriod(since, until time.Time) error {
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return Invalidf("stats: period is empty: until (%s) is not after since (%s)",
			until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return nil
}
