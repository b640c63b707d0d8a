package alert_test

import (
	"testing"

	"anpr/engine/alert"
)

// Raising the alerts of a read that hits two entries, stored in a SQLite
// file (one synced transaction) and published to ten subscribers who keep
// up.
func BenchmarkRaise(b *testing.B) {
	svc, _, _ := newService(b, alert.Options{Buffer: 1 << 20})
	for range 10 {
		_, cancel := svc.Subscribe()
		defer cancel()
	}
	h := lists(b)
	b.ReportAllocs()
	for b.Loop() {
		raise(b, svc, h, "CAM-1", "AB12CDE")
	}
}

// Escalating due alerts: one query, then one synced update an alert.
func BenchmarkEscalateDue(b *testing.B) {
	svc, _, clk := newService(b, alert.Options{})
	h := lists(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for range 10 {
			raise(b, svc, h, "CAM-1", "XY51ABC")
		}
		clk.Advance(alert.DefaultEscalateAfter)
		b.StartTimer()
		if got, err := svc.EscalateDue(ctx); err != nil || len(got) != 10 {
			b.Fatal(len(got), err)
		}
	}
}
