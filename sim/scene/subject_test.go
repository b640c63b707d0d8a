package scene

import (
	"errors"
	"math"
	"testing"

	"anpr/engine/vrm"
	"anpr/sim/plate"
)

// A virtual camera asks for a given vehicle's mark, seen from a given side,
// distance and height at its speed: the frame shows that and says so.
func TestRenderSubjectDrawsTheGivenMarkAndSetUp(t *testing.T) {
	r := newTestRenderer(t)
	mark, err := vrm.Parse("AB12 CDE", asOf)
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed <= 6; seed++ {
		for _, side := range []plate.Side{plate.Front, plate.Rear} {
			sub := Subject{Mark: mark, Side: side, CharPx: 30, CameraHeightM: 6, DistanceM: 22, SpeedMPH: 55, ShutterS: 1.0 / 1000}
			s, err := r.RenderSubject(KindScene, "night-ir", seed, sub)
			if err != nil {
				t.Fatal(err)
			}
			s.Image.Close()
			l := s.Label
			if l.Plate != "AB12CDE" || l.Side != side || l.Layout == plate.Motorcycle && side == plate.Front {
				t.Errorf("seed %d: plate %q side %s layout %s, want AB12CDE on the %s", seed, l.Plate, l.Side, l.Layout, side)
			}
			if l.Camera.CharHeightPx != 30 || l.Camera.HeightM != 6 || l.Camera.DistanceM != 22 {
				t.Errorf("seed %d: placement %+v, want 30 px characters from 6 m up, 22 m away", seed, l.Camera)
			}
			if l.Condition.SpeedMPH != 55 || l.Condition.Shutter != "1/1000" || l.Condition.Name != "night-ir" {
				t.Errorf("seed %d: condition %+v, want night-ir at 55 mph, 1/1000 s", seed, l.Condition)
			}
			if got := float64(l.Box[3]); got < 30 || got > 30*3 {
				t.Errorf("seed %d: plate box %d px high for 30 px characters", seed, l.Box[3])
			}
		}
	}
}

// Fixing the mark changes the plate and nothing the seed draws besides:
// the same seed gives the same condition and placement with any mark.
func TestRenderSubjectKeepsTheSeedsOtherDraws(t *testing.T) {
	r := newTestRenderer(t)
	plain, err := r.Render(KindScene, "rain", 9)
	if err != nil {
		t.Fatal(err)
	}
	plain.Image.Close()
	mark, _ := vrm.Parse("XY70 ZZA", asOf)
	given, err := r.RenderSubject(KindScene, "rain", 9, Subject{Mark: mark})
	if err != nil {
		t.Fatal(err)
	}
	given.Image.Close()
	if given.Label.Plate != "XY70ZZA" {
		t.Errorf("plate %q, want XY70ZZA", given.Label.Plate)
	}
	a, b := plain.Label, given.Label
	if a.Condition != b.Condition || a.Camera != b.Camera || math.Abs(float64(a.Box[0]-b.Box[0])) > 1 {
		t.Errorf("fixing the mark changed the scene:\n%+v %+v\n%+v %+v", a.Condition, a.Camera, b.Condition, b.Camera)
	}
}

func TestRenderSubjectRefusesWhatItCannotDraw(t *testing.T) {
	r := newTestRenderer(t)
	mark, _ := vrm.Parse("AB12 CDE", asOf)
	for name, sub := range map[string]Subject{
		"no mark":            {},
		"bad side":           {Mark: mark, Side: "roof"},
		"tiny characters":    {Mark: mark, CharPx: 1},
		"camera too high":    {Mark: mark, CameraHeightM: 80},
		"negative speed":     {Mark: mark, SpeedMPH: -1},
		"one-second shutter": {Mark: mark, ShutterS: 1},
	} {
		if _, err := r.RenderSubject(KindScene, "day", 1, sub); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: err %v, want ErrBadOptions", name, err)
		}
	}
	if _, err := r.RenderSubject(KindEmpty, "day", 1, Subject{Mark: mark}); err == nil {
		t.Error("an empty frame rendered with a subject")
	}
}
