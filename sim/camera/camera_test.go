package camera

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/vrm"
	"anpr/sim/plate"
	"anpr/sim/traffic"
)

func staffordshire(t testing.TB) *traffic.Network {
	t.Helper()
	net, err := traffic.LoadNetworkFile("../../fixtures/networks/staffordshire.json")
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func place(t testing.TB, s Site) *Placed {
	t.Helper()
	ps, err := Place(staffordshire(t), []Site{s})
	if err != nil {
		t.Fatal(err)
	}
	return ps[0]
}

func TestPlaceRefusesWhatCannotBeBuilt(t *testing.T) {
	net := staffordshire(t)
	at := 1.5
	sites := []Site{
		{ID: "ok", From: "bassetts-pole", To: "weeford"},
		{ID: "no-node", From: "atlantis", To: "weeford"},
		{ID: "no-link", From: "bassetts-pole", To: "stafford"},
		{ID: "ok", From: "weeford", To: "bassetts-pole"},
		{ID: "bad-at", From: "weeford", To: "bassetts-pole", At: &at},
		{ID: "lane-9", From: "weeford", To: "bassetts-pole", Lanes: []int{9}},
		{ID: "steep", From: "weeford", To: "bassetts-pole", HeightM: 12, DistanceM: 8},
		{ID: "shutter", From: "weeford", To: "bassetts-pole", Shutter: "1/0"},
		{ID: "blind", From: "weeford", To: "bassetts-pole", Width: 320, Height: 240, FOVDeg: 100},
		{ID: "facing", From: "weeford", To: "bassetts-pole", Facing: "sideways"},
	}
	_, err := Place(net, sites)
	if err == nil {
		t.Fatal("impossible sites placed")
	}
	want := map[int]string{1: "from", 2: "to", 3: "id", 4: "at", 5: "lanes", 6: "distance_m", 7: "shutter", 8: "", 9: "facing"}
	got := map[int]string{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var se *SiteError
		if !errors.As(e, &se) {
			t.Fatalf("%v is no *SiteError", e)
		}
		got[se.Index] = se.Field
	}
	for i, f := range want {
		if g, ok := got[i]; !ok || g != f {
			t.Errorf("site %d (%s): fault in field %q, want %q (%v)", i, sites[i].ID, g, f, err)
		}
	}
	if _, ok := got[0]; ok {
		t.Errorf("a good site was refused: %v", err)
	}
	if !strings.Contains(err.Error(), "one can go to") {
		t.Errorf("a missing link should say where one can go: %v", err)
	}
}

// The optics of a typical roadside camera: 1080p with a 15 degree lens at
// 20 m puts characters of about 29 px on the plate, and the frame sees a
// stretch of road a dozen metres long around the trigger point.
func TestOpticsOfATypicalCamera(t *testing.T) {
	p := place(t, Site{ID: "a38", From: "bassetts-pole", To: "weeford"})
	if cp := p.CharPxAt(p.TriggerM); math.Abs(cp-28.8) > 0.5 {
		t.Errorf("characters %.1f px at the trigger point, want about 28.8", cp)
	}
	if p.Near >= p.TriggerM || p.Far <= p.TriggerM || p.Far-p.Near < 6 || p.Far-p.Near > 25 {
		t.Errorf("capture zone %.1f to %.1f m around a trigger point at %.1f m", p.Near, p.Far, p.TriggerM)
	}
}

func passage(p *Placed, v *traffic.Vehicle, enter time.Time, mph float64) traffic.Passage {
	d := time.Duration(p.Road.Length / (mph * 0.44704) * float64(time.Second))
	return traffic.Passage{Vehicle: v, Link: p.Link, Enter: enter, Exit: enter.Add(d)}
}

func vehicle(t testing.TB) *traffic.Vehicle {
	front, err := vrm.Parse("AB12 CDE", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	rear, _ := vrm.Parse("XY65 ZZA", time.Time{})
	return &traffic.Vehicle{ID: 7, Front: front, Rear: rear, Twin: traffic.NoVehicle}
}

// An oncoming plate closes on the camera frame by frame, a departing one
// draws away; a faster vehicle is in fewer frames; the frames are 1/fps
// apart, around the trigger time.
func TestPlanFollowsThePlateThroughTheZone(t *testing.T) {
	enter := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
	v := vehicle(t)
	for _, facing := range []Facing{Oncoming, Departing} {
		p := place(t, Site{ID: "c", From: "bassetts-pole", To: "weeford", Facing: facing})
		slow := p.Plan(passage(p, v, enter, 30), 0)
		fast := p.Plan(passage(p, v, enter, 70), 0)
		if !slow.InView || len(slow.Frames) <= len(fast.Frames) || len(fast.Frames) < 3 {
			t.Fatalf("%s: %d frames at 30 mph, %d at 70", facing, len(slow.Frames), len(fast.Frames))
		}
		if facing == Oncoming && (slow.Side != plate.Front || slow.Mark.Text != "AB12CDE") ||
			facing == Departing && (slow.Side != plate.Rear || slow.Mark.Text != "XY65ZZA") {
			t.Errorf("%s camera sees the %s plate %s", facing, slow.Side, slow.Mark.Text)
		}
		fs := slow.Frames
		for k := 1; k < len(fs); k++ {
			if gap := fs[k].Captured.Sub(fs[k-1].Captured); gap < 39*time.Millisecond || gap > 41*time.Millisecond {
				t.Fatalf("%s: frames %v apart at 25 fps", facing, gap)
			}
			closer := fs[k].DistanceM < fs[k-1].DistanceM
			if closer != (facing == Oncoming) {
				t.Fatalf("%s: distance went from %.1f to %.1f m", facing, fs[k-1].DistanceM, fs[k].DistanceM)
			}
		}
		if fs[0].Captured.After(slow.Trigger) || fs[len(fs)-1].Captured.Before(slow.Trigger) {
			t.Errorf("%s: frames %v to %v miss the trigger time %v", facing, fs[0].Captured, fs[len(fs)-1].Captured, slow.Trigger)
		}
		capped := p.Plan(passage(p, v, enter, 30), 4)
		if len(capped.Frames) != 4 || capped.Frames[0].Captured != fs[0].Captured || capped.Frames[3].Captured != fs[len(fs)-1].Captured {
			t.Errorf("%s: capped to 4 frames gave %d, from %v to %v", facing, len(capped.Frames), capped.Frames[0].Captured, capped.Frames[len(capped.Frames)-1].Captured)
		}
		one := p.Plan(passage(p, v, enter, 30), 1)
		if len(one.Frames) != 1 || one.Frames[0].Captured != fs[(len(fs)-1)/2].Captured {
			t.Errorf("%s: one frame a pass should be the middle one, got %v", facing, one.Frames)
		}
	}
}

func TestPlanCoversOnlyTheCamerasLanes(t *testing.T) {
	p := place(t, Site{ID: "c", From: "bassetts-pole", To: "weeford", Lanes: []int{1}})
	if p.Road.Lanes != 2 {
		t.Fatalf("the A38 at Bassetts Pole has %d lanes, want 2", p.Road.Lanes)
	}
	v := vehicle(t)
	seen := 0
	enter := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
	const n = 400
	for i := 0; i < n; i++ {
		c := p.Plan(passage(p, v, enter.Add(time.Duration(i)*time.Second), 50), 0)
		if c.InView != (c.Lane == 1) || c.InView != (len(c.Frames) > 0) {
			t.Fatalf("lane %d in view %v with %d frames", c.Lane, c.InView, len(c.Frames))
		}
		if c.InView {
			seen++
		}
	}
	if seen < n/3 || seen > 2*n/3 {
		t.Errorf("a one-lane camera on two lanes saw %d of %d vehicles", seen, n)
	}
}

func TestSunLightAtBassettsPole(t *testing.T) {
	lat, lon := 52.5985, -1.77
	cases := []struct {
		at   string
		want Light
	}{
		{"2026-03-03T12:10:00Z", Day},    // noon in March: about 31 degrees
		{"2026-03-03T00:00:00Z", Night},  // midnight
		{"2026-03-03T06:30:00Z", Dusk},   // before a sunrise near 06:50
		{"2026-03-03T07:30:00Z", LowSun}, // just after it
		{"2026-06-21T20:45:00Z", Dusk},   // midsummer, after a sunset near 20:35 UTC
	}
	for _, c := range cases {
		tm, _ := time.Parse(time.RFC3339, c.at)
		if got := SunLight(tm, lat, lon); got != c.want {
			t.Errorf("%s: %s (sun at %.1f degrees), want %s", c.at, got, SunElevation(tm, lat, lon), c.want)
		}
	}
	noon, _ := time.Parse(time.RFC3339, "2026-03-20T12:07:00Z")
	if el := SunElevation(noon, lat, lon); math.Abs(el-(90-lat)) > 1.5 {
		t.Errorf("equinox noon elevation %.1f, want about %.1f", el, 90-lat)
	}
}

func TestConditionPutsDarknessFirst(t *testing.T) {
	cases := []struct {
		a      Ambient
		sensor Sensor
		want   string
	}{
		{Ambient{Night, Rain}, IR, "night-ir"},
		{Ambient{Night, Clear}, Colour, "night-colour"},
		{Ambient{Day, Rain}, IR, "rain"},
		{Ambient{Dusk, Fog}, Colour, "fog"},
		{Ambient{Day, Cloud}, IR, "overcast"},
		{Ambient{LowSun, Clear}, IR, "low-sun"},
		{Ambient{Dusk, Clear}, IR, "dusk"},
		{Ambient{Overcast, Clear}, IR, "overcast"},
	}
	for _, c := range cases {
		if got, err := Condition(c.a, c.sensor); err != nil || got != c.want {
			t.Errorf("%+v %s: %q %v, want %q", c.a, c.sensor, got, err, c.want)
		}
	}
	if _, err := Condition(Ambient{"eclipse", Clear}, IR); err == nil {
		t.Error("unknown light accepted")
	}
}

// Rendered frames show the vehicle's own mark, bigger as an oncoming plate
// closes, with the plate's box where the truth says.
func TestRenderDrawsTheVehiclesPlateFrameByFrame(t *testing.T) {
	p := place(t, Site{ID: "c", From: "bassetts-pole", To: "weeford", Width: 1280, Height: 720, FOVDeg: 10})
	r, err := p.NewRenderer(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := p.Plan(passage(p, vehicle(t), time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC), 50), 3)
	frames, label, err := p.Render(r, &c, "day", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, f := range frames {
			f.Image.Close()
		}
	}()
	if len(frames) != 3 || label.Plate != "AB12CDE" || label.Side != plate.Front {
		t.Fatalf("%d frames of %s %s", len(frames), label.Plate, label.Side)
	}
	for k, f := range frames {
		if f.Image.Cols() != 1280 || f.Image.Rows() != 720 || f.Image.Type() != gocv.MatTypeCV8UC3 {
			t.Errorf("frame %d: %dx%d type %v", k, f.Image.Cols(), f.Image.Rows(), f.Image.Type())
		}
		if f.Truth.Plate != "AB12CDE" || f.Truth.Captured != c.Frames[k].Captured || f.Truth.Condition != "day" {
			t.Errorf("frame %d truth %+v", k, f.Truth)
		}
		b := f.Truth.Box
		if b[0] < 0 || b[1] < 0 || b[0]+b[2] > 1280 || b[1]+b[3] > 720 {
			t.Errorf("frame %d: plate box %v leaves the frame", k, b)
		}
		if k > 0 && f.Truth.Box[2] <= frames[k-1].Truth.Box[2] {
			t.Errorf("frame %d: oncoming plate %d px wide after %d", k, f.Truth.Box[2], frames[k-1].Truth.Box[2])
		}
	}
}
