package hotlist

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"anpr/engine/vrm"
)

// DefaultMaxBadShare is the share of rejected rows above which a file is
// refused whole unless Options says otherwise.
const DefaultMaxBadShare = 0.2

// DefaultMaxConfusions is how many confused characters a confusion match
// may have unless Options says otherwise. Against national lists of
// millions of marks each extra place allowed multiplies the hits on
// vehicles that are not on any list (see `anpr bench match`), while a
// misread plate mostly has one character wrong.
const DefaultMaxConfusions = 1

// MaxReportedRows is how many rejected rows a LoadReport lists one by one;
// RejectedRows counts them all.
const MaxReportedRows = 1000

// Options configures Hotlists. The zero value is usable: the embedded
// confusion model and vocabularies, no one-edit matching, and files refused
// when more than DefaultMaxBadShare of their rows are bad.
type Options struct {
	// Confusions is the confusion model for confusion matching; nil means
	// vrm.DefaultConfusions().
	Confusions *vrm.ConfusionModel
	// MaxConfusions is the most places a confusion match may differ at; 0
	// means DefaultMaxConfusions.
	MaxConfusions int
	// OneEditPriority turns on one-edit matching for the high-priority
	// entries only: those of this priority or more urgent (1 is the most
	// urgent). 0 turns it off. Reads one edit from any mark are common, so
	// it is kept to the lists where a missed vehicle costs most (firearms,
	// a missing person at risk).
	OneEditPriority int
	// MaxBadShare is the share of rejected rows above which a file is
	// refused whole and the previous version stays in force; 0 means
	// DefaultMaxBadShare, 1 or more never refuses for bad rows.
	MaxBadShare float64
	// Markers and Lists are the markers and source lists rows may name; nil
	// means those in the embedded data/markers.txt and data/lists.txt.
	Markers, Lists []string
	// OnLoad, if set, is called with the report of every load, accepted or
	// refused, after any swap: the hook for the audit log. It runs on the
	// loading goroutine and must not call Load.
	OnLoad func(LoadReport)
	// Logger logs loads; nil logs nothing.
	Logger *slog.Logger
	// Now is the clock for load times; nil means time.Now.
	Now func() time.Time
}

// Hotlists holds any number of named hotlists and matches reads against all
// of them. Each load builds a new version of one list beside the one in
// force and swaps it in atomically: Match never waits for a load and always
// sees a whole version of every list. It is safe for concurrent use.
type Hotlists struct {
	opts    Options
	cls     *classes
	markers *vocabulary
	lists   *vocabulary
	log     *slog.Logger

	loadMu   sync.Mutex        // one load at a time
	versions map[string]uint64 // last version of each name; guarded by loadMu

	current atomic.Pointer[snapshot]
}

// snapshot is the set of list versions in force.
type snapshot struct {
	lists []*index // by name
}

