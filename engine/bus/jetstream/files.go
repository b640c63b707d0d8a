package jetstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"

	"anpr/engine/bus"

	"github.com/nats-io/nats.go/jetstream"
)

var _ bus.Files = (*Bus)(nil)

// files returns the bus's object store, PREFIX_FILES, making it the first
// time. Objects are kept on disk, replicated as the reads stream is, and
// never expire: a matcher that starts a year on still finds the lists.
func (b *Bus) files(ctx context.Context) (jetstream.ObjectStore, error) {
	b.filesMu.Lock()
	defer b.filesMu.Unlock()
	if b.objects != nil {
		return b.objects, nil
	}
	replicas := max(1, b.opts.FilesReplicas)
	if b.opts.FilesReplicas == 0 {
		for _, s := range b.opts.Streams {
			replicas = max(replicas, s.Replicas)
		}
	}
	os, err := b.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      b.filesBucket(),
		Description: "anpr: files every process reads (hotlists)",
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", b.filesBucket(), err)
	}
	b.objects = os
	return os, nil
}

func (b *Bus) filesBucket() string { return strings.ToUpper(b.opts.Prefix + "_files") }

// PutFile stores a file in the bus's object store, in chunks, and returns
// once the server holds them all; see bus.Files. A file is replaced
// whole: a watcher sees the old one or the new, never part of each.
func (b *Bus) PutFile(ctx context.Context, name string, r io.Reader, meta map[string]string) error {
	if err := bus.CheckName("file", name); err != nil {
		return fmt.Errorf("put file: %w", err)
	}
	os, err := b.files(ctx)
	if err != nil {
		return fmt.Errorf("put file %s: %w", name, err)
	}
	if _, err := os.Put(ctx, jetstream.ObjectMeta{Name: name, Metadata: maps.Clone(meta)}, r); err != nil {
		return fmt.Errorf("put file %s: %w", name, err)
	}
	return nil
}

// WatchFiles watches the bus's object store; see bus.Files. Each file is
// read from the server as fn reads it, and checked against its digest at
// the end: fn sees an error from r if it was damaged on the way.
func (b *Bus) WatchFiles(ctx context.Context, fn func(ctx context.Context, f *bus.FileInfo, r io.Reader) error) error {
	os, err := b.files(ctx)
	if err != nil {
		return fmt.Errorf("watch files: %w", err)
	}
	w, err := os.Watch(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("watch files: %w", err)
	}
	defer w.Stop()
	for {
		var info *jetstream.ObjectInfo
		var ok bool
		select {
		case info, ok = <-w.Updates():
		case <-ctx.Done():
			return fmt.Errorf("watch files: %w", ctx.Err())
		case <-b.closed:
			return fmt.Errorf("watch files: %w", bus.ErrClosed)
		}
		if !ok {
			return fmt.Errorf("watch files: %w", bus.ErrClosed)
		}
		if info == nil {
			if err := fn(ctx, nil, nil); err != nil {
				return err
			}
			continue
		}
		if err := b.handOver(ctx, os, info, fn); err != nil {
			return err
		}
	}
}

// handOver fetches the file info describes and hands it to fn. A file
// deleted or replaced since the watch saw it is handed over as it is now,
// or not at all.
func (b *Bus) handOver(ctx context.Context, os jetstream.ObjectStore, info *jetstream.ObjectInfo, fn func(context.Context, *bus.FileInfo, io.Reader) error) error {
	res, err := os.Get(ctx, info.Name)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("watch files: get %s: %w", info.Name, err)
	}
	defer res.Close()
	now, err := res.Info()
	if err != nil {
		return fmt.Errorf("watch files: get %s: %w", info.Name, err)
	}
	return fn(ctx, &bus.FileInfo{Name: now.Name, Meta: maps.Clone(now.Metadata), Size: int64(now.Size), Put: now.ModTime, Digest: now.Digest}, res)
}
