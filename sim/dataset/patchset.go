package dataset

import (
	"context"
	"fmt"

	"anpr/engine/detect"
	"anpr/engine/recognise"
	"anpr/sim/scene"
)

// WriteEnginePatchSet writes a reader training set of what the engine
// hands its reader: q.Count camera frames rendered (as written files hold
// them), the plate found in each by the detector, and cut out upright
// along the detected polygon with each of recognise.Cuts, so the set
// holds the detector's errors (corners short of the plate's ends, shapes
// off) as the engine meets them. Crops (WriteReaderSet) are cut around the
// true plate instead, as roadside photos are. A frame whose plate the
// detector misses (it overlaps no detection by IoU 0.3) gives nothing; the
// set's meta.json counts patches and frames.
func WriteEnginePatchSet(ctx context.Context, r *scene.Renderer, q Request, openDetector func() (*detect.Detector, error)) error {
	q.Kind = scene.KindScene
	if err := q.Check(); err != nil {
		return err
	}
	// One detector for each of renderOrdered's workers: a detector serves
	// one frame at a time.
	workers := q.workers()
	detectors := make(chan *detect.Detector, workers)
	opened := 0
	defer func() {
		// Every detector comes back, from a worker still finishing a frame
		// after an error too, before it is closed.
		for ; opened > 0; opened-- {
			(<-detectors).Close()
		}
	}()
	for ; opened < workers; opened++ {
		d, err := openDetector()
		if err != nil {
			return err
		}
		detectors <- d
	}
	return writeReaderFiles(ctx, q, func(i int) (readerSample, error) {
		d := <-detectors
		defer func() { detectors <- d }()
		return renderEnginePatches(r, d, q, i)
	})
}

func renderEnginePatches(r *scene.Renderer, d *detect.Detector, q Request, i int) (readerSample, error) {
	frame, label, err := RenderWritten(r, scene.KindScene, q.Condition, scene.ImageSeed(q.Seed, i))
	if err != nil {
		return readerSample{}, fmt.Errorf("frame %d: %w", i, err)
	}
	defer frame.Close()
	found, err := d.Detect(frame)
	if err != nil {
		return readerSample{}, fmt.Errorf("frame %d: %w", i, err)
	}
	s := readerSample{plate: label.Plate, condName: label.Condition.Name}
	best := plateDetection(found, label)
	if best < 0 {
		return s, nil
	}
	for _, m := range recognise.Cuts {
		patch, ok := recognise.RectifyWith(frame, found[best].Polygon, m)
		if !ok {
			continue // the engine reads the box then; crops teach that
		}
		pixels, err := readerInput(patch, q.SplitLines)
		patch.Close()
		if err != nil {
			return readerSample{}, fmt.Errorf("frame %d: %w", i, err)
		}
		s.patches = append(s.patches, pixels)
	}
	return s, nil
}

// plateDetection is the index of the detection that is the frame's plate,
// the one overlapping it most by IoU 0.3 or more (as the harness scores
// a plate found), or -1 when the detector missed it.
func plateDetection(found []detect.Plate, label scene.Label) int {
	best, bestIoU := -1, 0.3
	for k, f := range found {
		if iou := detect.IoU(f.Box, label.PlateRect()); iou >= bestIoU {
			best, bestIoU = k, iou
		}
	}
	return best
}
