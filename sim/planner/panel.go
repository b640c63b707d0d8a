package planner

import (
	"image"
	"image/color"

	"anpr/sim/siting"
	"anpr/sim/traffic"
)

// PanelView is what the measures panel shows.
type PanelView struct {
	Title, Subtitle string
	Comparison      *siting.Comparison
	// CurrentSites and ProposedSites count the two sets.
	CurrentSites, ProposedSites int
	// Changes are the proposal's changes, one a line.
	Changes []string
	// InfoTitle and Info describe the selected site or the link under
	// the pointer.
	InfoTitle string
	Info      [][2]string
	HeatMode  HeatMode
	HeatMax   float64
	Catchment bool
	Status    string
	StatusBad bool
	Keys      []string
}

// DrawPanel draws v onto dst in area.
func (r *Renderer) DrawPanel(dst *image.RGBA, area image.Rectangle, v PanelView) {
	c := newCanvas(dst.SubImage(area).(*image.RGBA))
	p := r.Palette
	c.fill(p.Panel)
	c.rect(image.Rect(area.Min.X, area.Min.Y, area.Min.X+1, area.Max.Y), p.Rule)
	x0, x1 := float64(area.Min.X)+14, float64(area.Max.X)-12
	y := float64(area.Min.Y) + 24
	const lh = 16.0
	c.text(r.big, x0, y, p.Text, v.Title)
	y += lh + 2
	c.text(r.small, x0, y, p.Muted, clipText(r.small, v.Subtitle, x1-x0))
	y += lh + 4

	// The measures, current beside proposed.
	colCur, colProp, colChg := x1-160, x1-90, x1
	heading := func(title string) {
		y += 4
		c.rect(image.Rect(int(x0), int(y-lh+3), int(x1), int(y-lh+4)), p.Rule)
		c.text(r.bold, x0, y+2, p.Text, title)
		y += lh + 2
	}
	heading("Measures")
	c.textRight(r.small, colCur, y, p.Muted, "current")
	c.textRight(r.small, colProp, y, p.Muted, "proposed")
	c.textRight(r.small, colChg, y, p.Muted, "change")
	y += lh
	if v.Comparison != nil {
		for _, km := range KeyMeasures() {
			d, ok := findDiff(v.Comparison, km.Key)
			if !ok {
				continue
			}
			c.text(r.regular, x0, y, p.Text, clipText(r.regular, km.Label, colCur-x0-55))
			c.textRight(r.regular, colCur, y, p.Text, FormatValue(d.Current, d.Unit))
			c.textRight(r.regular, colProp, y, p.Text, FormatValue(d.Proposed, d.Unit))
			col := p.Muted
			switch Verdict(d, km.Better) {
			case 1:
				col = p.Better
			case -1:
				col = p.Worse
			}
			c.textRight(r.bold, colChg, y, col, FormatChange(d.Difference, d.Unit))
			y += lh
		}
		if d, ok := findDiff(v.Comparison, "proportionality.road_per_1000_innocent"); ok {
			c.text(r.small, x0, y, p.Muted, "  on the road (every vehicle seen): "+FormatValue(d.Current, d.Unit))
			y += lh
		}
	}
	c.text(r.regular, x0, y, p.Text, "Sites")
	c.textRight(r.regular, colCur, y, p.Text, siting.Thousands(float64(v.CurrentSites)))
	c.textRight(r.regular, colProp, y, p.Text, siting.Thousands(float64(v.ProposedSites)))
	diff := v.ProposedSites - v.CurrentSites
	ds := siting.Thousands(float64(diff))
	if diff > 0 {
		ds = "+" + ds
	}
	c.textRight(r.bold, colChg, y, p.Muted, ds)
	y += lh

	heading("Proposal")
	if len(v.Changes) == 0 {
		c.text(r.regular, x0, y, p.Muted, "no changes: click a road to propose a site")
		y += lh
	}
	const maxChanges = 7
	for i, ch := range v.Changes {
		if i == maxChanges-1 && len(v.Changes) > maxChanges {
			c.text(r.regular, x0, y, p.Muted, plural(len(v.Changes)-i, "more change", "more changes"))
			y += lh
			break
		}
		c.text(r.regular, x0, y, p.Text, clipText(r.regular, ch, x1-x0))
		y += lh
	}

	heading(v.InfoTitle)
	for _, kv := range v.Info {
		if kv[0] == "" {
			c.text(r.regular, x0, y, p.Text, clipText(r.regular, kv[1], x1-x0))
		} else {
			c.text(r.regular, x0, y, p.Muted, kv[0])
			c.textRight(r.regular, x1, y, p.Text, clipText(r.regular, kv[1], x1-x0-150))
		}
		y += lh
	}

	// The legend and the keys from the bottom up.
	yb := float64(area.Max.Y) - 10
	if v.Status != "" {
		col := p.Text
		if v.StatusBad {
			col = p.Worse
		}
		c.text(r.regular, x0, yb, col, clipText(r.regular, v.Status, x1-x0))
		yb -= lh + 4
	}
	for i := len(v.Keys) - 1; i >= 0; i-- {
		c.text(r.small, x0, yb, p.Muted, clipText(r.small, v.Keys[i], x1-x0))
		yb -= lh - 3
	}
	yb -= 6
	legendTop := yb - r.legendHeight()
	if legendTop > y {
		r.drawLegend(c, x0, legendTop, x1, v.HeatMode, v.HeatMax, v.Catchment)
	}
}

