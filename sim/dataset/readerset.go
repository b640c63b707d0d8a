package dataset

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gocv.io/x/gocv"

	"anpr/engine/ocr"
	"anpr/sim/scene"
)

// A reader training set is what the plate reader learns from: crops already
// through ocr.Preprocess, packed for fast loading by the training script.
const (
	ReaderImages     = "images.u8"      // N x InputHeight x InputWidth grey bytes
	ReaderLabels     = "labels.txt"     // one plate text a line
	ReaderConditions = "conditions.txt" // one condition name a line
	ReaderMeta       = "meta.json"      // written last: the set is complete
)

// ReaderMetaInfo is the content of meta.json.
type ReaderMetaInfo struct {
	Count     int    `json:"count"`
	Height    int    `json:"height"`
	Width     int    `json:"width"`
	Seed      uint64 `json:"seed"`
	Condition string `json:"condition"`
	// SplitLines: crops went through ocr.PreprocessLines (two-line plates
	// side by side), for the CTC reader, instead of ocr.Preprocess.
	SplitLines bool `json:"split_lines"`
	// PlateMix names the plate.Mix the plates were drawn from when it was
	// not the road's.
	PlateMix string `json:"plate_mix,omitempty"`
	// Occluded is the share of plates drawn with a tow bar or bike rack in
	// front, when the set was made with one (scene.Options.Occluded).
	Occluded float64 `json:"occluded,omitempty"`
	// LetteringCut is the share of crops cut to the lettering
	// (scene.Options.LetteringCut), when the set was made with one.
	LetteringCut float64 `json:"lettering_cut,omitempty"`
	// EnginePatches: the images are plates cut from camera frames as the
	// engine cuts them (WriteEnginePatchSet), Frames of them, not crops.
	EnginePatches bool      `json:"engine_patches,omitempty"`
	Frames        int       `json:"frames,omitempty"`
	Made          time.Time `json:"made"`
}

// readerSample is what one rendered image gives a reader set: its
// preprocessed patches (a crop gives one; a frame none or several), all
// labelled with the image's plate and condition.
type readerSample struct {
	patches         [][]byte
	plate, condName string
}

// WriteReaderSet renders q.Count crops and writes them as a reader training
// set. Each crop goes through a JPEG round trip at its condition's quality,
// as a written crop would, so compression is part of what is learnt.
func WriteReaderSet(ctx context.Context, r *scene.Renderer, q Request) error {
	q.Kind = scene.KindCrop
	return writeReaderFiles(ctx, q, func(i int) (readerSample, error) { return renderReaderSample(r, q, i) })
}

// writeReaderFiles renders q.Count samples with render and writes their
// patches as a reader set, meta.json last.
func writeReaderFiles(ctx context.Context, q Request, render func(i int) (readerSample, error)) error {
	if err := q.Check(); err != nil {
		return err
	}
	if err := prepareDir(q.Dir, ReaderMeta); err != nil {
		return err
	}
	var files []*os.File
	var writers []*bufio.Writer
	for _, name := range []string{ReaderImages, ReaderLabels, ReaderConditions} {
		f, err := os.Create(filepath.Join(q.Dir, name+".partial"))
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		defer os.Remove(f.Name()) // a no-op once renamed
		defer f.Close()
		files = append(files, f)
		writers = append(writers, bufio.NewWriterSize(f, 1<<20))
	}
	written := 0
	err := renderOrdered(ctx, q, render,
		func(_ int, s readerSample) error {
			for _, p := range s.patches {
				if _, err := writers[0].Write(p); err != nil {
					return err
				}
				if _, err := fmt.Fprintln(writers[1], s.plate); err != nil {
					return err
				}
				if _, err := fmt.Fprintln(writers[2], s.condName); err != nil {
					return err
				}
				written++
			}
			return nil
		})
	for i, w := range writers {
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = ferr
		}
		if cerr := files[i].Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	for _, name := range []string{ReaderImages, ReaderLabels, ReaderConditions} {
		if err := os.Rename(filepath.Join(q.Dir, name+".partial"), filepath.Join(q.Dir, name)); err != nil {
			return err
		}
	}
	info := ReaderMetaInfo{Count: written, Height: ocr.InputHeight, Width: ocr.InputWidth,
		Seed: q.Seed, Condition: q.Condition, SplitLines: q.SplitLines, PlateMix: q.PlateMix, Occluded: q.Occluded, LetteringCut: q.LetteringCut, Made: time.Now().UTC()}
	if q.Kind == scene.KindScene {
		info.EnginePatches, info.Frames = true, q.Count
	}
	meta, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(q.Dir, ReaderMeta), append(meta, '\n'), 0o644)
}

func renderReaderSample(r *scene.Renderer, q Request, i int) (readerSample, error) {
	crop, label, err := RenderWrittenCrop(r, q.Condition, scene.ImageSeed(q.Seed, i))
	if err != nil {
		return readerSample{}, fmt.Errorf("image %d: %w", i, err)
	}
	defer crop.Close()
	pixels, err := readerInput(crop, q.SplitLines)
	if err != nil {
		return readerSample{}, fmt.Errorf("image %d: %w", i, err)
	}
	return readerSample{patches: [][]byte{pixels}, plate: label.Plate, condName: label.Condition.Name}, nil
}

// readerInput is a patch through the reader's preprocessing.
func readerInput(patch gocv.Mat, splitLines bool) ([]byte, error) {
	preprocess := ocr.Preprocess
	if splitLines {
		preprocess = ocr.PreprocessLines
	}
	in, err := preprocess(patch)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return in.ToBytes(), nil
}

// RenderWrittenCrop renders a crop as a written file holds it (see
// RenderWritten). The caller closes the image.
func RenderWrittenCrop(r *scene.Renderer, condition string, seed uint64) (gocv.Mat, scene.Label, error) {
	return RenderWritten(r, scene.KindCrop, condition, seed)
}
