package camera

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"anpr/engine/camera"
	"anpr/sim/traffic"
)

// Facing is which traffic a camera looks at.
type Facing string

const (
	// Oncoming cameras face the traffic coming towards them: front plates.
	Oncoming Facing = "oncoming"
	// Departing cameras look at the traffic going away: rear plates.
	Departing Facing = "departing"
)

// Sensor is how a camera sees.
type Sensor string

const (
	// IR cameras light plates with infrared flash: monochrome, and the
	// same by night as by day for a retroreflective plate.
	IR Sensor = "ir"
	// Colour cameras see by daylight and street light.
	Colour Sensor = "colour"
)

// Defaults of a Site's optional fields: a dedicated roadside ANPR camera.
const (
	DefaultAt        = 0.5
	DefaultHeightM   = 6.0
	DefaultDistanceM = 20.0
	DefaultWidth     = 1920
	DefaultHeight    = 1080
	DefaultFPS       = 25.0
	DefaultShutter   = "1/1000"
	DefaultFOVDeg    = 15.0
)

// PlateHeightM is the height above the road of the plate's centre that the
// optics assume: a car's.
const PlateHeightM = 0.5

// MinCharPx is the character height below which frames are not rendered:
// no reader reads characters that small, and a camera's frame of them is
// of no use.
const MinCharPx = 8.0

// Site is one camera as a scenario gives it. Zero fields take the
// defaults above; the yaml names are the scenario format's.
type Site struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// From and To are the node ids of the link the camera watches.
	From string `yaml:"from" json:"from"`
	To   string `yaml:"to" json:"to"`
	// At is the trigger point's position along the link, 0 (its start) to
	// 1 (its end); nil: DefaultAt.
	At     *float64 `yaml:"at,omitempty" json:"at,omitempty"`
	Facing Facing   `yaml:"facing,omitempty" json:"facing,omitempty"` // Oncoming when empty
	// Lanes are the lanes covered, 1 the nearside; none: every lane.
	Lanes     []int   `yaml:"lanes,omitempty" json:"lanes,omitempty"`
	HeightM   float64 `yaml:"height_m,omitempty" json:"height_m,omitempty"`     // mounting height
	DistanceM float64 `yaml:"distance_m,omitempty" json:"distance_m,omitempty"` // camera to plate at the trigger point
	Width     int     `yaml:"width,omitempty" json:"width,omitempty"`           // pixels
	Height    int     `yaml:"height,omitempty" json:"height,omitempty"`
	FPS       float64 `yaml:"fps,omitempty" json:"fps,omitempty"`
	Shutter   string  `yaml:"shutter,omitempty" json:"shutter,omitempty"` // exposure as "1/1000"
	Sensor    Sensor  `yaml:"sensor,omitempty" json:"sensor,omitempty"`   // IR when empty
	FOVDeg    float64 `yaml:"fov_deg,omitempty" json:"fov_deg,omitempty"` // horizontal field of view
}

// WithDefaults returns s with every zero optional field set to its default.
func (s Site) WithDefaults() Site {
	if s.At == nil {
		at := DefaultAt
		s.At = &at
	}
	if s.Facing == "" {
		s.Facing = Oncoming
	}
	if s.HeightM == 0 {
		s.HeightM = DefaultHeightM
	}
	if s.DistanceM == 0 {
		s.DistanceM = DefaultDistanceM
	}
	if s.Width == 0 && s.Height == 0 {
		s.Width, s.Height = DefaultWidth, DefaultHeight
	}
	if s.FPS == 0 {
		s.FPS = DefaultFPS
	}
	if s.Shutter == "" {
		s.Shutter = DefaultShutter
	}
	if s.Sensor == "" {
		s.Sensor = IR
	}
	if s.FOVDeg == 0 {
		s.FOVDeg = DefaultFOVDeg
	}
	return s
}

// SiteError is one thing wrong with one site: which (its index in the list
// given to Place), the field (its yaml name, "" for the site as a whole)
// and the problem.
type SiteError struct {
	Index   int
	Field   string
	Problem string
}

func (e *SiteError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("camera %d: %s", e.Index, e.Problem)
	}
	return fmt.Sprintf("camera %d: %s: %s", e.Index, e.Field, e.Problem)
}

