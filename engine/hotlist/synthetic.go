package hotlist

import (
	"math/rand/v2"
	"time"

	"anpr/engine/vrm"
)

// syntheticKind is one kind of synthetic entry and its share of a list.
type syntheticKind struct {
	share    float64
	list     string
	marker   string
	priority [2]int // from, to
	action   string
	expiry   [2]int // days after added, from and to; 0: never expires
}

// syntheticKinds shapes synthetic hotlists roughly like national ones: PNC
// markers of every kind, most of them minor, and large DVLA and insurance
// lists whose entries expire. The shares are judgement, not published
// figures; they matter for benchmarks only through how many entries are of
// priority 1 (one-edit matching) and how many have expired.
var syntheticKinds = []syntheticKind{
	{0.17, "PNC", "stolen", [2]int{2, 3}, "Stolen vehicle: stop and check; seize if confirmed", [2]int{0, 0}},
	{0.03, "PNC", "stolen-plates", [2]int{3, 4}, "Plates reported stolen: check against the vehicle's VIN", [2]int{0, 0}},
	{0.08, "PNC", "wanted", [2]int{2, 3}, "Keeper wanted on warrant: stop and arrest if identified", [2]int{180, 720}},
	{0.06, "PNC", "disqualified-driver", [2]int{3, 4}, "Keeper disqualified from driving: check the driver", [2]int{365, 1095}},
	{0.001, "PNC", "firearms", [2]int{1, 1}, "FIREARMS: do not stop; inform control and follow armed-response policy", [2]int{0, 0}},
	{0.001, "PNC", "missing-person", [2]int{1, 1}, "Linked to a missing person at risk: inform control at once", [2]int{30, 180}},
	{0.05, "PNC", "drugs", [2]int{3, 5}, "Intelligence: drugs supply; record and inform the intelligence unit", [2]int{90, 365}},
	{0.02, "PNC", "violence", [2]int{2, 3}, "Occupants may be violent: stop only with support", [2]int{90, 365}},
	{0.14, "PNC", "intelligence", [2]int{5, 6}, "Record the sighting; do not stop", [2]int{90, 365}},
	{0.22, "DVLA", "no-tax", [2]int{7, 8}, "Untaxed vehicle: record; stop if resources allow", [2]int{30, 180}},
	{0.20, "insurance", "no-insurance", [2]int{6, 7}, "No insurance recorded: stop and check documents", [2]int{30, 180}},
	{0.02, "local", "intelligence", [2]int{5, 6}, "Local intelligence: record the sighting", [2]int{30, 365}},
	{0.008, "local", "suspected-clone", [2]int{3, 4}, "Plates may be cloned: compare vehicle with DVLA record", [2]int{90, 365}},
}

// SyntheticEntry returns a made-up hotlist entry, as of the day asOf: a
// mark from vrm.GenerateMix, and a list, marker, priority, action, dates
// and owner reference in roughly the shares of national lists. A few have
// expired by asOf. It is for benchmarks and the simulator; nothing in it is
// real.
func SyntheticEntry(rng *rand.Rand, asOf time.Time) Entry {
	kind := syntheticKinds[len(syntheticKinds)-1]
	r := rng.Float64()
	for _, k := range syntheticKinds {
		if r -= k.share; r < 0 {
			kind = k
			break
		}
	}
	day := asOf.UTC().Truncate(24 * time.Hour)
	added := day.AddDate(0, 0, -rng.IntN(730))
	e := Entry{
		VRM:      vrm.GenerateMix(rng, asOf).Text,
		List:     kind.list,
		Marker:   kind.marker,
		Priority: kind.priority[0] + rng.IntN(kind.priority[1]-kind.priority[0]+1),
		Action:   kind.action,
		Added:    added,
	}
	if kind.expiry[1] > 0 {
		e.Expires = added.AddDate(0, 0, kind.expiry[0]+rng.IntN(kind.expiry[1]-kind.expiry[0]+1))
	}
	var ref []byte
	switch kind.list {
	case "PNC":
		// Force code, serial and year, as PNC references are written.
		ref = appendDigits(append(ref, "01/"...), rng, 6)
		yy := added.Year() % 100
		ref = append(ref, '/', byte('0'+yy/10), byte('0'+yy%10))
	case "DVLA":
		ref = appendDigits(append(ref, "DVLA-"...), rng, 8)
	case "insurance":
		ref = appendDigits(append(ref, "MID-"...), rng, 9)
	default:
		ref = appendDigits(append(ref, "LOC-"...), rng, 7)
	}
	e.OwnerRef = string(ref)
	return e
}

func appendDigits(b []byte, rng *rand.Rand, n int) []byte {
	for range n {
		b = append(b, byte('0'+rng.IntN(10)))
	}
	return b
}
