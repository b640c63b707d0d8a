package track

import (
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
)

// voteFuser stands in for the reader's fusion: per character position, the
// weighted vote of the texts behind each frame's evidence.
type voteFuser struct {
	text  map[*ocr.Evidence]string
	calls int
}

func newVoteFuser() *voteFuser { return &voteFuser{text: map[*ocr.Evidence]string{}} }

// read is what the reader would give for a crop it read as text.
func (f *voteFuser) read(text string) ocr.Read {
	ev := &ocr.Evidence{}
	f.text[ev] = text
	return ocr.Read{Text: text, Evidence: ev}
}

func (f *voteFuser) Fuse(evidence []*ocr.Evidence, weight []float64) ocr.Read {
	f.calls++
	var votes []map[byte]float64
	lengths := map[int]float64{}
	for i, e := range evidence {
		t := f.text[e]
		lengths[len(t)] += weight[i]
		for j := 0; j < len(t); j++ {
			if j == len(votes) {
				votes = append(votes, map[byte]float64{})
			}
			votes[j][t[j]] += weight[i]
		}
	}
	n := argmax(lengths)
	var b strings.Builder
	for j := 0; j < n; j++ {
		b.WriteByte(argmax(votes[j]))
	}
	return ocr.Read{Text: b.String()}
}

func argmax[K int | byte](m map[K]float64) K {
	var best K
	bw := -1.0
	for k, w := range m {
		if w > bw || w == bw && k < best {
			best, bw = k, w
		}
	}
	return best
}

// frameWith draws a grey 1280 x 720 road with a white plate in each box.
func frameWith(t testing.TB, boxes ...image.Rectangle) gocv.Mat {
	t.Helper()
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(60, 0, 0, 0), 720, 1280, gocv.MatTypeCV8UC1)
	for _, b := range boxes {
		gocv.Rectangle(&m, b, color.RGBA{255, 255, 255, 0}, -1)
		gocv.PutText(&m, "AB12 CDE", image.Pt(b.Min.X+2, b.Max.Y-3), gocv.FontHersheySimplex, float64(b.Dy())/40, color.RGBA{}, 2)
	}
	return m
}

// plateAt is a plate box centred on (x, y), h pixels high, of a UK plate's
// shape.
func plateAt(x, y, h int) image.Rectangle {
	w := h * 47 / 10
	return image.Rect(x-w/2, y-h/2, x-w/2+w, y-h/2+h)
}

func obsAt(box image.Rectangle, r ocr.Read) Observation {
	return Observation{Box: box, Read: r, Score: 0.9, Polygon: [4][2]float64{
		{float64(box.Min.X), float64(box.Min.Y)}, {float64(box.Max.X), float64(box.Min.Y)},
		{float64(box.Max.X), float64(box.Max.Y)}, {float64(box.Min.X), float64(box.Max.Y)}}}
}

// step feeds one frame showing obs to tk.
func step(t testing.TB, tk *Tracker, at time.Time, obs ...Observation) []Pass {
	t.Helper()
	var boxes []image.Rectangle
	for _, o := range obs {
		boxes = append(boxes, o.Box)
	}
	f := frameWith(t, boxes...)
	defer f.Close()
	return tk.Update(f, at, obs)
}

func newTracker(t testing.TB, cfg Config, f Fuser) *Tracker {
	t.Helper()
	tk, err := New(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tk.Close)
	return tk
}

var t0 = time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)

const frameGap = 40 * time.Millisecond // 25 frames a second

func at(frame int) time.Time { return t0.Add(time.Duration(frame) * frameGap) }