// ParseShutter reads an exposure written as a photographer writes it,
// "1/1000", or in seconds, "0.001".
func ParseShutter(s string) (float64, error) {
	var v float64
	var err error
	if num, den, ok := strings.Cut(s, "/"); ok {
		var n, d float64
		if n, err = strconv.ParseFloat(strings.TrimSpace(num), 64); err == nil {
			d, err = strconv.ParseFloat(strings.TrimSpace(den), 64)
		}
		if err == nil && d == 0 {
			err = errors.New("division by zero")
		}
		v = n / d
	} else {
		v, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
	}
	if err != nil || v <= 0 || v > 0.1 || math.IsNaN(v) {
		return 0, fmt.Errorf("shutter %q: want an exposure such as 1/1000 (at most 1/10 s)", s)
	}
	return v, nil
}

// Placed is a site checked against its network, with its optics worked out.
type Placed struct {
	Site     // with defaults
	Link     traffic.LinkID
	Road     traffic.Link
	LinkName string
	Lat, Lon float64 // of the trigger point, between the link's nodes
	District string  // the district of the link's nearer node
	ShutterS float64
	// FocalPx is the focal length in pixels that the field of view gives.
	FocalPx float64
	// Near and Far bound the capture zone: the ground distances, camera to
	// plate along the road, at which the plate is in the frame with
	// characters of at least MinCharPx.
	Near, Far float64
	// TriggerM is the ground distance to the trigger point.
	TriggerM float64
}

