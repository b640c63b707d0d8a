package cvthreads

import "testing"

func TestSetChangesOpenCVThreadCount(t *testing.T) {
	defer Set(0)
	Set(1)
	if got := Get(); got != 1 {
		t.Fatalf("after Set(1) OpenCV reports %d threads", got)
	}
}
