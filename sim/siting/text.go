package siting

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"anpr/sim/traffic"
)

// formatValue writes a figure for people: shares as percentages, counts
// with thousands separators, ratios to three figures.
func formatValue(v float64, u Unit) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case u == Share:
		return fmt.Sprintf("%.1f%%", 100*v)
	case u == PerDay && math.Abs(v) >= 100:
		return Thousands(math.Round(v))
	case u == Ratio && math.Abs(v) >= 100:
		return Thousands(math.Round(v))
	case u == Hours:
		return fmt.Sprintf("%.1f", v)
	}
	return strconv.FormatFloat(v, 'f', decimals(v), 64)
}

func decimals(v float64) int {
	switch a := math.Abs(v); {
	case a == 0 || a >= 10:
		return 1
	case a >= 1:
		return 2
	}
	return 3
}

// Thousands writes a whole number with commas between its thousands
// (1,234,567), as the reports and the planner show counts.
func Thousands(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatEstimate writes "mean (low to high)", or the mean alone without an
// interval.
func formatEstimate(e Estimate, u Unit) string {
	if e.N == 0 {
		return "-"
	}
	if !e.HasInterval() {
		return formatValue(e.Mean, u)
	}
	return fmt.Sprintf("%s (%s to %s)", formatValue(e.Mean, u), formatValue(e.Low, u), formatValue(e.High, u))
}

// formatDiff writes a difference with its sign; shares as percentage
// points.
func formatDiff(e Estimate, u Unit) string {
	if e.N == 0 {
		return "-"
	}
	one := func(v float64) string {
		s := formatValue(v, u)
		if u == Share {
			s = fmt.Sprintf("%.1f pts", 100*v)
		}
		if v > 0 || v == 0 && !math.Signbit(v) {
			s = "+" + s
		}
		return s
	}
	if !e.HasInterval() {
		return one(e.Mean)
	}
	return fmt.Sprintf("%s (%s to %s)", one(e.Mean), one(e.Low), one(e.High))
}

func seedList(seeds []uint64) string {
	var s []string
	for _, x := range seeds {
		s = append(s, strconv.FormatUint(x, 10))
	}
	return strings.Join(s, ", ")
}

func intervalNote(seeds int) string {
	if seeds < 2 {
		return "one seed, so no intervals (give --seeds 2 or more for 95% intervals)"
	}
	return "mean and 95% interval over seeds"
}

// WriteText writes the report as tables for people.
func (r *Report) WriteText(w io.Writer, net *traffic.Network) error {
	b := &errWriter{w: w}
	b.printf("Siting measures: network %s, %d sites, seeds %s, %g day(s) each; %s.\n", r.Network, r.Sites, seedList(r.Seeds), r.Days, intervalNote(len(r.Seeds)))
	b.printf("Read model: plate-exact %.1f%%, one-confusion misreads %.0f%%, %.1f min an alert.\n\n", 100*r.Read.Accuracy, 100*r.Read.SingleConfusion, r.Read.MinutesPerAlert)

	tw := tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET CAPTURE\ttrips a day\tseen by >=1 camera\tseen by >=2\traising an alert")
	trips, _ := r.Measure("traffic.target_trips_per_day")
	kinds := append([]string{"all"}, kindNames()...)
	for _, k := range kinds {
		one, _ := r.Measure("capture." + k + ".one")
		two, _ := r.Measure("capture." + k + ".two")
		al, _ := r.Measure("capture." + k + ".alerted")
		n := ""
		if k == "all" {
			n = formatEstimate(trips.Estimate, PerDay)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", kindLabel(k), n, formatEstimate(one.Estimate, Share), formatEstimate(two.Estimate, Share), formatEstimate(al.Estimate, Share))
	}
	tw.Flush()
	b.printf("\n")
	for _, section := range []struct{ title, prefix string }{
		{"VEHICLES OF INTEREST", "capture.target_"}, {"INTRUSION", "intrusion."}, {"ALERTS", "alerts."}, {"PROPORTIONALITY", "proportionality."}, {"TRAFFIC", "traffic."},
	} {
		b.printf("%s\n", section.title)
		tw = tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
		for _, m := range r.Measures {
			if strings.HasPrefix(m.Key, section.prefix) {
				fmt.Fprintf(tw, "  %s\t%s\n", m.Label, formatEstimate(m.Estimate, m.Unit))
			}
		}
		tw.Flush()
		if section.prefix == "proportionality." {
			b.printf("%s\n", wrap(r.Proportionality, 100, "  "))
		}
		b.printf("\n")
	}

	b.printf("SITES (means a day; intervals in --json)")
	if r.PerSite != nil && r.PerSite[0].Location == nil {
		b.printf(": by id and district, locations withheld (--with-locations shows them)")
	}
	b.printf("\n")
	tw = tabwriter.NewWriter(b, 2, 8, 2, ' ', tabwriter.AlignRight)
	header := "id\tdistrict\treads\ttarget trips\tinnocent vehicles\tlost without it\tshare lost\tduplication\trepeated most by\ttargets/1000\tmarginal/1000\talerts\tfalse\tend of life\t"
	if len(r.PerSite) > 0 && r.PerSite[0].Location != nil {
		header += "where\t"
	}
	fmt.Fprintln(tw, header)
	for _, s := range r.PerSite {
		val := func(key string) string {
			m, _ := s.Measure(key)
			if m.N == 0 {
				return "-"
			}
			return formatValue(m.Mean, m.Unit)
		}
		eol := s.EndOfLife
		if s.Due {
			eol += " DUE"
		}
		rep := s.RepeatedMostBy
		if rep != "" {
			rep += fmt.Sprintf(" (%.0f%%)", 100*s.RepeatedShare.Mean)
		}
		dup := val("duplication")
		if s.Duplicated {
			dup += " !"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t", s.ID, s.District, val("reads_per_day"), val("target_trips_per_day"),
			val("innocent_vehicles_per_day"), val("necessity_per_day"), val("necessity_share"), dup, rep,
			val("targets_per_1000_innocent"), val("marginal_per_1000_innocent"), val("alerts_per_day"), val("false_alerts_per_day"), eol)
		if s.Location != nil {
			fmt.Fprintf(tw, "%s: %s -> %s\t", s.Location.Road, s.Location.FromName, s.Location.ToName)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	b.printf("  lost without it: target trips a day no other site sees; duplication: share of its captures another site repeats\n")
	b.printf("  targets/1000: vehicles of interest per 1,000 innocent vehicles recorded here; marginal/1000: the same for vehicles seen only here\n")
	if len(r.Duplicated) > 0 {
		b.printf("Duplicated (other sites repeat at least the flagged share of their captures): %s\n", strings.Join(r.Duplicated, ", "))
	} else {
		b.printf("No site is flagged as duplicated.\n")
	}
	if r.AsOf != "" {
		if len(r.Due) > 0 {
			b.printf("At end of life by %s: %s\n", r.AsOf, strings.Join(r.Due, ", "))
		} else {
			b.printf("No site reaches end of life by %s.\n", r.AsOf)
		}
	}
	b.printf("\n")
	if len(r.Gaps) > 0 {
		writeGaps(b, "GAPS: target trips a day no camera sees", r.Gaps, r.PerSite)
	}
	return b.err
}

func writeGaps(b *errWriter, title string, gaps []Gap, sites []SiteReport) {
	by := "by origin and destination district"
	if len(sites) > 0 && sites[0].Location != nil {
		by = "by origin and destination zone"
	}
	b.printf("%s, %s\n", title, by)
	tw := tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "from\tto\ttrips a day\tkinds")
	for _, g := range gaps {
		var kinds []string
		for _, k := range g.Kinds {
			kinds = append(kinds, fmt.Sprintf("%s %s", k.Kind, formatValue(k.Count, PerDay)))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.From, g.To, formatEstimate(g.TargetTripsPerDay, PerDay), strings.Join(kinds, ", "))
	}
	tw.Flush()
}

func kindNames() []string {
	var names []string
	for _, b := range targetKinds {
		names = append(names, b.String())
	}
	return names
}

func kindLabel(k string) string {
	if k == "all" {
		return "all targets"
	}
	return "  " + k
}

// WriteText writes the comparison as tables for people.
func (c *Comparison) WriteText(w io.Writer) error {
	b := &errWriter{w: w}
	b.printf("Proposal %q against the current sites: network %s, seeds %s; %s.\n", c.Proposal, c.Network, seedList(c.Seeds), intervalNote(len(c.Seeds)))
	b.printf("Differences are proposed less current, paired seed by seed.\n\n")
	tw := tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tcurrent\tproposed\tdifference")
	for _, m := range c.Measures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Label, formatEstimate(m.Current, m.Unit), formatEstimate(m.Proposed, m.Unit), formatDiff(m.Difference, m.Unit))
	}
	tw.Flush()
	b.printf("\nSITES (means a day, current -> proposed)\n")
	tw = tabwriter.NewWriter(b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tstatus\tdistrict\ttarget trips\tlost without it\tinnocent vehicles\tduplication\talerts\t")
	for _, s := range c.Sites {
		pair := func(key string) string {
			for _, m := range s.Measures {
				if m.Key == key {
					side := func(e Estimate) string {
						if e.N == 0 {
							return "-"
						}
						return formatValue(e.Mean, m.Unit)
					}
					return side(m.Current) + " -> " + side(m.Proposed)
				}
			}
			return "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.ID, s.Status, s.District, pair("target_trips_per_day"), pair("necessity_per_day"),
			pair("innocent_vehicles_per_day"), pair("duplication"), pair("alerts_per_day"))
	}
	tw.Flush()
	b.printf("\nDuplicated: current %s; proposed %s\n\n", listOrNone(c.CurrentDuplicated), listOrNone(c.ProposedDuplicated))
	if len(c.ProposedGaps) > 0 {
		writeGaps(b, "GAPS LEFT BY THE PROPOSAL: target trips a day no camera sees", c.ProposedGaps, nil)
	}
	return b.err
}

func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// WriteText writes the plan as a table for people; with net, each site's
// place too.
func (p *Plan) WriteText(w io.Writer, net *traffic.Network, withLocations bool) error {
	b := &errWriter{w: w}
	b.printf("Chose %d of %d candidate sites, ranked by %s.\n", len(p.Chosen), p.Candidates, p.Rule)
	b.printf("Target trips a day (weighted): %s. ", formatValue(p.TargetTripsPerDay, PerDay))
	if p.BaseCapture == 0 && p.BaseIntrusion == 0 {
		b.printf("No sites in place.\n\n")
	} else {
		b.printf("The sites in place see %s and record %s innocent vehicles a day.\n\n", formatValue(p.BaseCapture, Share), formatValue(p.BaseIntrusion, PerDay))
	}
	tw := tabwriter.NewWriter(b, 2, 8, 2, ' ', tabwriter.AlignRight)
	header := "#\tsite\tdistrict\tgain (trips a day)\tgain (points)\tcapture\tinnocent vehicles added\tcost\t"
	if withLocations {
		header += "where\t"
	}
	fmt.Fprintln(tw, header)
	for i, c := range p.Chosen {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2f\t%s\t%s\t%g\t", i+1, c.Site.ID, District(net, c.Site.Link), formatValue(c.Gain, PerDay),
			100*c.GainShare, formatValue(c.Capture, Share), formatValue(c.Intrusion, PerDay), c.Site.Cost)
		if withLocations {
			fmt.Fprintf(tw, "%s\t", net.LinkName(c.Site.Link))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	b.printf("\nCapture %s -> %s; innocent vehicles a day %s -> %s; cost %g.\n", formatValue(p.BaseCapture, Share), formatValue(p.Capture, Share),
		formatValue(p.BaseIntrusion, PerDay), formatValue(p.Intrusion, PerDay), p.Cost)
	rankings := ""
	if p.Rankings > 1 {
		rankings = fmt.Sprintf(" in %d rankings", p.Rankings)
	}
	b.printf("Stopped: %s. Marginal gains worked out %s times%s (a plain greedy search: %s a ranking).\n", p.Stopped, Thousands(float64(p.Evaluations)),
		rankings, Thousands(float64(p.Candidates*max(1, len(p.Chosen)))))
	return b.err
}

// wrap breaks text into lines of at most width, each after indent.
func wrap(text string, width int, indent string) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line)+len(word)+1 > width && line != indent {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}

// errWriter keeps the first write error, so that a report is written
// without checking every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