// Place checks sites against a network and works out their optics. Every
// fault of every site is returned, each as a *SiteError, joined.
func Place(net *traffic.Network, sites []Site) ([]*Placed, error) {
	var errs []error
	bad := func(i int, field, format string, args ...any) {
		errs = append(errs, &SiteError{Index: i, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	out := make([]*Placed, 0, len(sites))
	seen := map[string]int{}
	for i, s := range sites {
		s = s.WithDefaults()
		n0 := len(errs)
		if err := camera.CheckID(s.ID); err != nil || s.ID == "" {
			bad(i, "id", "%q is not a camera id: 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'", s.ID)
		} else if j, ok := seen[s.ID]; ok {
			bad(i, "id", "%q is already camera %d's id", s.ID, j)
		} else {
			seen[s.ID] = i
		}
		from, okFrom := net.NodeIndex(s.From)
		_, okTo := net.NodeIndex(s.To)
		switch {
		case !okFrom:
			bad(i, "from", "no node %q in network %s", s.From, net.Name)
		case !okTo:
			bad(i, "to", "no node %q in network %s", s.To, net.Name)
		}
		var link traffic.LinkID
		if okFrom && okTo {
			var ok bool
			if link, ok = net.FindLink(s.From, s.To); !ok {
				var next []string
				for _, id := range net.Out(from) {
					next = append(next, net.Node(net.Link(id).To).ID)
				}
				bad(i, "to", "no link from %s to %s in network %s (from %s one can go to: %s)", s.From, s.To, net.Name, s.From, strings.Join(next, ", "))
				okTo = false
			}
		}
		if *s.At < 0 || *s.At > 1 {
			bad(i, "at", "%g is not a position along the link: want 0 (its start) to 1 (its end)", *s.At)
		}
		if s.Facing != Oncoming && s.Facing != Departing {
			bad(i, "facing", "%q: want %s (front plates) or %s (rear plates)", s.Facing, Oncoming, Departing)
		}
		if s.Sensor != IR && s.Sensor != Colour {
			bad(i, "sensor", "%q: want %s or %s", s.Sensor, IR, Colour)
		}
		if s.HeightM < 1 || s.HeightM > 30 {
			bad(i, "height_m", "%g m: want 1 to 30", s.HeightM)
		}
		if s.DistanceM < 3 || s.DistanceM > 100 {
			bad(i, "distance_m", "%g m: want 3 to 100", s.DistanceM)
		} else if s.DistanceM <= s.HeightM-PlateHeightM+0.5 {
			bad(i, "distance_m", "%g m is no further than the camera is above the plate (%g m): the camera would look straight down", s.DistanceM, s.HeightM-PlateHeightM)
		}
		if s.Width < 320 || s.Height < 240 || s.Width > 8192 || s.Height > 8192 {
			bad(i, "width", "%dx%d: want 320x240 to 8192x8192", s.Width, s.Height)
		}
		if s.FPS < 1 || s.FPS > 120 {
			bad(i, "fps", "%g: want 1 to 120 frames a second", s.FPS)
		}
		shutter, err := ParseShutter(s.Shutter)
		if err != nil {
			bad(i, "shutter", "%v", err)
		}
		if s.FOVDeg < 1 || s.FOVDeg > 120 {
			bad(i, "fov_deg", "%g degrees: want 1 to 120", s.FOVDeg)
		}
		if okFrom && okTo {
			lanes := net.Link(link).Lanes
			for _, l := range s.Lanes {
				if l < 1 || l > lanes {
					bad(i, "lanes", "lane %d: the link has lanes 1 to %d", l, lanes)
				}
			}
			if len(s.Lanes) > 1 {
				sorted := slices.Clone(s.Lanes)
				slices.Sort(sorted)
				if len(slices.Compact(sorted)) != len(s.Lanes) {
					bad(i, "lanes", "a lane is listed twice")
				}
			}
		}
		if len(errs) > n0 {
			continue
		}
		p := &Placed{Site: s, Link: link, Road: net.Link(link), LinkName: net.LinkName(link), ShutterS: shutter}
		a, b := net.Node(p.Road.From), net.Node(p.Road.To)
		p.Lat, p.Lon = a.Lat+(b.Lat-a.Lat)**s.At, a.Lon+(b.Lon-a.Lon)**s.At
		p.District = a.District
		if *s.At > 0.5 {
			p.District = b.District
		}
		if err := p.optics(); err != nil {
			bad(i, "", "%v", err)
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// optics works out the focal length and the capture zone.
func (p *Placed) optics() error {
	p.FocalPx = float64(p.Width) / 2 / math.Tan(p.FOVDeg/2*math.Pi/180)
	drop := p.HeightM - PlateHeightM
	p.TriggerM = math.Sqrt(p.DistanceM*p.DistanceM - drop*drop)
	aim := math.Atan2(drop, p.TriggerM)
	halfV := math.Atan(float64(p.Height) / 2 / p.FocalPx)
	p.Near = 0.5
	if aim+halfV < math.Pi/2-0.01 {
		p.Near = math.Max(0.5, drop/math.Tan(aim+halfV))
	}
	p.Far = p.TriggerM + 60
	if aim-halfV > 0.005 {
		p.Far = math.Min(p.Far, drop/math.Tan(aim-halfV))
	}
	// Beyond the distance at which characters shrink below MinCharPx the
	// frames are of no use.
	maxDist := p.FocalPx * 0.079 / MinCharPx
	if maxDist <= drop {
		return fmt.Errorf("characters are under %g px even straight below the camera: widen the resolution or narrow the field of view", MinCharPx)
	}
	p.Far = math.Min(p.Far, math.Sqrt(maxDist*maxDist-drop*drop))
	if p.Far-p.Near < 0.5 {
		return fmt.Errorf("the frame sees only %.1f m of road with readable plates (from %.1f to %.1f m): move the camera back, lower it or widen the field of view", p.Far-p.Near, p.Near, p.Far)
	}
	return nil
}

// CharPxAt is the height in pixels of a 79 mm character at the given
// ground distance along the road.
func (p *Placed) CharPxAt(ground float64) float64 {
	return p.FocalPx * 0.079 / p.slant(ground)
}

// slant is the straight-line distance from the camera to a plate at a
// ground distance.
func (p *Placed) slant(ground float64) float64 {
	drop := p.HeightM - PlateHeightM
	return math.Hypot(ground, drop)
}

// Register is the site as the back office's camera register holds it.
func (p *Placed) Register() camera.Camera {
	name := p.Name
	if name == "" {
		name = p.LinkName
	}
	return camera.Camera{ID: p.ID, Name: name, District: p.District, Lat: p.Lat, Lon: p.Lon, Active: true}
}
