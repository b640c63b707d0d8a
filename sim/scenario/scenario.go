// Package scenario reads the simulator's scenarios: YAML files that say
// which road network to simulate, over what window of time and with how much
// traffic, under what light and weather, watched by which cameras, with what
// on the hotlist, how much of it to render, how the engine is configured,
// and what a run must achieve (its expectations). See scenarios/README.md
// for the format, and Scenario for every field.
//
// Load refuses a bad scenario before anything runs, with every fault named
// by file, line and column: a misspelt field, a value of the wrong type, a
// camera on a link the network does not have, a hotlist the fleet cannot
// fill.
package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"anpr/sim/camera"
	"anpr/sim/traffic"
)

// Scenario is one scenario file. The yaml names are the format's.
type Scenario struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Seed makes the traffic, the hotlist and the rendering: the same
	// scenario and seed give the same run.
	Seed uint64 `yaml:"seed"`
	// Network is the road network file (package traffic's JSON format);
	// empty: the default, fixtures/networks/staffordshire.json.
	Network string `yaml:"network,omitempty"`
	// Start is when the window begins: "2026-03-03 08:00" or RFC 3339,
	// in Timezone.
	Start string `yaml:"start"`
	// Duration is how long the window is: "10m", "24h".
	Duration string `yaml:"duration"`
	// Timezone is the zone local times (Start, the spells of light and
	// weather, the demand's time of day) are in; empty: UTC.
	Timezone string `yaml:"timezone,omitempty"`

	Traffic Traffic `yaml:"traffic,omitempty"`
	Hotlist Hotlist `yaml:"hotlist,omitempty"`
	// Light is the daylight through the day, as spells from a time of day
	// on; none: from the sun's elevation at each camera.
	Light []Spell `yaml:"light,omitempty"`
	// Weather is the weather through the day, as spells; none: clear.
	Weather []Spell       `yaml:"weather,omitempty"`
	Cameras []camera.Site `yaml:"cameras"`
	Render  Render        `yaml:"render,omitempty"`
	Engine  Engine        `yaml:"engine,omitempty"`
	Expect  Expect        `yaml:"expect,omitempty"`

	// Worked out by Load.
	File        string           `yaml:"-"` // the file it was read from
	Root        string           `yaml:"-"` // the repository root relative paths fall back to
	From, To    time.Time        `yaml:"-"` // the window
	Location    *time.Location   `yaml:"-"`
	NetworkPath string           `yaml:"-"`
	Net         *traffic.Network `yaml:"-"`
	Sites       []*camera.Placed `yaml:"-"`
	RenderFrom  time.Time        `yaml:"-"` // the window rendered, within From..To
	RenderTo    time.Time        `yaml:"-"`
	// Timelines of light and weather, sorted by time of day.
	lightSpells, weatherSpells []spell
	doc                        *ast.File
}

// Traffic is how much traffic there is.
type Traffic struct {
	// TripsPerDay is the day's trips on the network; 0: the network's
	// trips matrix total, or traffic.DefaultTripsPerDay.
	TripsPerDay int `yaml:"trips_per_day,omitempty"`
	// Vehicles is the fleet's size; 0: half TripsPerDay.
	Vehicles int `yaml:"vehicles,omitempty"`
}

// Hotlist is the make-up of the simulation's hotlist.
type Hotlist struct {
	// InterestShare is the share of the fleet that is of interest and
	// listed; 0: traffic.DefaultInterestShare.
	InterestShare float64 `yaml:"interest_share,omitempty"`
	// Mix weighs the behaviours of vehicles of interest by name
	// (uninsured, travelling-criminal, night-runner, stolen, clone); none:
	// traffic.DefaultInterestMix.
	Mix map[string]float64 `yaml:"mix,omitempty"`
	// Ghosts are listed marks no vehicle carries; nil: as many as the
	// vehicles of interest.
	Ghosts *int `yaml:"ghosts,omitempty"`
	// NearMisses are listed marks one confusable character from an
	// innocent vehicle's; nil: half as many as the vehicles of interest.
	NearMisses *int `yaml:"near_misses,omitempty"`
}

