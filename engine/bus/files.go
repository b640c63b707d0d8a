package bus

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Files keeps named files that every process of a deployment reads: the
// hotlists, put by whichever process loads a new version and watched by
// every matcher. Implementations are safe for concurrent use.
type Files interface {
	// PutFile stores the file name, read from r to its end, in place of
	// any earlier one, with meta, and returns when the bus holds all of
	// it. name is as CheckName allows.
	PutFile(ctx context.Context, name string, r io.Reader, meta map[string]string) error

	// WatchFiles calls fn with each file held when it starts, then with
	// nil once it has seen them all, then with each file put from then
	// on, until ctx ends (it returns ctx's error) or the bus fails for
	// good. fn reads the file's contents from r, and is called for one
	// file at a time. A file put again and again quickly may be seen
	// once, as last put; never as a mix of two. An error from fn ends the
	// watch and is returned.
	WatchFiles(ctx context.Context, fn func(ctx context.Context, f *FileInfo, r io.Reader) error) error
}

// FileInfo describes a file as put.
type FileInfo struct {
	Name   string
	Meta   map[string]string
	Size   int64
	Put    time.Time // when the bus took it
	Digest string    // identifies the contents: the same digest, the same bytes
}

// memFile is a file the in-process bus holds.
type memFile struct {
	info FileInfo
	data []byte
	seq  uint64 // when it was put, in the order of puts
}

var _ Files = (*Memory)(nil)

// PutFile stores a file in memory; see Files.
func (m *Memory) PutFile(ctx context.Context, name string, r io.Reader, meta map[string]string) error {
	if err := CheckName("file", name); err != nil {
		return fmt.Errorf("put file: %w", err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("put file %s: %w", name, err)
	}
	sum := sha256.Sum256(data)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("put file %s: %w", name, ErrClosed)
	}
	if m.files == nil {
		m.files = map[string]*memFile{}
		m.filesChanged = make(chan struct{})
	}
	m.fileSeq++
	m.files[name] = &memFile{seq: m.fileSeq, data: data, info: FileInfo{Name: name, Meta: maps.Clone(meta), Size: int64(len(data)),
		Put: m.opts.Now(), Digest: "sha256:" + hex.EncodeToString(sum[:])}}
	close(m.filesChanged)
	m.filesChanged = make(chan struct{})
	return nil
}

// WatchFiles watches the files held in memory; see Files.
func (m *Memory) WatchFiles(ctx context.Context, fn func(ctx context.Context, f *FileInfo, r io.Reader) error) error {
	var seen uint64 // every put up to this one has been handed to fn
	caughtUp := false
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return fmt.Errorf("watch files: %w", ErrClosed)
		}
		if m.filesChanged == nil {
			m.files = map[string]*memFile{}
			m.filesChanged = make(chan struct{})
		}
		var next []*memFile
		for _, f := range m.files {
			if f.seq > seen {
				next = append(next, f)
			}
		}
		changed := m.filesChanged
		m.mu.Unlock()
		slices.SortFunc(next, func(a, b *memFile) int { return cmp.Compare(a.seq, b.seq) })
		for _, f := range next {
			info := f.info
			info.Meta = maps.Clone(f.info.Meta)
			if err := fn(ctx, &info, bytes.NewReader(f.data)); err != nil {
				return err
			}
			seen = f.seq
		}
		if !caughtUp {
			caughtUp = true
			if err := fn(ctx, nil, nil); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("watch files: %w", ctx.Err())
		case <-m.done:
		}
	}
}
