package main

import (
	"anpr/engine/detect"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gocv.io/x/gocv"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"anpr/engine/ocr"
	"anpr/engine/recognise"
)

// readLine is one line of `anpr read` output.
type readLine struct {
	File      string      `json:"file"`
	Plates    []plateRead `json:"plates"`
	ElapsedMS float64     `json:"elapsed_ms"`
	Error     string      `json:"error,omitempty"`
}

type plateRead = recognise.Plate

// Where make models installs the plate readers and detector: the reader of
// the detector's cuts of frames, and the reader of images that are plate
// patches already (roadside photos, a camera's own plate images).
var (
	defaultReaderModel      = filepath.Join("fixtures", "models", "reader.onnx")
	defaultPatchReaderModel = filepath.Join("fixtures", "models", "patch-reader.onnx")
	defaultDetectorModel    = filepath.Join("fixtures", "models", "detector.onnx")
)

// modelManifest is the part of fixtures/models/manifest.json read here.
type modelManifest struct {
	Models map[string]struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	} `json:"models"`
}

func newReadCommand() *cobra.Command {
	var (
		crop                            bool
		modelPath, patchModel, detModel string
		threshold, minConf              float64
		maxPixels                       int
		maxBytes                        int64
	)
	cmd := &cobra.Command{
		Use:   "read [--crop] FILE... | -",
		Short: "Read the plates in images, one JSON line per image",
		Long: `Read number plates in image files and print one JSON line per input:

  {"file": ..., "plates": [{"text": ..., "confidence": ..., "box": [x,y,w,h],
   "polygon": ..., "chars": [...], "format": ..., "valid": ...}], "elapsed_ms": ...}

Each image is a camera frame in which every plate is found and read, best
first. Each plate also has "colour" (white front, yellow rear, unknown in
infrared), "layout" (one-line or two-line) and "detection_score".
--crop says each image is already a plate patch, as a camera's plate finder
or a roadside photo gives it: detection is skipped, and the patch reader
(--patch-model) reads it. Without it, an image too
small to be a camera frame (at most 800 x 400, plate-shaped) in which no plate
is found is read whole as a patch, and its plate says "whole_image": true. With - the file names
come on standard input, one per line, all read by this one process.

A file that cannot be read gets "error" in its line and the run goes on; the
exit code is then 2.`,
		Example: `  anpr read frame.jpg
  anpr read --crop plate.jpg
  find crops -name '*.jpg' | anpr read --crop -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := detect.CheckThreshold(threshold); err != nil {
				return badInput("--%v", err)
			}
			if crop && cmd.Flags().Changed("model") {
				return badInput("--crop images are read by --patch-model; --model is the reader of the plates the detector finds")
			}
			var readOne func(gocv.Mat) ([]plateRead, error)
			if crop {
				reader, err := ocr.Open(patchModel, ocr.Options{SHA256: manifestSHA(patchModel)})
				if err != nil {
					return err
				}
				defer reader.Close()
				readOne = func(img gocv.Mat) ([]plateRead, error) {
					p, err := recognise.ReadCrop(reader, img)
					return []plateRead{p}, err
				}
			} else {
				rec, err := recognise.Open(recognise.Options{
					DetectorModel: detModel, DetectorSHA256: manifestSHA(detModel),
					ReaderModel: modelPath, ReaderSHA256: manifestSHA(modelPath),
					PatchReaderModel: patchModel, PatchReaderSHA256: manifestSHA(patchModel), Threshold: threshold, MinConfidence: minConf})
				if err != nil {
					return err
				}
				defer rec.Close()
				readOne = rec.RecogniseImage
			}
			out := json.NewEncoder(cmd.OutOrStdout())
			out.SetEscapeHTML(false)
			failed := 0
			each := func(file string) error {
				line := readFile(readOne, file, maxPixels, maxBytes)
				if line.Error != "" {
					failed++
				}
				return out.Encode(line)
			}
			if len(args) == 1 && args[0] == "-" {
				sc := bufio.NewScanner(cmd.InOrStdin())
				sc.Buffer(make([]byte, 64<<10), 1<<20)
				for sc.Scan() {
					if name := strings.TrimSpace(sc.Text()); name != "" {
						if err := each(name); err != nil {
							return err
						}
					}
				}
				if err := sc.Err(); err != nil {
					return fmt.Errorf("read file names from stdin: %w", err)
				}
			} else {
				for _, f := range args {
					if err := each(f); err != nil {
						return err
					}
				}
			}
			if failed > 0 {
				return badInput("%d input(s) could not be read (see their \"error\")", failed)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&crop, "crop", false, "each image is a plate crop: skip detection")
	f.StringVar(&modelPath, "model", defaultReaderModel, "reader model (ONNX) of the plates the detector finds")
	f.StringVar(&patchModel, "patch-model", defaultPatchReaderModel, "reader model (ONNX) of images that are plate patches (--crop, small images read whole)")
	f.StringVar(&detModel, "detector-model", defaultDetectorModel, "plate detector model (ONNX)")
	f.Float64Var(&threshold, "threshold", detect.DefaultThreshold, "least detection score reported as a plate")
	f.Float64Var(&minConf, "min-confidence", recognise.DefaultMinConfidence, "least read confidence for a detection to count as a plate (negative: keep all)")
	f.IntVar(&maxPixels, "max-pixels", 50_000_000, "refuse images larger than this many pixels")
	f.Int64Var(&maxBytes, "max-bytes", 64<<20, "refuse image files larger than this")
	return cmd
}

// manifestSHA finds the model's expected hash in the manifest beside it.
func manifestSHA(modelPath string) string {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(modelPath), "manifest.json"))
	if err != nil {
		return ""
	}
	var m modelManifest
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	for _, e := range m.Models {
		if e.File == filepath.Base(modelPath) {
			return e.SHA256
		}
	}
	return ""
}

// readFile reads one image file; problems go into the line's error.
func readFile(readOne func(gocv.Mat) ([]plateRead, error), file string, maxPixels int, maxBytes int64) readLine {
	start := time.Now()
	line := readLine{File: file, Plates: []plateRead{}}
	img, err := loadImage(file, maxPixels, maxBytes)
	if err != nil {
		line.Error = err.Error()
		return line
	}
	defer img.Close()
	plates, err := readOne(img)
	if err != nil {
		line.Error = fmt.Sprintf("%s: %v", file, err)
		return line
	}
	line.Plates = append(line.Plates, plates...)
	line.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return line
}

// loadImage reads an image file, checking its size from the header before
// decoding so that an oversized image is refused without being allocated.
func loadImage(file string, maxPixels int, maxBytes int64) (gocv.Mat, error) {
	f, err := os.Open(file)
	if err != nil {
		return gocv.NewMat(), err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return gocv.NewMat(), err
	}
	if st.IsDir() {
		return gocv.NewMat(), fmt.Errorf("%s is a directory", file)
	}
	if st.Size() > maxBytes {
		return gocv.NewMat(), fmt.Errorf("%s: %d bytes, over the %d-byte limit", file, st.Size(), maxBytes)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("%s: %w", file, err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("%s: not a readable image (JPEG, PNG, GIF, BMP, TIFF or WebP): %v", file, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return gocv.NewMat(), fmt.Errorf("%s: %dx%d %s image, over the %d-pixel limit", file, cfg.Width, cfg.Height, format, maxPixels)
	}
	m, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil || m.Empty() {
		m.Close()
		return gocv.NewMat(), fmt.Errorf("%s: %s image could not be decoded (truncated or corrupt?)", file, format)
	}
	return m, nil
}
