package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/audit"
	"anpr/engine/hotlist"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// A retention run deletes reads past their time with their images, keeps
// the images of alerts still kept, and records each part in the audit log.
// The all-in-one runs it over SQLite; writers run the same over PostgreSQL.
func TestRetentionDeletesReadsAndImagesKeepsAlertImages(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	images, err := store.OpenImages(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	auditLog, err := audit.Open(filepath.Join(dir, "audit.log"), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer auditLog.Close()

	ctx := context.Background()
	old, recent := time.Now().Add(-400*24*time.Hour), time.Now().Add(-time.Hour)
	put := func(at time.Time, b byte) string {
		ref, err := images.Put([]byte{0xff, 0xd8, 0xff, b, 0xff, 0xd9}, at)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	oldPatch, alertPatch, newPatch := put(old, 1), put(old, 2), put(recent, 3)
	reads := []store.Read{
		{ID: "old", Camera: "CAM-1", VRM: "AB12CDE", Confidence: 0.9, Captured: old, PatchRef: oldPatch},
		{ID: "hit", Camera: "CAM-1", VRM: "CD34EFG", Confidence: 0.9, Captured: old, PatchRef: alertPatch},
		{ID: "new", Camera: "CAM-1", VRM: "EF56GHJ", Confidence: 0.9, Captured: recent, PatchRef: newPatch},
	}
	if _, err := st.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	a := alert.Alert{ID: "a1", Kind: alert.KindHotlist, Raised: recent, State: alert.StateNew, Priority: 2, Read: reads[1],
		Hit: &hotlist.Hit{Read: "CD34EFG", Kind: hotlist.Exact, Entry: hotlist.Entry{VRM: "CD34EFG", List: "PNC", Marker: "stolen", Priority: 2}}}
	if err := st.AddAlerts(ctx, []alert.Alert{a}); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() {
		done <- runRetention(runCtx, st, images, auditLog, 365*24*time.Hour, 2*365*24*time.Hour, slog.New(slog.DiscardHandler))
	}()
	deadline := time.Now().Add(10 * time.Second)
	var runs []audit.Entry
	for len(runs) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		runs, _ = auditLog.Query(audit.Filter{Action: audit.ActionRetentionRun})
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 {
		t.Fatalf("%d retention runs audited, want reads, alerts and images", len(runs))
	}
	for _, e := range runs {
		if e.Outcome != audit.OutcomeOK {
			t.Errorf("%s run: %s %v", e.Target, e.Outcome, e.Detail)
		}
	}
	if runs[0].Detail["deleted"] != "2" || runs[2].Detail["deleted"] != "1" {
		t.Errorf("deleted %s reads and %s images, want 2 and 1", runs[0].Detail["deleted"], runs[2].Detail["deleted"])
	}
	if _, err := images.Get(oldPatch); err == nil {
		t.Error("the old read's image is still there")
	}
	for _, ref := range []string{alertPatch, newPatch} {
		if _, err := images.Get(ref); err != nil {
			t.Errorf("image %s: %v; an alert's and a recent read's images must stay", ref, err)
		}
	}
	if !strings.HasPrefix(runs[2].Target, "images") {
		t.Errorf("third run is %q, want images", runs[2].Target)
	}
}
