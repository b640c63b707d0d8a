// Package camera keeps the force's register of ANPR cameras: what each is
// called, the district it stands in and where exactly, and whether it is in
// service. Reads from a camera the register does not hold are refused.
//
// Where a camera stands is sensitive — the national standards forbid
// disclosing it — so a [Camera] can be told in two ways: whole, to the roles
// that need the location, and [Camera.Public], generalised to its district,
// to everyone else and in anything published.
//
// The register is a small JSON file, rewritten whole and atomically on each
// change: a force has hundreds of cameras, not millions.
package camera

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Camera is one ANPR camera: one site and the lanes it watches.
type Camera struct {
	ID       string  `json:"id"`       // as reads name it: letters, digits, '.', '_' and '-'
	Name     string  `json:"name"`     // for people: "A38 northbound at Hilton"
	District string  `json:"district"` // the local authority district it stands in
	Lat      float64 `json:"lat"`      // WGS84
	Lon      float64 `json:"lon"`
	Active   bool    `json:"active"` // in service: an inactive camera's reads are refused
}

// Public is what anyone may know of a camera: that it exists, in which
// district, and whether it is in service.
type Public struct {
	ID       string `json:"id"`
	District string `json:"district"`
	Active   bool   `json:"active"`
}

// Public returns the camera with its place generalised to its district.
func (c Camera) Public() Public { return Public{ID: c.ID, District: c.District, Active: c.Active} }

// ErrInvalid is wrapped by every error about a camera that cannot be taken
// as it is; ErrNotFound by those naming a camera the register lacks.
var (
	ErrInvalid  = errors.New("invalid camera")
	ErrNotFound = errors.New("no such camera")
)

const maxIDLen = 64 // engine/store's MaxCameraLen

// Check reports the first thing wrong with c.
func (c Camera) Check() error {
	if err := CheckID(c.ID); err != nil {
		return err
	}
	if strings.TrimSpace(c.District) == "" || len(c.District) > 64 {
		return fmt.Errorf("%w: camera %s: district must be 1 to 64 characters", ErrInvalid, c.ID)
	}
	if len(c.Name) > 128 {
		return fmt.Errorf("%w: camera %s: name is over 128 characters", ErrInvalid, c.ID)
	}
	// The United Kingdom and its waters; a camera outside was set up wrong.
	if math.IsNaN(c.Lat) || math.IsNaN(c.Lon) || c.Lat < 49 || c.Lat > 61 || c.Lon < -9 || c.Lon > 2 {
		return fmt.Errorf("%w: camera %s: position %.5f,%.5f is outside the United Kingdom", ErrInvalid, c.ID, c.Lat, c.Lon)
	}
	return nil
}

// CheckID reports whether id can name a camera.
func CheckID(id string) error {
	if id == "" || len(id) > maxIDLen {
		return fmt.Errorf("%w: camera id %q must be 1 to %d characters", ErrInvalid, truncate(id, maxIDLen), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: camera id %q: character %d (%q) is not a letter, digit, '.', '_' or '-'", ErrInvalid, id, i+1, c)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Registry is the register of cameras, kept in one JSON file. It is safe
// for concurrent use.
type Registry struct {
	path string
	mu   sync.RWMutex
	byID map[string]Camera
}

// Open reads the register at path; a file that does not exist yet is an
// empty register, written on the first change.
func Open(path string) (*Registry, error) {
	r := &Registry{path: path, byID: map[string]Camera{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open camera register: %w", err)
	}
	var cams []Camera
	if err := json.Unmarshal(data, &cams); err != nil {
		return nil, fmt.Errorf("open camera register %s: %w", path, err)
	}
	for i, c := range cams {
		if err := c.Check(); err != nil {
			return nil, fmt.Errorf("open camera register %s: entry %d: %w", path, i+1, err)
		}
		if _, dup := r.byID[c.ID]; dup {
			return nil, fmt.Errorf("open camera register %s: entry %d: camera %s is listed twice", path, i+1, c.ID)
		}
		r.byID[c.ID] = c
	}
	return r, nil
}

// Get returns the camera with the given id.
func (r *Registry) Get(id string) (Camera, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.byID[id]
	if !ok {
		return Camera{}, fmt.Errorf("%w: %q", ErrNotFound, truncate(id, maxIDLen))
	}
	return c, nil
}

// List returns every camera, by id.
func (r *Registry) List() []Camera {
	r.mu.RLock()
	defer r.mu.RUnlock()
	cams := make([]Camera, 0, len(r.byID))
	for _, c := range r.byID {
		cams = append(cams, c)
	}
	slices.SortFunc(cams, func(a, b Camera) int { return strings.Compare(a.ID, b.ID) })
	return cams
}

// Put adds a camera or replaces the one with its id, and writes the
// register. It reports whether the camera is new.
func (r *Registry) Put(c Camera) (added bool, err error) {
	if err := c.Check(); err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, had := r.byID[c.ID]
	r.byID[c.ID] = c
	if err := r.save(); err != nil {
		if had {
			r.byID[c.ID] = old
		} else {
			delete(r.byID, c.ID)
		}
		return false, err
	}
	return !had, nil
}

// Delete removes a camera from the register. Its reads stay until
// retention takes them.
func (r *Registry) Delete(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.byID[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, truncate(id, maxIDLen))
	}
	delete(r.byID, id)
	if err := r.save(); err != nil {
		r.byID[id] = old
		return err
	}
	return nil
}

// save writes the register under a temporary name, syncs it and renames it
// into place, so a crash leaves the old register or the new, never half.
func (r *Registry) save() error {
	cams := make([]Camera, 0, len(r.byID))
	for _, c := range r.byID {
		cams = append(cams, c)
	}
	slices.SortFunc(cams, func(a, b Camera) int { return strings.Compare(a.ID, b.ID) })
	data, err := json.MarshalIndent(cams, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
		return fmt.Errorf("save camera register: %w", err)
	}
	tmp := r.path + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save camera register: %w", err)
	}
	_, werr := f.Write(append(data, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save camera register: %w", err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("save camera register: %w", err)
	}
	return nil
}
