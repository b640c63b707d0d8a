package ocr

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"anpr/engine/vrm"
)

// Alternative is a runner-up for one character.
type Alternative struct {
	Char       string  `json:"char"`
	Confidence float64 `json:"confidence"`
}

// CharRead is one character of a read.
type CharRead struct {
	Char         string        `json:"char"`
	Confidence   float64       `json:"confidence"`
	Alternatives []Alternative `json:"alternatives,omitempty"`
}

// Read is what the reader makes of one plate crop.
type Read struct {
	Text       string     `json:"text"`       // normalised, no spaces
	Display    string     `json:"display"`    // with the group space
	Confidence float64    `json:"confidence"` // probability of the whole text, as the model gives it
	Chars      []CharRead `json:"chars"`
	Format     vrm.Format `json:"format"`          // unknown when it fits no UK format
	Valid      bool       `json:"valid"`           // a valid UK mark on the reading date
	Raw        string     `json:"raw,omitempty"`   // the model's own best text, when the format rules chose another
	Prior      string     `json:"prior,omitempty"` // how the rules changed it: "format", "confusion", or "band" (leading characters read from the side band dropped)
	// Evidence is the model's per-slot probabilities behind the read, kept
	// so that reads of one plate in several frames can be fused (Fuse).
	Evidence *Evidence `json:"-"`
}

// PriorBand is a Read's Prior when leading characters, taken to be read
// from the plate's side band, were dropped to make a valid mark.
const PriorBand = "band"

// Evidence is what the model saw in one crop: for every slot, the
// probability of each class.
type Evidence struct{ probs slotProbs }

// decodeOptions tune how far the format rules may overrule the model.
type decodeOptions struct {
	asOf time.Time
	// maxPenalty is how much less likely (natural log) than the model's own
	// best a valid mark may be and still be preferred to it.
	maxPenalty float64
	confusions *vrm.ConfusionModel
	// plainBarOne: a confusion candidate with a 1 where the model read an I
	// is judged as if the model had read the 1 (see logProbPlainBarOne).
	plainBarOne bool
}

// slotProbs is the softmax of each slot's scores.
type slotProbs [Slots][Classes]float64

func softmax(scores []float32) slotProbs {
	var p slotProbs
	for s := 0; s < Slots; s++ {
		row := scores[s*Classes : (s+1)*Classes]
		mx := float64(row[0])
		for _, v := range row {
			mx = math.Max(mx, float64(v))
		}
		sum := 0.0
		for c, v := range row {
			p[s][c] = math.Exp(float64(v) - mx)
			sum += p[s][c]
		}
		for c := range p[s] {
			p[s][c] /= sum
		}
	}
	return p
}

func classChar(c int) string { return Alphabet[c-1 : c] }

func charClass(r byte) int { return strings.IndexByte(Alphabet, r) + 1 }

// logProb is the log-probability the model gives text (slots past its end
// empty); -Inf for text longer than the slots or with foreign characters.
func (p *slotProbs) logProb(text string) float64 {
	if len(text) > Slots {
		return math.Inf(-1)
	}
	lp := 0.0
	for s := 0; s < Slots; s++ {
		c := 0
		if s < len(text) {
			if c = charClass(text[s]); c <= 0 {
				return math.Inf(-1)
			}
		}
		lp += math.Log(math.Max(p[s][c], 1e-12))
	}
	return lp
}

// logProbPlainBarOne is logProb with each 1 of text given the likelier of
// the model's 1 and I: in the typefaces of older plates (pressed metal,
// many made before 2001) the 1 is a plain bar, the very shape of an I, so
// an I read where the format wants a digit is as good evidence of a 1.
func (p *slotProbs) logProbPlainBarOne(text string) float64 {
	lp := p.logProb(text)
	if math.IsInf(lp, -1) {
		return lp
	}
	one, eye := charClass('1'), charClass('I')
	for s := 0; s < len(text); s++ {
		if text[s] == '1' && p[s][eye] > p[s][one] {
			lp += math.Log(p[s][eye]) - math.Log(math.Max(p[s][one], 1e-12))
		}
	}
	return lp
}

type path struct {
	text string
	lp   float64
	done bool // an empty slot was taken: only empties may follow
}

