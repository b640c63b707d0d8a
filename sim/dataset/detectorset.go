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

	"anpr/engine/detect"
	"anpr/sim/scene"
)

// A detector training set is what the plate detector learns from: whole
// frames already through detect.Preprocess, with where their plates are.
const (
	DetectorImages = "frames.u8"    // N x detect.InputHeight x detect.InputWidth grey bytes
	DetectorLabels = "plates.jsonl" // one DetectorLabel a line
	DetectorMeta   = "meta.json"    // written last: the set is complete
)

// DetectorLabel is where the plates of one frame are, in detector input
// pixels.
type DetectorLabel struct {
	// Polygon is the plate's corners clockwise from top-left; absent on
	// frames with no plate.
	Polygon   *[4][2]float64 `json:"polygon,omitempty"`
	CharPx    float64        `json:"char_px,omitempty"` // character height in the full frame
	Ignore    [][4]float64   `json:"ignore,omitempty"`  // x, y, w, h: unreadable plates, neither plate nor background
	Condition string         `json:"condition"`
}

// DetectorMetaInfo is the content of meta.json.
type DetectorMetaInfo struct {
	Count      int       `json:"count"`
	Height     int       `json:"height"`
	Width      int       `json:"width"`
	Seed       uint64    `json:"seed"`
	Condition  string    `json:"condition"`
	EmptyShare float64   `json:"empty_share"`
	Made       time.Time `json:"made"`
}

type detectorSample struct {
	pixels []byte
	label  DetectorLabel
}

// DetectorSceneOptions are the renderer's options for detector training
// frames: plates from 10 px characters, a little below the smallest the
// detector must find (16 px), so the edge of its range is learnt too.
func DetectorSceneOptions(asOf time.Time) scene.Options {
	return scene.Options{AsOf: asOf, MinCharPx: 10, MaxCharPx: 90}
}

// WriteDetectorSet renders q.Count frames, emptyShare of them with no
// plate, and writes them as a detector training set. Each frame goes
// through a JPEG round trip at its condition's quality, as camera frames do.
func WriteDetectorSet(ctx context.Context, r *scene.Renderer, q Request, emptyShare float64) error {
	q.Kind = scene.KindScene
	if err := q.Check(); err != nil {
		return err
	}
	if emptyShare < 0 || emptyShare > 1 {
		return fmt.Errorf("%w: empty share %g: want 0..1", ErrBadRequest, emptyShare)
	}
	if err := prepareDir(q.Dir, DetectorMeta); err != nil {
		return err
	}
	var files []*os.File
	var writers []*bufio.Writer
	for _, name := range []string{DetectorImages, DetectorLabels} {
		f, err := os.Create(filepath.Join(q.Dir, name+".partial"))
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		defer os.Remove(f.Name()) // a no-op once renamed
		defer f.Close()
		files = append(files, f)
		writers = append(writers, bufio.NewWriterSize(f, 1<<20))
	}
	enc := json.NewEncoder(writers[1])
	// Every k-th frame is empty, spread evenly through the set.
	emptyEvery := 0
	if emptyShare > 0 {
		emptyEvery = int(1/emptyShare + 0.5)
	}
	err := renderOrdered(ctx, q,
		func(i int) (detectorSample, error) {
			kind := scene.KindScene
			if emptyEvery > 0 && i%emptyEvery == emptyEvery-1 {
				kind = scene.KindEmpty
			}
			return renderDetectorSample(r, q, kind, i)
		},
		func(_ int, s detectorSample) error {
			if _, err := writers[0].Write(s.pixels); err != nil {
				return err
			}
			return enc.Encode(s.label)
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
	for _, name := range []string{DetectorImages, DetectorLabels} {
		if err := os.Rename(filepath.Join(q.Dir, name+".partial"), filepath.Join(q.Dir, name)); err != nil {
			return err
		}
	}
	meta, err := json.MarshalIndent(DetectorMetaInfo{Count: q.Count, Height: detect.InputHeight, Width: detect.InputWidth,
		Seed: q.Seed, Condition: q.Condition, EmptyShare: emptyShare, Made: time.Now().UTC()}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(q.Dir, DetectorMeta), append(meta, '\n'), 0o644)
}

func renderDetectorSample(r *scene.Renderer, q Request, kind scene.Kind, i int) (detectorSample, error) {
	frame, label, err := RenderWritten(r, kind, q.Condition, scene.ImageSeed(q.Seed, i))
	if err != nil {
		return detectorSample{}, fmt.Errorf("image %d: %w", i, err)
	}
	defer frame.Close()
	in, scale, err := detect.Preprocess(frame)
	if err != nil {
		return detectorSample{}, fmt.Errorf("image %d: %w", i, err)
	}
	defer in.Close()
	dl := DetectorLabel{Condition: label.Condition.Name}
	if label.Plate != "" {
		var p [4][2]float64
		for k, c := range label.Polygon {
			p[k] = [2]float64{round2(c[0] * scale), round2(c[1] * scale)}
		}
		dl.Polygon, dl.CharPx = &p, label.Camera.CharHeightPx
	}
	for _, o := range label.OtherPlates {
		dl.Ignore = append(dl.Ignore, [4]float64{round2(float64(o[0]) * scale), round2(float64(o[1]) * scale),
			round2(float64(o[2]) * scale), round2(float64(o[3]) * scale)})
	}
	return detectorSample{pixels: in.ToBytes(), label: dl}, nil
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

// RenderWritten renders an image of the given kind and passes it through a
// JPEG round trip at its condition's quality: the image exactly as a
// written file holds it, without the file. The caller closes the image.
func RenderWritten(r *scene.Renderer, kind scene.Kind, condition string, seed uint64) (gocv.Mat, scene.Label, error) {
	s, err := r.Render(kind, condition, seed)
	if err != nil {
		return gocv.NewMat(), scene.Label{}, err
	}
	defer s.Image.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, s.Image, []int{gocv.IMWriteJpegQuality, s.Label.Condition.JPEG})
	if err != nil {
		return gocv.NewMat(), scene.Label{}, fmt.Errorf("encode: %w", err)
	}
	defer buf.Close()
	decoded, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadUnchanged)
	if err != nil {
		return gocv.NewMat(), scene.Label{}, fmt.Errorf("decode: %w", err)
	}
	return decoded, s.Label, nil
}