func (r *Renderer) legendHeight() float64 { return 5*16 + 18 }

// drawLegend draws the key to the map's colours from top y.
func (r *Renderer) drawLegend(c *canvas, x0, y, x1 float64, mode HeatMode, heatMax float64, catchment bool) {
	p := r.Palette
	const lh = 16.0
	c.rect(image.Rect(int(x0), int(y), int(x1), int(y+1)), p.Rule)
	y += lh
	colW := (x1 - x0) / 2
	classes := []traffic.RoadClass{traffic.Motorway, traffic.Trunk, traffic.ARoad, traffic.Minor}
	for i, cls := range classes {
		yy := y + float64(i)*lh
		c.line(x0, yy-4, x0+22, yy-4, ClassWidth(cls)+0.5, p.Road(cls))
		c.text(r.small, x0+28, yy, p.Text, cls.String())
	}
	marks := []struct {
		status, label string
	}{{siting.Kept, "current site"}, {siting.Added, "proposed: added, moved, renewed"}, {siting.Removed, "removed / former place"}}
	for i, m := range marks {
		yy := y + float64(i)*lh
		cx := x0 + colW + 8
		c.circle(cx, yy-4, MarkerRadius-0.5, p.Outline)
		c.circle(cx, yy-4, MarkerRadius-1.8, p.Marker(m.status))
		c.text(r.small, cx+12, yy, p.Text, m.label)
	}
	yy := y + 3*lh
	c.circle(x0+colW+8, yy-4, 3.2, p.Minor)
	c.circle(x0+colW+8, yy-4, 1.6, p.Dot)
	c.text(r.small, x0+colW+20, yy, p.Text, "moving dots: traffic flow")
	// The heat scale.
	yy = y + 4*lh + 2
	var lo, hi color.NRGBA
	var label string
	switch {
	case catchment:
		lo, hi, label = p.Catchment, p.Catchment, "selected site's catchment: where the vehicles it sees travel"
	case mode == HeatGaps:
		lo, hi, label = p.GapLow, p.GapHigh, "gaps: target trips a day no camera sees, up to "+formatNumber(heatMax, siting.PerDay, false)
	case mode == HeatCoverage:
		lo, hi, label = p.CoverNone, p.CoverAll, "share of target trips seen: none to all (width: how many)"
	default:
		return
	}
	for i := range 22 {
		f := float64(i) / 21
		col := lerp(lo, hi, f)
		if mode == HeatCoverage && !catchment {
			col = lerp(p.CoverNone, p.CoverHalf, 2*f)
			if f > 0.5 {
				col = lerp(p.CoverHalf, p.CoverAll, 2*f-1)
			}
		}
		c.rect(image.Rect(int(x0)+i, int(yy-9), int(x0)+i+1, int(yy-1)), col)
	}
	c.text(r.small, x0+28, yy, p.Text, clipText(r.small, label, x1-x0-28))
}