// One car coming up the lane over five frames, read wrongly in two of them,
// is one pass: the fused text, when it was first and last seen, its lane
// and direction, and images a control room can show.
func TestOneVehicleOverFiveFramesIsOnePass(t *testing.T) {
	f := newVoteFuser()
	lanes := []Lane{
		{Name: "1", Region: [][2]float64{{0, 0}, {640, 0}, {640, 720}, {0, 720}}},
		{Name: "2", Region: [][2]float64{{640, 0}, {1280, 0}, {1280, 720}, {640, 720}}},
	}
	tk := newTracker(t, Config{Camera: "M4-J12-EB", Lanes: lanes, Towards: "eastbound", Away: "westbound"}, f)
	reads := []string{"AB12CDE", "AB12CDF", "AB12CDE", "A812CDE", "AB12CDE"}
	var last image.Rectangle
	for i, text := range reads {
		last = plateAt(300+4*i, 200+60*i, 20+6*i)
		if got := step(t, tk, at(i), obsAt(last, f.read(text))); len(got) != 0 {
			t.Fatalf("frame %d ended %d passes while the plate was in view", i, len(got))
		}
	}
	if got := step(t, tk, at(8)); len(got) != 0 {
		t.Fatalf("the plate gone for 160 ms (less than MaxGap) ended %d passes", len(got))
	}
	passes := step(t, tk, at(20)) // 0.64 s after it was last seen
	if len(passes) != 1 {
		t.Fatalf("%d passes, want 1", len(passes))
	}
	p := passes[0]
	want := Pass{Camera: "M4-J12-EB", Frames: 5, FirstSeen: at(0), LastSeen: at(4), BestAt: at(4), Box: last, Lane: "1", Direction: "eastbound"}
	if p.Camera != want.Camera || p.Frames != want.Frames || !p.FirstSeen.Equal(want.FirstSeen) || !p.LastSeen.Equal(want.LastSeen) ||
		!p.BestAt.Equal(want.BestAt) || p.Box != want.Box || p.Lane != want.Lane || p.Direction != want.Direction {
		t.Errorf("pass %+v\nwant %+v", brief(p), brief(want))
	}
	if p.Read.Text != "AB12CDE" {
		t.Errorf("fused text %q, want AB12CDE", p.Read.Text)
	}
	if strings.Join(p.PerFrame, " ") != strings.Join(reads, " ") {
		t.Errorf("per-frame texts %q, want %q", p.PerFrame, reads)
	}
	patch := decode(t, "patch", p.Patch)
	if patch.X > 120 || patch.Y > 60 || patch.X < 100 {
		t.Errorf("patch %v, want within 120x60 and using its width", patch)
	}
	if ov := decode(t, "overview", p.Overview); ov != image.Pt(640, 360) {
		t.Errorf("overview %v, want 640x360", ov)
	}
	t.Logf("patch %v %d bytes, overview %d bytes", patch, len(p.Patch), len(p.Overview))
	if tk.OpenTracks() != 0 {
		t.Errorf("%d tracks still open", tk.OpenTracks())
	}
}

// brief is a pass without its images, for messages.
func brief(p Pass) Pass {
	p.Patch, p.Overview = nil, nil
	return p
}

// decode checks b is a JPEG and gives its size.
func decode(t *testing.T, what string, b []byte) image.Point {
	t.Helper()
	if len(b) == 0 {
		t.Fatalf("no %s", what)
	}
	m, err := gocv.IMDecode(b, gocv.IMReadUnchanged)
	if err != nil || m.Empty() {
		t.Fatalf("%s does not decode: %v", what, err)
	}
	defer m.Close()
	return image.Pt(m.Cols(), m.Rows())
}

