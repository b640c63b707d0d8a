package siting

import (
	"strings"
	"testing"

	"anpr/engine/alert"
	"anpr/engine/camera"
)

// Each site's reads and alert outcomes become its review, with findings
// where a reviewer should look.
func TestReview(t *testing.T) {
	cams := []camera.Camera{
		{ID: "A", District: "Stafford", Active: true},
		{ID: "B", District: "Lichfield", Active: true},
		{ID: "C", District: "Tamworth", Active: true},
		{ID: "D", District: "Cannock Chase", Active: false},
	}
	reads := map[string]int64{"A": 30000, "B": 20000, "C": 100, "D": 50, "gone": 7}
	stats := alert.Stats{ByCamera: []alert.Count{
		{Key: "A", Alerts: 12, Decided: 10, Deployed: 6, Misread: 2, NoAction: 2, Arrest: 2, Stopped: 3},
		{Key: "B", Alerts: 8, Decided: 8, Misread: 6, NotVehicle: 2},
	}}
	got, err := Review(cams, reads, stats, 10, DefaultReviewThresholds())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]SiteReview{}
	for _, r := range got {
		by[r.ID] = r
	}
	if len(got) != 5 || got[0].ID != "A" || got[4].ID != "gone" {
		t.Fatalf("reviews %v; want A, B, C, D and gone in order", got)
	}
	a := by["A"]
	if a.ReadsPerDay != 3000 || a.AlertsPer10k != 4 || a.DeployedShare != 0.6 || a.Arrests != 2 || len(a.Findings) != 0 {
		t.Errorf("A = %+v; want 3,000 reads a day, 4 alerts per 10k, 60%% deployed, 2 arrests, no findings", a)
	}
	for id, want := range map[string]string{
		"B":    "misreads: check the camera's set-up",
		"C":    "still necessary",
		"D":    "out of service",
		"gone": "not in the camera register",
	} {
		if !strings.Contains(strings.Join(by[id].Findings, "; "), want) {
			t.Errorf("%s findings %q; want one saying %q", id, by[id].Findings, want)
		}
	}
	if _, err := Review(cams, reads, stats, 0, DefaultReviewThresholds()); err == nil {
		t.Error("a review of 0 days was accepted")
	}
}
