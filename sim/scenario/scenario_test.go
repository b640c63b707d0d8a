package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/sim/camera"
)

// write puts a scenario in a temporary directory inside the repository's
// scenarios directory's reach: relative paths fall back to the root.
func parse(t *testing.T, text string) (*Scenario, error) {
	t.Helper()
	return Parse(filepath.Join("..", "..", "scenarios", "test.yaml"), []byte(text))
}

const good = `name: test
seed: 3
start: 2026-03-03 08:00
duration: 10m
hotlist:
  interest_share: 0.01
  ghosts: 0
light:
  - {from: "06:50", light: day}
  - {from: "18:00", light: night}
weather:
  - {from: "00:00", weather: clear}
  - {from: "08:05", weather: rain}
cameras:
  - id: a38
    from: bassetts-pole
    to: weeford
render:
  share: 0.5
  from: "08:02"
  until: "08:07"
expect:
  read_accuracy: {overall: 0.7, night-ir: 0.6}
  max_p99_capture_to_alert: 2s
`

func TestParseAGoodScenario(t *testing.T) {
	s, err := parse(t, good)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC); !s.From.Equal(want) || !s.To.Equal(want.Add(10*time.Minute)) {
		t.Errorf("window %v to %v", s.From, s.To)
	}
	if !s.RenderFrom.Equal(s.From.Add(2*time.Minute)) || !s.RenderTo.Equal(s.From.Add(7*time.Minute)) {
		t.Errorf("rendered window %v to %v", s.RenderFrom, s.RenderTo)
	}
	if len(s.Sites) != 1 || s.Sites[0].ID != "a38" || s.Net == nil {
		t.Fatalf("sites %v", s.Sites)
	}
	if s.Engine.Gap != 500*time.Millisecond || s.Render.MaxFramesPerPass != DefaultMaxFramesPerPass || s.Expect.P99Alert != 2*time.Second {
		t.Errorf("defaults: gap %v, frames %d, p99 %v", s.Engine.Gap, s.Render.MaxFramesPerPass, s.Expect.P99Alert)
	}
	if !strings.HasSuffix(s.Engine.ReaderPath, filepath.Join("fixtures", "models", "reader.onnx")) {
		t.Errorf("reader model %s", s.Engine.ReaderPath)
	}
	site := s.Sites[0]
	cases := []struct {
		at   string
		want camera.Ambient
	}{
		{"08:04", camera.Ambient{Light: camera.Day, Weather: camera.Clear}},
		{"08:05", camera.Ambient{Light: camera.Day, Weather: camera.Rain}},
		{"03:00", camera.Ambient{Light: camera.Night, Weather: camera.Clear}}, // the evening's spell runs on past midnight
		{"19:00", camera.Ambient{Light: camera.Night, Weather: camera.Rain}},
	}
	for _, c := range cases {
		tm, _ := time.Parse("2006-01-02 15:04", "2026-03-03 "+c.at)
		if got := s.Ambient(tm, site); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.at, got, c.want)
		}
	}
	if cfg := s.TrafficConfig(); cfg.Interest.Ghosts != -1 || cfg.Interest.NearMisses != 0 || cfg.Epoch.Day() != 2 {
		t.Errorf("traffic config %+v", cfg)
	}
}

// Without light spells the sun decides, at the camera.
func TestAmbientFollowsTheSunWithoutLightSpells(t *testing.T) {
	s, err := parse(t, strings.Replace(good, "light:\n  - {from: \"06:50\", light: day}\n  - {from: \"18:00\", light: night}\n", "", 1))
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	if got := s.Ambient(noon, s.Sites[0]).Light; got != camera.Day {
		t.Errorf("noon: %s", got)
	}
	if got := s.Ambient(noon.Add(11*time.Hour), s.Sites[0]).Light; got != camera.Night {
		t.Errorf("23:00: %s", got)
	}
}

// Every fault is named by line, with its field and what is wrong.
func TestBadScenariosNameTheLineAndProblem(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		want           string
	}{
		{"misspelt field", "seed: 3", "sede: 3", 2, `unknown field "sede"`},
		{"wrong type", "seed: 3", "seed: three", 2, "cannot unmarshal"},
		{"bad start", "start: 2026-03-03 08:00", "start: tomorrow", 3, "start: \"tomorrow\""},
		{"camera on no link", "to: weeford", "to: stafford", 17, "cameras[0].to: no link from bassetts-pole to stafford"},
		{"camera at no node", "from: bassetts-pole", "from: atlantis", 16, `cameras[0].from: no node "atlantis"`},
		{"bad lane", "to: weeford\n", "to: weeford\n    lanes: [3]\n", 18, "cameras[0].lanes: lane 3: the link has lanes 1 to 2"},
		{"unknown weather", "weather: rain}", "weather: snow}", 13, `weather[1].weather: "snow"`},
		{"unknown condition", "night-ir: 0.6", "moonlight: 0.6", 23, `expect.read_accuracy.moonlight: "moonlight"`},
		{"render window outside", `until: "08:07"`, `until: "09:07"`, 21, "render.until: 2026-03-03 09:07:00 is not after"},
		{"too many near misses", "ghosts: 0", "ghosts: 0\n  near_misses: 400000", 8, "hotlist.near_misses: 400000 near misses need as many innocent vehicles"},
		{"share out of range", "share: 0.5", "share: 1.5", 19, "render.share: 1.5"},
		{"detection threshold over 1", "2s\n", "2s\nengine:\n  detector_threshold: 1.5\n", 26, "engine.detector_threshold: threshold 1.5: want a score above 0 and below 1"},
		{"detection threshold not a number", "2s\n", "2s\nengine:\n  detector_threshold: .nan\n", 26, "engine.detector_threshold: threshold NaN"},
	}
	for _, c := range cases {
		text := strings.Replace(good, c.old, c.new, 1)
		if text == good {
			t.Fatalf("%s: %q not in the scenario", c.name, c.old)
		}
		_, err := parse(t, text)
		var es Errors
		if !errors.As(err, &es) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v is not Errors", c.name, err)
			continue
		}
		msg := es[0].Error()
		if es[0].Line != c.line || !strings.Contains(msg, c.want) || !strings.Contains(msg, "test.yaml:") {
			t.Errorf("%s: %s\nwant line %d and %q", c.name, err, c.line, c.want)
		}
	}
}

func TestEveryFaultIsReported(t *testing.T) {
	text := strings.NewReplacer("duration: 10m", "duration: forever", "to: weeford", "to: stafford", "share: 0.5", "share: -1").Replace(good)
	_, err := parse(t, text)
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("want 3 faults, got %v", err)
	}
	if es[0].Line > es[1].Line || es[1].Line > es[2].Line {
		t.Errorf("faults out of the file's order: %v", err)
	}
}

// A hotlist the fleet cannot fill is refused before anything runs, at the
// hotlist.
func TestNewTrafficRefusesAnImpossibleHotlist(t *testing.T) {
	text := strings.Replace(good, "interest_share: 0.01", "interest_share: 0.5\n  mix: {clone: 1}", 1)
	text = strings.Replace(text, "seed: 3", "seed: 3\ntraffic: {trips_per_day: 2000, vehicles: 99}", 1)
	s, err := parse(t, text)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.NewTraffic()
	var es Errors
	if !errors.As(err, &es) || es[0].Path != "hotlist" || es[0].Line != 7 {
		t.Errorf("impossible hotlist: %v", err)
	}
}

// The shipped scenarios all load.
func TestShippedScenariosLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "scenarios", "ci-smoke.yaml")); err != nil {
		t.Error(err)
	}
}