// Two cars in frame at once, one in each lane, one coming and one going,
// are two passes, each with its own text, lane and direction.
func TestTwoVehiclesAtOnceAreTwoPasses(t *testing.T) {
	f := newVoteFuser()
	lanes := []Lane{
		{Name: "nearside", Region: [][2]float64{{0, 0}, {640, 0}, {640, 720}, {0, 720}}},
		{Name: "offside", Region: [][2]float64{{640, 0}, {1280, 0}, {1280, 720}, {640, 720}}},
	}
	tk := newTracker(t, Config{Lanes: lanes}, f)
	var passes []Pass
	for i := 0; i < 6; i++ {
		coming := obsAt(plateAt(400, 150+70*i, 20+6*i), f.read("AB12CDE"))
		going := obsAt(plateAt(900, 500-50*i, 50-5*i), f.read("XY65ZZT"))
		if i == 2 {
			going.Read = f.read("XY65ZZI") // one misread
		}
		// The detector's order is no clue to which plate is which.
		if i%2 == 1 {
			passes = append(passes, step(t, tk, at(i), coming, going)...)
		} else {
			passes = append(passes, step(t, tk, at(i), going, coming)...)
		}
	}
	passes = append(passes, tk.Flush()...)
	if len(passes) != 2 {
		t.Fatalf("%d passes, want 2", len(passes))
	}
	got := map[string]Pass{}
	for _, p := range passes {
		got[p.Read.Text] = p
	}
	for _, w := range []struct{ text, lane, dir string }{{"AB12CDE", "nearside", "towards"}, {"XY65ZZT", "offside", "away"}} {
		p, ok := got[w.text]
		if !ok {
			t.Errorf("no pass read %s; passes %+v", w.text, passes)
			continue
		}
		if p.Frames != 6 || p.Lane != w.lane || p.Direction != w.dir {
			t.Errorf("%s: %d frames, lane %q, direction %q; want 6, %q, %q", w.text, p.Frames, p.Lane, p.Direction, w.lane, w.dir)
		}
	}
	// The receding plate was best when it was nearest: the first frame.
	if p := got["XY65ZZT"]; !p.BestAt.Equal(at(0)) {
		t.Errorf("receding plate's best frame at %v, want the first", p.BestAt.Sub(t0))
	}
}

// Two plates side by side whose boxes do not settle which is which are
// kept apart by what was read on them.
func TestTextKeepsNearbyPlatesApart(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{}, f)
	step(t, tk, at(0), obsAt(plateAt(300, 300, 20), f.read("AB12CDE")), obsAt(plateAt(360, 300, 20), f.read("XY65ZZT")))
	// Each plate now sits a little nearer the other's last place.
	step(t, tk, at(1), obsAt(plateAt(332, 300, 20), f.read("AB12CDE")), obsAt(plateAt(328, 300, 20), f.read("XY65ZZT")))
	passes := tk.Flush()
	if len(passes) != 2 {
		t.Fatalf("%d passes, want 2", len(passes))
	}
	for _, p := range passes {
		if p.PerFrame[0] != p.PerFrame[1] {
			t.Errorf("a track joined reads %q", p.PerFrame)
		}
	}
}

// A plate out of sight for longer than MaxGap is a new pass when it comes
// back; out of sight for less, it is the same pass.
func TestGapLongerThanMaxGapSplitsThePass(t *testing.T) {
	for _, tc := range []struct {
		name   string
		gap    time.Duration
		passes int
	}{
		{"gap of 0.3 s", 300 * time.Millisecond, 1},
		{"gap of 0.8 s", 800 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newVoteFuser()
			tk := newTracker(t, Config{MaxGap: 500 * time.Millisecond}, f)
			box := plateAt(600, 400, 30) // a queue: the car stands still
			var passes []Pass
			for i := 0; i < 3; i++ {
				passes = append(passes, step(t, tk, at(i), obsAt(box, f.read("AB12CDE")))...)
			}
			back := at(2).Add(tc.gap)
			passes = append(passes, step(t, tk, back, obsAt(box, f.read("AB12CDE")))...)
			if tc.passes == 2 && len(passes) != 1 {
				t.Errorf("on the plate's return, %d passes ended, want the first", len(passes))
			}
			passes = append(passes, tk.Flush()...)
			if len(passes) != tc.passes {
				t.Fatalf("%d passes, want %d", len(passes), tc.passes)
			}
			if !passes[0].FirstSeen.Equal(at(0)) || !passes[len(passes)-1].LastSeen.Equal(back) {
				t.Errorf("passes run %v to %v", passes[0].FirstSeen, passes[len(passes)-1].LastSeen)
			}
		})
	}
}

