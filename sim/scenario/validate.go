package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"anpr/engine/detect"
	"anpr/sim/camera"
	"anpr/sim/scene"
	"anpr/sim/traffic"
)

// validator collects every fault of a scenario with where it is.
type validator struct {
	s    *Scenario
	errs Errors
}

func (v *validator) bad(path, format string, args ...any) {
	line, col := v.s.line(path)
	v.errs = append(v.errs, &Error{File: v.s.File, Line: line, Column: col, Path: path, Problem: fmt.Sprintf(format, args...)})
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func (v *validator) check() {
	s := v.s
	if !idPattern.MatchString(s.Name) {
		v.bad("name", "%q: want a short name of a-z, 0-9 and '-', such as ci-smoke", s.Name)
	}
	s.Location = time.UTC
	if s.Timezone != "" {
		loc, err := time.LoadLocation(s.Timezone)
		if err != nil {
			v.bad("timezone", "%q: %v", s.Timezone, err)
		} else {
			s.Location = loc
		}
	}
	if s.Start == "" {
		v.bad("start", "missing: when the window begins, as 2026-03-03 08:00")
	} else if t, err := parseTime(s.Start, s.Location); err != nil {
		v.bad("start", "%v", err)
	} else {
		s.From = t
	}
	if d, err := time.ParseDuration(s.Duration); err != nil || d <= 0 || d > 7*24*time.Hour {
		v.bad("duration", "%q: want a length of time such as 10m or 24h, at most a week", s.Duration)
	} else {
		s.To = s.From.Add(d)
	}
	v.checkSpells("light", s.Light, func(sp Spell) (string, bool) {
		return sp.Light, slices.Contains(camera.Lights, camera.Light(sp.Light))
	}, fmt.Sprint(camera.Lights), &s.lightSpells)
	v.checkSpells("weather", s.Weather, func(sp Spell) (string, bool) {
		return sp.Weather, slices.Contains(camera.Weathers, camera.Weather(sp.Weather))
	}, fmt.Sprint(camera.Weathers), &s.weatherSpells)
	v.checkTraffic()
	v.checkRender()
	v.checkEngine()
	v.checkExpect()
	v.checkNetworkAndCameras()
}

// parseTime reads "2026-03-03 08:00", "2026-03-03T08:00" or RFC 3339.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want a time such as 2026-03-03 08:00 or 2026-03-03T08:00:00Z", s)
}

