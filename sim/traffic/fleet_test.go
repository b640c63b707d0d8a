package traffic

import (
	"math"
	"strconv"
	"testing"

	"anpr/engine/vrm"
)

func TestPlateMix(t *testing.T) {
	tests := []struct {
		name string
		mix  map[vrm.Format]float64 // nil: the default
	}{
		{"default", nil},
		{"old fleet", map[vrm.Format]float64{vrm.Current: 0.5, vrm.Prefix: 0.3, vrm.Suffix: 0.1, vrm.Dateless: 0.05, vrm.Unknown: 0.05}},
		{"irish", map[vrm.Format]float64{vrm.NorthernIreland: 1}},
	}
	const n = 40000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(staffordshire(t), Config{Seed: 3, TripsPerDay: 1000, Vehicles: n, PlateMix: tt.mix, Interest: InterestConfig{Share: -1, Ghosts: -1, NearMisses: -1}})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.mix
			if want == nil {
				want = DefaultPlateMix()
			}
			var sum float64
			for _, w := range want {
				sum += w
			}
			got := map[vrm.Format]int{}
			seen := map[string]bool{}
			for _, v := range s.Fleet() {
				got[v.Front.Format]++
				if v.Front != v.Rear {
					t.Fatalf("vehicle %d has front %s and rear %s", v.ID, v.Front, v.Rear)
				}
				if seen[v.Front.Text] {
					t.Fatalf("mark %s is on two vehicles", v.Front.Text)
				}
				seen[v.Front.Text] = true
				if v.Front.Format != vrm.Unknown {
					if m, err := vrm.Parse(v.Front.Text, s.Config().Epoch); err != nil || m.Format != v.Front.Format {
						t.Fatalf("mark %s (%s) is not valid as of %v: %v", v.Front.Text, v.Front.Format, s.Config().Epoch, err)
					}
				}
			}
			for f, w := range want {
				share := w / sum
				sd := math.Sqrt(share * (1 - share) / n)
				if obs := float64(got[f]) / n; math.Abs(obs-share) > 5*sd+1e-9 {
					t.Errorf("%s: %.4f of the fleet, want %.4f (sd %.4f)", f, obs, share, sd)
				}
			}
		})
	}
}

// Current marks are of every age, recent ones the commonest, as on the
// road: about half the fleet is under seven years old.
func TestCurrentMarksOfEveryAge(t *testing.T) {
	s, err := New(staffordshire(t), Config{Seed: 4, TripsPerDay: 1000, Vehicles: 20000, Interest: InterestConfig{Share: -1, Ghosts: -1, NearMisses: -1}})
	if err != nil {
		t.Fatal(err)
	}
	epoch := s.Config().Epoch
	var current, recent int
	years := map[int]bool{}
	for _, v := range s.Fleet() {
		if v.Front.Format != vrm.Current {
			continue
		}
		current++
		id, _ := strconv.Atoi(v.Front.Text[2:4])
		year := 2000 + id%50 // the year it was issued
		years[year] = true
		if epoch.Year()-year < 7 {
			recent++
		}
	}
	if share := float64(recent) / float64(current); share < 0.4 || share > 0.8 {
		t.Errorf("%.2f of current marks are under seven years old", share)
	}
	if len(years) < 20 {
		t.Errorf("current marks from only %d years", len(years))
	}
}

func TestPlateMixRefused(t *testing.T) {
	for _, mix := range []map[vrm.Format]float64{
		{vrm.Current: -1, vrm.Prefix: 2},
		{"hovercraft": 1},
		{vrm.Current: 0},
	} {
		if _, err := New(staffordshire(t), Config{TripsPerDay: 100, PlateMix: mix}); err == nil {
			t.Errorf("accepted plate mix %v", mix)
		}
	}
}