// New returns empty Hotlists configured by opts.
func New(opts Options) (*Hotlists, error) {
	if opts.Confusions == nil {
		opts.Confusions = vrm.DefaultConfusions()
	}
	if opts.MaxConfusions == 0 {
		opts.MaxConfusions = DefaultMaxConfusions
	}
	if opts.MaxConfusions < 0 || opts.MaxConfusions > MaxVRMLen {
		return nil, fmt.Errorf("hotlist options: MaxConfusions %d is not 1 to %d", opts.MaxConfusions, MaxVRMLen)
	}
	if opts.OneEditPriority < 0 || opts.OneEditPriority > LowestPriority {
		return nil, fmt.Errorf("hotlist options: OneEditPriority %d is not 0 (off) to %d", opts.OneEditPriority, LowestPriority)
	}
	if opts.MaxBadShare == 0 {
		opts.MaxBadShare = DefaultMaxBadShare
	}
	if !(opts.MaxBadShare > 0) {
		return nil, fmt.Errorf("hotlist options: MaxBadShare %g is not above 0", opts.MaxBadShare)
	}
	if opts.Markers == nil {
		opts.Markers = DefaultMarkers()
	}
	if opts.Lists == nil {
		opts.Lists = DefaultLists()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Hotlists{opts: opts, cls: newClasses(opts.Confusions), versions: map[string]uint64{}, log: opts.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if h.markers, err = newVocabulary("marker", opts.Markers); err != nil {
		return nil, fmt.Errorf("hotlist options: %w", err)
	}
	if h.lists, err = newVocabulary("list", opts.Lists); err != nil {
		return nil, fmt.Errorf("hotlist options: %w", err)
	}
	h.current.Store(&snapshot{})
	return h, nil
}

// Match returns the hits of a read made at time at on every list, strongest
// evidence first: exact hits, then confusion hits with fewest differences,
// then one-edit hits, each by priority. A read that is not a mark of 1 to
// MaxVRMLen characters A-Z and 0-9 once normalised hits nothing.
func (h *Hotlists) Match(read string, at time.Time) []Hit {
	return h.AppendMatches(nil, read, at)
}

// AppendMatches is Match appending to dst; a read that hits nothing
// allocates nothing.
func (h *Hotlists) AppendMatches(dst []Hit, read string, at time.Time) []Hit {
	s := h.current.Load()
	if len(s.lists) == 0 {
		return dst
	}
	// The text of the read as normalised is needed only for hits: a clean
	// read is its own, and the key gives any other.
	var text string
	k, clean, ok := packMark(read)
	switch {
	case ok && clean:
		text = read
	case !ok:
		text = vrm.Normalise(read)
		if k, ok = packKey(text); !ok {
			return dst
		}
	}
	folded := h.cls.fold(k)
	q := query{text: text, key: k, folded: folded, hash: spread(folded), minute: readMinute(at), cls: h.cls, maxConf: h.opts.MaxConfusions}
	start := len(dst)
	for _, x := range s.lists {
		dst = x.appendMatches(dst, &q, h.lists, h.markers)
	}
	if len(dst)-start > 1 {
		sortHits(dst[start:])
	}
	return dst
}

// ListInfo describes one list in force.
type ListInfo struct {
	Name           string    `json:"name"`
	File           string    `json:"file,omitempty"`
	Version        uint64    `json:"version"`
	Loaded         time.Time `json:"loaded"`
	Entries        int       `json:"entries"`
	OneEditEntries int       `json:"one_edit_entries"` // entries also matched one edit away
	Bytes          int       `json:"bytes"`            // memory held, approximately
}

// Lists describes the lists in force, by name.
func (h *Hotlists) Lists() []ListInfo {
	s := h.current.Load()
	out := make([]ListInfo, 0, len(s.lists))
	for _, x := range s.lists {
		info := ListInfo{Name: x.name, File: x.file, Version: x.version, Loaded: x.loaded, Entries: len(x.recs), Bytes: x.bytes()}
		if x.edit != nil {
			info.OneEditEntries = x.edit.entries
		}
		out = append(out, info)
	}
	return out
}

// Load reads a new version of the named list from r and, unless it is
// refused, swaps it in for the old one. Rows that are bad are rejected, each
// reported with its line and reason, and the rest load; a file whose share
// of bad rows is above Options.MaxBadShare, or that cannot be read to the
// end, is refused whole and the version in force stays. The error is
// non-nil exactly when the load is refused; the report says what happened
// either way, and goes to Options.OnLoad.
func (h *Hotlists) Load(ctx context.Context, name string, r io.Reader, format Format) (LoadReport, error) {
	return h.load(ctx, name, name, r, format)
}

// LoadFrom is Load with source naming where the rows came from (a published
// version, say), in rejected rows and in the report's File.
func (h *Hotlists) LoadFrom(ctx context.Context, name, source string, r io.Reader, format Format) (LoadReport, error) {
	return h.load(ctx, name, source, r, format)
}

// LoadFile is Load from a file, its format told by its extension (.csv,
// .json, .jsonl or .ndjson). Rejected rows name the file.
func (h *Hotlists) LoadFile(ctx context.Context, name, path string) (LoadReport, error) {
	format, err := FormatOf(path)
	if err != nil {
		return h.refuse(name, path, err), err
	}
	f, err := os.Open(path)
	if err != nil {
		err = fmt.Errorf("load hotlist %s: %w", name, err)
		return h.refuse(name, path, err), err
	}
	defer f.Close()
	return h.load(ctx, name, path, f, format)
}

// refuse reports a load refused before it began.
func (h *Hotlists) refuse(name, file string, err error) LoadReport {
	h.loadMu.Lock()
	defer h.loadMu.Unlock()
	rep := LoadReport{List: name, File: file, At: h.opts.Now(), Version: h.versions[name], Refused: true, Reason: err.Error()}
	h.report(rep)
	return rep
}

func (h *Hotlists) load(ctx context.Context, name, file string, r io.Reader, format Format) (LoadReport, error) {
	h.loadMu.Lock()
	defer h.loadMu.Unlock()
	start := h.opts.Now()
	rep := LoadReport{List: name, File: file, At: start, Version: h.versions[name]}
	b := newBuilder(file, h.lists, h.markers, h.cls)
	err := b.read(ctx, r, format)
	accepted := b.rows()
	rep.Accepted, rep.RejectedRows, rep.Rejected = accepted, b.rejected, b.errors
	if err == nil && b.rejected > 0 {
		if share := float64(b.rejected) / float64(b.rejected+accepted); share > h.opts.MaxBadShare {
			err = fmt.Errorf("%d of %d rows bad (%.0f%%, more than the %.0f%% allowed)", b.rejected, b.rejected+accepted, 100*share, 100*h.opts.MaxBadShare)
		}
	}
	if err != nil {
		rep.Refused, rep.Reason = true, err.Error()
		rep.Accepted = 0
		rep.Took = h.opts.Now().Sub(start)
		h.report(rep)
		return rep, fmt.Errorf("load hotlist %s: refused, version %d stays in force: %w", name, rep.Version, err)
	}
	x := buildIndex(b, h.cls, h.opts.OneEditPriority, h.opts.Now())
	x.name, x.file = name, file
	h.versions[name]++
	x.version = h.versions[name]
	h.swap(x)
	rep.Version = x.version
	rep.Took = h.opts.Now().Sub(start)
	h.report(rep)
	return rep, nil
}

// swap puts x in force in place of the list of the same name. Only loads
// (holding loadMu) write the pointer, so the copy cannot race.
func (h *Hotlists) swap(x *index) {
	old := h.current.Load()
	lists := make([]*index, 0, len(old.lists)+1)
	for _, l := range old.lists {
		if l.name != x.name {
			lists = append(lists, l)
		}
	}
	lists = append(lists, x)
	slices.SortFunc(lists, func(a, b *index) int { return cmp.Compare(a.name, b.name) })
	h.current.Store(&snapshot{lists: lists})
}

func (h *Hotlists) report(rep LoadReport) {
	attrs := []any{"list", rep.List, "file", rep.File, "version", rep.Version, "accepted", rep.Accepted, "rejected", rep.RejectedRows, "took", rep.Took}
	if rep.Refused {
		h.log.Warn("hotlist load refused", append(attrs, "reason", rep.Reason)...)
	} else {
		h.log.Info("hotlist loaded", attrs...)
	}
	if h.opts.OnLoad != nil {
		h.opts.OnLoad(rep)
	}
}