// Spell is a stretch of light or weather from a time of day on, until the
// next spell's, every day of the window.
type Spell struct {
	From    string `yaml:"from"` // "HH:MM"
	Light   string `yaml:"light,omitempty"`
	Weather string `yaml:"weather,omitempty"`
}

// Render says how much of the window's passages is rendered and fed to the
// engine: rendering is what a run spends its time on.
type Render struct {
	// Share of the passages in view that are rendered, drawn by vehicle and
	// time; nil: all.
	Share *float64 `yaml:"share,omitempty"`
	// From and Until narrow the rendered window: "HH:MM" (the first such
	// time at or after the start), "2026-03-03 08:00" or RFC 3339.
	From  string `yaml:"from,omitempty"`
	Until string `yaml:"until,omitempty"`
	// MaxPasses caps the passes rendered, the earliest first; 0: no cap.
	MaxPasses int `yaml:"max_passes,omitempty"`
	// MaxFramesPerPass caps each pass's frames, taken evenly through it;
	// 0: DefaultMaxFramesPerPass.
	MaxFramesPerPass int `yaml:"max_frames_per_pass,omitempty"`
	// Listed renders every passage of a listed vehicle and of an innocent
	// vehicle whose mark is one character from a listed one, whatever
	// Share says, so that alert recall and false alerts are measured on
	// enough passes.
	Listed bool `yaml:"listed,omitempty"`
	// Workers render and recognise in parallel; 0: one per CPU.
	Workers int `yaml:"workers,omitempty"`
}

// DefaultMaxFramesPerPass is Render.MaxFramesPerPass unless set.
const DefaultMaxFramesPerPass = 8

// Engine configures the engine under test.
type Engine struct {
	Detector string `yaml:"detector,omitempty"` // model file; empty: fixtures/models/detector.onnx
	Reader   string `yaml:"reader,omitempty"`   // empty: fixtures/models/reader.onnx
	// DetectorThreshold is the detector's least score; 0: detect.DefaultThreshold, as anpr serve.
	DetectorThreshold float64 `yaml:"detector_threshold,omitempty"`
	// MinConfidence is the least read confidence of a plate; 0:
	// recognise.DefaultMinConfidence.
	MinConfidence float64 `yaml:"min_confidence,omitempty"`
	// MaxGap ends a track whose plate has been out of sight this long;
	// empty: "500ms".
	MaxGap string `yaml:"max_gap,omitempty"`
	// MinFrames is the fewest frames a track needs to be a read; 0: 1.
	MinFrames int `yaml:"min_frames,omitempty"`
	// MaxConfusions and OneEditPriority configure hotlist matching (see
	// hotlist.Options); 0: the defaults.
	MaxConfusions   int `yaml:"max_confusions,omitempty"`
	OneEditPriority int `yaml:"one_edit_priority,omitempty"`

	// Worked out by Load.
	DetectorPath, ReaderPath string        `yaml:"-"`
	Gap                      time.Duration `yaml:"-"`
}

