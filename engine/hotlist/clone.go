package hotlist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"anpr/engine/vrm"
)

// TravelTimes holds, for pairs of cameras, the least time in which any one
// vehicle could get from one to the other: configured, generously, by the
// people who know the roads. It is symmetric. It holds times only; the
// clone check never works out, keeps or shows a speed.
type TravelTimes struct {
	pairs   map[[2]string]time.Duration
	longest time.Duration
}

// NewTravelTimes returns an empty table.
func NewTravelTimes() *TravelTimes {
	return &TravelTimes{pairs: map[[2]string]time.Duration{}}
}

// Set records that no vehicle gets between cameras a and b in less than
// least.
func (t *TravelTimes) Set(a, b string, least time.Duration) error {
	if a == "" || b == "" || a == b {
		return fmt.Errorf("travel time between %q and %q: need two different cameras", a, b)
	}
	if least <= 0 {
		return fmt.Errorf("travel time between %s and %s: %v is not above zero", a, b, least)
	}
	t.pairs[pairOf(a, b)] = least
	t.longest = max(t.longest, least)
	return nil
}

// Least returns the least travel time between two cameras; ok is false for
// a pair the table does not hold.
func (t *TravelTimes) Least(a, b string) (least time.Duration, ok bool) {
	least, ok = t.pairs[pairOf(a, b)]
	return least, ok
}

func pairOf(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// LoadTravelTimes reads a table from CSV with the header from,to,least and
// one pair per row; least is a Go duration ("12m30s") or whole seconds.
// Errors name the line.
func LoadTravelTimes(r io.Reader) (*TravelTimes, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("travel times: header: %w", err)
	}
	if strings.ToLower(strings.Join(header, ",")) != "from,to,least" {
		return nil, fmt.Errorf("travel times: header is %q, want from,to,least", strings.Join(header, ","))
	}
	t := NewTravelTimes()
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("travel times: %w", err)
		}
		line, _ := cr.FieldPos(0)
		s := strings.TrimSpace(rec[2])
		least, err := time.ParseDuration(s)
		if err != nil {
			secs, err2 := strconv.Atoi(s)
			if err2 != nil {
				return nil, fmt.Errorf("travel times line %d: %q is not a duration", line, rec[2])
			}
			least = time.Duration(secs) * time.Second
		}
		if err := t.Set(strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), least); err != nil {
			return nil, fmt.Errorf("travel times line %d: %w", line, err)
		}
	}
}

// Sighting is a mark read at a camera.
type Sighting struct {
	Camera string    `json:"camera"`
	At     time.Time `json:"at"`
}

// CloneAlert says one mark was read at two cameras closer in time than any
// one vehicle could manage between them: the plates on one of the vehicles
// are probably copies. It is an alert of its own kind, not a hotlist hit,
// and holds times only.
type CloneAlert struct {
	VRM     string        `json:"vrm"`
	Earlier Sighting      `json:"earlier"`
	Later   Sighting      `json:"later"`
	Apart   time.Duration `json:"apart_ns"` // between the two reads
	Least   time.Duration `json:"least_ns"` // the least travel time between the cameras
}

// Explain is the alert in one line for an operator.
func (a CloneAlert) Explain() string {
	return fmt.Sprintf("%s read at %s and %s %v apart; no vehicle gets between them in less than %v: suspected cloned plates",
		a.VRM, a.Earlier.Camera, a.Later.Camera, a.Apart, a.Least)
}

// CloneDetector raises a CloneAlert when a mark is read at two cameras
// sooner apart than the least travel time between them. This is an internal
// plausibility check on reads: it compares times with configured least
// travel times and never works out, keeps or shows a speed, so nothing it
// holds can serve speed enforcement.
//
// It keeps the latest sighting of each mark, and forgets sightings older
// than the longest travel time in its table (measured back from the latest
// read it has seen), so its memory is bounded by the marks read in that
// window. Marks are compared exactly: a misread can make two vehicles look
// like one, so alerts carry both sightings for the operator to judge. It is
// safe for concurrent use.
type CloneDetector struct {
	times *TravelTimes

	mu       sync.Mutex
	last     map[key]sighting
	cameras  map[string]string // interned camera ids
	latest   int64             // latest read time seen, Unix nanoseconds
	observed int
}

type sighting struct {
	camera string
	at     int64 // Unix nanoseconds
}

// sweepEvery is how many observations pass between sweeps of old
// sightings.
const sweepEvery = 4096

// NewCloneDetector returns a detector using the table t, which must not
// change afterwards.
func NewCloneDetector(t *TravelTimes) *CloneDetector {
	return &CloneDetector{times: t, last: map[key]sighting{}, cameras: map[string]string{}}
}

// Observe records a read of a mark at a camera at a time, and returns an
// alert when the mark's previous sighting was at another camera less than
// the least travel time between the two away. Reads may arrive a little out
// of order; each is compared with the latest sighting before or after it.
func (d *CloneDetector) Observe(read, camera string, at time.Time) (CloneAlert, bool) {
	k, ok := packKey(vrm.Normalise(read))
	if !ok || d.times.longest == 0 {
		return CloneAlert{}, false
	}
	now := at.UnixNano()
	d.mu.Lock()
	defer d.mu.Unlock()
	cam, ok := d.cameras[camera]
	if !ok {
		cam = strings.Clone(camera)
		d.cameras[cam] = cam
	}
	var alert CloneAlert
	raised := false
	prev, seen := d.last[k]
	if seen && prev.camera != cam {
		if least, known := d.times.Least(prev.camera, cam); known {
			earlier, later := sighting{prev.camera, prev.at}, sighting{cam, now}
			if later.at < earlier.at {
				earlier, later = later, earlier
			}
			if apart := time.Duration(later.at - earlier.at); apart < least {
				alert = CloneAlert{VRM: k.String(), Earlier: earlier.public(), Later: later.public(), Apart: apart, Least: least}
				raised = true
			}
		}
	}
	if !seen || now >= prev.at {
		d.last[k] = sighting{cam, now}
	}
	d.latest = max(d.latest, now)
	d.observed++
	if d.observed%sweepEvery == 0 {
		d.sweep()
	}
	return alert, raised
}

func (s sighting) public() Sighting {
	return Sighting{Camera: s.camera, At: time.Unix(0, s.at)}
}

// sweep forgets sightings too old to be part of any alert.
func (d *CloneDetector) sweep() {
	horizon := d.latest - int64(d.times.longest)
	for k, s := range d.last {
		if s.at < horizon {
			delete(d.last, k)
		}
	}
}

// Len is the number of sightings held.
func (d *CloneDetector) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.last)
}
