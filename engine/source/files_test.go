package source

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

func TestImageFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "car.jpg")
	writeFile(t, path, encode(t, gocv.JPEGFileExt, 64, 48, 200))
	taken := time.Date(2025, 3, 14, 8, 30, 0, 0, time.UTC)
	if err := os.Chtimes(path, taken, taken); err != nil {
		t.Fatal(err)
	}

	src, err := Open(context.Background(), path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames := collect(t, src)
	defer closeAll(frames)

	if len(frames) != 1 {
		t.Fatalf("%d frames, want 1", len(frames))
	}
	f := frames[0]
	if f.Err != nil {
		t.Fatal(f.Err)
	}
	if f.Image.Cols() != 64 || f.Image.Rows() != 48 || f.Image.Channels() != 3 {
		t.Errorf("image %dx%d with %d channels, want 64x48 BGR", f.Image.Cols(), f.Image.Rows(), f.Image.Channels())
	}
	if !f.Captured.Equal(taken) {
		t.Errorf("Captured %v, want the file's modification time %v", f.Captured, taken)
	}
	if f.Name != path {
		t.Errorf("Name %q, want %q", f.Name, path)
	}
	if st := src.Stats(); st.Frames != 1 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestDirectoryReportsBadFilesAndCarriesOn(t *testing.T) {
	dir := t.TempDir()
	good := encodeNoise(t, gocv.JPEGFileExt, 96, 64)
	corrupt := append([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11}, []byte(strings.Repeat("rubbish ", 200))...)
	writeFile(t, filepath.Join(dir, "a_good.jpg"), good)
	writeFile(t, filepath.Join(dir, "b_corrupt.jpg"), corrupt)
	writeFile(t, filepath.Join(dir, "c_truncated.jpg"), good[:len(good)/2])
	writeFile(t, filepath.Join(dir, "d_empty.jpg"), nil)
	writeFile(t, filepath.Join(dir, "e_notes.txt"), []byte("not a picture\n"))
	writeFile(t, filepath.Join(dir, "f_big.png"), encode(t, gocv.PNGFileExt, 200, 100, 50))
	writeFile(t, filepath.Join(dir, "g_good.png"), encode(t, gocv.PNGFileExt, 32, 32, 150))
	writeFile(t, filepath.Join(dir, ".DS_Store"), []byte("hidden"))
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub", "h_nested.jpg"), good)

	opts := testOptions()
	opts.MaxPixels = 10_000 // f_big.png's 20,000 pixels are over it
	src, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames := collect(t, src)
	defer closeAll(frames)

	want := []struct {
		file    string
		errText string // "" for a good frame
	}{
		{"a_good.jpg", ""},
		{"b_corrupt.jpg", "corrupt"},
		{"c_truncated.jpg", "truncated JPEG"},
		{"d_empty.jpg", "empty"},
		{"e_notes.txt", "not an image"},
		{"f_big.png", "image 200x100 is 20000 pixels, over the limit of 10000 pixels"},
		{"g_good.png", ""},
	}
	if len(frames) != len(want) {
		names := make([]string, len(frames))
		for i, f := range frames {
			names[i] = f.Name
		}
		t.Fatalf("got frames %v, want %d", names, len(want))
	}
	for i, w := range want {
		f := frames[i]
		if filepath.Base(f.Name) != w.file {
			t.Errorf("frame %d is %s, want %s", i, f.Name, w.file)
		}
		if f.Seq != uint64(i) {
			t.Errorf("%s: Seq %d, want %d", w.file, f.Seq, i)
		}
		switch {
		case w.errText == "" && f.Err != nil:
			t.Errorf("%s: unexpected error %v", w.file, f.Err)
		case w.errText == "" && f.Image.Empty():
			t.Errorf("%s: no image", w.file)
		case w.errText != "" && (f.Err == nil || !strings.Contains(f.Err.Error(), w.errText)):
			t.Errorf("%s: error %v, want one containing %q", w.file, f.Err, w.errText)
		case w.errText != "" && !f.Image.Empty():
			t.Errorf("%s: has an image as well as an error", w.file)
		}
	}
	if st := src.Stats(); st.Frames != 2 || st.Errors != 5 || st.Dropped != 0 {
		t.Errorf("stats %+v, want 2 frames and 5 errors", st)
	}
}

func TestOversizedErrorSpeaksMegapixels(t *testing.T) {
	err := checkPixels(12000, 9000, 50_000_000)
	want := "image 12000x9000 is 108 megapixels, over the limit of 50 megapixels"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestOfflineSourceWaitsForSlowConsumer(t *testing.T) {
	dir := t.TempDir()
	const n = 12
	for i := range n {
		writeFile(t, filepath.Join(dir, string(rune('a'+i))+".png"), encode(t, gocv.PNGFileExt, 8, 8, float64(i*10)))
	}
	opts := testOptions()
	opts.Buffer = 2
	src, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	waitFor(t, "the queue to fill", func() bool { return len(src.Frames()) == 2 })
	frames := collect(t, src)
	defer closeAll(frames)
	if len(frames) != n {
		t.Errorf("%d frames, want all %d", len(frames), n)
	}
	for i, f := range frames {
		if got := meanGrey(f.Image); got != float64(i*10) {
			t.Errorf("frame %d has grey %v, want %d", i, got, i*10)
		}
	}
	if st := src.Stats(); st.Dropped != 0 {
		t.Errorf("an offline source dropped %d frames", st.Dropped)
	}
}

func TestCloseStopsAnOfflineSourceEarly(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		writeFile(t, filepath.Join(dir, string(rune('a'+i))+".png"), encode(t, gocv.PNGFileExt, 8, 8, 0))
	}
	opts := testOptions()
	opts.Buffer = 1
	src, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	f := <-src.Frames()
	f.Image.Close()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-src.Frames(); ok {
		t.Error("Frames still open after Close")
	}
	src.Close() // a second Close is harmless
}

func TestCancelledContextEndsSource(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		writeFile(t, filepath.Join(dir, string(rune('a'+i))+".png"), encode(t, gocv.PNGFileExt, 8, 8, 0))
	}
	ctx, cancel := context.WithCancel(context.Background())
	opts := testOptions()
	opts.Buffer = 1
	src, err := Open(ctx, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cancel()
	frames := collect(t, src) // ends although nobody read the rest
	closeAll(frames)
	if len(frames) >= 10 {
		t.Errorf("read all %d frames after cancel", len(frames))
	}
}

func TestOpenRefusesBadSpecs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		spec    string
		want    string
		notFind string // must not appear (a password)
	}{
		{spec: filepath.Join(dir, "missing.jpg"), want: "no such file"},
		{spec: filepath.Join(dir, "missing-dir") + "/", want: "no such file"},
		{spec: "ftp://user:secret@camera.example/live", want: `unsupported scheme "ftp"`, notFind: "secret"},
		{spec: "http://", want: "not a valid URL"},
		{spec: "v4l2:front", want: "want a device number"},
		{spec: "/dev/videoX", want: "want a device number"},
	}
	for _, tt := range tests {
		src, err := Open(context.Background(), tt.spec, testOptions())
		if err == nil {
			src.Close()
			t.Errorf("Open(%q) succeeded", tt.spec)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q): %v, want %q in it", tt.spec, err, tt.want)
		}
		if tt.notFind != "" && strings.Contains(err.Error(), tt.notFind) {
			t.Errorf("Open(%q): error %q shows %q", tt.spec, err, tt.notFind)
		}
	}
	_, err := Open(context.Background(), filepath.Join(dir, "missing.jpg"), testOptions())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v is not fs.ErrNotExist", err)
	}
}
