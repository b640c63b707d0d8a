package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed network and sites, from this package's directory; small
// days keep the tests quick.
var (
	sitingNetwork   = filepath.Join("..", "..", "fixtures", "networks", "staffordshire.json")
	sitingSites     = filepath.Join("..", "..", "fixtures", "sites", "staffordshire-current.json")
	sitingProposal  = filepath.Join("..", "..", "fixtures", "sites", "staffordshire-proposal.json")
	sitingCands     = filepath.Join("..", "..", "fixtures", "sites", "staffordshire-candidates.json")
	sitingSmallDay  = []string{"--network", sitingNetwork, "--trips", "20000", "--seeds", "2"}
	placeNamesInOut = []string{"Norton Canes", "norton-canes", "Brownhills", "A5 inbound"}
)

func sitingRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append(args, sitingSmallDay...), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestSitingEvaluate(t *testing.T) {
	out, errOut, code := sitingRun(t, "siting", "evaluate", "--sites", sitingSites, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Seeds    []uint64 `json:"seeds"`
		Measures []struct {
			Key  string   `json:"key"`
			Mean *float64 `json:"mean"`
			Low  *float64 `json:"low"`
		} `json:"measures"`
		PerSite []struct {
			ID, District string
		} `json:"per_site"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.Seeds) != 2 || len(rep.PerSite) != 16 || rep.PerSite[0].District == "" {
		t.Errorf("seeds %v, %d sites (%+v)", rep.Seeds, len(rep.PerSite), rep.PerSite)
	}
	keys := map[string]bool{}
	for _, m := range rep.Measures {
		keys[m.Key] = m.Mean != nil && m.Low != nil
	}
	for _, k := range []string{"capture.all.one", "capture.travelling-criminal.two", "intrusion.innocent_vehicles_per_day",
		"alerts.false_per_day", "alerts.operator_hours_per_day", "proportionality.targets_per_1000_innocent"} {
		if !keys[k] {
			t.Errorf("no %s with an interval in the JSON", k)
		}
	}
	for _, place := range placeNamesInOut {
		if strings.Contains(out, place) {
			t.Errorf("output without --with-locations names %q", place)
		}
	}

	out, errOut, code = sitingRun(t, "siting", "evaluate", "--sites", sitingSites, "--as-of", "2027-01-31", "--with-locations")
	if code != 0 {
		t.Fatalf("text, with locations: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"TARGET CAPTURE", "INTRUSION", "ALERTS", "PROPORTIONALITY", "SITES", "GAPS", "Norton Canes", "S04", "DUE"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report with locations lacks %q:\n%s", want, out)
		}
	}
}

func TestSitingProposal(t *testing.T) {
	out, errOut, code := sitingRun(t, "siting", "evaluate", "--sites", sitingSites, "--proposal", sitingProposal)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"current", "proposed", "difference", "removed", "replaced", "moved", "added", "N01"} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}
	out, errOut, code = sitingRun(t, "siting", "evaluate", "--sites", sitingSites, "--retire-due", "2026-12-31", "--json")
	if code != 0 {
		t.Fatalf("retire due: exit %d: %s", code, errOut)
	}
	var cmp struct {
		PerSite []struct{ ID, Status string } `json:"per_site"`
	}
	if err := json.Unmarshal([]byte(out), &cmp); err != nil {
		t.Fatal(err)
	}
	removed := map[string]bool{}
	for _, s := range cmp.PerSite {
		if s.Status == "removed" {
			removed[s.ID] = true
		}
	}
	// S01, S02 (2026-09-30) and S12 (2026-12-31) are due by the end of 2026.
	if len(removed) != 3 || !removed["S01"] || !removed["S02"] || !removed["S12"] {
		t.Errorf("retiring the sites due by the end of 2026 removed %v", removed)
	}
}

func TestSitingOptimise(t *testing.T) {
	chosen := filepath.Join(t.TempDir(), "chosen.json")
	out, errOut, code := sitingRun(t, "siting", "optimise", "--k", "3", "--candidates", sitingCands, "--sites", sitingSites, "--budget", "4", "--out", chosen, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var plan struct {
		Capture     float64 `json:"capture"`
		BaseCapture float64 `json:"base_capture"`
		Cost        float64 `json:"cost"`
		Chosen      []struct {
			ID       string
			District string
			Location any
			Gain     float64 `json:"gain_trips_per_day"`
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(plan.Chosen) == 0 || plan.Cost > 4 || plan.Capture <= plan.BaseCapture {
		t.Errorf("plan %+v", plan)
	}
	for _, c := range plan.Chosen {
		if c.Gain <= 0 || c.District == "" || c.Location != nil {
			t.Errorf("choice %+v: want a gain, a district and no location", c)
		}
	}
	// The chosen sites are a sites file that evaluates.
	if _, errOut, code := sitingRun(t, "siting", "evaluate", "--sites", chosen, "--gaps", "0"); code != 0 {
		t.Errorf("evaluating the chosen sites: exit %d: %s", code, errOut)
	}
}

func TestSitingBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-sites.json")
	os.WriteFile(bad, []byte(`{"format": "anpr-sites/1", "sites": [
  {"id": "S1", "from": "stafford", "to": "m6-j14"},
  {"id": "S2", "from": "stafford", "to": "leek"}
]}`), 0o644)
	var errOut bytes.Buffer
	if code := run(append([]string{"siting", "evaluate", "--sites", bad}, sitingSmallDay...), io.Discard, &errOut); code != 2 {
		t.Errorf("a site on a link that does not exist: exit %d, want 2", code)
	}
	for _, want := range []string{bad, ":3", "sites[1] (S2)", `no link from "stafford" to "leek"`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("error %q does not say %q", errOut.String(), want)
		}
	}
	cases := map[string][]string{
		"no seeds":                {"siting", "evaluate", "--sites", sitingSites, "--seeds", "0"},
		"bad date":                {"siting", "evaluate", "--sites", sitingSites, "--as-of", "soon"},
		"proposal and retire-due": {"siting", "evaluate", "--sites", sitingSites, "--proposal", sitingProposal, "--retire-due", "2027-01-01"},
		"accuracy above 1":        {"siting", "evaluate", "--sites", sitingSites, "--accuracy", "1.2"},
		"missing sites file":      {"siting", "evaluate", "--sites", filepath.Join(dir, "none.json")},
		"no k":                    {"siting", "optimise"},
		"k of 0":                  {"siting", "optimise", "--k", "0"},
		"unknown kind of target":  {"siting", "optimise", "--k", "2", "--weights", "joyrider=2"},
		"negative budget":         {"siting", "optimise", "--k", "2", "--budget", "-1"},
	}
	for name, args := range cases {
		if code := run(append(args, "--network", sitingNetwork), io.Discard, io.Discard); code != 2 {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
	}
}
