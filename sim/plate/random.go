package plate

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Shares of the plates seen on UK roads that RandomSpec draws from. They are
// estimates, kept here as data so they can be tuned in one place.
var (
	shareFlash     = 0.04
	shareDealer    = 0.40
	shareBorder    = 0.15
	shareMandatory = 0.80
	shareStickOn   = 0.05
	shareScrews    = 0.35
	shareRaised3D  = 0.10
	// Identifier bands; what is left of 1 is no band (about 55%).
	bandShares = []struct {
		band  Band
		share float64
	}{
		{BandUK, 0.12}, {BandGB, 0.08}, {BandEUGB, 0.12}, {BandUnion, 0.07},
		{BandEngland, 0.03}, {BandScotland, 0.02}, {BandWales, 0.01},
	}
)

// Mix is how often RandomSpec draws the kinds of plate a reader sees least
// and finds hardest.
type Mix struct {
	TwoLine, Motorcycle float64 // shares of plates whose mark fits on two lines
	// Black-and-silver plates: shares of the old marks (common on the
	// classic cars that carry them) and of current ones (rare, and illegal).
	HistoricOld, HistoricCurrent float64
	// OldTypeface is the share of plates with a mark from before 2001 that
	// are drawn in PressedMetal, black-and-silver or not. None on RoadMix:
	// evaluation sets keep the plates they had before the typeface was
	// drawn; training sets take it up through OldTypeMix.
	OldTypeface float64
}

// RoadMix is the kinds of plate as seen on UK roads (estimates).
var RoadMix = Mix{TwoLine: 0.09, Motorcycle: 0.03, HistoricOld: 0.20, HistoricCurrent: 0.01}

// HardMix draws the hard kinds about three times as often as RoadMix does
// (black-and-silver current marks eight times), and one-line plates still
// more than half the time: for training sets that teach a reader more of
// what it reads worst, not for measuring it.
var HardMix = Mix{TwoLine: 0.25, Motorcycle: 0.10, HistoricOld: 0.50, HistoricCurrent: 0.08}

// Mixes names the mixes a command line can choose.
var Mixes = map[string]Mix{"road": RoadMix, "hard": HardMix, "old-type": OldTypeMix}

// OldTypeMix is RoadMix with half the plates of marks from before 2001 in
// the pressed-metal typeface: for training sets that teach a reader the
// plain-bar 1 of older plates.
var OldTypeMix = func() Mix {
	m := RoadMix
	m.OldTypeface = 0.5
	return m
}()

// RandomSpec draws a plate as one might meet it on a UK road for the given
// display text ("AB12 CDE"): front or rear, one-line, two-line or
// motorcycle, with or without identifier band, green flash, dealer legend,
// border, the legal or a wrong font, and wear from mild to heavy. fonts is
// what Renderer.Fonts offers; Mandatory is used when it is empty.
//
// Texts that cannot go on two lines (more than two groups, or a group
// longer than 5) always get a one-line plate.
func RandomSpec(rng *rand.Rand, display string, fonts []Font) Spec {
	return RoadMix.RandomSpec(rng, display, fonts)
}

// RandomSpec is the package's RandomSpec with the kinds of plate drawn as
// often as m says; with RoadMix it draws the very same plates.
func (m Mix) RandomSpec(rng *rand.Rand, display string, fonts []Font) Spec {
	s := Spec{Text: display, Layout: OneLine}
	groups := strings.Fields(display)
	twoLineOK := len(groups) <= 2
	for _, g := range groups {
		if len(g) > maxCharsPerLine {
			twoLineOK = false
		}
	}
	u := rng.Float64()
	switch {
	case u < m.Motorcycle && twoLineOK:
		s.Layout = Motorcycle
	case u < m.Motorcycle+m.TwoLine && twoLineOK:
		s.Layout = TwoLine
	}
	// Motorcycles carry only a rear plate; the others are split so that
	// front and rear come out even overall.
	if s.Layout == Motorcycle || rng.Float64() < (0.5-m.Motorcycle)/(1-m.Motorcycle) {
		s.Side = Rear
	} else {
		s.Side = Front
	}

	hist := m.HistoricCurrent
	if !isCurrentFormat(groups) {
		hist = m.HistoricOld
	}
	s.Historic = rng.Float64() < hist

	if !s.Historic {
		u = rng.Float64()
		for _, b := range bandShares {
			if u < b.share {
				s.Band = b.band
				break
			}
			u -= b.share
		}
		s.GreenFlash = rng.Float64() < shareFlash
		if rng.Float64() < shareDealer {
			s.Dealer = randomDealer(rng)
		}
	}
	border := shareBorder
	if s.Historic {
		border = 0.6
	}
	s.Border = rng.Float64() < border

	s.Font = Mandatory
	var others []Font
	for _, f := range fonts {
		if f != Mandatory && f != "" {
			others = append(others, f)
		}
	}
	if len(others) > 0 && rng.Float64() >= shareMandatory {
		s.Font = others[rng.IntN(len(others))]
	}
	// Drawn only when asked for, so that mixes without it draw the very
	// plates they drew before it was added.
	if m.OldTypeface > 0 && !isCurrentFormat(groups) && rng.Float64() < m.OldTypeface {
		s.Font = PressedMetal
	}
	s.Wear = randomWear(rng)
	if s.Historic && rng.Float64() < 0.7 {
		s.Wear.Raised3D = true // pressed-metal plates have raised characters
	}
	return s
}

