package siting

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"anpr/sim/traffic"
)

// ProposalFormat is the "format" member of a proposal file.
const ProposalFormat = "anpr-siting-proposal/1"

// Op is what a change does to a set of sites.
type Op string

const (
	// Add puts a new site in place.
	Add Op = "add"
	// Remove takes a site away.
	Remove Op = "remove"
	// Move puts a site on another link; it keeps its id and end of life.
	Move Op = "move"
	// Replace replaces a site at the end of its life with a new camera,
	// with a new end of life, where it is or (given a link) elsewhere.
	Replace Op = "replace"
)

// Change is one change of a proposal.
type Change struct {
	Op Op
	// ID is the site changed; for Add, Site.ID.
	ID string
	// Site is the site added (Add).
	Site Site
	// Link is where a site moves to (Move) or is replaced at (Replace,
	// when HasLink).
	Link    traffic.LinkID
	HasLink bool
	// EndOfLife is the new camera's (Replace).
	EndOfLife time.Time
}

// Proposal is changes to a set of sites, applied in order.
type Proposal struct {
	Name    string
	Changes []Change
}

// Apply returns the sites the proposal makes of current, which it leaves
// as it is. A change to a site that is not there, an added site whose id
// is taken, or a move to where the site already is, is refused.
func (p Proposal) Apply(current []Site) ([]Site, error) {
	sites := slices.Clone(current)
	find := func(id string) int { return slices.IndexFunc(sites, func(s Site) bool { return s.ID == id }) }
	for i, c := range p.Changes {
		where := fmt.Sprintf("proposal %s change %d (%s %s)", p.Name, i+1, c.Op, c.ID)
		j := find(c.ID)
		if c.Op != Add && j < 0 {
			return nil, fmt.Errorf("%s: there is no site %q", where, c.ID)
		}
		switch c.Op {
		case Add:
			if j >= 0 {
				return nil, fmt.Errorf("%s: there is already a site %q", where, c.ID)
			}
			s := c.Site
			if s.Cost == 0 {
				s.Cost = 1
			}
			sites = append(sites, s)
		case Remove:
			sites = slices.Delete(sites, j, j+1)
		case Move:
			if sites[j].Link == c.Link {
				return nil, fmt.Errorf("%s: the site is already on link %d", where, c.Link)
			}
			sites[j].Link = c.Link
		case Replace:
			if c.HasLink {
				sites[j].Link = c.Link
			}
			sites[j].EndOfLife = c.EndOfLife
		default:
			return nil, fmt.Errorf("%s: unknown operation %q (add, remove, move, replace)", where, c.Op)
		}
	}
	return sites, nil
}

// RetireDue is the proposal that removes every site whose end of life is on
// or before day and replaces none: what is lost if the cameras due are not
// replaced, which is what the case for replacing each of them rests on.
func RetireDue(sites []Site, day time.Time) Proposal {
	p := Proposal{Name: "retire the sites due by " + day.Format(time.DateOnly)}
	for _, s := range DueBy(sites, day) {
		p.Changes = append(p.Changes, Change{Op: Remove, ID: s.ID})
	}
	return p
}

// jsonChange is one member of "changes" in a proposal file.
type jsonChange struct {
	Op        Op        `json:"op"`
	ID        string    `json:"id"`
	Site      *jsonSite `json:"site"`
	Link      *int      `json:"link"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	EndOfLife string    `json:"end_of_life"`
	Note      string    `json:"note"`
}

// LoadProposal reads a proposal file (see the package documentation) for
// net. Every fault is a *traffic.InputError naming the file, the line and
// the change.
func LoadProposal(path string, net *traffic.Network) (Proposal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Proposal{}, fmt.Errorf("load proposal: %w", err)
	}
	return ParseProposal(path, data, net)
}

// ParseProposal reads a proposal file from data; name is the file name
// used in messages.
func ParseProposal(name string, data []byte, net *traffic.Network) (Proposal, error) {
	f := &jsonFile{name: name, data: data}
	var format, network string
	var p Proposal
	var notes any
	var elems []element
	if err := f.parse(map[string]any{"format": &format, "network": &network, "name": &p.Name, "notes": &notes},
		map[string]*[]element{"changes": &elems}); err != nil {
		return p, err
	}
	if format != ProposalFormat {
		return p, f.fail(0, "format", "is %q, not %q", format, ProposalFormat)
	}
	if network != "" && network != net.Name {
		return p, f.fail(0, "network", "the proposal is for network %q, not %q", network, net.Name)
	}
	if p.Name == "" {
		p.Name = name
	}
	for _, e := range elems {
		var jc jsonChange
		if err := f.strict(e, &jc); err != nil {
			return p, err
		}
		path := e.path
		if jc.ID != "" || jc.Site != nil && jc.Site.ID != "" {
			id := jc.ID
			if id == "" {
				id = jc.Site.ID
			}
			path += " (" + string(jc.Op) + " " + id + ")"
		}
		c, err := jc.change(net)
		if err != nil {
			return p, f.fail(e.at, path, "%v", err)
		}
		p.Changes = append(p.Changes, c)
	}
	return p, nil
}

func (jc jsonChange) change(net *traffic.Network) (Change, error) {
	c := Change{Op: jc.Op, ID: jc.ID}
	hasPlace := jc.Link != nil || jc.From != "" || jc.To != ""
	switch jc.Op {
	case Add:
		if jc.Site == nil {
			return c, errors.New(`add needs "site": the site to add`)
		}
		if jc.ID != "" || hasPlace || jc.EndOfLife != "" {
			return c, errors.New(`add takes only "site"`)
		}
		s, err := jc.Site.site(net)
		if err != nil {
			return c, fmt.Errorf("site: %w", err)
		}
		c.Site, c.ID = s, s.ID
		return c, nil
	case Remove, Move, Replace:
	default:
		return c, fmt.Errorf("op %q is not add, remove, move or replace", jc.Op)
	}
	if jc.Site != nil {
		return c, fmt.Errorf(`%s takes "id", not "site"`, jc.Op)
	}
	if err := checkID(jc.ID); err != nil {
		return c, err
	}
	switch jc.Op {
	case Remove:
		if hasPlace || jc.EndOfLife != "" {
			return c, errors.New(`remove takes only "id"`)
		}
	case Move:
		if !hasPlace {
			return c, errors.New(`move needs where to: "link" or "from" and "to"`)
		}
		if jc.EndOfLife != "" {
			return c, errors.New(`move keeps the end of life: use replace for a new camera`)
		}
	case Replace:
		if jc.EndOfLife == "" {
			return c, errors.New(`replace needs the new camera's "end_of_life"`)
		}
		t, err := time.Parse(time.DateOnly, jc.EndOfLife)
		if err != nil {
			return c, fmt.Errorf("end_of_life %q is not a date YYYY-MM-DD", jc.EndOfLife)
		}
		c.EndOfLife = t
	}
	if hasPlace {
		link, err := findLink(net, jc.Link, jc.From, jc.To)
		if err != nil {
			return c, err
		}
		c.Link, c.HasLink = link, true
	}
	return c, nil
}
