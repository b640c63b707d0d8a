package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// day is when the reads of the test images were captured.
var day = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// jpeg returns bytes that start as a JPEG does, different for each seed.
func jpeg(seed string) []byte {
	return append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte("patch "+seed)...)
}

func TestImagesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	im, err := OpenImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := jpeg("AB12CDE")
	ref, err := im.Put(data, day)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRef(ref); err != nil {
		t.Errorf("Put returned a malformed ref: %v", err)
	}
	got, err := im.Get(ref)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("Get(%s) = %q, %v; want the bytes put", ref, got, err)
	}
	// The file is where the fan-out says, and no temporary file is left.
	want := filepath.Join(dir, ref[:8], ref[9:11], ref[9:]+".jpg")
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if len(files) != 1 || files[0] != want {
		t.Errorf("files under the store = %v, want just %s", files, want)
	}
	// The same bytes again: the same ref, still one file.
	if ref2, err := im.Put(bytes.Clone(data), day); err != nil || ref2 != ref {
		t.Errorf("Put of the same bytes = %s, %v; want %s", ref2, err, ref)
	}
	// Other bytes, another ref; both readable after reopening.
	ref3, err := im.Put(jpeg("XY12ZZZ"), day)
	if err != nil || ref3 == ref {
		t.Fatalf("Put of other bytes = %s, %v", ref3, err)
	}
	im, err = OpenImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{ref, ref3} {
		if _, err := im.Get(r); err != nil {
			t.Errorf("after reopening, Get(%s): %v", r, err)
		}
	}
}

func TestImagesRefuseBadRefs(t *testing.T) {
	dir := t.TempDir()
	im, err := OpenImages(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	// A file outside the store that a path trick would reach.
	secret := filepath.Join(dir, "secret.jpg")
	os.WriteFile(secret, jpeg("secret"), 0o600)
	good, _ := im.Put(jpeg("x"), day)
	bad := []string{
		"",
		"../secret.jpg",
		"../../secret",
		secret,
		"/etc/passwd",
		good[:8] + "/" + good[9:11] + "/" + good[:58],
		strings.ToUpper(good),
		good[:63],
		good + "0",
		good + ".jpg",
		good[:62] + "/.",
		good[:60] + "%2f..",
		good[:63] + "\x00",
		strings.Repeat(".", 64),
		strings.Repeat("g", 64),
	}
	for _, ref := range bad {
		if _, err := im.Get(ref); !errors.Is(err, ErrInvalid) {
			t.Errorf("Get(%q) = %v, want a refusal wrapping ErrInvalid", ref, err)
		}
		if err := CheckRef(ref); err == nil {
			t.Errorf("CheckRef(%q) accepted it", ref)
		}
	}
	missing := "20261130-" + strings.Repeat("0", 64)
	if _, err := im.Get(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get of a well-formed ref with no image = %v, want fs.ErrNotExist", err)
	}
}

func TestImagesRefusePut(t *testing.T) {
	im, err := OpenImages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"PNG":       []byte("\x89PNG\r\n\x1a\n...."),
		"too large": append(jpeg("big"), make([]byte, MaxImageSize)...),
	} {
		if ref, err := im.Put(data, day); !errors.Is(err, ErrInvalid) {
			t.Errorf("Put(%s) = %q, %v; want a refusal", name, ref, err)
		}
	}
}

// An image altered on disk is not returned as if it were the one stored.
func TestImagesDetectAlteration(t *testing.T) {
	dir := t.TempDir()
	im, _ := OpenImages(dir)
	ref, err := im.Put(jpeg("evidence"), day)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ref[:8], ref[9:11], ref[9:]+".jpg")
	if err := os.WriteFile(path, jpeg("altered!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := im.Get(ref); err == nil {
		t.Errorf("Get of an altered image returned %q and no error", data)
	}
}

func TestImagesConcurrentPut(t *testing.T) {
	dir := t.TempDir()
	im, _ := OpenImages(dir)
	var wg sync.WaitGroup
	refs := make([]string, 16)
	for i := range refs {
		wg.Go(func() {
			ref, err := im.Put(jpeg([]string{"same", "other"}[i%2]), day)
			if err != nil {
				t.Error(err)
			}
			refs[i] = ref
		})
	}
	wg.Wait()
	for i, ref := range refs {
		if ref != refs[i%2] {
			t.Errorf("Put %d gave %s, want %s", i, ref, refs[i%2])
		}
		if _, err := im.Get(ref); err != nil {
			t.Error(err)
		}
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*"))
	if len(entries) != 2 {
		t.Errorf("%d files under the store, want 2 (temporary files left?): %v", len(entries), entries)
	}
}

// Retention takes whole days of images, keeps the ones asked for (an
// alert's), and leaves the cutoff's own day and later days alone.
func TestImagesDeleteDaysBefore(t *testing.T) {
	im, err := OpenImages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old1, _ := im.Put(jpeg("old read"), day.AddDate(0, 0, -3))
	old2, _ := im.Put(jpeg("old alert"), day.AddDate(0, 0, -3))
	edge, _ := im.Put(jpeg("cutoff day"), day.Add(-time.Hour))
	recent, _ := im.Put(jpeg("recent"), day.AddDate(0, 0, 1))
	n, err := im.DeleteDaysBefore(day, func(ref string) bool { return ref == old2 })
	if err != nil || n != 1 {
		t.Fatalf("DeleteDaysBefore = %d, %v; want 1 deleted", n, err)
	}
	if _, err := im.Get(old1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old read's image still there: %v", err)
	}
	for _, ref := range []string{old2, edge, recent} {
		if _, err := im.Get(ref); err != nil {
			t.Errorf("image %s was to be kept: %v", ref, err)
		}
	}
}
