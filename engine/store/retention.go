package store

import (
	"fmt"
	"time"
)

// RetentionRun is the record a store keeps of one deletion of reads (or of
// alerts) by age.
type RetentionRun struct {
	ID       int64
	Started  time.Time
	Finished time.Time // zero if the run has not finished: still running, or the process stopped mid-run
	Cutoff   time.Time // the run deletes reads captured (alerts raised) before this
	Deleted  int64     // reads (alerts) deleted so far; exact even for a run cut short
	Err      string    // why the run stopped early; "" if it did not
}

// RetentionCutoff is the time before which a retention run keeping reads
// for keep at now deletes them: the check both stores' RunRetention make.
func RetentionCutoff(keep time.Duration, now time.Time) (time.Time, error) {
	if keep <= 0 {
		return time.Time{}, fmt.Errorf("run retention: %w", Invalidf("keep %v is not positive", keep))
	}
	if now.IsZero() {
		return time.Time{}, fmt.Errorf("run retention: %w", Invalidf("now is not set"))
	}
	return now.Add(-keep), nil
}
