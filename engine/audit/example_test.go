package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"anpr/engine/audit"
)

// An operator searches stored reads with a justification; the search is
// recorded before it runs, and the log verifies afterwards.
func Example() {
	dir, _ := os.MkdirTemp("", "audit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "audit.jsonl")
	key := []byte("example key: use 32 random bytes") // in service: audit.LoadKey
	clock := func() time.Time { return time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC) }

	log, err := audit.Open(path, key, clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := log.Append(audit.Entry{
		Actor:   "pc1234",
		Role:    "investigator",
		Action:  audit.ActionSearch,
		Target:  "vrm=AB12CDE from=2026-02-01 to=2026-03-01",
		Outcome: audit.OutcomeAllowed,
		Detail:  map[string]string{"justification": "stolen vehicle", "incident": "INC-2026-0301-17"},
	})
	if err != nil {
		fmt.Println("not audited, so not searched:", err)
		return
	}
	log.Close()
	fmt.Println(e.Seq, e.Time.Format(time.RFC3339), e.Prev == audit.Genesis)

	rep, err := audit.Verify(path, key)
	fmt.Println(rep.OK, rep.Entries, err)
	// Output:
	// 1 2026-03-02T09:15:00Z true
	// true 1 <nil>
}
