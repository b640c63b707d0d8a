package role

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"sync"

	"anpr/engine/bus"
	"anpr/engine/hotlist"
)

// PublishHotlist puts a version of the named hotlist on the bus, for every
// matcher's HotlistReplica to load. Load the list locally first
// (hotlist.Hotlists.Load, which reports rejected rows and refuses a bad
// file) and publish the same bytes once it is accepted: a matcher refusing
// a list keeps the version it had, and says so in its own log. by says who
// published it (user@host); matchers record it with each load.
func PublishHotlist(ctx context.Context, files bus.Files, name string, format hotlist.Format, r io.Reader, by string) error {
	if format != hotlist.CSV && format != hotlist.JSON {
		return fmt.Errorf("publish hotlist %s: format %v is not CSV or JSON", name, format)
	}
	if err := files.PutFile(ctx, name, r, map[string]string{formatKey: format.String(), publishedByKey: by}); err != nil {
		return fmt.Errorf("publish hotlist %s: %w", name, err)
	}
	return nil
}

// File metadata of a published hotlist: its format, and who published it.
const (
	formatKey      = "format"
	publishedByKey = "published-by"
)

// HotlistReplicaConfig configures a HotlistReplica.
type HotlistReplicaConfig struct {
	// Files is where the hotlists are published: the bus. Required.
	Files bus.Files
	// Hotlists is the matcher's lists, which the replica loads into:
	// required. Its OnLoad hook sees every load, as for a file loaded
	// locally.
	Hotlists *hotlist.Hotlists
	// Log takes what goes wrong; nil: slog.Default().
	Log *slog.Logger
}

// HotlistReplica keeps a matcher's hotlists the same as the deployment's:
// it loads every list published on the bus (PublishHotlist), as it stands
// when the replica starts and again each time a new version is
// published, and each load is swapped in atomically while matching goes
// on (hotlist.Hotlists.Load). A version the matcher refuses (too many bad
// rows) leaves the one in force, as a local load does.
type HotlistReplica struct {
	cfg HotlistReplicaConfig

	ready     chan struct{}
	readyOnce sync.Once

	mu     sync.Mutex
	loaded map[string]string // the digest of the version of each list in force
}

// NewHotlistReplica returns a replica; Run starts it.
func NewHotlistReplica(cfg HotlistReplicaConfig) (*HotlistReplica, error) {
	if cfg.Files == nil || cfg.Hotlists == nil {
		return nil, errors.New("new hotlist replica: no files or no hotlists")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &HotlistReplica{cfg: cfg, ready: make(chan struct{}), loaded: map[string]string{}}, nil
}

// Ready is closed once the replica has loaded (or refused) every list
// published before it started: give it to the matcher
// (MatcherConfig.WaitFor), so that no read is matched against lists not
// yet there.
func (h *HotlistReplica) Ready() <-chan struct{} { return h.ready }

// Run loads lists as they are published until ctx ends, when it returns
// nil, or the bus fails for good.
func (h *HotlistReplica) Run(ctx context.Context) error {
	err := h.cfg.Files.WatchFiles(ctx, func(ctx context.Context, f *bus.FileInfo, r io.Reader) error {
		if f == nil {
			h.readyOnce.Do(func() { close(h.ready) })
			h.cfg.Log.Info("hotlists replicated", "lists", len(h.versions()))
			return nil
		}
		h.load(ctx, f, r)
		return nil
	})
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("hotlist replica: %w", err)
}

// load loads one published list, unless the version in force is the same.
func (h *HotlistReplica) load(ctx context.Context, f *bus.FileInfo, r io.Reader) {
	if h.versions()[f.Name] == f.Digest {
		return
	}
	format, err := hotlist.FormatOf("published." + f.Meta[formatKey])
	if err != nil {
		h.cfg.Log.Error("published hotlist not loaded: its format is not known", "list", f.Name, "format", f.Meta[formatKey])
		return
	}
	// The source names the published version and its publisher, for the
	// matcher's load report and audit log.
	source := "published " + f.Name + " (" + f.Digest + ")"
	if by := f.Meta[publishedByKey]; by != "" {
		source += " by " + by
	}
	rep, err := h.cfg.Hotlists.LoadFrom(ctx, f.Name, source, r, format)
	if err != nil {
		// The version in force stays; Load has logged and reported why.
		h.cfg.Log.Error("published hotlist refused", "list", f.Name, "digest", f.Digest, "err", err)
		return
	}
	h.mu.Lock()
	h.loaded[f.Name] = f.Digest
	h.mu.Unlock()
	h.cfg.Log.Info("published hotlist loaded", "list", f.Name, "version", rep.Version, "entries", rep.Accepted, "rejected", rep.RejectedRows, "took", rep.Took)
}

func (h *HotlistReplica) versions() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.loaded)
}
