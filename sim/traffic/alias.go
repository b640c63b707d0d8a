package traffic

import "math/rand/v2"

// alias draws indices in proportion to weights in constant time (Walker's
// alias method): the simulator draws an origin-destination pair and an
// hour for every one of half a million trips a day.
type alias struct {
	prob  []float64
	other []int32
}

// newAlias builds the table; weights must be non-negative with a positive
// sum.
func newAlias(weights []float64) alias {
	n := len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	a := alias{prob: make([]float64, n), other: make([]int32, n)}
	scaled := make([]float64, n)
	var small, large []int32
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s], a.other[s] = scaled[s], l
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left is 1 up to rounding.
	for _, i := range large {
		a.prob[i], a.other[i] = 1, i
	}
	for _, i := range small {
		a.prob[i], a.other[i] = 1, i
	}
	return a
}

func (a alias) draw(rng *rand.Rand) int {
	i := rng.IntN(len(a.prob))
	if rng.Float64() < a.prob[i] {
		return i
	}
	return int(a.other[i])
}
