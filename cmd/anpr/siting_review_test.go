package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
	"anpr/sim/scenario"
)

// The site review reads a back office's data directory: reads and alert
// outcomes per camera, findings where a reviewer should look.
func TestSitingReview(t *testing.T) {
	dir := t.TempDir()
	cams, _ := camera.Open(filepath.Join(dir, "cameras.json"))
	cams.Put(camera.Camera{ID: "busy", District: "Stafford", Lat: 52.8, Lon: -2.1, Active: true})
	cams.Put(camera.Camera{ID: "quiet", District: "Leek", Lat: 53.1, Lon: -2.0, Active: true})
	db, err := sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC().Add(-time.Hour)
	var reads []store.Read
	for i := range 200 {
		reads = append(reads, store.Read{ID: fmt.Sprintf("b%d", i), Camera: "busy", VRM: "AB12CDE", Confidence: 0.9, Captured: now.Add(-time.Duration(i) * time.Minute)})
	}
	reads = append(reads, store.Read{ID: "q1", Camera: "quiet", VRM: "XY51ABC", Confidence: 0.9, Captured: now})
	if _, err := db.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	svc := alert.NewService(db, alert.Options{})
	hit := hotlist.Hit{Read: "AB12CDE", Kind: hotlist.Exact, Entry: hotlist.Entry{VRM: "AB12CDE", List: "PNC", Marker: "stolen", Priority: 2}, Hotlist: "pnc"}
	as, err := svc.Raise(ctx, reads[0], []hotlist.Hit{hit})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, as[0].ID, alert.Decision{Kind: alert.Deploy, Resource: "RPU 1", By: "op"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out bytes.Buffer
	if code := run([]string{"siting", "review", "--data", dir, "--days", "7", "--json"}, &out, io.Discard); code != 0 {
		t.Fatalf("siting review exited %d", code)
	}
	var rev struct {
		Sites []struct {
			ID       string
			Reads    int64
			Alerts   int
			Deployed int
			Findings []string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rev); err != nil {
		t.Fatal(err)
	}
	if len(rev.Sites) != 2 || rev.Sites[0].ID != "busy" || rev.Sites[0].Reads != 200 || rev.Sites[0].Alerts != 1 || rev.Sites[0].Deployed != 1 {
		t.Fatalf("review = %+v", rev.Sites)
	}
	if f := strings.Join(rev.Sites[1].Findings, "; "); !strings.Contains(f, "still necessary") || !strings.Contains(f, "working") {
		t.Errorf("the quiet site's findings %q; want no alerts and few reads", f)
	}
	if strings.Contains(out.String(), "52.8") {
		t.Error("the review tells where a camera is")
	}
}

// A scenario gives the network and the sites to evaluate; with --sites as
// well it is refused.
func TestSitingEvaluateScenario(t *testing.T) {
	chdirRepo(t)
	var out bytes.Buffer
	if code := run([]string{"siting", "evaluate", "scenarios/ci-smoke.yaml", "--seeds", "1", "--trips", "20000", "--json"}, &out, io.Discard); code != 0 {
		t.Fatalf("siting evaluate SCENARIO exited %d", code)
	}
	for _, id := range smokeCameras(t) {
		if !strings.Contains(out.String(), `"`+id+`"`) {
			t.Errorf("the scenario's camera %s is not among the sites measured", id)
		}
	}
	if code := run([]string{"siting", "evaluate", "scenarios/ci-smoke.yaml", "--sites", "fixtures/sites/staffordshire-current.json"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("SCENARIO with --sites exited %d, want 2", code)
	}
}

func smokeCameras(t *testing.T) []string {
	sc, err := scenario.Load("scenarios/ci-smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range sc.Cameras {
		ids = append(ids, c.ID)
	}
	return ids
}
