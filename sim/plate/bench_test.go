package plate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSpecs is a fixed mix of RandomSpec plates (mixed wear, bands, fonts).
func benchSpecs(b *testing.B, r *Renderer, n int) []Spec {
	rng := rand.New(rand.NewPCG(42, 1))
	specs := make([]Spec, n)
	for i := range specs {
		specs[i] = RandomSpec(rng, randomMark(rng), r.Fonts())
	}
	return specs
}

// BenchmarkRender renders a fixed mix of RandomSpec plates (mixed wear,
// bands, fonts, layouts) at crop scales (0.25 and 0.5 px/mm: a one-line
// plate 130x28 or 260x56 pixels) and at 1 and 2 px/mm.
//
//	go test ./sim/plate -run '^$' -bench Render -benchmem
func BenchmarkRender(b *testing.B) {
	r := testRenderer(b)
	specs := benchSpecs(b, r, 256)
	for _, scale := range []float64{0.25, 0.5, 1, 2} {
		b.Run(fmt.Sprintf("pxPerMM=%g", scale), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := r.Render(specs[i%len(specs)], scale, rng); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkRenderClean is the floor: a clean one-line plate, no wear.
func BenchmarkRenderClean(b *testing.B) {
	r := testRenderer(b)
	s := Spec{Text: "AB12 CDE", Side: Rear}
	for _, scale := range []float64{0.5, 2} {
		b.Run(fmt.Sprintf("pxPerMM=%g", scale), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(s, scale, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