// randomWear: most plates mildly worn, a fifth moderately, a tenth heavily;
// illegal spacing and weights on a minority.
func randomWear(rng *rand.Rand) Wear {
	var w Wear
	uni := func(a, b float64) float64 { return a + rng.Float64()*(b-a) }
	sev := rng.Float64()
	var reflP, reflA, reflB float64
	switch {
	case sev < 0.70:
		w.Fade, w.Dirt = uni(0, 0.15), uni(0, 0.2)
		reflP, reflA, reflB = 0.25, 0.05, 0.4
	case sev < 0.90:
		w.Fade, w.Dirt = uni(0.1, 0.4), uni(0.2, 0.5)
		reflP, reflA, reflB = 0.35, 0.2, 0.7
	default:
		w.Fade, w.Dirt = uni(0.3, 0.75), uni(0.45, 0.9)
		reflP, reflA, reflB = 0.4, 0.3, 0.9
	}
	if rng.Float64() < reflP {
		w.Reflection = uni(reflA, reflB)
	}
	if rng.Float64() < 0.12 {
		w.SpacingScale = uni(0.3, 1.6)
	} else {
		w.SpacingScale = uni(0.95, 1.05)
	}
	if rng.Float64() < 0.12 {
		w.GroupGapMM = uni(1, 70)
	} else {
		w.GroupGapMM = uni(30, 36)
	}
	if rng.Float64() < 0.15 {
		w.StrokeScale = uni(0.75, 1.3)
	} else {
		w.StrokeScale = uni(0.96, 1.04)
	}
	w.StickOn = rng.Float64() < shareStickOn
	w.Screws = rng.Float64() < shareScrews
	w.Raised3D = rng.Float64() < shareRaised3D
	return w
}

// isCurrentFormat reports whether groups read like "AB12 CDE".
func isCurrentFormat(groups []string) bool {
	if len(groups) != 2 || len(groups[0]) != 4 || len(groups[1]) != 3 {
		return false
	}
	a, b := groups[0], groups[1]
	letter := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	return letter(a[0]) && letter(a[1]) && digit(a[2]) && digit(a[3]) && letter(b[0]) && letter(b[1]) && letter(b[2])
}

var (
	dealerPlaces = []string{"KINGSWAY", "RIVERSIDE", "NORTHFIELD", "OAKWOOD", "HIGHFIELD", "ABBEY",
		"VICTORIA", "PARKSIDE", "WESTGATE", "CASTLE", "MILLBROOK", "STATION ROAD", "MEADOW", "BRIDGE",
		"CROWN", "ASHFORD", "GREENWAY", "PENNINE", "SEVERN", "TRENT VALLEY"}
	dealerKinds = []string{"MOTORS", "CAR SALES", "AUTOS", "GARAGE", "VEHICLE CENTRE", "MOTOR CO",
		"CARS LTD", "Motors Ltd", "Car Centre", "PLATES", "Autocentre"}
	dealerTowns = []string{"LEEDS", "BRISTOL", "STAFFORD", "LICHFIELD", "CANNOCK", "DERBY", "YORK",
		"NORWICH", "SWINDON", "WREXHAM", "PERTH", "Birmingham", "Walsall", "Tamworth"}
)

// randomDealer makes a supplier legend: a made-up business, sometimes a
// town or postcode, sometimes the British Standard mark.
func randomDealer(rng *rand.Rand) string {
	parts := []string{dealerPlaces[rng.IntN(len(dealerPlaces))] + " " + dealerKinds[rng.IntN(len(dealerKinds))]}
	switch rng.IntN(3) {
	case 0:
		parts = append(parts, dealerTowns[rng.IntN(len(dealerTowns))])
	case 1:
		parts = append(parts, fmt.Sprintf("%c%c%d %d%c%c", 'A'+rng.IntN(26), 'A'+rng.IntN(26), 1+rng.IntN(20),
			rng.IntN(10), 'A'+rng.IntN(26), 'A'+rng.IntN(26)))
	}
	if rng.Float64() < 0.5 {
		parts = append(parts, "BS AU 145e")
	}
	return strings.Join(parts, "  ")
}
