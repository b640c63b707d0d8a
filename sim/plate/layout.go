package plate

import (
	"fmt"
	"strings"
)

// Legal geometry, millimetres.
const (
	oneLineW, oneLineH   = 520.0, 111.0
	twoLineW, twoLineH   = 279.0, 203.0
	motoW, motoH         = 229.0, 178.0
	charGapMM            = 11.0
	groupGapMM           = 33.0
	marginMM             = 11.0
	lineGapMM            = 19.0
	motoCharW, motoCharH = 44.0, 64.0
	motoCharGapMM        = 10.0
	motoGroupGapMM       = 30.0
	motoLineGapMM        = 13.0
	motorcycleWeight     = 0.81 // 10 mm pen after scaling the 50x79 cell to 44x64
	bandWOneLine         = 50.0
	bandWTwoLine         = 40.0
	bandWMoto            = 34.0
	flashWAlone          = 44.0 // green flash with no identifier
	flashWBeside         = 12.0 // green strip beside an identifier band
	maxCharsOneLine      = 8
	maxCharsPerLine      = 5
	maxGroups            = 3
)

// plateGeom is the plate and where everything goes on it, in millimetres.
type plateGeom struct {
	w, h        float64
	lines       [][]string // groups per line
	charW       float64    // nominal character cell width (50 or 44)
	charH       float64
	charGap     float64
	groupGap    float64
	lineGap     float64
	weight      float64 // stroke weight multiplier for the glyphs
	flash, band rect    // zero-width when absent
	text        rect    // area the characters are centred in
}

// parseText splits the display text into groups and checks the alphabet.
func parseText(text string) ([]string, error) {
	groups := strings.Fields(text)
	if len(groups) == 0 {
		return nil, fmt.Errorf("plate text %q is empty", text)
	}
	for _, g := range groups {
		for i, c := range g {
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				return nil, fmt.Errorf("plate text %q: character %q at %d is not A-Z, 0-9 or space", text, c, i)
			}
		}
	}
	return groups, nil
}

// geometry lays out spec s (text already parsed into groups).
func geometry(s Spec, groups []string) (plateGeom, error) {
	g := plateGeom{charW: cellW, charH: cellH, charGap: charGapMM, groupGap: groupGapMM, lineGap: lineGapMM, weight: 1}
	n := 0
	for _, gr := range groups {
		n += len(gr)
	}
	switch s.Layout {
	case OneLine, "":
		g.w, g.h = oneLineW, oneLineH
		if n > maxCharsOneLine || len(groups) > maxGroups {
			return g, fmt.Errorf("plate text %q: %d characters in %d groups do not fit a one-line plate (at most %d in %d)", s.Text, n, len(groups), maxCharsOneLine, maxGroups)
		}
		g.lines = [][]string{groups}
	case TwoLine, Motorcycle:
		g.w, g.h = twoLineW, twoLineH
		if s.Layout == Motorcycle {
			g.w, g.h = motoW, motoH
			g.charW, g.charH = motoCharW, motoCharH
			g.charGap, g.groupGap, g.lineGap = motoCharGapMM, motoGroupGapMM, motoLineGapMM
			g.weight = motorcycleWeight
		}
		switch len(groups) {
		case 1:
			g.lines = splitGroup(groups[0])
		case 2:
			g.lines = [][]string{{groups[0]}, {groups[1]}}
		default:
			return g, fmt.Errorf("plate text %q: a %s plate takes at most 2 groups, one per line", s.Text, s.Layout)
		}
		for _, l := range g.lines {
			if len(l[0]) > maxCharsPerLine {
				return g, fmt.Errorf("plate text %q: %q is too long for a line of a %s plate (at most %d)", s.Text, l[0], s.Layout, maxCharsPerLine)
			}
		}
	default:
		return g, fmt.Errorf("unknown layout %q", s.Layout)
	}

	w := s.Wear
	if w.SpacingScale > 0 {
		g.charGap *= w.SpacingScale
	}
	if w.GroupGapMM > 0 {
		g.groupGap = w.GroupGapMM
	}
	if w.StrokeScale > 0 {
		g.weight *= w.StrokeScale
	}

	left := 0.0
	bandW := bandWOneLine
	switch s.Layout {
	case TwoLine:
		bandW = bandWTwoLine
	case Motorcycle:
		bandW = bandWMoto
	}
	if s.GreenFlash {
		fw := flashWAlone * bandW / bandWOneLine
		if s.Band != NoBand {
			fw = flashWBeside
		}
		g.flash = rect{left, 0, left + fw, g.h}
		left += fw
	}
	if s.Band != NoBand && !s.Historic {
		g.band = rect{left, 0, left + bandW, g.h}
		left += bandW
	}
	g.text = rect{left + marginMM, marginMM, g.w - marginMM, g.h - marginMM}
	if left > 0 {
		// Characters are centred in what the band leaves, with the
		// margin only on the far side (the band is its own margin).
		g.text.x0 = left + 4
	}
	return g, nil
}

// splitGroup puts a single group on two lines, at the first change between
// letters and digits if there is one.
func splitGroup(gr string) [][]string {
	if len(gr) == 1 {
		return [][]string{{gr}}
	}
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	cut := len(gr) / 2
	for i := 1; i < len(gr); i++ {
		if isDigit(gr[i]) != isDigit(gr[i-1]) {
			cut = i
			break
		}
	}
	return [][]string{{gr[:cut]}, {gr[cut:]}}
}
