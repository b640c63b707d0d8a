package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"anpr/engine/vrm"
)

// VehicleID is a vehicle's index in the simulation's fleet; vehicles the
// simulation adds during a run (when a zone runs out of parked vehicles)
// come after the fleet.
type VehicleID int32

// NoVehicle is the VehicleID of no vehicle.
const NoVehicle VehicleID = -1

// Behaviour is how a vehicle travels and why, if at all, it is of
// interest: the truth a run is scored against.
type Behaviour uint8

const (
	// Ordinary vehicles are of no interest and make the gravity model's
	// trips.
	Ordinary Behaviour = iota
	// Uninsured vehicles travel as ordinary ones but are on the DVLA
	// (untaxed) or insurance (uninsured) lists.
	Uninsured
	// TravellingCriminal vehicles are based beyond the county boundary and
	// come into the county to offend, mostly in the afternoon and evening.
	TravellingCriminal
	// NightRunner vehicles travel only between midnight and 5 am.
	NightRunner
	// Stolen vehicles were stolen before the simulation starts and are
	// driven by day and by night.
	Stolen
	// Clone vehicles carry the mark of an ordinary vehicle elsewhere (its
	// Twin), so that two vehicles, one innocent, are seen with one mark.
	Clone
	numBehaviours
)

var behaviourNames = [numBehaviours]string{"ordinary", "uninsured", "travelling-criminal", "night-runner", "stolen", "clone"}

func (b Behaviour) String() string {
	if b < numBehaviours {
		return behaviourNames[b]
	}
	return fmt.Sprintf("Behaviour(%d)", int(b))
}

// OfInterest reports whether vehicles of this behaviour are of interest.
func (b Behaviour) OfInterest() bool { return b != Ordinary && b < numBehaviours }

// scripted reports whether vehicles of this behaviour make their own
// trips rather than the gravity model's.
func (b Behaviour) scripted() bool { return b >= TravellingCriminal && b < numBehaviours }

// Vehicle is one vehicle of the simulated fleet.
type Vehicle struct {
	ID VehicleID
	// Front and Rear are the marks on its plates: the same but on a clone,
	// whose plates copy another vehicle's.
	Front, Rear vrm.Mark
	// Home is the node where the vehicle is parked when a run starts, and
	// the base scripted vehicles return to.
	Home      int
	Behaviour Behaviour
	// Twin links a clone and the innocent vehicle whose mark it carries,
	// both ways; NoVehicle for every other vehicle.
	Twin VehicleID
}

// DefaultPlateMix returns the share of each format among marks on UK
// roads, as engine/vrm's generator uses them: mostly current marks, some
// prefix, suffix, dateless, Northern Irish and Q plates, and a few foreign
// (vrm.Unknown).
func DefaultPlateMix() map[vrm.Format]float64 {
	m := map[vrm.Format]float64{vrm.Unknown: vrm.Share(vrm.Unknown)}
	for _, f := range vrm.Formats {
		m[f] = vrm.Share(f)
	}
	return m
}

// plateFormats is the order formats are drawn in, for determinism: map
// iteration order is random.
func plateFormats() []vrm.Format {
	return append(append([]vrm.Format(nil), vrm.Formats...), vrm.Unknown)
}

// plateMaker draws unique marks in a configured mix of formats.
type plateMaker struct {
	formats []vrm.Format
	pick    alias
	asOf    time.Time
	// taken holds every mark in use or listed, so that no two vehicles
	// share a mark by chance and no listed mark is on an innocent vehicle.
	taken map[string]struct{}
}

func newPlateMaker(mix map[vrm.Format]float64, asOf time.Time, size int) (*plateMaker, error) {
	var w []float64
	p := &plateMaker{asOf: asOf, taken: make(map[string]struct{}, size)}
	var sum float64
	for f, share := range mix {
		known := false
		for _, g := range plateFormats() {
			known = known || f == g
		}
		if !known {
			return nil, fmt.Errorf("plate mix: %q is not a format", f)
		}
		if share < 0 || math.IsNaN(share) || math.IsInf(share, 0) {
			return nil, fmt.Errorf("plate mix: share of %s is %g", f, share)
		}
		sum += share
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("plate mix: no format has a share")
	}
	for _, f := range plateFormats() {
		if mix[f] > 0 {
			p.formats = append(p.formats, f)
			w = append(w, mix[f])
		}
	}
	p.pick = newAlias(w)
	return p, nil
}

// make returns a new mark not yet taken, and takes it.
func (p *plateMaker) make(rng *rand.Rand) vrm.Mark {
	return p.makeFree(rng, p.taken)
}

// makeFree returns a new mark neither taken nor in also, and puts it in
// also: a run adds vehicles without changing the simulation's own set.
func (p *plateMaker) makeFree(rng *rand.Rand, also map[string]struct{}) vrm.Mark {
	f := p.formats[p.pick.draw(rng)]
	for {
		var m vrm.Mark
		if f == vrm.Current {
			// GenerateMix gives current marks their on-road ages (recent
			// ones the commonest), which Generate does not.
			for m = vrm.GenerateMix(rng, p.asOf); m.Format != vrm.Current; m = vrm.GenerateMix(rng, p.asOf) {
			}
		} else {
			m = vrm.Generate(rng, f, p.asOf)
		}
		if _, dup := also[m.Text]; !dup && !p.isTaken(m.Text) {
			also[m.Text] = struct{}{}
			return m
		}
	}
}

// take marks text as used, reporting false if it already was.
func (p *plateMaker) take(text string) bool {
	if _, dup := p.taken[text]; dup {
		return false
	}
	p.taken[text] = struct{}{}
	return true
}

func (p *plateMaker) isTaken(text string) bool {
	_, ok := p.taken[text]
	return ok
}
