package siting

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"anpr/sim/traffic"
)

// SitesFormat is the "format" member of a sites file.
const SitesFormat = "anpr-sites/1"

// Site is a camera site: one camera watching one direction of one link.
// A site covering both carriageways is two sites.
type Site struct {
	// ID names the site in every output; it should say nothing of where
	// the site is (see the package documentation on locations).
	ID string
	// Name is free text for the people who run the site; it may describe
	// the place, so it is shown only where locations are.
	Name string
	Link traffic.LinkID
	// EndOfLife is when the camera is due for replacement; zero when not
	// given.
	EndOfLife time.Time
	// Cost is what installing the site costs, in any unit the planner
	// chooses, for the optimiser's budget; 1 unless a file says otherwise.
	Cost float64
}

// District is the local authority district a site is reported under: its
// link's start node's, or its end node's when the start is beyond the
// county boundary (a camera on the way into the county is sited in it).
func District(net *traffic.Network, link traffic.LinkID) string {
	l := net.Link(link)
	d := net.Node(l.From).District
	if d == traffic.OutsideCounty {
		d = net.Node(l.To).District
	}
	return d
}

// DueBy returns the sites whose end of life is on or before day.
func DueBy(sites []Site, day time.Time) []Site {
	var due []Site
	for _, s := range sites {
		if !s.EndOfLife.IsZero() && !s.EndOfLife.After(day) {
			due = append(due, s)
		}
	}
	return due
}

// jsonSite is one member of "sites" in a sites file.
type jsonSite struct {
	ID        string   `json:"id"`
	Name      string   `json:"name,omitempty"`
	Link      *int     `json:"link,omitempty"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	EndOfLife string   `json:"end_of_life,omitempty"`
	Cost      *float64 `json:"cost,omitempty"`
	Note      string   `json:"note,omitempty"`
}

// LoadSites reads a sites file (see the package documentation) for net.
// Every fault is a *traffic.InputError naming the file, the line and the
// site.
func LoadSites(path string, net *traffic.Network) ([]Site, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load sites: %w", err)
	}
	return ParseSites(path, data, net)
}

// ParseSites reads a sites file from data; name is the file name used in
// messages.
func ParseSites(name string, data []byte, net *traffic.Network) ([]Site, error) {
	f := &jsonFile{name: name, data: data}
	var format, network string
	var notes any
	var elems []element
	if err := f.parse(map[string]any{"format": &format, "network": &network, "notes": &notes},
		map[string]*[]element{"sites": &elems}); err != nil {
		return nil, err
	}
	if format != SitesFormat {
		return nil, f.fail(0, "format", "is %q, not %q", format, SitesFormat)
	}
	if network != "" && network != net.Name {
		return nil, f.fail(0, "network", "the sites are for network %q, not %q: link numbers and node ids would not match", network, net.Name)
	}
	sites := make([]Site, 0, len(elems))
	ids := map[string]int{}
	for i, e := range elems {
		var js jsonSite
		if err := f.strict(e, &js); err != nil {
			return nil, err
		}
		path := e.path
		if js.ID != "" {
			path += " (" + js.ID + ")"
		}
		s, err := js.site(net)
		if err != nil {
			return nil, f.fail(e.at, path, "%v", err)
		}
		if j, dup := ids[s.ID]; dup {
			return nil, f.fail(e.at, path+".id", "%q is also the id of sites[%d]", s.ID, j)
		}
		ids[s.ID] = i
		sites = append(sites, s)
	}
	return sites, nil
}

// site checks a site as given in a file and finds its link.
func (js jsonSite) site(net *traffic.Network) (Site, error) {
	s := Site{ID: js.ID, Name: js.Name, Cost: 1}
	if err := checkID(js.ID); err != nil {
		return s, err
	}
	link, err := findLink(net, js.Link, js.From, js.To)
	if err != nil {
		return s, err
	}
	s.Link = link
	if js.EndOfLife != "" {
		if s.EndOfLife, err = time.Parse(time.DateOnly, js.EndOfLife); err != nil {
			return s, fmt.Errorf("end_of_life %q is not a date YYYY-MM-DD", js.EndOfLife)
		}
	}
	if js.Cost != nil {
		if c := *js.Cost; c < 0 || math.IsNaN(c) || math.IsInf(c, 0) {
			return s, fmt.Errorf("cost %g is not a number of at least 0", c)
		}
		s.Cost = *js.Cost
	}
	return s, nil
}

func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("id is empty")
	case strings.ContainsAny(id, " \t\r\n"):
		return fmt.Errorf("id %q has white space in it", id)
	}
	return nil
}

// findLink finds a link given by number, by its end nodes, or both (which
// must agree).
func findLink(net *traffic.Network, link *int, from, to string) (traffic.LinkID, error) {
	byNodes := from != "" || to != ""
	if byNodes && (from == "" || to == "") {
		return 0, fmt.Errorf("give both from and to (node ids), or link")
	}
	var id traffic.LinkID
	switch {
	case link == nil && !byNodes:
		return 0, fmt.Errorf("no place: give link (a link number) or from and to (node ids)")
	case link != nil:
		if *link < 0 || *link >= len(net.Links()) {
			return 0, fmt.Errorf("link %d does not exist in network %s (it has links 0 to %d)", *link, net.Name, len(net.Links())-1)
		}
		id = traffic.LinkID(*link)
	}
	if byNodes {
		for _, n := range []string{from, to} {
			if _, ok := net.NodeIndex(n); !ok {
				return 0, fmt.Errorf("node %q does not exist in network %s", n, net.Name)
			}
		}
		found, ok := net.FindLink(from, to)
		if !ok {
			return 0, fmt.Errorf("no link from %q to %q in network %s", from, to, net.Name)
		}
		if link != nil && found != id {
			l := net.Link(id)
			return 0, fmt.Errorf("link %d runs from %q to %q, not from %q to %q", id, net.Node(l.From).ID, net.Node(l.To).ID, from, to)
		}
		id = found
	}
	return id, nil
}

// WriteSites writes sites as a sites file for net: each site by its end
// nodes, with its link number too where another link joins the same nodes.
func WriteSites(w io.Writer, net *traffic.Network, sites []Site, notes ...string) error {
	type file struct {
		Format  string     `json:"format"`
		Network string     `json:"network"`
		Notes   []string   `json:"notes,omitempty"`
		Sites   []jsonSite `json:"sites"`
	}
	out := file{Format: SitesFormat, Network: net.Name, Notes: notes, Sites: make([]jsonSite, 0, len(sites))}
	for _, s := range sites {
		l := net.Link(s.Link)
		js := jsonSite{ID: s.ID, Name: s.Name, From: net.Node(l.From).ID, To: net.Node(l.To).ID}
		if found, _ := net.FindLink(js.From, js.To); found != s.Link {
			n := int(s.Link)
			js.Link = &n
		}
		if !s.EndOfLife.IsZero() {
			js.EndOfLife = s.EndOfLife.Format(time.DateOnly)
		}
		if s.Cost != 1 {
			c := s.Cost
			js.Cost = &c
		}
		out.Sites = append(out.Sites, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write sites: %w", err)
	}
	return nil
}

// EveryLink returns a candidate site on every link that lies in the county
// (by District), named C0001, C0002... in link order.
func EveryLink(net *traffic.Network) []Site {
	var sites []Site
	for _, l := range net.Links() {
		if District(net, l.ID) == traffic.OutsideCounty {
			continue
		}
		sites = append(sites, Site{ID: fmt.Sprintf("C%04d", len(sites)+1), Link: l.ID, Cost: 1})
	}
	return sites
}
