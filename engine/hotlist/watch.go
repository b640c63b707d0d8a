package hotlist

import (
	"context"
	"os"
	"time"
)

// Watch keeps the named list loaded from the file at path: it loads it at
// once, then polls the file's modification time and size every interval
// and reloads when they change. A change is loaded only once the file has
// stayed the same for one whole interval, so that a file caught half
// written is not loaded as a short list; writers should still replace the
// file by renaming a complete one over it. Every load, and every failure to
// see the file, is reported as by LoadFile (a failure once until it
// changes); a refused load keeps the version in force and is not retried
// until the file changes again. Watch returns nil when ctx is done.
func (h *Hotlists) Watch(ctx context.Context, name, path string, interval time.Duration) error {
	w := watcher{h: h, name: name, path: path}
	w.poll(ctx, true)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			w.poll(ctx, false)
		}
	}
}

// stamp is what a poll sees of a file.
type stamp struct {
	mod  time.Time
	size int64
}

type watcher struct {
	h          *Hotlists
	name, path string

	loaded    stamp // the file as last loaded (or refused)
	hasLoaded bool
	seen      stamp // the file at the last poll
	lastErr   string
}

func (w *watcher) poll(ctx context.Context, first bool) {
	fi, err := os.Stat(w.path)
	if err != nil {
		if err.Error() != w.lastErr {
			w.lastErr = err.Error()
			w.h.refuse(w.name, w.path, err)
		}
		w.seen = stamp{}
		return
	}
	w.lastErr = ""
	now := stamp{fi.ModTime(), fi.Size()}
	settled := now == w.seen
	w.seen = now
	if w.hasLoaded && now == w.loaded || !first && !settled {
		return
	}
	w.loaded, w.hasLoaded = now, true
	w.h.LoadFile(ctx, w.name, w.path) // reported through OnLoad and the log
}
