package traffic

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/vrm"
)

// InterestConfig says how many vehicles are of interest and how they
// behave, and what else the hotlist holds.
type InterestConfig struct {
	// Share is the share of the fleet that is of interest; 0 means
	// DefaultInterestShare, negative none.
	Share float64
	// Mix weighs the behaviours of vehicles of interest (Ordinary is
	// ignored); nil means DefaultInterestMix.
	Mix map[Behaviour]float64
	// Ghosts is how many listed marks belong to no vehicle in the fleet:
	// vehicles of interest that never come. 0 means as many as there are
	// vehicles of interest; negative none.
	Ghosts int
	// NearMisses is how many listed marks are one confusable character
	// away from an innocent vehicle's mark (AB12CDE listed, AB12CDF on the
	// road), so that confusion-aware matching's false alerts can be
	// measured. 0 means half as many as vehicles of interest; negative none.
	NearMisses int
}

// DefaultInterestShare is the share of vehicles of interest in the fleet
// unless configured: one in two hundred. National hit rates are not
// published; this gives a few thousand hits a day on the default network.
const DefaultInterestShare = 0.005

// DefaultInterestMix is the mix of behaviours of vehicles of interest
// unless configured: judgement, not published figures. Document offences
// (no insurance, no tax) are the commonest hits.
func DefaultInterestMix() map[Behaviour]float64 {
	return map[Behaviour]float64{Uninsured: 0.45, TravellingCriminal: 0.15, NightRunner: 0.15, Stolen: 0.15, Clone: 0.10}
}

// ListingKind says why a mark is on the simulated hotlist.
type ListingKind uint8

const (
	// OfInterest lists a vehicle of interest in the fleet (for a clone,
	// the mark it shares with its innocent twin).
	OfInterest ListingKind = iota + 1
	// Ghost lists a mark no vehicle in the fleet carries.
	Ghost
	// NearMiss lists a mark one confusable character away from an
	// innocent vehicle's mark: a read of that vehicle that hits it is a
	// false alert.
	NearMiss
)

func (k ListingKind) String() string {
	switch k {
	case OfInterest:
		return "of-interest"
	case Ghost:
		return "ghost"
	case NearMiss:
		return "near-miss"
	}
	return fmt.Sprintf("ListingKind(%d)", int(k))
}

// Listing is one hotlist entry of the simulation with the truth behind it.
type Listing struct {
	Entry hotlist.Entry
	Kind  ListingKind
	// Vehicle is the vehicle of interest (OfInterest), the innocent
	// vehicle whose mark is one character away (NearMiss), or NoVehicle
	// (Ghost).
	Vehicle VehicleID
	// Position is, for a NearMiss, the index in the mark of the character
	// that differs.
	Position int
}

// interestKind is the hotlist row a behaviour's vehicles get: list,
// marker, priority and operator advice, drawn by share.
type interestKind struct {
	share    float64
	list     string
	marker   string
	priority int
	action   string
	expires  bool // document lists expire; police markers stay until removed
}

// interestKinds are the rows per behaviour; markers are those of
// engine/hotlist/data/markers.txt, lists those of lists.txt.
func interestKinds(b Behaviour) []interestKind {
	switch b {
	case Uninsured:
		return []interestKind{
			{0.55, "insurance", "no-insurance", 6, "No insurance recorded: stop and check documents", true},
			{0.45, "DVLA", "no-tax", 7, "Untaxed vehicle: record; stop if resources allow", true},
		}
	case TravellingCriminal:
		return []interestKind{
			{0.35, "PNC", "intelligence", 5, "Record the sighting; do not stop", false},
			{0.25, "PNC", "drugs", 3, "Intelligence: drugs supply; record and inform the intelligence unit", false},
			{0.20, "PNC", "wanted", 2, "Keeper wanted on warrant: stop and arrest if identified", false},
			{0.12, "PNC", "violence", 2, "Occupants may be violent: stop only with support", false},
			{0.08, "PNC", "firearms", 1, "FIREARMS: do not stop; inform control and follow armed-response policy", false},
		}
	case NightRunner:
		return []interestKind{
			{0.40, "PNC", "drugs", 3, "Intelligence: drugs supply; record and inform the intelligence unit", false},
			{0.30, "local", "intelligence", 5, "Local intelligence: record the sighting", false},
			{0.30, "PNC", "disqualified-driver", 3, "Keeper disqualified from driving: check the driver", false},
		}
	case Stolen:
		return []interestKind{{1, "PNC", "stolen", 2, "Stolen vehicle: stop and check; seize if confirmed", false}}
	case Clone:
		return []interestKind{{1, "local", "suspected-clone", 3, "Plates may be cloned: compare vehicle with DVLA record", false}}
	}
	return nil
}

