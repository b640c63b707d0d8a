package source

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // header sizes for the pixel limit
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gocv.io/x/gocv"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// imageCandidates lists a directory's regular files in name order, leaving
// out subdirectories and hidden files (such as .DS_Store).
func imageCandidates(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files = append(files, filepath.Join(dir, e.Name()))
	}
	return files, nil
}

// readImageFile decodes one image file into a Frame, or a Frame with Err
// saying what was wrong with the file.
func (s *src) readImageFile(path string) Frame {
	f := Frame{Name: path}
	info, err := os.Stat(path)
	if err != nil {
		f.Err = err
		return f
	}
	f.Captured = info.ModTime()
	switch {
	case !info.Mode().IsRegular():
		f.Err = fmt.Errorf("%s: not a regular file", path)
		return f
	case info.Size() == 0:
		f.Err = fmt.Errorf("%s: empty file", path)
		return f
	case info.Size() > s.opts.MaxBytes:
		f.Err = fmt.Errorf("%s: %d bytes, over the %d-byte limit", path, info.Size(), s.opts.MaxBytes)
		return f
	}
	data, err := readAtMost(path, s.opts.MaxBytes)
	if err != nil {
		f.Err = err
		return f
	}
	f.Image, err = decodeImage(data, s.opts.MaxPixels)
	if err != nil {
		f.Err = fmt.Errorf("%s: %w", path, err)
	}
	return f
}

// readAtMost reads a file, failing if it has grown past limit since it was
// looked at.
func readAtMost(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: over the %d-byte limit", path, limit)
	}
	return data, nil
}

// decodeImage decodes an encoded image into an 8-bit BGR Mat. It checks the
// pixel limit from the header first for JPEG, PNG, GIF, BMP, TIFF and WebP,
// so an oversized one is never decoded, and after decoding for other formats
// OpenCV reads. Truncated JPEG and PNG data is refused: OpenCV would decode
// it as a picture with a grey lower part and only a warning.
func decodeImage(data []byte, maxPixels int) (gocv.Mat, error) {
	if len(data) == 0 {
		return gocv.Mat{}, errors.New("empty")
	}
	cfg, format, headerErr := image.DecodeConfig(bytes.NewReader(data))
	if headerErr == nil {
		if err := checkPixels(cfg.Width, cfg.Height, maxPixels); err != nil {
			return gocv.Mat{}, err
		}
	}
	// Otherwise the format is one Go does not know or a feature it does not
	// support (arithmetic-coded JPEG, say); OpenCV may still read it, and the
	// pixel limit is checked after decoding.
	img, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("decode: %w", err)
	}
	if img.Empty() {
		img.Close()
		switch {
		case format == "":
			return gocv.Mat{}, errors.New("not an image, or corrupt")
		case headerErr != nil:
			return gocv.Mat{}, fmt.Errorf("corrupt %s image: %w", format, headerErr)
		default:
			return gocv.Mat{}, fmt.Errorf("corrupt %s image", format)
		}
	}
	if err := checkComplete(format, data); err != nil {
		img.Close()
		return gocv.Mat{}, err
	}
	if err := checkPixels(img.Cols(), img.Rows(), maxPixels); err != nil {
		img.Close()
		return gocv.Mat{}, err
	}
	return img, nil
}

func checkPixels(w, h, maxPixels int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image is %dx%d", w, h)
	}
	if n := int64(w) * int64(h); n > int64(maxPixels) {
		return fmt.Errorf("image %dx%d is %s, over the limit of %s", w, h, pixels(n), pixels(int64(maxPixels)))
	}
	return nil
}

// pixels writes a pixel count in megapixels when it is large enough for
// that to read well.
func pixels(n int64) string {
	if n < 100_000 {
		return strconv.FormatInt(n, 10) + " pixels"
	}
	return strconv.FormatFloat(float64(n/100_000)/10, 'f', -1, 64) + " megapixels"
}

var (
	jpegSOS = []byte{0xFF, 0xDA}
	jpegEOI = []byte{0xFF, 0xD9}
	pngIEND = []byte("IEND")
)

// checkComplete refuses JPEG data whose last scan has no end-of-image marker
// after it and PNG data with no IEND chunk near its end. Both markers cannot
// occur by chance inside a JPEG's entropy-coded data (0xFF is byte-stuffed
// there); an EXIF thumbnail's own markers come before the main scan.
func checkComplete(format string, data []byte) error {
	switch format {
	case "jpeg":
		sos := bytes.LastIndex(data, jpegSOS)
		if sos < 0 || bytes.LastIndex(data, jpegEOI) < sos {
			return errors.New("truncated JPEG (no end-of-image marker)")
		}
	case "png":
		tail := data[max(0, len(data)-64):]
		if !bytes.Contains(tail, pngIEND) {
			return errors.New("truncated PNG (no IEND chunk)")
		}
	}
	return nil
}
