package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// Reads go in by the batch; an investigator who saw only part of a plate
// searches with a pattern, page by page.
func Example() {
	dir, _ := os.MkdirTemp("", "reads")
	defer os.RemoveAll(dir)
	s, err := sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
	added, err := s.AddReads(ctx, []store.Read{
		{ID: "cam7-000101", Camera: "CAM-7", VRM: "AB12CDE", Confidence: 0.97, Captured: at},
		{ID: "cam7-000102", Camera: "CAM-7", VRM: "AB12CDF", Confidence: 0.91, Captured: at.Add(time.Minute)},
		{ID: "cam9-004410", Camera: "CAM-9", VRM: "XY51ABC", Confidence: 0.88, Captured: at.Add(2 * time.Minute)},
	})
	fmt.Println("added", added, err)

	q := store.Query{VRM: "ab12 cd?", Limit: 1}
	for {
		page, err := s.SearchReads(ctx, q)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range page {
			fmt.Println(r.Captured.Format(time.TimeOnly), r.Camera, r.VRM)
		}
		if len(page) < q.Limit {
			break
		}
		q.After = store.CursorOf(page[len(page)-1])
	}

	_, err = s.SearchReads(ctx, store.Query{VRM: "A*"})
	fmt.Println(err)
	// Output:
	// added 3 <nil>
	// 09:15:00 CAM-7 AB12CDE
	// 09:16:00 CAM-7 AB12CDF
	// search reads: vrm pattern "A*" has 1 fixed characters (A-Z, 0-9); a wildcard search needs at least 3
}
