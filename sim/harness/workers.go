package harness

import (
	"context"
	"runtime"
	"sync"

	"anpr/internal/cvthreads"
	"anpr/sim/scene"
)

// runWorkers does every job on workers goroutines (one per CPU when 0),
// each with a model of its own from open, OpenCV held to one thread per
// worker so that timings are per core. It stops at the first error or
// when ctx ends. Outcomes come in no particular order.
func runWorkers[J any, M interface{ Close() error }, O any](ctx context.Context, jobs []J, workers int,
	open func() (M, error), do func(M, J) (O, error)) ([]O, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	cvthreads.Set(1)
	defer cvthreads.Set(0)

	var (
		mu       sync.Mutex
		outcomes []O
		firstErr error
		next     int
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		m, err := open()
		if err != nil {
			mu.Lock()
			firstErr = err // stops the workers already started
			mu.Unlock()
			wg.Wait()
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer m.Close()
			for {
				mu.Lock()
				if next >= len(jobs) || firstErr != nil || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				j := jobs[next]
				next++
				mu.Unlock()
				o, err := do(m, j)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				outcomes = append(outcomes, o)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return outcomes, ctx.Err()
}

// conditionSeed is one image to render: its condition and seed.
type conditionSeed struct {
	condition string
	seed      uint64
}

// conditionSeeds lists count images of condition, or of every condition
// for EachCondition, each condition with seeds of its own derived from seed.
func conditionSeeds(condition string, count int, seed uint64) ([]conditionSeed, error) {
	conditions := []string{condition}
	if condition == EachCondition {
		conditions = scene.ConditionNames()
	} else if err := scene.CheckCondition(condition); err != nil {
		return nil, err
	}
	var out []conditionSeed
	for ci, c := range conditions {
		for i := 0; i < count; i++ {
			out = append(out, conditionSeed{c, scene.ImageSeed(seed+uint64(ci)*1_000_003, i)})
		}
	}
	return out, nil
}
