package display

import (
	"fmt"
	"testing"
	"time"
)

// Rendering must keep ahead of the screen: one picture per Show.
func BenchmarkRender(b *testing.B) {
	r, err := NewRenderer(asOf)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	screen := Screen{Width: 1920, Height: 1080, PxPerMM: 3.6}
	for _, cond := range []string{Clean, "night-ir"} {
		p, err := NewPlan(Config{Count: 64, Seed: 1, Condition: cond, AsOf: asOf})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(cond, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := r.Render(p, i%len(p.Items), screen); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A day's bench test: 10,000 items, each read once and a tenth twice.
func BenchmarkScore(b *testing.B) {
	var truth []Shown
	var reads []Read
	for i := range 10000 {
		on := t0.Add(time.Duration(i) * 3 * time.Second)
		plate := fmt.Sprintf("AB%02dC%02d", i%100, i/100)
		truth = append(truth, Shown{Seq: i, Plate: plate, Condition: "clean", ShownAt: on, HiddenAt: on.Add(2 * time.Second)})
		reads = append(reads, Read{Text: plate, Captured: on.Add(400 * time.Millisecond), Confidence: 0.9})
		if i%10 == 0 {
			reads = append(reads, Read{Text: plate, Captured: on.Add(1200 * time.Millisecond), Confidence: 0.8})
		}
	}
	for b.Loop() {
		Score(truth, reads, 2*time.Second)
	}
}
