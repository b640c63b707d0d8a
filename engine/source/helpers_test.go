package source

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// guard bounds every wait in these tests. It only stops a broken source
// hanging the run; no test passes or fails on how fast anything is.
const guard = 30 * time.Second

// testOptions are fast-retrying options that keep the test log quiet.
func testOptions() Options {
	return Options{
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond,
		Logger:     slog.New(slog.DiscardHandler),
	}
}

// solid returns a w x h BGR picture of one grey level.
func solid(w, h int, grey float64) gocv.Mat {
	return gocv.NewMatWithSizeFromScalar(gocv.NewScalar(grey, grey, grey, 0), h, w, gocv.MatTypeCV8UC3)
}

// encode returns a w x h picture of one grey level encoded as ext (".jpg",
// ".png", ...).
func encode(t testing.TB, ext gocv.FileExt, w, h int, grey float64) []byte {
	t.Helper()
	img := solid(w, h, grey)
	defer img.Close()
	buf, err := gocv.IMEncode(ext, img)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

// encodeNoise returns a w x h picture of random pixels encoded as ext, big
// enough that most of a JPEG is its scan data rather than its headers.
func encodeNoise(t testing.TB, ext gocv.FileExt, w, h int) []byte {
	t.Helper()
	img := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer img.Close()
	gocv.RandU(&img, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(255, 255, 255, 0))
	buf, err := gocv.IMEncode(ext, img)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// collect reads frames until the source ends.
func collect(t testing.TB, s Source) []Frame {
	t.Helper()
	var frames []Frame
	timeout := time.After(guard)
	for {
		select {
		case f, ok := <-s.Frames():
			if !ok {
				return frames
			}
			frames = append(frames, f)
		case <-timeout:
			t.Fatalf("source did not end; %d frames so far", len(frames))
		}
	}
}

func closeAll(frames []Frame) {
	for _, f := range frames {
		f.Image.Close()
	}
}

// waitFor polls cond until it holds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(guard); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// meanGrey is the average of a picture's first channel.
func meanGrey(img gocv.Mat) float64 {
	return img.Mean().Val1
}
