package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Images keeps the JPEG images reads refer to (plate patches, overviews) as
// files under one directory, by the day their read was captured and the
// SHA-256 of their bytes: the ref is "YYYYMMDD-<sha256 hex>". A ref
// therefore says what the image must contain, and Get checks it; and
// retention can take a whole day's images at once (DeleteDaysBefore). Each
// day fans out by the hash's first two hex digits (20261130/ab/ab....jpg):
// a force's day is a few thousand files a directory; a national store's
// (about 100 million images a day) would be some 400,000, and wants a
// deeper fan-out before it is used at that scale.
//
// Images is safe for concurrent use, also by several processes: every file
// is written whole under a temporary name and renamed into place.
type Images struct {
	dir string
}

// MaxImageSize is the largest image Put takes. National specifications put
// an overview at about 25 KB; this leaves room for higher-resolution
// cameras.
const MaxImageSize = 4 << 20

// RefLen is the length of a ref: the capture day (YYYYMMDD), '-', and a
// SHA-256 in lower-case hex.
const RefLen = dayLen + 1 + 2*sha256.Size

const dayLen = len("20060102")

// OpenImages returns the image store in dir, creating dir if it is missing.
func OpenImages(dir string) (*Images, error) {
	if dir == "" {
		return nil, fmt.Errorf("open images: %w", invalid("directory is empty"))
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open images: %w", err)
	}
	return &Images{dir: dir}, nil
}

// CheckRef reports whether ref is a well-formed image ref: a day
// (YYYYMMDD), '-', and 64 lower-case hex digits, so that it can name no
// file but its own (no separators, no "..", nothing absolute).
func CheckRef(ref string) error {
	if len(ref) != RefLen {
		return invalid("image ref %q is %d bytes long, not %d", truncate(ref, RefLen+8), len(ref), RefLen)
	}
	if _, err := time.Parse("20060102", ref[:dayLen]); err != nil || ref[dayLen] != '-' {
		return invalid("image ref %q does not start with a day, YYYYMMDD-", ref)
	}
	for i := dayLen + 1; i < len(ref); i++ {
		if c := ref[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return invalid("image ref %q: byte %d (%q) is not a lower-case hex digit", ref, i, c)
		}
	}
	return nil
}

// Put stores a JPEG image of a read captured at captured and returns its
// ref. Storing the same bytes for the same day again returns the same ref
// and writes nothing. When Put returns, the image is on disk (synced).
func (im *Images) Put(jpeg []byte, captured time.Time) (string, error) {
	if len(jpeg) > MaxImageSize {
		return "", fmt.Errorf("put image: %w", invalid("image is %d bytes, over the limit of %d", len(jpeg), MaxImageSize))
	}
	if !bytes.HasPrefix(jpeg, []byte{0xff, 0xd8, 0xff}) {
		return "", fmt.Errorf("put image: %w", invalid("not a JPEG: it does not start with the JPEG start-of-image marker"))
	}
	if captured.IsZero() {
		return "", fmt.Errorf("put image: %w", invalid("no capture time: images are kept by the day of their read"))
	}
	sum := sha256.Sum256(jpeg)
	ref := captured.UTC().Format("20060102") + "-" + hex.EncodeToString(sum[:])
	path := im.path(ref)
	if _, err := os.Stat(path); err == nil {
		return ref, nil
	}
	if err := im.makeDirs(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("put image %s: %w", ref, err)
	}
	if err := writeAtomic(path, jpeg); err != nil {
		return "", fmt.Errorf("put image %s: %w", ref, err)
	}
	return ref, nil
}

// Get returns the image ref names. A malformed ref is refused without
// touching the disk; a missing image gives an error wrapping
// fs.ErrNotExist; an image whose bytes no longer hash to its ref (damaged or
// altered on disk) gives an error, not the bytes.
func (im *Images) Get(ref string) ([]byte, error) {
	if err := CheckRef(ref); err != nil {
		return nil, fmt.Errorf("get image: %w", err)
	}
	data, err := os.ReadFile(im.path(ref))
	if err != nil {
		return nil, fmt.Errorf("get image %s: %w", ref, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ref[dayLen+1:] {
		return nil, fmt.Errorf("get image %s: the file's contents do not match its ref: damaged or altered", ref)
	}
	return data, nil
}

// path is where a well-formed ref's image lives.
func (im *Images) path(ref string) string {
	hash := ref[dayLen+1:]
	return filepath.Join(im.dir, ref[:dayLen], hash[:2], hash+".jpg")
}

// DeleteDaysBefore deletes the images of every day before the day of
// cutoff (UTC), except those keep says to keep (images of alerts, which are
// kept longer than reads), and returns how many it deleted. The cutoff's
// own day is left whole: its images go with the next day's run, at most a
// day after their reads.
func (im *Images) DeleteDaysBefore(cutoff time.Time, keep func(ref string) bool) (int, error) {
	before := cutoff.UTC().Format("20060102")
	days, err := os.ReadDir(im.dir)
	if err != nil {
		return 0, fmt.Errorf("delete images: %w", err)
	}
	deleted := 0
	for _, day := range days {
		name := day.Name()
		if !day.IsDir() || len(name) != dayLen || name >= before {
			continue
		}
		if _, err := time.Parse("20060102", name); err != nil {
			continue
		}
		n, err := im.deleteDay(name, keep)
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("delete images of %s: %w", name, err)
		}
	}
	return deleted, nil
}

func (im *Images) deleteDay(day string, keep func(string) bool) (int, error) {
	deleted := 0
	root := filepath.Join(im.dir, day)
	// Several processes may run retention over one shared store (the
	// writers of a deployment): what another has removed is not an error.
	fans, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	for _, fan := range fans {
		dir := filepath.Join(root, fan.Name())
		files, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return deleted, err
		}
		for _, f := range files {
			hash, ok := strings.CutSuffix(f.Name(), ".jpg")
			if ok && keep != nil && keep(day+"-"+hash) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, f.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return deleted, err
			}
			if ok {
				deleted++
			}
		}
		os.Remove(dir) // only if empty: kept images keep their directory
	}
	os.Remove(root)
	return deleted, nil
}

// makeDirs makes the fan-out directories of an image, syncing the parent of
// each one it creates so that a new directory is not lost with the image in
// it.
func (im *Images) makeDirs(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	mid := filepath.Dir(dir)
	for _, d := range []string{mid, dir} {
		if err := os.Mkdir(d, 0o750); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic writes data to path so that path either does not exist or
// holds all of data, even across a crash: a synced temporary file in the
// same directory, renamed over path, then the directory synced so the
// rename itself is durable.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".put-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}
