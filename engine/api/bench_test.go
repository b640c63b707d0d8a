package api

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkSubmitReads measures reads taken in over the API, as a camera
// sends them (batches of 100, no images), each stored and matched: reads/s
// is the figure.
func BenchmarkSubmitReads(b *testing.B) {
	bo := newBackOffice(b)
	cam := bo.camera()
	now := time.Now().UTC()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		batch := make([]readSubmission, 100)
		for j := range batch {
			n++
			batch[j] = readSubmission{ID: fmt.Sprintf("r%d", n), Camera: "cam-1", VRM: fmt.Sprintf("AB%02dC%03d", n%100, n%1000),
				Confidence: 0.9, Captured: now.Add(time.Duration(n) * time.Millisecond)}
		}
		var out submitResponse
		if st := cam.do("POST", "/api/reads", submitRequest{Reads: batch}, &out); st != 200 {
			b.Fatalf("status %d", st)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reads/s")
}

// BenchmarkReadToOperator measures from a camera posting a read of a
// listed vehicle to the alert arriving on an operator's live stream (the
// console's server-sent events): one read at a time, so each figure is
// the whole path, HTTP both ways included.
func BenchmarkReadToOperator(b *testing.B) {
	bo := newBackOffice(b)
	op := bo.login("olive")
	req, _ := http.NewRequest("GET", bo.srv.URL+"/api/alerts/events", nil)
	res, err := op.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	cam := bo.camera()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("live-%d", i)
		start := time.Now()
		if st := cam.do("POST", "/api/reads", submitRequest{Reads: []readSubmission{{ID: id, Camera: "cam-1", VRM: "AB12CDE",
			Confidence: 0.9, Captured: start}}}, nil); st != 200 {
			b.Fatalf("status %d", st)
		}
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "data: ") && strings.Contains(lines.Text(), `"id":"`+id+`"`) {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