func pickKind(rng *rand.Rand, kinds []interestKind) interestKind {
	r := rng.Float64()
	for _, k := range kinds {
		if r -= k.share; r < 0 {
			return k
		}
	}
	return kinds[len(kinds)-1]
}

// staffordshireForce is the force code in owner references (PNC
// references start with the force's number; Staffordshire's is 21).
const staffordshireForce = 21

func (k interestKind) entry(rng *rand.Rand, mark string, epoch time.Time) hotlist.Entry {
	day := epoch.UTC().Truncate(24 * time.Hour)
	added := day.AddDate(0, 0, -1-rng.IntN(400))
	e := hotlist.Entry{VRM: mark, List: k.list, Marker: k.marker, Priority: k.priority, Action: k.action, Added: added}
	if k.expires {
		// Live through any run of the next month at least.
		e.Expires = day.AddDate(0, 0, 30+rng.IntN(150))
	}
	switch k.list {
	case "PNC", "local":
		e.OwnerRef = fmt.Sprintf("%02d/%06d/%02d", staffordshireForce, rng.IntN(1000000), added.Year()%100)
	case "DVLA":
		e.OwnerRef = fmt.Sprintf("DVLA-%08d", rng.IntN(100000000))
	default:
		e.OwnerRef = fmt.Sprintf("MID-%09d", rng.IntN(1000000000))
	}
	return e
}

// interestCounts splits n vehicles of interest between behaviours in
// proportion to mix, by largest remainder so that the counts sum to n.
func interestCounts(n int, mix map[Behaviour]float64) ([numBehaviours]int, error) {
	var counts [numBehaviours]int
	var sum float64
	for b, w := range mix {
		if !b.OfInterest() {
			if b == Ordinary {
				continue
			}
			return counts, fmt.Errorf("interest mix: %v is not a behaviour", b)
		}
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return counts, fmt.Errorf("interest mix: weight of %v is %g", b, w)
		}
		sum += w
	}
	if n == 0 {
		return counts, nil
	}
	if !(sum > 0) {
		return counts, fmt.Errorf("interest mix: no behaviour has a weight")
	}
	type rem struct {
		b Behaviour
		r float64
	}
	var rems []rem
	left := n
	for b := Uninsured; b < numBehaviours; b++ {
		exact := float64(n) * mix[b] / sum
		counts[b] = int(exact)
		left -= counts[b]
		rems = append(rems, rem{b, exact - float64(counts[b])})
	}
	slices.SortStableFunc(rems, func(x, y rem) int {
		switch {
		case x.r > y.r:
			return -1
		case x.r < y.r:
			return 1
		}
		return 0
	})
	for i := 0; i < left; i++ {
		counts[rems[i].b]++
	}
	return counts, nil
}

// nearMiss returns a valid mark of the same format as m, one confusable
// character away from it, not taken, and the position that differs.
func nearMiss(rng *rand.Rand, m vrm.Mark, conf *vrm.ConfusionModel, p *plateMaker) (string, int, bool) {
	const symbols = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	text := []byte(m.Text)
	start := rng.IntN(len(text))
	for k := range text {
		i := (start + k) % len(text)
		orig := text[i]
		off := rng.IntN(len(symbols))
		for s := range symbols {
			c := symbols[(off+s)%len(symbols)]
			if c == orig || !conf.Confusable(rune(orig), rune(c)) {
				continue
			}
			text[i] = c
			cand := string(text)
			text[i] = orig
			got, err := vrm.Parse(cand, p.asOf)
			if err != nil || got.Format != m.Format || p.isTaken(cand) {
				continue
			}
			return cand, i, true
		}
	}
	return "", 0, false
}

// WriteHotlist writes the simulation's hotlist as CSV in the format
// engine/hotlist loads (header vrm,list,marker,priority,action,added,
// expires,owner_ref).
func (s *Sim) WriteHotlist(w io.Writer) error {
	cw := hotlist.NewCSVWriter(w)
	for _, l := range s.listings {
		if err := cw.Write(l.Entry); err != nil {
			return fmt.Errorf("write hotlist: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write hotlist: %w", err)
	}
	return nil
}

// Listings returns the simulation's hotlist with the truth behind every
// entry; the slice must not be changed.
func (s *Sim) Listings() []Listing { return s.listings }