// Where capture times cannot be trusted (all the same here),
// MaxMissedFrames ends a track by frames instead.
func TestMaxMissedFramesEndsATrack(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{MaxMissedFrames: 3}, f)
	step(t, tk, t0, obsAt(plateAt(600, 400, 30), f.read("AB12CDE")))
	for i := 1; i <= 3; i++ {
		if got := step(t, tk, t0); len(got) != 0 {
			t.Fatalf("ended after %d missed frames, want after 4", i)
		}
	}
	if got := step(t, tk, t0); len(got) != 1 || got[0].Read.Text != "AB12CDE" {
		t.Fatalf("after 4 missed frames, passes %+v, want the one", got)
	}
}

// Flush ends every open track; tracks shorter than MinFrames are dropped.
func TestFlushAndMinFrames(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{MinFrames: 2}, f)
	for i := 0; i < 3; i++ {
		obs := []Observation{obsAt(plateAt(300, 300+10*i, 30), f.read("AB12CDE"))}
		if i == 1 {
			obs = append(obs, obsAt(plateAt(1000, 100, 15), f.read("XX"))) // a one-frame glimpse
		}
		step(t, tk, at(i), obs...)
	}
	passes := tk.Flush()
	if len(passes) != 1 || passes[0].Read.Text != "AB12CDE" || passes[0].Frames != 3 {
		t.Fatalf("flush gave %+v, want the one three-frame pass", passes)
	}
	if got := tk.Flush(); len(got) != 0 {
		t.Errorf("a second flush gave %d passes", len(got))
	}
}

// A plate the reader never made anything of is still a pass (a vehicle
// went by), with its images and an empty read, and the fuser is not asked
// to fuse nothing.
func TestPlateNeverReadIsStillAPass(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{}, f)
	for i := 0; i < 3; i++ {
		step(t, tk, at(i), obsAt(plateAt(300, 300+40*i, 30+4*i), ocr.Read{}))
	}
	passes := tk.Flush()
	if len(passes) != 1 {
		t.Fatalf("%d passes, want 1", len(passes))
	}
	p := passes[0]
	if p.Read.Text != "" || p.Frames != 3 || len(p.Patch) == 0 || len(p.Overview) == 0 {
		t.Errorf("pass %+v, want 3 frames, no text, images", brief(p))
	}
	if f.calls != 0 {
		t.Errorf("fuser called %d times with no evidence", f.calls)
	}
}

// Without a fuser, a pass carries its best frame's read.
func TestWithoutFuserTheBestFramesReadStands(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{}, nil)
	step(t, tk, at(0), obsAt(plateAt(300, 300, 20), f.read("AB12CDF")))
	step(t, tk, at(1), obsAt(plateAt(300, 320, 40), f.read("AB12CDE")))
	step(t, tk, at(2), obsAt(plateAt(300, 340, 30), ocr.Read{}))
	if p := tk.Flush(); len(p) != 1 || p[0].Read.Text != "AB12CDE" {
		t.Fatalf("passes %+v, want the 40 px frame's AB12CDE", p)
	}
}

