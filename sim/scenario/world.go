package scenario

import (
	"fmt"
	"time"

	"anpr/sim/camera"
	"anpr/sim/traffic"
)

// spell is one checked Spell: from a time of day on, a value.
type spell struct {
	at    time.Duration
	value string
}

// at returns the value of the spell in force at time of day tod: the last
// to start at or before it, or, before the first, the day's last (the
// spell that began the evening before).
func at(spells []spell, tod time.Duration) string {
	v := spells[len(spells)-1].value
	for _, sp := range spells {
		if sp.at > tod {
			break
		}
		v = sp.value
	}
	return v
}

// Ambient is the light and weather at a camera at time t: the scenario's
// spells where it gives them, the sun's elevation at the camera and clear
// skies where it does not.
func (s *Scenario) Ambient(t time.Time, site *camera.Placed) camera.Ambient {
	local := t.In(s.Location)
	y, m, d := local.Date()
	tod := local.Sub(time.Date(y, m, d, 0, 0, 0, 0, s.Location))
	a := camera.Ambient{Weather: camera.Clear}
	if len(s.lightSpells) > 0 {
		a.Light = camera.Light(at(s.lightSpells, tod))
	} else {
		a.Light = camera.SunLight(t, site.Lat, site.Lon)
	}
	if len(s.weatherSpells) > 0 {
		a.Weather = camera.Weather(at(s.weatherSpells, tod))
	}
	return a
}

// TrafficConfig is the traffic simulation's configuration: the fleet's
// marks and the hotlist are made as of the day before the window starts.
func (s *Scenario) TrafficConfig() traffic.Config {
	y, m, d := s.From.In(s.Location).Date()
	cfg := traffic.Config{
		Seed:        s.Seed,
		Epoch:       time.Date(y, m, d, 0, 0, 0, 0, s.Location).AddDate(0, 0, -1),
		Location:    s.Location,
		TripsPerDay: s.Traffic.TripsPerDay,
		Vehicles:    s.Traffic.Vehicles,
		Interest:    traffic.InterestConfig{Share: s.Hotlist.InterestShare},
	}
	count := func(p *int) int {
		switch {
		case p == nil:
			return 0 // the default
		case *p == 0:
			return -1 // none
		}
		return *p
	}
	cfg.Interest.Ghosts = count(s.Hotlist.Ghosts)
	cfg.Interest.NearMisses = count(s.Hotlist.NearMisses)
	if len(s.Hotlist.Mix) > 0 {
		cfg.Interest.Mix = map[traffic.Behaviour]float64{}
		for name, w := range s.Hotlist.Mix {
			b, _ := behaviour(name)
			cfg.Interest.Mix[b] = w
		}
	}
	return cfg
}

// NewTraffic makes the scenario's traffic simulation: its fleet, demand,
// vehicles of interest and hotlist. A hotlist the fleet cannot fill is
// refused as a fault of the scenario's hotlist section.
func (s *Scenario) NewTraffic() (*traffic.Sim, error) {
	sim, err := traffic.New(s.Net, s.TrafficConfig())
	if err != nil {
		line, col := s.line("hotlist")
		return nil, Errors{{File: s.File, Line: line, Column: col, Path: "hotlist", Problem: fmt.Sprintf("the traffic simulation refuses it: %v", err)}}
	}
	return sim, nil
}
