package alert_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"anpr/engine/alert"
	"anpr/engine/hotlist"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// A read hits a stolen vehicle on the PNC; the operator deploys a unit,
// which stops the vehicle and makes an arrest. A control-room display
// follows it all by subscribing.
func Example() {
	dir, _ := os.MkdirTemp("", "alerts")
	defer os.RemoveAll(dir)
	s, err := sqlite.Open(filepath.Join(dir, "anpr.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	now := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
	svc := alert.NewService(s, alert.Options{Now: func() time.Time { return now }})
	events, cancel := svc.Subscribe()
	defer cancel()

	lists, _ := hotlist.New(hotlist.Options{})
	feed := "vrm,list,marker,priority,action\nAB12CDE,PNC,stolen,2,Stop and check\n"
	lists.Load(context.Background(), "national", strings.NewReader(feed), hotlist.CSV)

	ctx := context.Background()
	read := store.Read{ID: "cam7-000101", Camera: "CAM-7", VRM: "A812CDE", Confidence: 0.91, Captured: now}
	raised, err := svc.Raise(ctx, read, lists.Match(read.VRM, read.Captured))
	if err != nil {
		fmt.Println(err)
		return
	}
	id := raised[0].ID
	svc.Acknowledge(ctx, id, "op1")
	svc.Decide(ctx, id, alert.Decision{Kind: alert.Deploy, Resource: "TANGO-21", By: "op1"})
	svc.RecordOutcome(ctx, id, alert.Outcome{Kind: alert.Arrest, By: "TANGO-21"})
	_, err = svc.Decide(ctx, id, alert.Decision{Kind: alert.Misread, By: "op2"})
	fmt.Println("deciding again:", strings.TrimPrefix(err.Error(), "decide alert "+id+": "))

	for range 4 {
		e := <-events
		fmt.Printf("%-8s %-12s %s\n", e.Type, e.Alert.State, e.Alert.Explain())
	}
	st, _ := svc.Stats(ctx, time.Time{}, time.Time{})
	c := st.ByCamera[0]
	fmt.Printf("%s: %d alert, %d deployed, %d arrest\n", c.Key, c.Alerts, c.Deployed, c.Arrest)
	// Output:
	// deciding again: decided already (deploy by op1 at 2026-03-02T09:15:00Z)
	// raised   new          A812CDE: confusion match with AB12CDE (PNC, stolen, priority 2): read 8 where the list has B at position 2 (confusion weight 0.85)
	// updated  acknowledged A812CDE: confusion match with AB12CDE (PNC, stolen, priority 2): read 8 where the list has B at position 2 (confusion weight 0.85)
	// updated  decided      A812CDE: confusion match with AB12CDE (PNC, stolen, priority 2): read 8 where the list has B at position 2 (confusion weight 0.85)
	// updated  closed       A812CDE: confusion match with AB12CDE (PNC, stolen, priority 2): read 8 where the list has B at position 2 (confusion weight 0.85)
	// CAM-7: 1 alert, 1 deployed, 1 arrest
}