// The direction of travel comes from the plate growing or shrinking, or,
// when its size holds, from its moving down or up the image.
func TestDirectionFromMotion(t *testing.T) {
	for _, tc := range []struct {
		name         string
		y, dy, h, dh int
		cfg          Config
		want         string
	}{
		{name: "growing", y: 200, dy: 40, h: 20, dh: 5, want: "towards"},
		{name: "shrinking", y: 500, dy: -40, h: 45, dh: -5, want: "away"},
		{name: "growing, named", y: 200, dy: 40, h: 20, dh: 5, cfg: Config{Towards: "northbound", Away: "southbound"}, want: "northbound"},
		{name: "shrinking, named", y: 500, dy: -20, h: 45, dh: -5, cfg: Config{Towards: "northbound", Away: "southbound"}, want: "southbound"},
		{name: "same size, moving down", y: 200, dy: 30, h: 30, want: "towards"},
		{name: "same size, moving up", y: 500, dy: -30, h: 30, want: "away"},
		{name: "standing still", y: 300, h: 30, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newVoteFuser()
			tk := newTracker(t, tc.cfg, f)
			for i := 0; i < 5; i++ {
				step(t, tk, at(i), obsAt(plateAt(640, tc.y+tc.dy*i, tc.h+tc.dh*i), f.read("AB12CDE")))
			}
			p := tk.Flush()
			if len(p) != 1 || p[0].Direction != tc.want {
				t.Fatalf("passes %+v, want one going %q", p, tc.want)
			}
		})
	}
	// One frame says nothing about direction.
	f := newVoteFuser()
	tk := newTracker(t, Config{}, f)
	step(t, tk, at(0), obsAt(plateAt(640, 300, 30), f.read("AB12CDE")))
	if p := tk.Flush(); len(p) != 1 || p[0].Direction != "" {
		t.Errorf("one frame gave direction %q", p[0].Direction)
	}
}

// Frames in colour, in grey and missing (a source that gives no picture)
// all give passes; only a frame with a picture gives images.
func TestFrameKinds(t *testing.T) {
	box := plateAt(600, 400, 40)
	for _, tc := range []struct {
		name   string
		frame  func() gocv.Mat
		images bool
	}{
		{"BGR", func() gocv.Mat {
			return gocv.NewMatWithSizeFromScalar(gocv.NewScalar(30, 90, 200, 0), 1080, 1920, gocv.MatTypeCV8UC3)
		}, true},
		{"BGRA", func() gocv.Mat {
			return gocv.NewMatWithSizeFromScalar(gocv.NewScalar(30, 90, 200, 255), 1080, 1920, gocv.MatTypeCV8UC4)
		}, true},
		{"grey", func() gocv.Mat { return gocv.NewMatWithSize(1080, 1920, gocv.MatTypeCV8UC1) }, true},
		{"empty", gocv.NewMat, false},
		{"zero Mat", func() gocv.Mat { return gocv.Mat{} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newVoteFuser()
			tk := newTracker(t, Config{}, f)
			frame := tc.frame()
			if frame.Ptr() != nil {
				defer frame.Close()
			}
			tk.Update(frame, t0, []Observation{obsAt(box, f.read("AB12CDE"))})
			p := tk.Flush()
			if len(p) != 1 || p[0].Read.Text != "AB12CDE" {
				t.Fatalf("passes %+v", p)
			}
			if got := len(p[0].Patch) > 0 && len(p[0].Overview) > 0; got != tc.images {
				t.Errorf("images: patch %d bytes, overview %d; want images %v", len(p[0].Patch), len(p[0].Overview), tc.images)
			}
			if tc.images {
				decode(t, "patch", p[0].Patch)
				decode(t, "overview", p[0].Overview)
			}
		})
	}
}

// A plate at the frame's edge gives a patch of the part in frame; one
// wholly outside gives none, and a box with no area is ignored.
func TestPlatesAtTheEdge(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{}, f)
	frame := gocv.NewMatWithSize(720, 1280, gocv.MatTypeCV8UC1)
	defer frame.Close()
	tk.Update(frame, t0, []Observation{
		obsAt(image.Rect(1250, 100, 1350, 122), f.read("AB12CDE")),
		obsAt(image.Rect(-500, 600, -400, 622), f.read("XY65ZZT")),
		obsAt(image.Rect(300, 300, 300, 330), f.read("EMPTY")),
	})
	passes := tk.Flush()
	if len(passes) != 2 {
		t.Fatalf("%d passes, want 2", len(passes))
	}
	for _, p := range passes {
		if hasPatch := len(p.Patch) > 0; hasPatch != (p.Read.Text == "AB12CDE") {
			t.Errorf("%s: patch of %d bytes", p.Read.Text, len(p.Patch))
		}
	}
}

