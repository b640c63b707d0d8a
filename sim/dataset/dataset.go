// Package dataset writes labelled sets of rendered images to a directory:
// the images, and labels.jsonl holding the truth for each, one JSON object a
// line in image order.
//
// labels.jsonl appears only when every image is written, so a set that was
// interrupted never looks complete.
package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"gocv.io/x/gocv"

	"anpr/internal/cvthreads"
	"anpr/sim/scene"
)

// LabelsFile is the name of the truth file in a set's directory.
const LabelsFile = "labels.jsonl"

// Request is one set to render.
type Request struct {
	Kind      scene.Kind
	Condition string // a named condition or "mixed"
	Count     int
	Seed      uint64
	Dir       string
	Workers   int // 0: one per CPU
	// SplitLines (reader sets): preprocess with ocr.PreprocessLines, as the
	// CTC reader reads, instead of ocr.Preprocess.
	SplitLines bool
	// PlateMix names the plate.Mix the renderer draws from (recorded in
	// reader sets' meta.json); "" is plate.RoadMix.
	PlateMix string
	// Occluded is the renderer's Occluded share (recorded in a reader set's
	// meta.json); 0 when the conditions drew occlusions as usual.
	Occluded float64
	// LetteringCut is the renderer's LetteringCut share (recorded in a
	// reader set's meta.json): crops cut to the lettering.
	LetteringCut float64
	// Progress, when set, is called after each image with the number done.
	Progress func(done int)
}

// ErrBadRequest marks problems with the request itself rather than with
// rendering or writing.
var ErrBadRequest = errors.New("bad request")

// workers is how many goroutines render the request: Workers, or one per
// CPU when that is zero.
func (q Request) workers() int {
	if q.Workers > 0 {
		return q.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Check validates a request without rendering anything.
func (q Request) Check() error {
	if q.Kind != scene.KindScene && q.Kind != scene.KindCrop && q.Kind != scene.KindEmpty {
		return fmt.Errorf("%w: kind %q: want %s, %s or %s", ErrBadRequest, q.Kind, scene.KindCrop, scene.KindScene, scene.KindEmpty)
	}
	if q.Count <= 0 {
		return fmt.Errorf("%w: count must be at least 1, got %d", ErrBadRequest, q.Count)
	}
	if err := scene.CheckCondition(q.Condition); err != nil {
		return fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if q.Dir == "" {
		return fmt.Errorf("%w: no output directory given", ErrBadRequest)
	}
	return nil
}

// prepareDir makes the directory and proves it writable before any work,
// and removes the old completion marker (the file written last) so a failed
// run cannot be mistaken for a finished one.
func prepareDir(dir, marker string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: output directory %s: %v", ErrBadRequest, dir, err)
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("%w: output directory %s is not writable: %v", ErrBadRequest, dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	if err := os.Remove(filepath.Join(dir, marker)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove old %s: %w", marker, err)
	}
	return nil
}

// Write renders the set and writes it to q.Dir.
func Write(ctx context.Context, r *scene.Renderer, q Request) error {
	if err := q.Check(); err != nil {
		return err
	}
	if err := prepareDir(q.Dir, LabelsFile); err != nil {
		return err
	}
	partial := filepath.Join(q.Dir, LabelsFile+".partial")
	f, err := os.Create(partial)
	if err != nil {
		return fmt.Errorf("create %s: %w", partial, err)
	}
	defer os.Remove(partial) // a no-op once renamed
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	err = renderOrdered(ctx, q,
		func(i int) (scene.Label, error) { return renderOne(r, q, i) },
		func(_ int, l scene.Label) error { return enc.Encode(l) })
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write labels: %w", ferr)
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write labels: %w", cerr)
	}
	if err != nil {
		return err
	}
	return os.Rename(partial, filepath.Join(q.Dir, LabelsFile))
}

// renderOrdered renders images 0..q.Count-1 on q.Workers goroutines and
// hands each result to deliver in index order, whatever order they finish
// in. The first error stops the run.
func renderOrdered[T any](ctx context.Context, q Request, render func(i int) (T, error), deliver func(i int, v T) error) error {
	workers := q.workers()
	// One image per worker at a time; OpenCV's own pool would only fight
	// the workers for the same cores.
	cvthreads.Set(1)
	defer cvthreads.Set(0)

	type result struct {
		index int
		value T
		err   error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				v, err := render(i)
				select {
				case results <- result{i, v, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; i < q.Count; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pending := map[int]T{}
	next := 0
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	for res := range results {
		if res.err != nil {
			fail(res.err)
			continue
		}
		pending[res.index] = res.value
		for firstErr == nil {
			v, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if err := deliver(next, v); err != nil {
				fail(fmt.Errorf("image %d: %w", next, err))
				break
			}
			next++
			if q.Progress != nil {
				q.Progress(next)
			}
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr == nil && next != q.Count {
		firstErr = fmt.Errorf("only %d of %d images were rendered", next, q.Count)
	}
	return firstErr
}

// FileName is the name of image i in a set.
func FileName(kind scene.Kind, i int) string { return fmt.Sprintf("%s-%06d.jpg", kind, i) }

func renderOne(r *scene.Renderer, q Request, i int) (scene.Label, error) {
	s, err := r.Render(q.Kind, q.Condition, scene.ImageSeed(q.Seed, i))
	if err != nil {
		return scene.Label{}, fmt.Errorf("image %d: %w", i, err)
	}
	defer s.Image.Close()
	s.Label.File = FileName(q.Kind, i)
	if err := writeJPEG(filepath.Join(q.Dir, s.Label.File), s.Image, s.Label.Condition.JPEG); err != nil {
		return scene.Label{}, fmt.Errorf("image %d: %w", i, err)
	}
	return s.Label, nil
}

// writeJPEG encodes at the camera's own quality; the compression is part of
// the condition, not an afterthought. The file is renamed into place so a
// reader never sees half an image.
func writeJPEG(path string, m gocv.Mat, quality int) error {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	defer buf.Close()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.GetBytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}
