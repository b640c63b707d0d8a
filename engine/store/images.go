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
)

// Images keeps the JPEG images reads refer to (plate patches, overviews) as
// files under one directory, each named by the SHA-256 of its bytes: the
// ref. A ref therefore says what the image must contain, and Get checks it.
// The files fan out two levels by the ref's first four hex digits
// (ab/cd/abcd....jpg), so no directory grows past a few thousand entries
// until there are hundreds of millions of images.
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

// RefLen is the length of a ref: a SHA-256 in lower-case hex.
const RefLen = 2 * sha256.Size

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

// CheckRef reports whether ref is a well-formed image ref: exactly RefLen
// lower-case hex digits, so that it can name no file but its own (no
// separators, no "..", nothing absolute).
func CheckRef(ref string) error {
	if len(ref) != RefLen {
		return invalid("image ref %q is %d bytes long, not %d", truncate(ref, RefLen+8), len(ref), RefLen)
	}
	for i := 0; i < len(ref); i++ {
		if c := ref[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return invalid("image ref %q: byte %d (%q) is not a lower-case hex digit", ref, i, c)
		}
	}
	return nil
}

// Put stores a JPEG image and returns its ref. Storing the same bytes again
// returns the same ref and writes nothing. When Put returns, the image is on
// disk (synced).
func (im *Images) Put(jpeg []byte) (string, error) {
	if len(jpeg) > MaxImageSize {
		return "", fmt.Errorf("put image: %w", invalid("image is %d bytes, over the limit of %d", len(jpeg), MaxImageSize))
	}
	if !bytes.HasPrefix(jpeg, []byte{0xff, 0xd8, 0xff}) {
		return "", fmt.Errorf("put image: %w", invalid("not a JPEG: it does not start with the JPEG start-of-image marker"))
	}
	sum := sha256.Sum256(jpeg)
	ref := hex.EncodeToString(sum[:])
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
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ref {
		return nil, fmt.Errorf("get image %s: the file's contents do not match its ref: damaged or altered", ref)
	}
	return data, nil
}

// path is where a well-formed ref's image lives.
func (im *Images) path(ref string) string {
	return filepath.Join(im.dir, ref[0:2], ref[2:4], ref+".jpg")
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
