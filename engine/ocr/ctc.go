package ocr

import "math"

// framesToSlots turns a line reader's column scores into the per-slot
// probabilities the decoder, the format rules and frame fusion work on.
//
// CTC greedy decoding finds the characters: the likeliest class in each
// column, repeats merged, blanks dropped. Each character so found becomes a
// slot whose distribution is the mean, over the columns it spans, of those
// columns' probabilities of each character (the blank's share left out and
// the rest renormalised), so runner-up characters and doubt carry over.
// Slots past the last character are empty. A read longer than Slots keeps
// its first Slots characters.
func framesToSlots(scores []float32) slotProbs {
	// probs[t][c]: softmax over classes of column t; scores are class-major.
	var probs [Frames][Classes]float64
	for t := 0; t < Frames; t++ {
		mx := math.Inf(-1)
		for c := 0; c < Classes; c++ {
			mx = math.Max(mx, float64(scores[c*Frames+t]))
		}
		sum := 0.0
		for c := 0; c < Classes; c++ {
			probs[t][c] = math.Exp(float64(scores[c*Frames+t]) - mx)
			sum += probs[t][c]
		}
		for c := 0; c < Classes; c++ {
			probs[t][c] /= sum
		}
	}
	var p slotProbs
	slot, prev := 0, 0
	var acc [Classes]float64
	flush := func() {
		sum := 0.0
		for c := 1; c < Classes; c++ {
			sum += acc[c]
		}
		if sum > 0 && slot < Slots {
			for c := 1; c < Classes; c++ {
				p[slot][c] = acc[c] / sum
			}
			slot++
		}
		acc = [Classes]float64{}
	}
	for t := 0; t < Frames; t++ {
		best := 0
		for c := 1; c < Classes; c++ {
			if probs[t][c] > probs[t][best] {
				best = c
			}
		}
		if best != prev && prev != 0 {
			flush()
		}
		if best != 0 {
			for c := 1; c < Classes; c++ {
				acc[c] += probs[t][c]
			}
		}
		prev = best
	}
	if prev != 0 {
		flush()
	}
	for s := slot; s < Slots; s++ {
		p[s][0] = 1
	}
	return p
}
