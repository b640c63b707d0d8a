package ocr

import "math"

// Fuse reads one plate from the evidence of several crops of it (the
// frames of one vehicle pass), weighting each crop by weight (nil: equal
// weights). Per slot, the fused distribution is the weighted geometric mean
// of the crops' distributions: a character several frames agree on wins
// over one frame's confident misread, and a frame's doubt counts against
// it. The fused distribution is then decoded with the format rules, as a
// single crop's is.
func (r *Reader) Fuse(evidence []*Evidence, weight []float64) Read {
	if len(evidence) == 0 {
		return Read{}
	}
	var fused slotProbs
	total := 0.0
	for i, e := range evidence {
		w := 1.0
		if weight != nil {
			w = weight[i]
		}
		if e == nil || w <= 0 {
			continue
		}
		total += w
		for s := 0; s < Slots; s++ {
			for c := 0; c < Classes; c++ {
				fused[s][c] += w * math.Log(math.Max(e.probs[s][c], 1e-9))
			}
		}
	}
	if total == 0 {
		return Read{}
	}
	for s := 0; s < Slots; s++ {
		mx := math.Inf(-1)
		for c := 0; c < Classes; c++ {
			fused[s][c] /= total
			mx = math.Max(mx, fused[s][c])
		}
		sum := 0.0
		for c := 0; c < Classes; c++ {
			fused[s][c] = math.Exp(fused[s][c] - mx)
			sum += fused[s][c]
		}
		for c := 0; c < Classes; c++ {
			fused[s][c] /= sum
		}
	}
	return decodeProbs(&fused, r.decodeOptions())
}

func (r *Reader) decodeOptions() decodeOptions {
	return decodeOptions{asOf: r.opts.Now(), maxPenalty: math.Log(r.opts.MaxPriorPenalty), confusions: r.opts.Confusions}
}
