package camera

import (
	"fmt"
	"math"
	"time"
)

// Light is the daylight at a site.
type Light string

const (
	Day      Light = "day"
	Overcast Light = "overcast" // daylight under cloud
	LowSun   Light = "low-sun"  // the sun within a few degrees of the horizon: glare, hard shadows
	Dusk     Light = "dusk"     // civil twilight
	Night    Light = "night"
)

// Weather is what lies between a camera and the plates it reads.
type Weather string

const (
	Clear Weather = "clear"
	Cloud Weather = "overcast"
	Rain  Weather = "rain"
	Fog   Weather = "fog"
	Spray Weather = "spray" // wet roads behind heavy traffic
)

// Lights and Weathers list the known values, for validation and help.
var (
	Lights   = []Light{Day, Overcast, LowSun, Dusk, Night}
	Weathers = []Weather{Clear, Cloud, Rain, Fog, Spray}
)

// Ambient is the light and weather at a site at one time.
type Ambient struct {
	Light   Light   `json:"light"`
	Weather Weather `json:"weather"`
}

// SunElevation returns the sun's elevation above the horizon in degrees at
// time t seen from lat, lon (WGS84 degrees), by the low-precision formulae
// of the Astronomical Almanac: good to about a degree, which is all that
// deciding between day, low sun, dusk and night needs.
func SunElevation(t time.Time, lat, lon float64) float64 {
	const rad = math.Pi / 180
	d := float64(t.UTC().UnixNano())/float64(24*time.Hour) - 10957.5 // days since J2000.0 (2000-01-01 12:00 UTC)
	g := math.Mod(357.529+0.98560028*d, 360) * rad                   // mean anomaly
	q := math.Mod(280.459+0.98564736*d, 360)                         // mean longitude, degrees
	l := (q + 1.915*math.Sin(g) + 0.020*math.Sin(2*g)) * rad         // ecliptic longitude
	e := (23.439 - 0.00000036*d) * rad                               // obliquity
	ra := math.Atan2(math.Cos(e)*math.Sin(l), math.Cos(l))
	dec := math.Asin(math.Sin(e) * math.Sin(l))
	gmst := math.Mod(18.697374558+24.06570982441908*d, 24) * 15 // degrees
	ha := (gmst+lon)*rad - ra
	return math.Asin(math.Sin(lat*rad)*math.Sin(dec)+math.Cos(lat*rad)*math.Cos(dec)*math.Cos(ha)) / rad
}

// SunLight is the daylight the sun's elevation gives: night below 6
// degrees under the horizon (the end of civil twilight), dusk above that,
// low sun up to 10 degrees above it, day beyond.
func SunLight(t time.Time, lat, lon float64) Light {
	switch el := SunElevation(t, lat, lon); {
	case el < -6:
		return Night
	case el < 0:
		return Dusk
	case el < 10:
		return LowSun
	default:
		return Day
	}
}

// Condition names the renderer's condition (package scene) for what a
// camera with the given sensor sees in an ambient. Darkness decides first:
// at night an infrared camera sees by its own flash, a colour camera by
// street light; then the weather; then the light.
func Condition(a Ambient, sensor Sensor) (string, error) {
	if !known(Lights, a.Light) {
		return "", fmt.Errorf("unknown light %q (known: %v)", a.Light, Lights)
	}
	if !known(Weathers, a.Weather) {
		return "", fmt.Errorf("unknown weather %q (known: %v)", a.Weather, Weathers)
	}
	if a.Light == Night {
		if sensor == IR {
			return "night-ir", nil
		}
		return "night-colour", nil
	}
	switch a.Weather {
	case Rain:
		return "rain", nil
	case Fog:
		return "fog", nil
	case Spray:
		return "spray", nil
	case Cloud:
		if a.Light == Day || a.Light == LowSun {
			return "overcast", nil
		}
	}
	return string(a.Light), nil // day, overcast, low-sun and dusk are conditions of their own
}

func known[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
