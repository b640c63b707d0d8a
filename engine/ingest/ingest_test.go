package ingest_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

func pipeline(t *testing.T) (*ingest.Pipeline, *sqlite.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	images, err := store.OpenImages(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	cams, err := camera.Open(filepath.Join(dir, "cameras.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []camera.Camera{
		{ID: "cam-a", District: "Stafford", Lat: 52.8, Lon: -2.1, Active: true},
		{ID: "cam-b", District: "Cannock Chase", Lat: 52.69, Lon: -2.03, Active: true},
	} {
		if _, err := cams.Put(c); err != nil {
			t.Fatal(err)
		}
	}
	hl, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hl.Load(context.Background(), "pnc", strings.NewReader("vrm,list,marker,priority\nAB12CDE,PNC,stolen,2\n"), hotlist.CSV); err != nil {
		t.Fatal(err)
	}
	tt := hotlist.NewTravelTimes()
	if err := tt.Set("cam-a", "cam-b", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	return &ingest.Pipeline{Store: st, Images: images, Cameras: cams, Hotlists: hl,
		Clones: hotlist.NewCloneDetector(tt), Alerts: alert.NewService(st, alert.Options{})}, st
}

var jpeg = []byte{0xff, 0xd8, 0xff, 0xe0, 'p', 'a', 't', 'c', 'h'}

// A listed vehicle's read raises its alert with the patch stored; the same
// mark at a second camera too soon raises a clone alert; resubmitting the
// batch stores nothing twice and raises nothing new.
func TestSubmitStoresMatchesAndAlerts(t *testing.T) {
	p, st := pipeline(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	batch := []ingest.Submission{
		{Read: store.Read{ID: "r1", Camera: "cam-a", VRM: "AB12CDE", Confidence: 0.9, Captured: at}, Patch: jpeg},
		{Read: store.Read{ID: "r2", Camera: "cam-b", VRM: "YX11ABC", Confidence: 0.9, Captured: at}},
		{Read: store.Read{ID: "r3", Camera: "cam-b", VRM: "AB12CDE", Confidence: 0.9, Captured: at.Add(time.Minute)}},
	}
	res, err := p.Submit(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[alert.Kind]int{}
	for _, a := range res.Alerts {
		kinds[a.Kind]++
	}
	if res.Added != 3 || kinds[alert.KindHotlist] != 2 || kinds[alert.KindClone] != 1 {
		t.Fatalf("Submit = %d added, alerts %v; want 3 added, 2 hotlist alerts and a clone alert", res.Added, kinds)
	}
	if res.Alerts[0].Read.PatchRef == "" {
		t.Error("the alert's read names no patch image")
	}
	// The first read again: as stored before, and its clone pair (now
	// seen from its other read) is the same suspected clone.
	again, err := p.Submit(ctx, batch[:1])
	if err != nil || again.Added != 0 || again.Duplicates != 1 || again.Alerts[0].ID != res.Alerts[0].ID {
		t.Fatalf("resubmit = %+v, %v; want a duplicate and the same alert", again, err)
	}
	all, err := st.Alerts(ctx, alert.Query{})
	if err != nil || len(all) != 3 {
		t.Errorf("stored alerts = %d, %v; want 3", len(all), err)
	}
}

// A batch with a read from an unknown camera is refused whole, naming the
// read, and nothing of it is stored.
func TestSubmitRefusesUnknownCamera(t *testing.T) {
	p, st := pipeline(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	_, err := p.Submit(ctx, []ingest.Submission{
		{Read: store.Read{ID: "ok", Camera: "cam-a", VRM: "AB12CDE", Confidence: 0.9, Captured: at}},
		{Read: store.Read{ID: "bad", Camera: "cam-z", VRM: "AB12CDE", Confidence: 0.9, Captured: at}},
	})
	var be *store.BatchError
	if !errors.As(err, &be) || be.Index != 1 || !errors.Is(err, ingest.ErrUnknownCamera) || !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Submit = %v; want a BatchError at read 1 for the unknown camera", err)
	}
	reads, _ := st.SearchReads(ctx, store.Query{VRM: "AB12CDE"})
	if len(reads) != 0 {
		t.Errorf("%d reads stored from a refused batch", len(reads))
	}
}