// The evidence kept for fusion is bounded, and is the best-weighted
// frames': a long stay in view does not grow memory, and the sharpest
// views decide the read.
func TestEvidenceIsBoundedToTheBestFrames(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{MaxEvidence: 4, MaxGap: time.Hour}, f)
	for i := 0; i < 40; i++ { // small, misread views first
		step(t, tk, at(i), obsAt(plateAt(600, 400, 12), f.read("AB12CDF")))
	}
	for i := 40; i < 44; i++ {
		step(t, tk, at(i), obsAt(plateAt(600, 400, 14), f.read("AB12CDE")))
	}
	p := tk.Flush()
	if len(p) != 1 || p[0].Read.Text != "AB12CDE" || p[0].Frames != 44 || len(p[0].PerFrame) != 4 {
		t.Fatalf("passes %+v, want one of 44 frames read AB12CDE from the 4 largest, 4 per-frame texts", p)
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	for _, cfg := range []Config{
		{MaxGap: -time.Second},
		{PatchQuality: 101},
		{Lanes: []Lane{{Name: "1", Region: [][2]float64{{0, 0}, {1, 1}}}}},
		{Lanes: []Lane{{Region: [][2]float64{{0, 0}, {1, 1}, {0, 1}}}}},
		{Lanes: []Lane{{Name: "1", Region: [][2]float64{{0, 0}, {1, 1}, {0, 1}}}, {Name: "1", Region: [][2]float64{{0, 0}, {1, 1}, {0, 1}}}}},
	} {
		if _, err := New(cfg, nil); !errors.Is(err, ErrBadConfig) {
			t.Errorf("config %+v: error %v, want ErrBadConfig", cfg, err)
		}
	}
}

// A pass in JSON carries its images as base64 and leaves the evidence out.
func TestPassJSON(t *testing.T) {
	f := newVoteFuser()
	tk := newTracker(t, Config{Camera: "A1"}, f)
	step(t, tk, at(0), obsAt(plateAt(300, 300, 30), f.read("AB12CDE")))
	p := tk.Flush()[0]
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Pass
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Read.Text != "AB12CDE" || back.Camera != "A1" || string(back.Patch) != string(p.Patch) || back.Box != p.Box || !back.FirstSeen.Equal(p.FirstSeen) {
		t.Errorf("round trip gave %+v", brief(back))
	}
	for _, key := range []string{`"first_seen"`, `"patch"`, `"overview"`, `"per_frame"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestInPolygon(t *testing.T) {
	l := [][2]float64{{100, 0}, {400, 0}, {700, 720}, {200, 720}} // a lane narrowing into the distance
	for _, tc := range []struct {
		p    [2]float64
		want bool
	}{{[2]float64{250, 10}, true}, {[2]float64{650, 700}, true}, {[2]float64{120, 700}, false}, {[2]float64{500, 10}, false}, {[2]float64{300, -1}, false}} {
		if got := inPolygon(l, tc.p); got != tc.want {
			t.Errorf("inPolygon(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

// A fast plate overtaking a slow one in the image, neither read, keeps
// its track by where each was heading: by the third frame the fast plate is
// where the slow one last was.
func TestCrossingPlatesKeepTheirTracks(t *testing.T) {
	tk := newTracker(t, Config{}, nil)
	for i := 0; i < 5; i++ {
		// Growing a pixel a frame, so that each pass's best frame is its last.
		fast := plateAt(250+60*i, 300, 20+i)
		slow := plateAt(400+15*i, 310, 20+i)
		step(t, tk, at(i), obsAt(fast, ocr.Read{}), obsAt(slow, ocr.Read{}))
	}
	passes := tk.Flush()
	if len(passes) != 2 {
		t.Fatalf("%d passes, want 2", len(passes))
	}
	for i, wantX := range []float64{490, 460} { // the fast plate's track began first
		if p := passes[i]; p.Frames != 5 || centre(p.Box)[0] != wantX {
			t.Errorf("pass %d: %d frames, last at x %v; want 5 frames, x %v", i, p.Frames, centre(p.Box)[0], wantX)
		}
	}
}
