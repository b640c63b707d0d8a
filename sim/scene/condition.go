package scene

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Light is the illumination of a scene.
type Light string

const (
	Day         Light = "day"
	Overcast    Light = "overcast"
	LowSun      Light = "low-sun" // glare and hard shadows
	Dusk        Light = "dusk"
	NightColour Light = "night-colour" // street lights, headlight bloom, high gain
	NightIR     Light = "night-ir"     // monochrome, retroreflective plate bright, scene dark
)

// Weather is what lies between the camera and the plate.
type Weather string

const (
	Clear Weather = "clear"
	Rain  Weather = "rain"
	Fog   Weather = "fog"
	Spray Weather = "spray"
)

// Condition is everything about one capture that is not the plate or the
// camera placement: light, weather, motion and the sensor. It is recorded in
// each image's label.
type Condition struct {
	Name      string  `json:"name"`
	Light     Light   `json:"light"`
	Weather   Weather `json:"weather"`
	SpeedMPH  float64 `json:"speed_mph"`
	ShutterS  float64 `json:"shutter_s"`
	Shutter   string  `json:"shutter"` // as a photographer writes it, "1/1000"
	BlurPx    float64 `json:"motion_blur_px"`
	NoiseSD   float64 `json:"noise_sd"`      // sensor noise as applied, gain included, grey levels
	GainDB    float64 `json:"gain_db"`       // sensor gain; raises the noise
	FocusPx   float64 `json:"focus_blur_px"` // lens blur sigma
	JPEG      int     `json:"jpeg_quality"`
	Video     bool    `json:"video_artefacts"`     // passed through a lossy video codec first
	Occlusion string  `json:"occlusion,omitempty"` // "tow-bar", "bike-rack"
	Dirt      float64 `json:"dirt"`
	FogM      float64 `json:"fog_visibility_m,omitempty"`
	RainRate  float64 `json:"rain,omitempty"` // 0..1
	Shadow    bool    `json:"hard_shadow,omitempty"`
	Glare     float64 `json:"glare,omitempty"` // 0..1
}

// span is a closed range a parameter is drawn from.
type span struct{ lo, hi float64 }

func (s span) draw(rng *rand.Rand) float64 { return s.lo + (s.hi-s.lo)*rng.Float64() }

// preset is the recipe of a named condition.
type preset struct {
	light    Light
	weather  Weather
	speed    span      // mph
	shutters []float64 // choices, seconds
	noise    span      // grey levels
	gain     span      // dB
	jpeg     span
	fog      span // visibility in metres, fog only
	rain     span
	shadow   float64 // probability of a hard shadow
	glare    span
	doc      string
}

var (
	fastShutters   = []float64{1.0 / 1000, 1.0 / 1500, 1.0 / 2000}
	normalShutters = []float64{1.0 / 500, 1.0 / 1000, 1.0 / 1500, 1.0 / 2000}
	slowShutters   = []float64{1.0 / 250, 1.0 / 500, 1.0 / 1000}
)

// presets are the named conditions `--condition` accepts.
var presets = map[string]preset{
	"day":          {light: Day, weather: Clear, speed: span{10, 80}, shutters: normalShutters, noise: span{1, 4}, gain: span{0, 6}, jpeg: span{65, 95}, doc: "clear daylight"},
	"overcast":     {light: Overcast, weather: Clear, speed: span{10, 80}, shutters: normalShutters, noise: span{2, 5}, gain: span{3, 9}, jpeg: span{60, 95}, doc: "flat grey light, low contrast"},
	"low-sun":      {light: LowSun, weather: Clear, speed: span{10, 80}, shutters: normalShutters, noise: span{1, 4}, gain: span{0, 6}, jpeg: span{60, 95}, shadow: 0.7, glare: span{0.2, 0.8}, doc: "low sun: glare, warm cast, hard shadows across the plate"},
	"dusk":         {light: Dusk, weather: Clear, speed: span{10, 70}, shutters: slowShutters, noise: span{4, 10}, gain: span{12, 24}, jpeg: span{55, 90}, doc: "fading light, headlights on, noisy"},
	"night-colour": {light: NightColour, weather: Clear, speed: span{10, 70}, shutters: slowShutters, noise: span{6, 14}, gain: span{18, 30}, jpeg: span{50, 90}, doc: "colour camera at night: street lighting, headlight bloom, high gain"},
	"night-ir":     {light: NightIR, weather: Clear, speed: span{10, 80}, shutters: fastShutters, noise: span{3, 9}, gain: span{6, 18}, jpeg: span{55, 95}, doc: "infrared flash: monochrome, plate bright, scene dark"},
	"rain":         {light: Overcast, weather: Rain, speed: span{10, 70}, shutters: normalShutters, noise: span{3, 8}, gain: span{6, 15}, jpeg: span{50, 90}, rain: span{0.3, 1}, doc: "rain streaks, wet road, drops on the lens"},
	"fog":          {light: Overcast, weather: Fog, speed: span{10, 60}, shutters: normalShutters, noise: span{3, 7}, gain: span{6, 15}, jpeg: span{55, 90}, fog: span{40, 250}, doc: "fog: contrast falls with distance"},
	"spray":        {light: Overcast, weather: Spray, speed: span{40, 80}, shutters: normalShutters, noise: span{3, 8}, gain: span{6, 15}, jpeg: span{50, 90}, rain: span{0.1, 0.5}, doc: "road spray behind and around vehicles"},
	"motion":       {light: Day, weather: Clear, speed: span{70, 70}, shutters: []float64{1.0 / 500}, noise: span{1, 4}, gain: span{0, 6}, jpeg: span{60, 95}, doc: "70 mph at 1/500 s: motion blur"},
}

