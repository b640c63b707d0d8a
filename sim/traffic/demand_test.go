package traffic

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestGravitySumsToTotal(t *testing.T) {
	for _, total := range []float64{1000, 600000, 2.5e6} {
		d, err := Gravity(NewRouter(staffordshire(t), RouterOptions{}), GravityConfig{Total: total})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Total(); math.Abs(got-total) > 1e-9*total {
			t.Errorf("total %g trips, want %g", got, total)
		}
		for i := range d.Zones {
			if d.Daily[i][i] != 0 {
				t.Errorf("%g trips within zone %d", d.Daily[i][i], i)
			}
		}
	}
}

// Trips between two zones are proportional to the product of their
// weights times the deterrence of the time between them.
func TestGravityFormula(t *testing.T) {
	net := hand(t)
	r := NewRouter(net, RouterOptions{})
	deter := func(minutes float64) float64 { return math.Exp(-minutes / 10) }
	d, err := Gravity(r, GravityConfig{Total: 1000, Deterrence: deter, MaxThroughDetour: -1})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, z := range d.Zones {
		pos[net.Node(z).ID] = i
	}
	// All weights are 100, so the ratio of two pairs from one origin is
	// the ratio of their deterrences: a-b 3 minutes, a-c 6 (by b).
	got := d.Daily[pos["a"]][pos["b"]] / d.Daily[pos["a"]][pos["c"]]
	if want := deter(3) / deter(6); math.Abs(got-want) > 1e-9 {
		t.Errorf("a-b / a-c = %g, want %g", got, want)
	}
}

func TestGravityRefusesBadInput(t *testing.T) {
	r := NewRouter(hand(t), RouterOptions{})
	for _, cfg := range []GravityConfig{
		{Total: 0},
		{Total: -5},
		{Total: 100, Profile: Profile{1, -1}},
		{Total: 100, Deterrence: func(float64) float64 { return math.NaN() }},
	} {
		if _, err := Gravity(r, cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
}

// Trips between two entry zones use the network only where it is their
// direct way: Walsall to Sutton Coldfield is driven through Birmingham,
// the M6 from Cheshire to the West Midlands through Staffordshire.
func TestGravityThroughTraffic(t *testing.T) {
	net := staffordshire(t)
	d, err := Gravity(NewRouter(net, RouterOptions{}), GravityConfig{Total: 600000})
	if err != nil {
		t.Fatal(err)
	}
	trips := func(from, to string) float64 {
		a, b := nodeOf(t, net, from), nodeOf(t, net, to)
		for i, z := range d.Zones {
			for j, y := range d.Zones {
				if z == a && y == b {
					return d.Daily[i][j]
				}
			}
		}
		t.Fatalf("%s or %s is not a zone", from, to)
		return 0
	}
	if v := trips("ext-m6-j10", "ext-sutton"); v != 0 {
		t.Errorf("%g trips from M6 J10 to Sutton Coldfield through the county", v)
	}
	if v := trips("ext-m6-north", "ext-m6-j10"); v < 1000 {
		t.Errorf("%g trips on the M6 through the county, want thousands", v)
	}
}

func TestDemandByHour(t *testing.T) {
	d, err := Gravity(NewRouter(staffordshire(t), RouterOptions{}), GravityConfig{Total: 500000})
	if err != nil {
		t.Fatal(err)
	}
	p := WeekdayProfile()
	var all float64
	for h := range 24 {
		var hour float64
		for i := range d.Zones {
			for j := range d.Zones {
				hour += d.Trips(i, j, h)
			}
		}
		if want := 500000 * p.Share(h); math.Abs(hour-want) > 1e-6*want {
			t.Errorf("hour %d: %g trips, want %g", h, hour, want)
		}
		all += hour
	}
	if math.Abs(all-500000) > 1e-3 {
		t.Errorf("the hours sum to %g trips", all)
	}
}

func TestWeekdayProfileShape(t *testing.T) {
	p := WeekdayProfile()
	var sum float64
	for h := range 24 {
		sum += p.Share(h)
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("shares sum to %g", sum)
	}
	night := p.Share(3)
	for _, peak := range []int{8, 17} {
		if p.Share(peak) < 10*night {
			t.Errorf("peak hour %d (%.3f) is not ten times the night (%.3f)", peak, p.Share(peak), night)
		}
	}
	if p.Share(8) <= p.Share(11) || p.Share(17) <= p.Share(13) {
		t.Error("the peaks are not above the middle of the day")
	}
}

// A run's departures follow the profile hour by hour, within sampling
// error.
func TestRunFollowsProfile(t *testing.T) {
	const trips = 60000
	s, err := New(staffordshire(t), Config{Seed: 7, TripsPerDay: trips, Interest: InterestConfig{Share: -1, Ghosts: -1, NearMisses: -1}})
	if err != nil {
		t.Fatal(err)
	}
	day := DefaultEpoch()
	var byHour [24]int
	stats, err := s.RunWith(context.Background(), day, day.Add(24*time.Hour), RunOptions{Trip: func(tr Trip) error {
		byHour[tr.Depart.Hour()]++
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Trips != trips {
		t.Errorf("%d trips, want %d", stats.Trips, trips)
	}
	p := s.Config().Profile
	for h, n := range byHour {
		share := p.Share(h)
		sd := math.Sqrt(share * (1 - share) / trips)
		if got := float64(n) / trips; math.Abs(got-share) > 5*sd {
			t.Errorf("hour %d: %.4f of departures, profile %.4f (sd %.4f)", h, got, share, sd)
		}
	}
}
