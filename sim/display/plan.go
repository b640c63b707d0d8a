// Package display puts real ANPR cameras in the loop: it plans what a
// monitor shows a physical camera pointed at it (rendered plates at a
// chosen physical size, or whole rendered scenes, each for a set time with
// blank screen between), keeps the truth log of what was actually shown
// and when, and scores the camera's reads against that log.
//
// It draws nothing on a screen itself: cmd/anpr-display puts its pictures
// in a full-screen window, so everything here runs without a display.
package display

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"anpr/engine/vrm"
	"anpr/sim/scene"
)

// Kind is what each item of a plan is.
type Kind string

const (
	// KindPlate is one number plate at a chosen physical size.
	KindPlate Kind = "plate"
	// KindScene is a whole rendered camera frame, scaled to fit the screen.
	KindScene Kind = "scene"
)

// Clean is the condition of a plate drawn straight on, as the plate
// renderer draws it (its wear included: dirt, fading, wrong fonts, as on
// the road), with no light, weather or camera effects. Plates only.
const Clean = "clean"

// Defaults of a Config's zero fields.
const (
	DefaultCount   = 20
	DefaultShow    = 2 * time.Second
	DefaultGap     = time.Second
	DefaultPlateMM = OneLineWidthMM // life size
)

// OneLineWidthMM is the width of the usual one-line UK plate (520 x 111
// mm).
const OneLineWidthMM = 520.0

// ErrBadConfig marks a plan, screen or scoring request that cannot be
// honoured; the commands report it as bad usage.
var ErrBadConfig = errors.New("bad display configuration")

// Config is what a show is made of.
type Config struct {
	Kind  Kind
	Count int           // items to show
	Show  time.Duration // each item on screen for this long
	Gap   time.Duration // blank screen after each item
	// PlateMM is how wide a one-line plate is drawn on the screen, in
	// millimetres; other layouts are drawn at the same scale, so 520 is
	// life size for every plate. Plates only.
	PlateMM float64
	Seed    uint64
	// Condition is a named condition of sim/scene (light, weather, the
	// camera's sensor, applied to a plate as a camera's plate patch), Clean
	// (plates only), or scene.Mixed: each item a condition in turn, in a
	// shuffled order, so that each is shown equally often.
	Condition string
	AsOf      time.Time // marks are issued no later than this
}

// withDefaults fills in zero fields.
func (c Config) withDefaults() Config {
	if c.Kind == "" {
		c.Kind = KindPlate
	}
	if c.Count == 0 {
		c.Count = DefaultCount
	}
	if c.Show == 0 {
		c.Show = DefaultShow
	}
	if c.PlateMM == 0 {
		c.PlateMM = DefaultPlateMM
	}
	if c.Condition == "" {
		c.Condition = Clean
		if c.Kind == KindScene {
			c.Condition = scene.Mixed
		}
	}
	if c.AsOf.IsZero() {
		c.AsOf = time.Now().UTC()
	}
	return c
}

// Check reports what is wrong with a configuration, zero fields taken as
// their defaults.
func (c Config) Check() error {
	c = c.withDefaults()
	switch {
	case c.Kind != KindPlate && c.Kind != KindScene:
		return fmt.Errorf("%w: kind %q: want %s or %s", ErrBadConfig, c.Kind, KindPlate, KindScene)
	case c.Count < 1:
		return fmt.Errorf("%w: count %d: need at least 1", ErrBadConfig, c.Count)
	case c.Show < 0 || c.Gap < 0:
		return fmt.Errorf("%w: show %v and gap %v may not be negative", ErrBadConfig, c.Show, c.Gap)
	case !(c.PlateMM > 0) || c.PlateMM > 5000:
		return fmt.Errorf("%w: plate width %g mm: want more than 0 and at most 5000", ErrBadConfig, c.PlateMM)
	}
	if _, err := conditionsOf(c); err != nil {
		return err
	}
	return nil
}

// conditionsOf lists the conditions a plan draws from: the one asked for,
// or every one for mixed.
func conditionsOf(c Config) ([]string, error) {
	switch {
	case c.Condition == Clean && c.Kind == KindPlate:
		return []string{Clean}, nil
	case c.Condition == Clean:
		return nil, fmt.Errorf("%w: condition %q is for plates only; a scene needs a named condition or %s", ErrBadConfig, Clean, scene.Mixed)
	case c.Condition == scene.Mixed && c.Kind == KindPlate:
		return append([]string{Clean}, scene.ConditionNames()...), nil
	case c.Condition == scene.Mixed:
		return scene.ConditionNames(), nil
	}
	if err := scene.CheckCondition(c.Condition); err != nil {
		return nil, fmt.Errorf("%w: %v (or %s, plates only)", ErrBadConfig, err, Clean)
	}
	return []string{c.Condition}, nil
}

// Item is one thing a plan shows.
type Item struct {
	Seq       int      `json:"seq"`
	Mark      vrm.Mark `json:"mark"`
	Condition string   `json:"condition"`
	// Seed is the item's own: it alone remakes the item's picture.
	Seed uint64 `json:"seed"`
}

// Plan is a show: its configuration and its items, in order.
type Plan struct {
	Config
	Items []Item
}

// NewPlan makes the plan a configuration describes. The same
// configuration gives the same plan.
func NewPlan(c Config) (*Plan, error) {
	c = c.withDefaults()
	if err := c.Check(); err != nil {
		return nil, err
	}
	conds, _ := conditionsOf(c)
	order := rand.New(rand.NewPCG(c.Seed, 0x53484F57)) // "SHOW"
	var cycle []string
	p := &Plan{Config: c, Items: make([]Item, c.Count)}
	for i := range p.Items {
		if len(cycle) == 0 {
			cycle = append(cycle, conds...)
			order.Shuffle(len(cycle), func(a, b int) { cycle[a], cycle[b] = cycle[b], cycle[a] })
		}
		seed := scene.ImageSeed(c.Seed, i)
		p.Items[i] = Item{Seq: i, Mark: vrm.GenerateMix(itemRand(seed, 1), c.AsOf), Condition: cycle[0], Seed: seed}
		cycle = cycle[1:]
	}
	return p, nil
}

// itemRand is one of an item's random streams: each use of the item's
// seed (its mark, its plate) draws from a stream of its own, so that none
// shifts another.
func itemRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x444953504C4159+stream)) // "DISPLAY"
}

// Duration is how long the plan runs when every item is ready in time.
func (p *Plan) Duration() time.Duration {
	return time.Duration(len(p.Items)) * (p.Show + p.Gap)
}
