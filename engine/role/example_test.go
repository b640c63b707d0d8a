package role_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"anpr/engine/alert"
	"anpr/engine/bus"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/role"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// The three roles wired as `anpr serve --role all` would wire them, on the
// in-process bus and a SQLite file; scaled out, each process makes its
// own and they share a jetstream.Bus and a postgres.Store instead.
func Example() {
	dir, _ := os.MkdirTemp("", "anpr-roles")
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, stop := context.WithCancel(context.Background())

	b, _ := bus.NewMemory(bus.MemoryOptions{})
	db, _ := sqlite.Open(filepath.Join(dir, "anpr.db"), sqlite.Options{})
	defer db.Close()
	images, _ := store.OpenImages(filepath.Join(dir, "images"))

	// The hotlist is published once, and every matcher's replica loads it.
	csv := "vrm,list,marker,priority,action\nAB12CDE,PNC,stolen,2,Stop and check\n"
	role.PublishHotlist(ctx, b, "national", hotlist.CSV, strings.NewReader(csv), "operator@lists-host")
	lists, _ := hotlist.New(hotlist.Options{})
	replica, _ := role.NewHotlistReplica(role.HotlistReplicaConfig{Files: b, Hotlists: lists, Log: log})

	edge, _ := role.NewEdge(role.EdgeConfig{Bus: b, SpoolDir: filepath.Join(dir, "spool"), Log: log})
	defer edge.Close()
	writer, _ := role.NewWriter(role.WriterConfig{Bus: b, Store: db, Images: images, Log: log})
	matcher, _ := role.NewMatcher(role.MatcherConfig{Bus: b, Hotlists: lists, WaitFor: replica.Ready(), Log: log,
		Alerts: alert.NewService(db, alert.Options{Log: log})})
	done := make(chan struct{})
	for _, run := range []func(context.Context) error{replica.Run, edge.Run, writer.Run, matcher.Run} {
		go func() { run(ctx); done <- struct{}{} }()
	}

	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	edge.Submit(ctx, []ingest.Submission{
		{Read: store.Read{ID: "r1", Camera: "CAM-1", VRM: "AB12CDE", Confidence: 0.9, Captured: at}},
		{Read: store.Read{ID: "r2", Camera: "CAM-1", VRM: "XY51ABC", Confidence: 0.9, Captured: at.Add(time.Second)}},
	})
	for writer.Stats().Reads < 2 || matcher.Stats().Reads < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	for range 4 {
		<-done
	}
	stored, _ := db.SearchReads(context.Background(), store.Query{Cameras: []string{"CAM-1"}})
	alerts, _ := db.Alerts(context.Background(), alert.Query{})
	fmt.Printf("%d reads stored, %d alert: %s\n", len(stored), len(alerts), alerts[0].Explain())
	// Output:
	// 2 reads stored, 1 alert: AB12CDE: exact match with AB12CDE (PNC, stolen, priority 2)
}
