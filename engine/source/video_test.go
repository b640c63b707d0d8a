package source

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// writeVideo writes n frames of rising grey levels as an MJPG AVI at fps,
// which OpenCV's built-in writer can do without FFmpeg.
func writeVideo(t *testing.T, path string, n int, fps float64) {
	t.Helper()
	vw, err := gocv.VideoWriterFile(path, "MJPG", fps, 64, 48, true)
	if err != nil {
		t.Fatal(err)
	}
	defer vw.Close()
	for i := range n {
		img := solid(64, 48, float64(20*i))
		err := vw.Write(img)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVideoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lane1.avi")
	const n, fps = 10, 25.0
	writeVideo(t, path, n, fps)

	opened := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	opts := testOptions()
	opts.Clock = func() time.Time { return opened }
	src, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames := collect(t, src)
	defer closeAll(frames)

	if len(frames) != n {
		t.Fatalf("%d frames, want %d", len(frames), n)
	}
	frameTime := time.Duration(float64(time.Second) / fps)
	for i, f := range frames {
		if f.Err != nil {
			t.Fatalf("frame %d: %v", i, f.Err)
		}
		if grey := meanGrey(f.Image); math.Abs(grey-float64(20*i)) > 3 {
			t.Errorf("frame %d has grey %.1f, want about %d (frames out of order?)", i, grey, 20*i)
		}
		// Capture times follow the video's own timeline from Open.
		want := opened.Add(time.Duration(i) * frameTime)
		if d := f.Captured.Sub(want); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("frame %d captured %v, want %v", i, f.Captured.Sub(opened), want.Sub(opened))
		}
		if i > 0 && !f.Captured.After(frames[i-1].Captured) {
			t.Errorf("frame %d capture time does not increase", i)
		}
		if wantName := path + "#" + strconv.Itoa(i); f.Name != wantName {
			t.Errorf("frame %d Name %q, want %q", i, f.Name, wantName)
		}
	}
	if st := src.Stats(); st.Frames != n || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestVideoFileOpenCVCannotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.mp4")
	writeFile(t, path, []byte(strings.Repeat("not a video ", 100)))
	src, err := Open(context.Background(), path, testOptions())
	if err == nil {
		src.Close()
		t.Fatal("Open succeeded on a file that is not a video")
	}
	if !strings.Contains(err.Error(), "broken.mp4") {
		t.Errorf("error %q does not name the file", err)
	}
}
