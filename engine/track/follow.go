package track

import (
	"image"
	"math"
	"sort"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
)

// track is one plate followed across frames.
type track struct {
	id          uint64
	t0          time.Time // when the track began: the origin of its motion's time axis
	first, last time.Time
	frames      int
	missed      int // frames in a row without the plate
	box         image.Rectangle
	vel         [2]float64 // the plate centre's image velocity, pixels a second
	text        string     // the latest non-empty read, for telling plates apart
	motion      motion

	evidence  []weighted // the best-weighted frames' evidence, at most Config.MaxEvidence
	fallback  ocr.Read   // the best-weighted frame's read that has text
	fallbackW float64
	perFrame  []string

	best struct {
		weight          float64
		area            int
		at              time.Time
		box             image.Rectangle
		polygon         [4][2]float64
		patch, overview gocv.Mat // empty when the best frame gave none
	}
}

type weighted struct {
	ev     *ocr.Evidence
	weight float64
}

func newTrack(id uint64, at time.Time) *track {
	t := &track{id: id, t0: at, first: at, last: at}
	t.best.patch, t.best.overview = gocv.NewMat(), gocv.NewMat()
	return t
}

func (t *track) close() {
	t.best.patch.Close()
	t.best.overview.Close()
}

// predict is where the plate's centre should be at time at, moving as it
// last moved (for no longer than the longest gap a track survives).
func (t *track) predict(at time.Time, maxGap time.Duration) [2]float64 {
	c := centre(t.box)
	dt := at.Sub(t.last)
	if dt <= 0 {
		return c
	}
	s := min(dt, maxGap).Seconds()
	return [2]float64{c[0] + t.vel[0]*s, c[1] + t.vel[1]*s}
}

// add continues the track with one observation.
func (t *track) add(o Observation, at time.Time, cfg Config, shot *snapshot) {
	c := centre(o.Box)
	if t.frames > 0 {
		if dt := at.Sub(t.last).Seconds(); dt > 0 {
			prev := centre(t.box)
			v := [2]float64{(c[0] - prev[0]) / dt, (c[1] - prev[1]) / dt}
			if t.frames == 1 {
				t.vel = v
			} else { // smooth out the detector's jitter
				t.vel = [2]float64{(t.vel[0] + v[0]) / 2, (t.vel[1] + v[1]) / 2}
			}
		}
	}
	if at.Before(t.first) {
		t.first = at
	}
	if at.After(t.last) {
		t.last = at
	}
	t.frames++
	t.missed = 0
	t.box = o.Box
	t.motion.add(at.Sub(t.t0).Seconds(), o.Box)

	w := weight(o)
	if o.Read.Text != "" {
		t.text = o.Read.Text
		if t.fallback.Text == "" || w > t.fallbackW {
			t.fallback, t.fallbackW = o.Read, w
		}
	}
	if len(t.perFrame) < cfg.MaxEvidence {
		t.perFrame = append(t.perFrame, o.Read.Text)
	}
	if o.Read.Evidence != nil {
		t.keepEvidence(weighted{o.Read.Evidence, w}, cfg.MaxEvidence)
	}

	area := o.Box.Dx() * o.Box.Dy()
	if t.frames == 1 || w > t.best.weight || (w == t.best.weight && area > t.best.area) {
		b := &t.best
		b.weight, b.area, b.at, b.box, b.polygon = w, area, at, o.Box, o.Polygon
		if !shot.patch(o.Box, &b.patch) {
			b.patch.Close()
			b.patch = gocv.NewMat()
		}
		if !shot.overview(&b.overview) {
			b.overview.Close()
			b.overview = gocv.NewMat()
		}
	}
}

// keepEvidence keeps the best-weighted max frames' evidence.
func (t *track) keepEvidence(e weighted, max int) {
	if len(t.evidence) < max {
		t.evidence = append(t.evidence, e)
		return
	}
	worst := 0
	for i, x := range t.evidence {
		if x.weight < t.evidence[worst].weight {
			worst = i
		}
	}
	if e.weight > t.evidence[worst].weight {
		t.evidence[worst] = e
	}
}

// associate pairs each observation with the open track it continues, or
// nil. A plate continues a track when its centre is within Config.MaxJump
// plate widths of where the track was heading and its height within a
// factor of two of the track's; among such pairs, the closest are taken
// first (greedily: there are few plates in a frame), closeness counting
// distance, change of size and, as a tie-break, how alike the texts read.
func (tk *Tracker) associate(at time.Time, obs []Observation) []*track {
	type pair struct {
		cost float64
		t, o int
	}
	var pairs []pair
	for ti, t := range tk.open {
		pred := t.predict(at, tk.cfg.MaxGap)
		w, h := math.Max(float64(t.box.Dx()), 1), math.Max(float64(t.box.Dy()), 1)
		for oi, o := range obs {
			c := centre(o.Box)
			d := math.Hypot(c[0]-pred[0], c[1]-pred[1]) / w
			if d > tk.cfg.MaxJump {
				continue
			}
			grow := math.Abs(math.Log(float64(o.Box.Dy()) / h))
			if grow > math.Ln2 {
				continue
			}
			cost := d + grow - textWeight*tk.textSimilarity(t.text, o.Read.Text)
			pairs = append(pairs, pair{cost, ti, oi})
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].cost < pairs[j].cost })
	out := make([]*track, len(obs))
	taken := make([]bool, len(tk.open))
	for _, p := range pairs {
		if out[p.o] == nil && !taken[p.t] {
			out[p.o], taken[p.t] = tk.open[p.t], true
		}
	}
	return out
}

// textWeight is how many plate widths of distance identical texts make up
// for: enough to choose between two nearby plates, not enough to join a
// far one.
const textWeight = 0.5

// textSimilarity is the share of character positions at which a and b
// agree, a confusable pair (0/O, 8/B, ...) counting half; 0 when either is
// empty.
func (tk *Tracker) textSimilarity(a, b string) float64 {
	n := max(len(a), len(b))
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	score := 0.0
	for i := 0; i < min(len(a), len(b)); i++ {
		switch {
		case a[i] == b[i]:
			score++
		case tk.confusions.Confusable(rune(a[i]), rune(b[i])):
			score += 0.5
		}
	}
	return score / float64(n)
}
