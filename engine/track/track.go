// Package track follows plates across the frames of one camera, fuses
// what the reader saw of each plate in every frame, and emits one read per
// vehicle pass.
//
// A Tracker is fed every frame of one camera with the plates found in it
// (Observation). It joins each observation to the plate it continues,
// starts a track for each plate it has not seen, and ends a track when its
// plate has been out of sight for longer than Config.MaxGap. An ended track
// becomes a Pass: the read fused from all its frames, the best frame's plate
// patch and an overview of the scene, when the plate was first and last
// seen, and the lane and direction of travel.
//
// Only the best frame's images are kept while a track is open (a small
// patch and a downscaled overview), and only a bounded number of frames'
// evidence, so memory does not grow with how long a plate stays in view.
package track

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/engine/vrm"
)

// Observation is one plate found in one frame.
type Observation struct {
	Box     image.Rectangle // plate box in frame pixels
	Polygon [4][2]float64   // plate corners, clockwise from top-left
	Read    ocr.Read        // the reader's read of this crop; Read.Evidence holds per-slot probabilities
	Score   float64         // detector confidence 0..1; below 0.05 counts as 0.05
}

// Fuser reads one plate from the evidence of several crops of it, each
// weighted. *ocr.Reader is one.
type Fuser interface {
	Fuse(evidence []*ocr.Evidence, weight []float64) ocr.Read
}

// Pass is one vehicle's pass before the camera: one fused read.
//
// In JSON, Patch and Overview are base64 JPEG (about 4 KB and 33 KB of
// text; a caller that stores images elsewhere should clear them before
// encoding), Box is image.Rectangle's {"Min":{"X","Y"},"Max":{...}}, and
// the read's evidence is left out.
type Pass struct {
	Camera    string    `json:"camera"`
	Read      ocr.Read  `json:"read"`   // fused from every frame that had evidence
	Frames    int       `json:"frames"` // frames the plate was found in
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	BestAt    time.Time `json:"best_at"` // capture time of the best frame, where Box, Polygon and the images come from
	// Box and Polygon are the plate in the best frame, in frame pixels.
	Box       image.Rectangle `json:"box"`
	Polygon   [4][2]float64   `json:"polygon"`
	Patch     []byte          `json:"patch,omitempty"`     // JPEG of the plate, within Config.PatchWidth x PatchHeight
	Overview  []byte          `json:"overview,omitempty"`  // JPEG of the whole best frame, Config.OverviewWidth wide
	Lane      string          `json:"lane,omitempty"`      // the configured lane holding the plate's centre in the best frame
	Direction string          `json:"direction,omitempty"` // Config.Towards or Config.Away; empty when the motion does not say
	// PerFrame is the text read in each frame, in capture order (the first
	// Config.MaxEvidence frames), for seeing how the fused read came about.
	PerFrame []string `json:"per_frame,omitempty"`
}

// Lane is a named region of the image: a plate whose centre lies in it is
// in that lane.
type Lane struct {
	Name   string       `json:"name"`
	Region [][2]float64 `json:"region"` // polygon in frame pixels, at least three corners
}

// Config is one camera's tracking set-up. Zero fields take the defaults
// given.
type Config struct {
	Camera string // camera id, copied into every pass

	// MaxGap ends a track whose plate has not been seen for longer than
	// this much capture time; 500 ms when zero.
	MaxGap time.Duration
	// MaxMissedFrames, when positive, also ends a track whose plate is
	// missing from more than this many frames in a row: for sources whose
	// capture times cannot be trusted.
	MaxMissedFrames int
	// MinFrames is the fewest frames a track needs to become a pass; 1
	// when zero.
	MinFrames int
	// MaxJump is how far, in plate widths, a plate may be from where its
	// track was heading and still continue it; 1.5 when zero.
	MaxJump float64
	// MaxEvidence bounds the frames of evidence a track keeps for fusion
	// (the best-weighted ones); 32 when zero.
	MaxEvidence int

	// Lanes are the camera's lanes; none: passes carry no lane.
	Lanes []Lane
	// Towards and Away name the directions of travel of a vehicle coming
	// towards the camera and going away from it, say "northbound" and
	// "southbound"; "towards" and "away" when empty.
	Towards, Away string

	// PatchWidth x PatchHeight bounds the plate patch; 120 x 60 when zero.
	PatchWidth, PatchHeight int
	// PatchQuality is the JPEG quality the patch is first tried at; it is
	// lowered until the patch fits PatchMaxBytes. 90 and 3072 when zero.
	PatchQuality, PatchMaxBytes int
	// OverviewWidth is the overview's width in pixels (never wider than
	// the frame); 640 when zero.
	OverviewWidth int
	// OverviewQuality and OverviewMaxBytes are as for the patch; 80 and
	// 25600 when zero.
	OverviewQuality, OverviewMaxBytes int
}