// beam lists the likeliest texts, best first: per slot the few likeliest
// classes, characters only before the first empty slot. Among equally
// likely texts, the one from likelier earlier choices comes first.
func (p *slotProbs) beam(width, perSlot int) []path {
	// Texts are built as class bytes in fixed arrays and made strings only
	// at the end: a read decodes one to six times, and a string per
	// candidate per slot was most of a crop's time outside the model.
	type cand struct {
		text [Slots]byte
		n    int
		lp   float64
		done bool
	}
	paths := make([]cand, 1, width*perSlot)
	next := make([]cand, 0, width*perSlot)
	top, topLP := make([]int, perSlot), make([]float64, perSlot)
	for s := 0; s < Slots; s++ {
		// The perSlot likeliest classes, likeliest first (ties: lower class).
		top = top[:0]
		for c := 0; c < Classes; c++ {
			i := len(top)
			for i > 0 && p[s][c] > p[s][top[i-1]] {
				i--
			}
			if i < perSlot {
				if len(top) < perSlot {
					top = append(top, 0)
				}
				copy(top[i+1:], top[i:len(top)-1])
				top[i] = c
			}
		}
		for i, c := range top {
			topLP[i] = math.Log(math.Max(p[s][c], 1e-12))
		}
		next = next[:0]
		emptyLP := math.Log(math.Max(p[s][0], 1e-12))
		for _, pa := range paths {
			if pa.done {
				pa.lp += emptyLP
				next = append(next, pa)
				continue
			}
			for i, c := range top {
				q := pa
				q.lp += topLP[i]
				if c == 0 {
					q.done = true
				} else {
					q.text[q.n] = byte(c)
					q.n++
				}
				next = append(next, q)
			}
		}
		slices.SortStableFunc(next, func(a, b cand) int { return cmp.Compare(b.lp, a.lp) })
		if len(next) > width {
			next = next[:width]
		}
		paths, next = next, paths
	}
	out := make([]path, len(paths))
	for i, pa := range paths {
		var b strings.Builder
		for _, c := range pa.text[:pa.n] {
			b.WriteString(classChar(int(c)))
		}
		out[i] = path{text: b.String(), lp: pa.lp, done: pa.done}
	}
	return out
}

// decode turns slot scores into a read. The model's best text stands unless
// a valid UK mark is nearly as likely: among the beam's texts, or among the
// confusion model's readings of the best text.
func decode(scores []float32, o decodeOptions) Read {
	p := softmax(scores)
	return decodeProbs(&p, o)
}

func decodeProbs(p *slotProbs, o decodeOptions) Read {
	paths := p.beam(64, 4)
	best := paths[0]
	chosen, prior := best, ""
	if _, err := vrm.Parse(best.text, o.asOf); err != nil {
		for _, pa := range paths[1:] {
			if best.lp-pa.lp > o.maxPenalty {
				break
			}
			if _, err := vrm.Parse(pa.text, o.asOf); err == nil {
				chosen, prior = pa, "format"
				break
			}
		}
		if prior == "" && o.confusions != nil {
			bestLP := math.Inf(-1)
			score := p.logProb
			if o.plainBarOne {
				score = p.logProbPlainBarOne
			}
			for _, c := range o.confusions.Candidates(best.text, o.asOf, 8) {
				if lp := score(c.Mark.Text); best.lp-lp <= o.maxPenalty && lp > bestLP {
					chosen, prior, bestLP = path{text: c.Mark.Text, lp: lp}, "confusion", lp
				}
			}
		}
	}
	r := Read{Text: chosen.text, Display: vrm.FormatDisplay(chosen.text), Confidence: round3(math.Exp(chosen.lp)), Prior: prior, Evidence: &Evidence{*p}}
	if prior != "" {
		r.Raw = best.text
	}
	if m, err := vrm.Parse(chosen.text, o.asOf); err == nil {
		r.Format, r.Valid, r.Display = m.Format, true, m.Display
	} else {
		r.Format = vrm.Unknown
	}
	for s := 0; s < len(chosen.text); s++ {
		c := charClass(chosen.text[s])
		cr := CharRead{Char: classChar(c), Confidence: round3(p[s][c])}
		cr.Alternatives = p.runnersUp(s, c, 2)
		r.Chars = append(r.Chars, cr)
	}
	return r
}

// runnersUp are a slot's likeliest other characters above 1%.
func (p *slotProbs) runnersUp(s, chosen, n int) []Alternative {
	var out []Alternative
	for c := 1; c < Classes; c++ {
		if c != chosen && p[s][c] >= 0.01 {
			out = append(out, Alternative{Char: classChar(c), Confidence: round3(p[s][c])})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Confidence > out[j].Confidence })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
