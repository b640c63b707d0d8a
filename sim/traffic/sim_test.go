package traffic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"testing"
	"time"
)

// smallSim is a quick simulation of the default network.
func smallSim(t testing.TB, seed uint64) *Sim {
	t.Helper()
	s, err := New(staffordshire(t), Config{Seed: seed, TripsPerDay: 30000})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fingerprint runs the window and hashes every passage and the hotlist.
func fingerprint(t *testing.T, s *Sim, from, to time.Time) (uint64, Stats) {
	t.Helper()
	h := fnv.New64a()
	stats, err := s.Run(context.Background(), from, to, func(p Passage) error {
		fmt.Fprintf(h, "%d %s %s %d %d %d\n", p.Vehicle.ID, p.Vehicle.Front.Text, p.Vehicle.Rear.Text, p.Link, p.Enter.UnixNano(), p.Exit.UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteHotlist(h); err != nil {
		t.Fatal(err)
	}
	return h.Sum64(), stats
}

func TestDeterminism(t *testing.T) {
	from := DefaultEpoch().Add(6 * time.Hour)
	to := from.Add(30 * time.Hour)
	a, statsA := fingerprint(t, smallSim(t, 1), from, to)
	b, statsB := fingerprint(t, smallSim(t, 1), from, to)
	if a != b || statsA != statsB {
		t.Errorf("the same seed gave different runs: %x %+v and %x %+v", a, statsA, b, statsB)
	}
	// A Sim runs the same window the same way twice, even after others.
	s := smallSim(t, 1)
	if _, err := s.Run(context.Background(), from.Add(48*time.Hour), to.Add(48*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if c, _ := fingerprint(t, s, from, to); c != a {
		t.Error("a second run of the same window differs")
	}
	if c, _ := fingerprint(t, smallSim(t, 2), from, to); c == a {
		t.Error("another seed gave the same run")
	}
	var h1, h2 bytes.Buffer
	smallSim(t, 5).WriteHotlist(&h1)
	smallSim(t, 5).WriteHotlist(&h2)
	if !bytes.Equal(h1.Bytes(), h2.Bytes()) || h1.Len() == 0 {
		t.Error("the same seed gave different hotlists")
	}
}

func TestPassagesInOrderAndWindow(t *testing.T) {
	s := smallSim(t, 3)
	net := s.Network()
	from := DefaultEpoch().Add(7 * time.Hour)
	to := from.Add(3 * time.Hour)
	var last time.Time
	n := 0
	// Each vehicle's last passage.
	lastLink := map[VehicleID]Passage{}
	stats, err := s.Run(context.Background(), from, to, func(p Passage) error {
		n++
		if p.Enter.Before(from) || !p.Enter.Before(to) {
			t.Fatalf("passage at %v outside %v to %v", p.Enter, from, to)
		}
		if p.Enter.Before(last) {
			t.Fatalf("passage at %v after one at %v", p.Enter, last)
		}
		last = p.Enter
		l := net.Link(p.Link)
		d := p.Exit.Sub(p.Enter)
		if f := d.Seconds() / l.FreeFlow.Seconds(); f < 0.84 || f > 1.31 {
			t.Fatalf("%s took %v, %.2f times free flow", net.LinkName(p.Link), d, f)
		}
		// A vehicle is on one link at a time.
		if prev, ok := lastLink[p.Vehicle.ID]; ok && p.Enter.Before(prev.Exit) {
			t.Fatalf("vehicle %d enters %s at %v before it leaves %s at %v", p.Vehicle.ID, net.LinkName(p.Link), p.Enter, net.LinkName(prev.Link), prev.Exit)
		}
		lastLink[p.Vehicle.ID] = p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || stats.Passages != n || stats.Trips == 0 || stats.Days != 1 {
		t.Errorf("stats %+v after %d passages", stats, n)
	}
}

// A run asked for a few links reports exactly the passages on them that a
// run reporting every link does, in the same order.
func TestWatchedLinks(t *testing.T) {
	s := smallSim(t, 4)
	net := s.Network()
	var watch []LinkID
	for _, pair := range [][2]string{{"norton-canes", "ext-brownhills"}, {"bassetts-pole", "weeford"}, {"lichfield", "streethay"}, {"m6-j14", "m6-j15"}} {
		id, ok := net.FindLink(pair[0], pair[1])
		if !ok {
			t.Fatalf("no link %s to %s", pair[0], pair[1])
		}
		watch = append(watch, id)
	}
	watched := map[LinkID]bool{}
	for _, id := range watch {
		watched[id] = true
	}
	from := DefaultEpoch().Add(5 * time.Hour)
	to := from.Add(20 * time.Hour)
	var all, some []Passage
	if _, err := s.Run(context.Background(), from, to, func(p Passage) error {
		if watched[p.Link] {
			all = append(all, p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stats, err := s.RunWith(context.Background(), from, to, RunOptions{Links: watch, Passage: func(p Passage) error {
		some = append(some, p)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || len(all) != len(some) || stats.Passages != len(some) {
		t.Fatalf("%d passages on the watched links of a full run, %d in a watched run (stats %d)", len(all), len(some), stats.Passages)
	}
	for i := range all {
		a, b := all[i], some[i]
		if a.Vehicle.ID != b.Vehicle.ID || a.Link != b.Link || !a.Enter.Equal(b.Enter) || !a.Exit.Equal(b.Exit) {
			t.Fatalf("passage %d: %+v in the full run, %+v in the watched one", i, a, b)
		}
	}
	if _, err := s.RunWith(context.Background(), from, to, RunOptions{Links: []LinkID{LinkID(len(net.Links()))}}); err == nil {
		t.Error("accepted a link that does not exist")
	}
}

func TestClockFollowsRun(t *testing.T) {
	s := smallSim(t, 5)
	from := DefaultEpoch().Add(8 * time.Hour)
	clock := NewClock(time.Time{})
	_, err := s.RunWith(context.Background(), from, from.Add(10*time.Minute), RunOptions{Clock: clock, Passage: func(p Passage) error {
		if !clock.Now().Equal(p.Enter) {
			t.Fatalf("clock reads %v at a passage at %v", clock.Now(), p.Enter)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if now := clock.Now(); now.Before(from) || !now.Before(from.Add(10*time.Minute)) {
		t.Errorf("clock ends at %v", now)
	}
	clock.Set(from)
	if !clock.Now().Equal(from) {
		t.Error("Set did not set")
	}
}

func TestRunStops(t *testing.T) {
	s := smallSim(t, 6)
	from := DefaultEpoch()
	stop := errors.New("seen enough")
	n := 0
	_, err := s.Run(context.Background(), from, from.Add(24*time.Hour), func(Passage) error {
		if n++; n == 100 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 100 {
		t.Errorf("got %v after %d passages; want the callback's error after 100", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, from, from.Add(24*time.Hour), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v from a cancelled run", err)
	}
	if _, err := s.Run(context.Background(), from, from, nil); err == nil {
		t.Error("accepted an empty window")
	}
}

// Several days follow on: the same vehicles, parked where the day before
// left them.
func TestRunSeveralDays(t *testing.T) {
	s := smallSim(t, 8)
	from := DefaultEpoch().Add(20 * time.Hour)
	stats, err := s.Run(context.Background(), from, from.Add(48*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Days 1 (from 20:00), 2 and 3 (to 20:00).
	if stats.Days != 3 {
		t.Errorf("%d days simulated, want 3", stats.Days)
	}
	// Two days' trips less a sliver of sampling error.
	if want := 2 * s.Config().TripsPerDay; stats.Trips < want*95/100 || stats.Trips > want*105/100 {
		t.Errorf("%d trips in two days of %d", stats.Trips, s.Config().TripsPerDay)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	net := staffordshire(t)
	for _, cfg := range []Config{
		{TripsPerDay: -1},
		{Vehicles: -5},
		{Profile: Profile{-1}},
		{TollShare: 2},
	} {
		if _, err := New(net, cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
	if _, err := New(nil, Config{}); err == nil {
		t.Error("accepted no network")
	}
}

// A TNTP network with its own trips matrix is simulated from the matrix.
func TestSimFromMatrix(t *testing.T) {
	net, err := LoadTNTP(shared(t, "SiouxFalls/SiouxFalls_net.tntp"), TNTPOptions{Trips: shared(t, "SiouxFalls/SiouxFalls_trips.tntp")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(net, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Config().TripsPerDay != 360600 {
		t.Errorf("%d trips a day, want the matrix's 360600", s.Config().TripsPerDay)
	}
	from := DefaultEpoch()
	stats, err := s.Run(context.Background(), from, from.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Trips == 0 || stats.Passages == 0 {
		t.Errorf("stats %+v", stats)
	}
}

// Runs of one Sim may go on at once and do not disturb one another.
func TestConcurrentRuns(t *testing.T) {
	cfg := Config{Seed: 9, TripsPerDay: 5000}
	s, err := New(staffordshire(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := New(staffordshire(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	from := DefaultEpoch().Add(6 * time.Hour)
	want, _ := fingerprint(t, alone, from, from.Add(6*time.Hour))
	got := make(chan uint64, 3)
	for range 3 {
		go func() {
			h := fnv.New64a()
			s.Run(context.Background(), from, from.Add(6*time.Hour), func(p Passage) error {
				fmt.Fprintf(h, "%d %s %s %d %d %d\n", p.Vehicle.ID, p.Vehicle.Front.Text, p.Vehicle.Rear.Text, p.Link, p.Enter.UnixNano(), p.Exit.UnixNano())
				return nil
			})
			s.WriteHotlist(h)
			got <- h.Sum64()
		}()
	}
	for range 3 {
		if g := <-got; g != want {
			t.Error("a concurrent run differs")
		}
	}
}