// ErrBadConfig marks a configuration no tracker can honour.
var ErrBadConfig = errors.New("bad tracking configuration")

func (c Config) withDefaults() (Config, error) {
	bad := func(format string, a ...any) (Config, error) {
		return c, fmt.Errorf("%w: camera %q: %s", ErrBadConfig, c.Camera, fmt.Sprintf(format, a...))
	}
	if c.MaxGap < 0 || c.MaxMissedFrames < 0 || c.MinFrames < 0 || c.MaxJump < 0 || c.MaxEvidence < 0 {
		return bad("negative MaxGap, MaxMissedFrames, MinFrames, MaxJump or MaxEvidence")
	}
	if c.PatchWidth < 0 || c.PatchHeight < 0 || c.PatchMaxBytes < 0 || c.OverviewWidth < 0 || c.OverviewMaxBytes < 0 {
		return bad("negative image size or byte budget")
	}
	if c.PatchQuality < 0 || c.PatchQuality > 100 || c.OverviewQuality < 0 || c.OverviewQuality > 100 {
		return bad("JPEG quality outside 1..100")
	}
	names := map[string]bool{}
	for i, l := range c.Lanes {
		if l.Name == "" {
			return bad("lane %d has no name", i+1)
		}
		if names[l.Name] {
			return bad("lane %q is named twice", l.Name)
		}
		names[l.Name] = true
		if len(l.Region) < 3 {
			return bad("lane %q has %d corners, want at least 3", l.Name, len(l.Region))
		}
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.MaxGap == 0 {
		c.MaxGap = 500 * time.Millisecond
	}
	if c.MaxJump == 0 {
		c.MaxJump = 1.5
	}
	def(&c.MinFrames, 1)
	def(&c.MaxEvidence, 32)
	def(&c.PatchWidth, 120)
	def(&c.PatchHeight, 60)
	def(&c.PatchQuality, 90)
	def(&c.PatchMaxBytes, 3072)
	def(&c.OverviewWidth, 640)
	def(&c.OverviewQuality, 80)
	def(&c.OverviewMaxBytes, 25600)
	if c.Towards == "" {
		c.Towards = "towards"
	}
	if c.Away == "" {
		c.Away = "away"
	}
	return c, nil
}

// Tracker follows the plates of one camera. It is not safe for concurrent
// use: give each camera its own.
type Tracker struct {
	cfg        Config
	fuse       Fuser
	confusions *vrm.ConfusionModel
	open       []*track
	nextID     uint64
}

// New makes a tracker for one camera. A nil fuse makes each pass's read
// the read of its best frame that read anything, instead of a fusion.
func New(cfg Config, fuse Fuser) (*Tracker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Tracker{cfg: cfg, fuse: fuse, confusions: vrm.DefaultConfusions()}, nil
}

// Update takes one frame (BGR, BGRA or grey, 8 bits; it is not kept), its
// capture time and the plates found in it, and returns the passes that
// ended, oldest first: those of tracks whose plates have now been out of
// sight too long. A frame with no picture (an empty Mat) still tracks but
// gives no images. Observations with an empty box are ignored.
func (tk *Tracker) Update(frame gocv.Mat, captured time.Time, obs []Observation) []Pass {
	var ended []*track
	keep := tk.open[:0]
	for _, t := range tk.open {
		if captured.Sub(t.last) > tk.cfg.MaxGap {
			ended = append(ended, t)
		} else {
			keep = append(keep, t)
		}
	}
	tk.open = keep

	valid := make([]Observation, 0, len(obs))
	for _, o := range obs {
		if o.Box = o.Box.Canon(); !o.Box.Empty() {
			valid = append(valid, o)
		}
	}
	matched := tk.associate(captured, valid)

	shot := newSnapshot(frame, tk.cfg)
	defer shot.Close()
	seen := make(map[*track]bool, len(valid))
	for i, o := range valid {
		t := matched[i]
		if t == nil {
			t = newTrack(tk.nextID, captured)
			tk.nextID++
			tk.open = append(tk.open, t)
		}
		t.add(o, captured, tk.cfg, &shot)
		seen[t] = true
	}

	keep = tk.open[:0]
	for _, t := range tk.open {
		if !seen[t] {
			t.missed++
		}
		if tk.cfg.MaxMissedFrames > 0 && t.missed > tk.cfg.MaxMissedFrames {
			ended = append(ended, t)
		} else {
			keep = append(keep, t)
		}
	}
	tk.open = keep
	return tk.finish(ended)
}

// Flush ends every open track, as at the end of a source, and returns
// their passes. The tracker may be used again afterwards.
func (tk *Tracker) Flush() []Pass {
	ended := tk.open
	tk.open = nil
	return tk.finish(ended)
}

// Close frees the images of open tracks without making passes of them.
func (tk *Tracker) Close() {
	for _, t := range tk.open {
		t.close()
	}
	tk.open = nil
}

// OpenTracks reports how many plates are being followed.
func (tk *Tracker) OpenTracks() int { return len(tk.open) }

// finish turns ended tracks into passes, oldest first, and frees them.
func (tk *Tracker) finish(ended []*track) []Pass {
	sort.Slice(ended, func(i, j int) bool {
		if !ended[i].first.Equal(ended[j].first) {
			return ended[i].first.Before(ended[j].first)
		}
		return ended[i].id < ended[j].id
	})
	var out []Pass
	for _, t := range ended {
		if t.frames >= tk.cfg.MinFrames {
			out = append(out, tk.pass(t))
		}
		t.close()
	}
	return out
}

func (tk *Tracker) pass(t *track) Pass {
	p := Pass{
		Camera: tk.cfg.Camera, Frames: t.frames,
		FirstSeen: t.first, LastSeen: t.last, BestAt: t.best.at,
		Box: t.best.box, Polygon: t.best.polygon,
		PerFrame:  t.perFrame,
		Lane:      laneOf(tk.cfg.Lanes, centre(t.best.box)),
		Direction: t.motion.direction(tk.cfg.Towards, tk.cfg.Away),
	}
	p.Read = t.fallback
	if tk.fuse != nil && len(t.evidence) > 0 {
		ev := make([]*ocr.Evidence, len(t.evidence))
		w := make([]float64, len(t.evidence))
		for i, e := range t.evidence {
			ev[i], w[i] = e.ev, e.weight
		}
		p.Read = tk.fuse.Fuse(ev, w)
	}
	p.Patch = encodeJPEG(t.best.patch, tk.cfg.PatchQuality, tk.cfg.PatchMaxBytes)
	p.Overview = encodeJPEG(t.best.overview, tk.cfg.OverviewQuality, tk.cfg.OverviewMaxBytes)
	return p
}

// weight is how much a frame's read counts: the plate's height in pixels,
// up to the reader's input height (beyond it the reader sees no more
// detail), times the detector's confidence.
func weight(o Observation) float64 {
	h := math.Min(float64(o.Box.Dy()), ocr.InputHeight) / ocr.InputHeight
	return h * math.Min(1, math.Max(o.Score, 0.05))
}

func centre(r image.Rectangle) [2]float64 {
	return [2]float64{float64(r.Min.X+r.Max.X) / 2, float64(r.Min.Y+r.Max.Y) / 2}
}