// Expect is what a run must achieve; unset expectations are not checked.
type Expect struct {
	// ReadAccuracy is the least share of rendered passes read exactly,
	// "overall" and per condition (day, night-ir, rain...).
	ReadAccuracy    map[string]float64 `yaml:"read_accuracy,omitempty"`
	DetectionRecall *float64           `yaml:"detection_recall,omitempty"`
	AlertRecall     *float64           `yaml:"alert_recall,omitempty"`
	AlertPrecision  *float64           `yaml:"alert_precision,omitempty"`
	// MaxFalseAlertsPer100k is the most false alerts per 100,000 reads.
	MaxFalseAlertsPer100k *float64 `yaml:"max_false_alerts_per_100k_reads,omitempty"`
	// MaxP99CaptureToRead and MaxP99CaptureToAlert bound the 99th
	// percentile of processing latency ("1.5s").
	MaxP99CaptureToRead  string `yaml:"max_p99_capture_to_read,omitempty"`
	MaxP99CaptureToAlert string `yaml:"max_p99_capture_to_alert,omitempty"`
	// MinFramesPerSecond is the least engine throughput: frames recognised
	// and tracked per second of one core's CPU time, rendering excluded.
	MinFramesPerSecond *float64 `yaml:"min_frames_per_second,omitempty"`
	// MinReadsPerSecond is the least reads per second of the whole run's
	// wall time, rendering included.
	MinReadsPerSecond *float64 `yaml:"min_reads_per_second,omitempty"`

	// Worked out by Load.
	P99Read, P99Alert time.Duration `yaml:"-"`
}

// Error is one fault in a scenario file.
type Error struct {
	File         string
	Line, Column int    // 1-based; 0 when not known
	Path         string // the field, as cameras[2].to; "" for the file
	Problem      string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, ": %s", e.Path)
	}
	fmt.Fprintf(&b, ": %s", e.Problem)
	return b.String()
}

// ErrInvalid is wrapped by every error Load returns for a bad scenario (as
// opposed to one it could not read).
var ErrInvalid = errors.New("invalid scenario")

// Errors is every fault Load found in a scenario, in the file's order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) Unwrap() []error {
	out := []error{ErrInvalid}
	for _, e := range es {
		out = append(out, e)
	}
	return out
}

// Load reads a scenario file, checks it, loads its network and places its
// cameras. A bad scenario is refused with Errors naming every fault by
// line.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load from bytes; path names the file in messages and anchors
// relative paths.
func Parse(path string, data []byte) (*Scenario, error) {
	s := &Scenario{File: path}
	bad := func(err error) error {
		var ye yaml.Error
		if errors.As(err, &ye) {
			pos := ye.GetToken().Position
			return Errors{{File: path, Line: pos.Line, Column: pos.Column, Problem: ye.GetMessage()}}
		}
		return Errors{{File: path, Problem: err.Error()}}
	}
	doc, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, bad(err)
	}
	if err := yaml.UnmarshalWithOptions(data, s, yaml.DisallowUnknownField()); err != nil {
		return nil, bad(err)
	}
	s.doc = doc
	s.Root = findRoot(filepath.Dir(path))
	v := &validator{s: s}
	v.check()
	if len(v.errs) > 0 {
		slices.SortStableFunc(v.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, v.errs
	}
	return s, nil
}

// findRoot returns the nearest directory at or above dir holding the
// project's fixtures: relative paths that are not beside the scenario are
// taken from there.
func findRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "fixtures")); err == nil && st.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return abs
		}
	}
}

// resolve finds a file a scenario names: beside the scenario first, then
// from the repository root.
func (s *Scenario) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	beside := filepath.Join(filepath.Dir(s.File), p)
	if _, err := os.Stat(beside); err == nil {
		return beside
	}
	return filepath.Join(s.Root, p)
}

// line returns where the value at a path (as "cameras[2].to") is in the
// file, or, when the path is not written (a default), where its nearest
// written parent is.
func (s *Scenario) line(path string) (int, int) {
	for p := path; ; {
		yp, err := yaml.PathString("$." + p)
		if p == "" {
			yp, err = yaml.PathString("$")
		}
		if err == nil {
			if n, err := yp.FilterFile(s.doc); err == nil && n != nil {
				if tk := n.GetToken(); tk != nil {
					return tk.Position.Line, tk.Position.Column
				}
			}
		}
		if p == "" {
			return 0, 0
		}
		if i := strings.LastIndexAny(p, ".["); i >= 0 {
			p = p[:i]
		} else {
			p = ""
		}
	}
}
