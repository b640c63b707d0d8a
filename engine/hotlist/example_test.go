package hotlist_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"anpr/engine/hotlist"
)

func ExampleHotlists_Match() {
	lists, err := hotlist.New(hotlist.Options{})
	if err != nil {
		panic(err)
	}
	feed := "vrm,list,marker,priority,action\nAB12CDE,PNC,stolen,2,Stop and check\n"
	if _, err := lists.Load(context.Background(), "national", strings.NewReader(feed), hotlist.CSV); err != nil {
		panic(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, read := range []string{"AB12 CDE", "A812 CDE", "AX12 CDE"} {
		hits := lists.Match(read, at)
		if len(hits) == 0 {
			fmt.Println(read + ": no hit")
		}
		for _, hit := range hits {
			fmt.Println(hit.Explain())
		}
	}
	// Output:
	// AB12CDE: exact match with AB12CDE (PNC, stolen, priority 2)
	// A812CDE: confusion match with AB12CDE (PNC, stolen, priority 2): read 8 where the list has B at position 2 (confusion weight 0.85)
	// AX12 CDE: no hit
}