// parseClock reads a time of day "HH:MM" as the time since midnight.
func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a time of day such as 07:30", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// parseWhen reads a time within the window: a time of day (the first at or
// after from) or a full time.
func parseWhen(s string, from time.Time) (time.Time, error) {
	if c, err := parseClock(s); err == nil {
		y, m, d := from.Date()
		t := time.Date(y, m, d, 0, 0, 0, 0, from.Location()).Add(c)
		if t.Before(from) {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return parseTime(s, from.Location())
}

func (v *validator) checkSpells(name string, spells []Spell, value func(Spell) (string, bool), known string, out *[]spell) {
	seen := map[time.Duration]bool{}
	for i, sp := range spells {
		path := fmt.Sprintf("%s[%d]", name, i)
		at, err := parseClock(sp.From)
		if err != nil {
			v.bad(path+".from", "%v", err)
			continue
		}
		if seen[at] {
			v.bad(path+".from", "%s is already the start of another spell", sp.From)
		}
		seen[at] = true
		other := sp.Weather
		if name == "weather" {
			other = sp.Light
		}
		if other != "" {
			v.bad(path, "a %s spell says only its %s", name, name)
		}
		val, ok := value(sp)
		if !ok {
			v.bad(path+"."+name, "%q: want one of %s", val, known)
			continue
		}
		*out = append(*out, spell{at: at, value: val})
	}
	slices.SortFunc(*out, func(a, b spell) int { return int(a.at - b.at) })
}

func (v *validator) checkTraffic() {
	s := v.s
	t, h := s.Traffic, s.Hotlist
	if t.TripsPerDay < 0 || t.TripsPerDay > 5_000_000 {
		v.bad("traffic.trips_per_day", "%d: want 0 (the default) to 5,000,000", t.TripsPerDay)
	}
	if t.Vehicles < 0 {
		v.bad("traffic.vehicles", "%d: want 0 (half the trips) or more", t.Vehicles)
	}
	if h.InterestShare < 0 || h.InterestShare > 0.5 {
		v.bad("hotlist.interest_share", "%g: want a share of the fleet from 0 (the default, %g) to 0.5", h.InterestShare, traffic.DefaultInterestShare)
	}
	for name, w := range h.Mix {
		if _, ok := behaviour(name); !ok {
			v.bad("hotlist.mix."+name, "%q: want one of %s", name, strings.Join(behaviourNames(), ", "))
		} else if w < 0 || math.IsNaN(w) {
			v.bad("hotlist.mix."+name, "weight %g: want 0 or more", w)
		}
	}
	if h.Ghosts != nil && *h.Ghosts < 0 {
		v.bad("hotlist.ghosts", "%d: want 0 or more", *h.Ghosts)
	}
	if h.NearMisses != nil && *h.NearMisses < 0 {
		v.bad("hotlist.near_misses", "%d: want 0 or more", *h.NearMisses)
	}
	// The fleet must be able to fill the hotlist: vehicles of interest and
	// innocent vehicles for the near misses are drawn from it.
	vehicles := t.Vehicles
	if vehicles == 0 {
		trips := t.TripsPerDay
		if trips == 0 {
			trips = traffic.DefaultTripsPerDay
		}
		vehicles = trips / 2
	}
	share := h.InterestShare
	if share == 0 {
		share = traffic.DefaultInterestShare
	}
	interest := int(math.Round(share * float64(vehicles)))
	if h.NearMisses != nil && *h.NearMisses > vehicles-interest {
		v.bad("hotlist.near_misses", "%d near misses need as many innocent vehicles, and the fleet of %d has %d besides the %d of interest",
			*h.NearMisses, vehicles, vehicles-interest, interest)
	}
}

func (v *validator) checkRender() {
	s := v.s
	r := &s.Render
	if r.Share != nil && (*r.Share < 0 || *r.Share > 1) {
		v.bad("render.share", "%g: want a share from 0 to 1", *r.Share)
	}
	if r.MaxPasses < 0 {
		v.bad("render.max_passes", "%d: want 0 (no cap) or more", r.MaxPasses)
	}
	if r.MaxFramesPerPass == 0 {
		r.MaxFramesPerPass = DefaultMaxFramesPerPass
	}
	if r.MaxFramesPerPass < 1 || r.MaxFramesPerPass > 100 {
		v.bad("render.max_frames_per_pass", "%d: want 1 to 100", r.MaxFramesPerPass)
	}
	if r.Workers < 0 || r.Workers > 256 {
		v.bad("render.workers", "%d: want 0 (one per CPU) to 256", r.Workers)
	}
	if s.From.IsZero() || s.To.IsZero() {
		return
	}
	s.RenderFrom, s.RenderTo = s.From, s.To
	if r.From != "" {
		if t, err := parseWhen(r.From, s.From); err != nil {
			v.bad("render.from", "%v", err)
		} else if t.Before(s.From) || !t.Before(s.To) {
			v.bad("render.from", "%s is outside the window %s to %s", t.Format(time.DateTime), s.From.Format(time.DateTime), s.To.Format(time.DateTime))
		} else {
			s.RenderFrom = t
		}
	}
	if r.Until != "" {
		if t, err := parseWhen(r.Until, s.RenderFrom); err != nil {
			v.bad("render.until", "%v", err)
		} else if !t.After(s.RenderFrom) || t.After(s.To) {
			v.bad("render.until", "%s is not after render.from and within the window (to %s)", t.Format(time.DateTime), s.To.Format(time.DateTime))
		} else {
			s.RenderTo = t
		}
	}
}

func (v *validator) checkEngine() {
	s := v.s
	e := &s.Engine
	model := func(field, given, def string) string {
		p := given
		if p == "" {
			p = def
		}
		p = s.resolve(p)
		if _, err := os.Stat(p); err != nil {
			v.bad("engine."+field, "model %s: %v", p, errors.Unwrap(err))
		}
		return p
	}
	e.DetectorPath = model("detector", e.Detector, "fixtures/models/detector.onnx")
	e.ReaderPath = model("reader", e.Reader, "fixtures/models/reader.onnx")
	if e.DetectorThreshold != 0 { // 0: the engine's default
		if err := detect.CheckThreshold(e.DetectorThreshold); err != nil {
			v.bad("engine.detector_threshold", "%v (or 0, the engine's default)", err)
		}
	}
	if e.MinConfidence < 0 || e.MinConfidence >= 1 {
		v.bad("engine.min_confidence", "%g: want 0 (the default) to under 1", e.MinConfidence)
	}
	e.Gap = 500 * time.Millisecond
	if e.MaxGap != "" {
		if d, err := time.ParseDuration(e.MaxGap); err != nil || d <= 0 || d > time.Minute {
			v.bad("engine.max_gap", "%q: want a time such as 500ms, at most a minute", e.MaxGap)
		} else {
			e.Gap = d
		}
	}
	if e.MinFrames < 0 || e.MinFrames > 100 {
		v.bad("engine.min_frames", "%d: want 0 to 100", e.MinFrames)
	}
	if e.MaxConfusions < 0 || e.MaxConfusions > 7 {
		v.bad("engine.max_confusions", "%d: want 0 (the default) to 7", e.MaxConfusions)
	}
	if e.OneEditPriority < 0 || e.OneEditPriority > 9 {
		v.bad("engine.one_edit_priority", "%d: want 0 (off) to 9", e.OneEditPriority)
	}
}

// Conditions are the names read_accuracy expectations may use.
func Conditions() []string { return append([]string{"overall"}, scene.ConditionNames()...) }

func (v *validator) checkExpect() {
	x := &v.s.Expect
	for name, want := range x.ReadAccuracy {
		if !slices.Contains(Conditions(), name) {
			v.bad("expect.read_accuracy."+name, "%q: want overall or a condition (%s)", name, strings.Join(scene.ConditionNames(), ", "))
		}
		if want < 0 || want > 1 {
			v.bad("expect.read_accuracy."+name, "%g: want a share from 0 to 1", want)
		}
	}
	share := func(field string, p *float64) {
		if p != nil && (*p < 0 || *p > 1) {
			v.bad("expect."+field, "%g: want a share from 0 to 1", *p)
		}
	}
	share("detection_recall", x.DetectionRecall)
	share("alert_recall", x.AlertRecall)
	share("alert_precision", x.AlertPrecision)
	positive := func(field string, p *float64) {
		if p != nil && *p < 0 {
			v.bad("expect."+field, "%g: want 0 or more", *p)
		}
	}
	positive("max_false_alerts_per_100k_reads", x.MaxFalseAlertsPer100k)
	positive("min_frames_per_second", x.MinFramesPerSecond)
	positive("min_reads_per_second", x.MinReadsPerSecond)
	dur := func(field, s string, out *time.Duration) {
		if s == "" {
			return
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			v.bad("expect."+field, "%q: want a time such as 1.5s", s)
			return
		}
		*out = d
	}
	dur("max_p99_capture_to_read", x.MaxP99CaptureToRead, &x.P99Read)
	dur("max_p99_capture_to_alert", x.MaxP99CaptureToAlert, &x.P99Alert)
}

func (v *validator) checkNetworkAndCameras() {
	s := v.s
	p := s.Network
	if p == "" {
		p = "fixtures/networks/staffordshire.json"
	}
	s.NetworkPath = s.resolve(p)
	net, err := traffic.LoadNetworkFile(s.NetworkPath)
	if err != nil {
		v.bad("network", "%v", err)
		return
	}
	s.Net = net
	if len(s.Cameras) == 0 {
		v.bad("cameras", "no cameras: a scenario needs at least one")
		return
	}
	sites, err := camera.Place(net, s.Cameras)
	if err != nil {
		var errs []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		} else {
			errs = []error{err}
		}
		for _, e := range errs {
			var se *camera.SiteError
			if errors.As(e, &se) {
				path := fmt.Sprintf("cameras[%d]", se.Index)
				if se.Field != "" {
					path += "." + se.Field
				}
				v.bad(path, "%s", se.Problem)
			} else {
				v.bad("cameras", "%v", e)
			}
		}
		return
	}
	s.Sites = sites
}

// behaviour finds a behaviour of interest by its name.
func behaviour(name string) (traffic.Behaviour, bool) {
	for b := traffic.Behaviour(1); b.OfInterest(); b++ {
		if b.String() == name {
			return b, true
		}
	}
	return 0, false
}

func behaviourNames() []string {
	var out []string
	for b := traffic.Behaviour(1); b.OfInterest(); b++ {
		out = append(out, b.String())
	}
	return out
}
