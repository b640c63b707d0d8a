package traffic

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/hotlist"
	"anpr/engine/vrm"
)

// interestSim is a simulation with many vehicles of interest, so that each
// behaviour has enough of them to test.
func interestSim(t testing.TB) *Sim {
	t.Helper()
	s, err := New(staffordshire(t), Config{Seed: 11, TripsPerDay: 40000, Vehicles: 20000, Interest: InterestConfig{Share: 0.05}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInterestShare(t *testing.T) {
	s := interestSim(t)
	counts := map[Behaviour]int{}
	for _, v := range s.Fleet() {
		counts[v.Behaviour]++
	}
	n := len(s.Fleet())
	want := int(math.Round(0.05 * float64(n)))
	if got := n - counts[Ordinary]; got != want {
		t.Errorf("%d vehicles of interest, want %d (5%% of %d)", got, want, n)
	}
	mix := DefaultInterestMix()
	for b, w := range mix {
		if exact := w * float64(want); math.Abs(float64(counts[b])-exact) > 1 {
			t.Errorf("%d %v vehicles, want %.1f", counts[b], b, exact)
		}
		if s.InterestCounts()[b] != counts[b] {
			t.Errorf("InterestCounts says %d %v, the fleet has %d", s.InterestCounts()[b], b, counts[b])
		}
	}
}

func TestInterestBehaviours(t *testing.T) {
	s := interestSim(t)
	net := s.Network()
	for _, v := range s.Fleet() {
		home := net.Node(v.Home)
		switch v.Behaviour {
		case TravellingCriminal:
			if !home.Entry || home.District != OutsideCounty {
				t.Errorf("criminal %d is based at %s, within the county", v.ID, home.Name)
			}
		case NightRunner, Stolen:
			if home.Entry {
				t.Errorf("%v %d is based beyond the boundary at %s", v.Behaviour, v.ID, home.Name)
			}
		case Clone:
			twin := s.Fleet()[v.Twin]
			if twin.Behaviour != Ordinary || twin.Twin != v.ID || twin.Front != v.Front || v.Front != v.Rear {
				t.Errorf("clone %d (%s) and twin %d (%v, %s, twin %d) do not pair up", v.ID, v.Front, twin.ID, twin.Behaviour, twin.Front, twin.Twin)
			}
			if twin.Home == v.Home {
				t.Errorf("clone %d lives where its twin does", v.ID)
			}
		}
	}
}

func TestHotlistLoads(t *testing.T) {
	s := interestSim(t)
	var buf bytes.Buffer
	if err := s.WriteHotlist(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "vrm,list,marker,priority,action,added,expires,owner_ref\n") {
		t.Errorf("header %q", strings.SplitN(buf.String(), "\n", 2)[0])
	}
	lists, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lists.Load(context.Background(), "sim", &buf, hotlist.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RejectedRows != 0 || rep.Refused || rep.Accepted != len(s.Listings()) {
		t.Fatalf("load: %d accepted of %d, %d rejected (%v), refused %v", rep.Accepted, len(s.Listings()), rep.RejectedRows, rep.Rejected, rep.Refused)
	}
	at := s.Config().Epoch.Add(36 * time.Hour)
	kinds := map[ListingKind]int{}
	for _, l := range s.Listings() {
		kinds[l.Kind]++
		switch l.Kind {
		case OfInterest:
			// A vehicle of interest read right hits its own entry.
			v := s.Fleet()[l.Vehicle]
			if l.Entry.VRM != v.Front.Text || !hasHit(lists.Match(v.Rear.Text, at), l.Entry.VRM, hotlist.Exact) {
				t.Errorf("vehicle %d (%v, %s) does not hit its entry %s", v.ID, v.Behaviour, v.Front, l.Entry.VRM)
			}
		case NearMiss:
			// An innocent vehicle read right hits the near miss by confusion:
			// a false alert.
			v := s.Fleet()[l.Vehicle]
			if v.Behaviour != Ordinary || v.Twin != NoVehicle {
				t.Errorf("near miss %s is near %v vehicle %d", l.Entry.VRM, v.Behaviour, v.ID)
			}
			if !hasHit(lists.Match(v.Front.Text, at), l.Entry.VRM, hotlist.Confusion) {
				t.Errorf("innocent %s does not hit near miss %s by confusion", v.Front.Text, l.Entry.VRM)
			}
			diff := 0
			for i := range v.Front.Text {
				if v.Front.Text[i] != l.Entry.VRM[i] {
					diff++
					if i != l.Position || !vrm.DefaultConfusions().Confusable(rune(v.Front.Text[i]), rune(l.Entry.VRM[i])) {
						t.Errorf("near miss %s of %s differs at %d (said %d)", l.Entry.VRM, v.Front.Text, i, l.Position)
					}
				}
			}
			if diff != 1 {
				t.Errorf("near miss %s is %d characters from %s", l.Entry.VRM, diff, v.Front.Text)
			}
		}
	}
	// Ghosts and near misses are nobody's mark.
	marks := map[string]bool{}
	for _, v := range s.Fleet() {
		marks[v.Front.Text] = true
	}
	for _, l := range s.Listings() {
		if l.Kind != OfInterest && marks[l.Entry.VRM] {
			t.Errorf("%v %s is the mark of a vehicle", l.Kind, l.Entry.VRM)
		}
	}
	voi := len(s.Fleet()) / 20
	if kinds[OfInterest] != voi || kinds[Ghost] != voi || kinds[NearMiss] != voi/2 {
		t.Errorf("listings %v; want %d of interest and ghosts, %d near misses", kinds, voi, voi/2)
	}
	markers := hotlist.DefaultMarkers()
	for _, l := range s.Listings() {
		if !slices.Contains(markers, l.Entry.Marker) {
			t.Errorf("marker %q is not in engine/hotlist/data/markers.txt", l.Entry.Marker)
		}
	}
}

func hasHit(hits []hotlist.Hit, listed string, kind hotlist.MatchKind) bool {
	for _, h := range hits {
		if h.VRM == listed && h.Kind == kind {
			return true
		}
	}
	return false
}

// Runs a day and a half and checks what each kind of vehicle does.
func TestInterestTrips(t *testing.T) {
	s := interestSim(t)
	net := s.Network()
	from := s.Config().Epoch
	type leg struct {
		from, to       int
		depart, arrive time.Time
	}
	trips := map[VehicleID][]leg{}
	_, err := s.RunWith(context.Background(), from, from.Add(48*time.Hour), RunOptions{Trip: func(tr Trip) error {
		trips[tr.Vehicle.ID] = append(trips[tr.Vehicle.ID], leg{tr.Route.From, tr.Route.To, tr.Depart, tr.Arrive})
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	travelled := map[Behaviour]int{}
	several := 0
	for id, legs := range trips {
		var v Vehicle
		if int(id) < len(s.Fleet()) {
			v = s.Fleet()[id]
		}
		travelled[v.Behaviour]++
		if len(legs) > 1 {
			several++
		}
		// Every vehicle leaves from where it last arrived, after it arrived:
		// none is in two places at once.
		for i := 1; i < len(legs); i++ {
			if legs[i].from != legs[i-1].to || legs[i].depart.Before(legs[i-1].arrive) {
				t.Fatalf("vehicle %d (%v) arrives at %s at %v, then leaves %s at %v", id, v.Behaviour,
					net.Node(legs[i-1].to).Name, legs[i-1].arrive, net.Node(legs[i].from).Name, legs[i].depart)
			}
		}
		switch v.Behaviour {
		case TravellingCriminal:
			// A criminal's round starts beyond the boundary, comes into the
			// county and goes back.
			for i, l := range legs {
				start := i == 0 || legs[i-1].to == v.Home
				if start && (l.from != v.Home || !net.Node(l.from).Entry) {
					t.Errorf("criminal %d sets out from %s", id, net.Node(l.from).Name)
				}
				if start && net.Node(l.to).District == OutsideCounty {
					t.Errorf("criminal %d goes from %s to %s, not into the county", id, net.Node(l.from).Name, net.Node(l.to).Name)
				}
			}
			if last := legs[len(legs)-1]; last.to != v.Home {
				t.Errorf("criminal %d ends at %s, not home", id, net.Node(last.to).Name)
			}
		case NightRunner:
			for _, l := range legs {
				if h := l.depart.Sub(l.depart.Truncate(24 * time.Hour)); h >= NightEnd {
					t.Errorf("night runner %d leaves at %v", id, l.depart.Format(time.TimeOnly))
				}
			}
		}
	}
	for _, b := range []Behaviour{Ordinary, Uninsured, TravellingCriminal, NightRunner, Stolen, Clone} {
		if travelled[b] == 0 {
			t.Errorf("no %v vehicle travelled", b)
		}
	}
	if several == 0 {
		t.Error("no vehicle made more than one trip")
	}
}

// A configuration the fleet cannot honour is refused before anything runs.
func TestInterestRefused(t *testing.T) {
	net := staffordshire(t)
	tests := []struct {
		name string
		cfg  InterestConfig
		want string
	}{
		// 501 clones of 1001 vehicles need 501 innocent twins.
		{"clones need twins", InterestConfig{Share: 0.5, Mix: map[Behaviour]float64{Clone: 1}}, "need more than the fleet"},
		{"share", InterestConfig{Share: 0.9}, "above one half"},
		{"negative weight", InterestConfig{Mix: map[Behaviour]float64{Stolen: -1, Clone: 2}}, "weight of stolen"},
		{"no weight", InterestConfig{Mix: map[Behaviour]float64{Ordinary: 1}}, "no behaviour"},
		{"unknown behaviour", InterestConfig{Mix: map[Behaviour]float64{Behaviour(42): 1}}, "not a behaviour"},
		{"near misses", InterestConfig{NearMisses: 5000}, "near-miss marks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(net, Config{TripsPerDay: 2000, Vehicles: 1001, Interest: tt.cfg})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error about %q", err, tt.want)
			}
		})
	}
}
