package planner

import (
	"fmt"
	"slices"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// Editor holds the current sites and the proposed set being edited, with
// the edits undoable one by one. Its proposal is always what turns the
// current sites into the proposed ones, so it can be saved and evaluated
// by anpr siting as it stands.
type Editor struct {
	net      *traffic.Network
	current  []siting.Site
	proposed []siting.Site
	initial  []siting.Site
	undo     [][]siting.Site
	// Prefix starts the ids of the sites added ("P" makes P01, P02...).
	Prefix string
}

// NewEditor starts editing from proposed (a copy of current when there is
// no proposal yet).
func NewEditor(net *traffic.Network, current, proposed []siting.Site) *Editor {
	e := &Editor{net: net, current: slices.Clone(current), Prefix: "P"}
	if proposed == nil {
		proposed = current
	}
	e.proposed = slices.Clone(proposed)
	e.initial = slices.Clone(proposed)
	return e
}

// Current returns the current sites; the slice must not be changed.
func (e *Editor) Current() []siting.Site { return e.current }

// Proposed returns the proposed sites; the slice must not be changed.
func (e *Editor) Proposed() []siting.Site { return e.proposed }

// Site returns the proposed site with the given id.
func (e *Editor) Site(id string) (siting.Site, bool) {
	i := slices.IndexFunc(e.proposed, func(s siting.Site) bool { return s.ID == id })
	if i < 0 {
		return siting.Site{}, false
	}
	return e.proposed[i], true
}

// IsCurrent reports whether id is one of the current sites.
func (e *Editor) IsCurrent(id string) bool {
	return slices.ContainsFunc(e.current, func(s siting.Site) bool { return s.ID == id })
}

// Removed returns the current sites the proposal takes away.
func (e *Editor) Removed() []siting.Site {
	var out []siting.Site
	for _, s := range e.current {
		if _, ok := e.Site(s.ID); !ok {
			out = append(out, s)
		}
	}
	return out
}

func (e *Editor) onLink(link traffic.LinkID) (siting.Site, bool) {
	i := slices.IndexFunc(e.proposed, func(s siting.Site) bool { return s.Link == link })
	if i < 0 {
		return siting.Site{}, false
	}
	return e.proposed[i], true
}

func (e *Editor) save() { e.undo = append(e.undo, slices.Clone(e.proposed)) }

// Add proposes a new site on link and returns it. A link that already has
// a proposed site is refused: a second camera there sees nothing new.
func (e *Editor) Add(link traffic.LinkID) (siting.Site, error) {
	return e.AddSite(siting.Site{Link: link, Cost: 1})
}

// AddSite proposes s, giving it a new id when it has none.
func (e *Editor) AddSite(s siting.Site) (siting.Site, error) {
	if s.Link < 0 || int(s.Link) >= len(e.net.Links()) {
		return siting.Site{}, fmt.Errorf("add a site: link %d does not exist", s.Link)
	}
	if o, ok := e.onLink(s.Link); ok {
		return siting.Site{}, fmt.Errorf("add a site: %s already watches %s", o.ID, e.net.LinkName(s.Link))
	}
	if s.ID == "" || e.taken(s.ID) {
		s.ID = e.newID()
	}
	if s.Cost == 0 {
		s.Cost = 1
	}
	e.save()
	e.proposed = append(e.proposed, s)
	return s, nil
}

func (e *Editor) taken(id string) bool {
	has := func(s siting.Site) bool { return s.ID == id }
	return slices.ContainsFunc(e.current, has) || slices.ContainsFunc(e.proposed, has)
}

func (e *Editor) newID() string {
	for n := 1; ; n++ {
		id := fmt.Sprintf("%s%02d", e.Prefix, n)
		if !e.taken(id) {
			return id
		}
	}
}

// Move puts proposed site id on link.
func (e *Editor) Move(id string, link traffic.LinkID) error {
	i := slices.IndexFunc(e.proposed, func(s siting.Site) bool { return s.ID == id })
	switch {
	case i < 0:
		return fmt.Errorf("move %s: no such proposed site", id)
	case link < 0 || int(link) >= len(e.net.Links()):
		return fmt.Errorf("move %s: link %d does not exist", id, link)
	case e.proposed[i].Link == link:
		return fmt.Errorf("move %s: it is already there", id)
	}
	if o, ok := e.onLink(link); ok {
		return fmt.Errorf("move %s: %s already watches %s", id, o.ID, e.net.LinkName(link))
	}
	e.save()
	e.proposed[i].Link = link
	return nil
}

// Remove takes proposed site id away.
func (e *Editor) Remove(id string) error {
	i := slices.IndexFunc(e.proposed, func(s siting.Site) bool { return s.ID == id })
	if i < 0 {
		return fmt.Errorf("remove %s: no such proposed site", id)
	}
	e.save()
	e.proposed = slices.Delete(slices.Clone(e.proposed), i, i+1)
	return nil
}

// Restore puts a current site the proposal removed back where it is.
func (e *Editor) Restore(id string) error {
	i := slices.IndexFunc(e.current, func(s siting.Site) bool { return s.ID == id })
	if i < 0 {
		return fmt.Errorf("restore %s: not a current site", id)
	}
	if _, ok := e.Site(id); ok {
		return fmt.Errorf("restore %s: it is not removed", id)
	}
	if o, ok := e.onLink(e.current[i].Link); ok {
		return fmt.Errorf("restore %s: %s now watches its link", id, o.ID)
	}
	e.save()
	e.proposed = append(e.proposed, e.current[i])
	return nil
}

// Undo takes back the last edit; it reports false when there is none.
func (e *Editor) Undo() bool {
	if len(e.undo) == 0 {
		return false
	}
	e.proposed = e.undo[len(e.undo)-1]
	e.undo = e.undo[:len(e.undo)-1]
	return true
}

// Reset goes back to the proposal the editor started from.
func (e *Editor) Reset() {
	e.save()
	e.proposed = slices.Clone(e.initial)
}

// Proposal returns the changes that make the proposed sites of the current
// ones: removals, then moves and replacements, then additions.
// Proposal.Apply(Current()) gives the proposed sites, current ones first
// in their order, then the added ones in theirs.
func (e *Editor) Proposal(name string) siting.Proposal {
	p := siting.Proposal{Name: name}
	var changed []siting.Change
	for _, c := range e.current {
		s, ok := e.Site(c.ID)
		switch {
		case !ok:
			p.Changes = append(p.Changes, siting.Change{Op: siting.Remove, ID: c.ID})
		case !s.EndOfLife.Equal(c.EndOfLife):
			changed = append(changed, siting.Change{Op: siting.Replace, ID: c.ID, EndOfLife: s.EndOfLife,
				Link: s.Link, HasLink: s.Link != c.Link})
		case s.Link != c.Link:
			changed = append(changed, siting.Change{Op: siting.Move, ID: c.ID, Link: s.Link})
		}
	}
	p.Changes = append(p.Changes, changed...)
	for _, s := range e.proposed {
		if !e.IsCurrent(s.ID) {
			p.Changes = append(p.Changes, siting.Change{Op: siting.Add, ID: s.ID, Site: s})
		}
	}
	return p
}

// Status returns how the proposal treats site id, in siting's words
// (siting.Kept, Added, Removed, Moved, Replaced, Resited).
func (e *Editor) Status(id string) string {
	s, inProposed := e.Site(id)
	ci := slices.IndexFunc(e.current, func(s siting.Site) bool { return s.ID == id })
	switch {
	case ci < 0:
		return siting.Added
	case !inProposed:
		return siting.Removed
	}
	c := e.current[ci]
	moved, renewed := s.Link != c.Link, !s.EndOfLife.Equal(c.EndOfLife)
	switch {
	case moved && renewed:
		return siting.Resited
	case moved:
		return siting.Moved
	case renewed:
		return siting.Replaced
	}
	return siting.Kept
}