// mixedWeights is how often each condition appears under --condition mixed:
// roughly the share of a day's traffic in each, with the hard ones kept
// common enough to learn from.
var mixedWeights = map[string]float64{
	"day": 0.22, "overcast": 0.14, "low-sun": 0.08, "dusk": 0.08, "night-colour": 0.1,
	"night-ir": 0.16, "rain": 0.09, "fog": 0.05, "spray": 0.04, "motion": 0.04,
}

// Mixed is the condition name that draws a named condition per image.
const Mixed = "mixed"

// ConditionNames lists the named conditions in a stable order.
func ConditionNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DescribeConditions is a help text listing every condition.
func DescribeConditions() string {
	var b strings.Builder
	for _, n := range ConditionNames() {
		fmt.Fprintf(&b, "  %-13s %s\n", n, presets[n].doc)
	}
	fmt.Fprintf(&b, "  %-13s a different one of the above per image, in realistic shares\n", Mixed)
	return b.String()
}

// CheckCondition reports whether name is a known condition or "mixed".
func CheckCondition(name string) error {
	if name == Mixed {
		return nil
	}
	if _, ok := presets[name]; !ok {
		return fmt.Errorf("unknown condition %q (known: %s, %s)", name, strings.Join(ConditionNames(), ", "), Mixed)
	}
	return nil
}

// drawCondition draws the parameters of a named condition (or of a random
// one for "mixed"). Motion blur is filled in later, once the geometry is known.
func drawCondition(rng *rand.Rand, name string) (Condition, error) {
	if err := CheckCondition(name); err != nil {
		return Condition{}, err
	}
	if name == Mixed {
		name = drawMixed(rng)
	}
	p := presets[name]
	shutter := p.shutters[rng.IntN(len(p.shutters))]
	c := Condition{
		Name: name, Light: p.light, Weather: p.weather,
		SpeedMPH: math.Round(p.speed.draw(rng)),
		ShutterS: shutter, Shutter: fmt.Sprintf("1/%d", int(math.Round(1/shutter))),
		NoiseSD: round(p.noise.draw(rng), 1),
		GainDB:  round(p.gain.draw(rng), 1),
		FocusPx: round(0.3+0.9*rng.Float64()*rng.Float64(), 2),
		JPEG:    int(p.jpeg.draw(rng)),
		Video:   rng.Float64() < 0.2,
		Dirt:    round(math.Pow(rng.Float64(), 3), 2),
		Shadow:  rng.Float64() < p.shadow,
	}
	if p.fog.hi > 0 {
		c.FogM = math.Round(p.fog.draw(rng))
	}
	if p.rain.hi > 0 {
		c.RainRate = round(p.rain.draw(rng), 2)
	}
	if p.glare.hi > 0 {
		c.Glare = round(p.glare.draw(rng), 2)
	}
	switch r := rng.Float64(); {
	case r < 0.04:
		c.Occlusion = occlusionTowBar
	case r < 0.07:
		c.Occlusion = occlusionBikeRack
	}
	return c, nil
}

// What may hang in front of a plate (Condition.Occlusion).
const (
	occlusionTowBar   = "tow-bar"
	occlusionBikeRack = "bike-rack"
)

func drawMixed(rng *rand.Rand) string {
	names := ConditionNames()
	total := 0.0
	for _, n := range names {
		total += mixedWeights[n]
	}
	r := rng.Float64() * total
	for _, n := range names {
		r -= mixedWeights[n]
		if r < 0 {
			return n
		}
	}
	return names[len(names)-1]
}
