// Package plate draws UK number plates to the legal geometry of the Display of
// Registration Marks Regulations 2001, and the many ways real plates break it.
//
// Dimensions are in millimetres on the plate; Render turns them into pixels at
// a chosen scale and reports where every character and the plate's corners are.
package plate

import "image"

// Side is which end of the vehicle the plate is on; it decides the
// background colour (white front, yellow rear).
type Side string

const (
	Front Side = "front"
	Rear  Side = "rear"
)

// Layout is the arrangement of the characters on the plate.
type Layout string

const (
	OneLine    Layout = "one-line"   // 520 x 111 mm, both groups on one line
	TwoLine    Layout = "two-line"   // "square" car plate, about 279 x 203 mm
	Motorcycle Layout = "motorcycle" // two lines, smaller characters (64 x 44 mm)
)

// Band is the optional identifier at the left of the plate.
type Band string

const (
	NoBand       Band = ""
	BandUK       Band = "uk"      // green-free blue band with "UK"
	BandGB       Band = "gb"      // older "GB" band
	BandEUGB     Band = "eu-gb"   // EU stars over "GB"
	BandUnion    Band = "union"   // Union flag over "UK"
	BandEngland  Band = "england" // St George's cross over "ENG"
	BandScotland Band = "scotland"
	BandWales    Band = "wales"
)

// Font names the typeface. Mandatory is the legal typeface drawn as vector
// strokes; the others are real fonts found on the system, because many plates
// on the road use the wrong one.
type Font string

const Mandatory Font = "mandatory"

// PressedMetal is the older typeface of plates made before 2001, pressed
// metal ones above all: the mandatory letters drawn with a thinner pen and a
// 1 that is a plain bar, with no flag, so that it looks like an I. Render
// draws it; RandomSpec draws it only where a Mix's OldTypeface says, for
// training sets, so that evaluation sets stay as they were.
const PressedMetal Font = "pressed-metal"

// Wear describes how a real plate departs from a clean, legal one. The zero
// value is a clean, legal plate.
type Wear struct {
	SpacingScale float64 `json:"spacing_scale,omitempty"` // multiplies the 11 mm character gap; 0 means 1
	GroupGapMM   float64 `json:"group_gap_mm,omitempty"`  // gap between groups; 0 means the legal 33 mm
	StrokeScale  float64 `json:"stroke_scale,omitempty"`  // multiplies stroke width (bold or thin fonts); 0 means 1
	StickOn      bool    `json:"stick_on,omitempty"`      // characters slightly rotated and offset, as stick-on letters are
	Fade         float64 `json:"fade,omitempty"`          // 0..1: characters and background lose contrast
	Dirt         float64 `json:"dirt,omitempty"`          // 0..1: grime spots and streaks
	Reflection   float64 `json:"reflection,omitempty"`    // 0..1: specular band across the plate
	Screws       bool    `json:"screws,omitempty"`        // two screw heads, possibly inside characters
	Raised3D     bool    `json:"raised_3d,omitempty"`     // raised characters with a shadow edge (legal since 2021)
}

// Spec is one physical plate.
type Spec struct {
	// Text is the display form: characters with single spaces between groups,
	// e.g. "AB12 CDE". On two-line layouts each group goes on its own line.
	Text       string
	Side       Side
	Layout     Layout
	Band       Band
	GreenFlash bool   // zero-emission vehicle flash at the left
	Dealer     string // small dealer legend along the bottom; "" for none
	Border     bool   // thin black border inset from the edge
	Font       Font   // "" means Mandatory
	Wear       Wear
	// Historic is a black plate with silver-white characters, allowed on
	// vehicles made before 1980 (and seen on many classic cars); it
	// overrides Side's colour and takes no identifier band.
	Historic bool
}

// CharBox is where one character landed in the rendered image.
type CharBox struct {
	Char rune            `json:"char"`
	Box  image.Rectangle `json:"-"`
}

// Plate is a rendered plate: a straight-on image of the plate alone.
type Plate struct {
	Image   *image.NRGBA
	PxPerMM float64
	Chars   []CharBox
	// Corners of the plate outline in the image, clockwise from top-left.
	Corners [4][2]float64
}
