package harness

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/engine/alert"
	"anpr/engine/hotlist"
	"anpr/engine/store"
	"anpr/engine/vrm"
	"anpr/sim/camera"
	"anpr/sim/scenario"
	"anpr/sim/traffic"
)

func testScenario(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse(filepath.Join("..", "..", "scenarios", "test.yaml"), []byte(`name: test
seed: 1
start: 2026-03-03 09:00
duration: 5m
cameras:
  - {id: cam, from: bassetts-pole, to: weeford}
render: {share: 0.02, listed: true}
expect:
  read_accuracy: {overall: 0.7, day: 0.9, rain: 0.5}
  alert_recall: 0.9
  alert_precision: 0.9
  max_false_alerts_per_100k_reads: 100
  max_p99_capture_to_read: 1s
  min_frames_per_second: 10
`))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func mark(t *testing.T, s string) vrm.Mark {
	m, err := vrm.Parse(s, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A small run with a known outcome, scored: three passes (a listed
// vehicle read right and once more wrongly, an innocent vehicle one
// character from a listed mark read right, a sampled vehicle not read at
// all), and the two alerts the reads raised.
func TestScoreJoinsReadsAndAlertsWithTheTruth(t *testing.T) {
	sc := testScenario(t)
	t0 := sc.From.Add(time.Minute)
	wall := time.Now()
	frames := func(at time.Time, n int) []camera.FramePlan {
		var fs []camera.FramePlan
		for k := 0; k < n; k++ {
			fs = append(fs, camera.FramePlan{Captured: at.Add(time.Duration(k) * 40 * time.Millisecond), DistanceM: 20, CharPx: 30})
		}
		return fs
	}
	pass := func(idx int, v traffic.VehicleID, plate string, at time.Time, cond string, weight float64) *plannedPass {
		return &plannedPass{idx: idx, capture: camera.Capture{Camera: "cam", Vehicle: v, Mark: mark(t, plate), Trigger: at, InView: true, Frames: frames(at, 3)},
			condition: cond, weight: weight}
	}
	pl := &plan{
		passes: []*plannedPass{
			pass(0, 1, "AB12 CDE", t0, "day", 1),
			pass(1, 2, "AB12 CDF", t0.Add(10*time.Second), "day", 1),
			pass(2, 3, "XY65 ZZA", t0.Add(20*time.Second), "rain", 50),
		},
		counts:   []siteCounts{{Passages: 200, InView: 180, Rendered: 3}},
		listed:   map[traffic.VehicleID]bool{1: true},
		nearMiss: map[traffic.VehicleID]bool{2: true},
	}
	p := &pipeline{frames: []map[int64]frameRef{{}}}
	for _, pp := range pl.passes {
		for k, f := range pp.capture.Frames {
			p.frames[0][f.Captured.UnixNano()] = frameRef{pass: pp.idx, handed: wall.Add(time.Duration(pp.idx*100+k*10) * time.Millisecond)}
			p.frameDone = append(p.frameDone, time.Duration(pp.idx*100+k*10)*time.Millisecond)
		}
	}
	p.engineTime, p.engineCPU = 9*20*time.Millisecond, 9*15*time.Millisecond
	read := func(id, vrm string, conf float64, best time.Time, outAfter time.Duration) readRecord {
		return readRecord{read: store.Read{ID: id, Camera: "cam", VRM: vrm, Confidence: conf, Captured: best}, bestAt: best,
			out: p.frames[0][best.UnixNano()].handed.Add(outAfter)}
	}
	p.reads = []readRecord{
		read("r0", "AB12CDE", 0.9, pl.passes[0].capture.Frames[1].Captured, 200*time.Millisecond),
		read("r1", "AB12CDF", 0.8, pl.passes[1].capture.Frames[2].Captured, 100*time.Millisecond),
		read("r2", "A812CDE", 0.5, pl.passes[0].capture.Frames[2].Captured, 300*time.Millisecond),
	}
	listings := []traffic.Listing{
		{Entry: hotlist.Entry{VRM: "AB12CDE"}, Kind: traffic.OfInterest, Vehicle: 1},
		{Entry: hotlist.Entry{VRM: "QQ11QQQ"}, Kind: traffic.Ghost, Vehicle: traffic.NoVehicle},
	}
	raise := func(readID string, kind hotlist.MatchKind, after time.Duration) alertRecord {
		var r readRecord
		for _, x := range p.reads {
			if x.read.ID == readID {
				r = x
			}
		}
		return alertRecord{alert: alert.Alert{Kind: alert.KindHotlist, Read: r.read, Hit: &hotlist.Hit{Kind: kind, Entry: listings[0].Entry}}, at: r.out.Add(after)}
	}
	p.alerts = []alertRecord{raise("r0", hotlist.Exact, 5*time.Millisecond), raise("r1", hotlist.Confusion, 7*time.Millisecond)}

	rep := &Report{}
	rep.Throughput.WallSeconds = 2
	scoreRun(rep, sc, pl, listings, p)
	checkExpectations(rep, sc.Expect)

	if a := rep.Accuracy; a.Reads != 3 || a.Exact != 2 {
		t.Errorf("accuracy %d of %d passes, want 2 of 3 (the most confident read of the first pass is right)", a.Exact, a.Reads)
	}
	if len(rep.PerCondition) != 2 || rep.PerCondition[0].Condition != "day" || rep.PerCondition[0].Rate != 1 || rep.PerCondition[1].Rate != 0 {
		t.Errorf("per condition %+v", rep.PerCondition)
	}
	if d := rep.Detection; d.Detected != 2 || d.Passes != 3 {
		t.Errorf("detection %+v", d)
	}
	if f := rep.FalseReads; f.Reads != 3 || f.Misreads != 1 || f.Extra != 1 || f.Unjoined != 0 {
		t.Errorf("false reads %+v", f)
	}
	// The extra wrong read is a false read, but the pass is scored by its
	// most confident read, which is right: no confusion.
	if len(rep.Confusions) != 0 || len(rep.Misreads) != 1 || rep.Misreads[0].Truth != "XY65ZZA" || rep.Misreads[0].Read != "" {
		t.Errorf("confusions %+v, misreads %+v", rep.Confusions, rep.Misreads)
	}
	al := rep.Alerts
	if al.Alerts != 2 || al.True != 1 || al.False != 1 || al.ListedPasses != 1 || al.Alerted != 1 || al.Recall != 1 {
		t.Errorf("alerts %+v", al)
	}
	if al.Precision != 0.5 || al.ByMatch["confusion"] != 1 || al.FalseByMatch["confusion"] != 1 {
		t.Errorf("precision %g, by match %v, false %v", al.Precision, al.ByMatch, al.FalseByMatch)
	}
	// One false alert in three reads, each standing for one passage.
	if math.Abs(al.FalsePer100k-33333.3) > 0.1 {
		t.Errorf("false alerts per 100k reads %g, want 33333.3", al.FalsePer100k)
	}
	if l := rep.Latency.CaptureToRead; l.N != 3 || l.P50 != 200 || l.Max != 300 {
		t.Errorf("capture to read %+v, want 100, 200 and 300 ms", l)
	}
	if l := rep.Latency.CaptureToAlert; l.N != 2 || l.P50 != 107 || l.Max != 205 {
		t.Errorf("capture to alert %+v, want 107 and 205 ms", l)
	}
	if th := rep.Throughput; th.Frames != 9 || th.EngineCPUMSPerFrame != 15 || th.EngineFramesPerCoreS != 66.7 || th.FramesPerS != 4.5 {
		t.Errorf("throughput %+v", th)
	}
	if c := rep.Cameras[0]; c.Rendered != 3 || c.Exact != 2 || c.Reads != 3 || c.Passages != 200 {
		t.Errorf("camera %+v", c)
	}

	failed := strings.Join(rep.Failed, ",")
	for _, want := range []string{"read_accuracy.overall", "read_accuracy.rain", "alert_precision", "max_false_alerts_per_100k_reads"} {
		if !strings.Contains(failed, want) {
			t.Errorf("%s should have failed; failed: %s", want, failed)
		}
	}
	for _, met := range []string{"read_accuracy.day", "alert_recall", "max_p99_capture_to_read", "min_frames_per_second"} {
		if strings.Contains(failed, met+",") || strings.HasSuffix(failed, met) {
			t.Errorf("%s should have been met; failed: %s", met, failed)
		}
	}
	if !strings.Contains(rep.FailedSummary(), "read_accuracy.rain: want >= 0.5, got 0") {
		t.Errorf("summary %q", rep.FailedSummary())
	}

	page, err := rep.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Failed 4 of 8 expectations", "data:image/svg", "read_accuracy.rain", "XY65ZZA"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
}

// An expectation with nothing to measure fails, saying so: a run that
// raised no alerts has not shown its precision.
func TestExpectationsWithNothingToMeasureFail(t *testing.T) {
	sc := testScenario(t)
	rep := &Report{}
	checkExpectations(rep, sc.Expect)
	for _, c := range rep.Expectations {
		if c.Name == "alert_precision" && (c.OK || !strings.Contains(c.Note, "nothing to measure")) {
			t.Errorf("%+v", c)
		}
	}
}

func TestPercentilesByNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(ds)
	if p.N != 100 || p.P50 != 50 || p.P95 != 95 || p.P99 != 99 || p.Max != 100 {
		t.Errorf("%+v", p)
	}
	if p := percentiles(nil); p.N != 0 || p.P99 != 0 {
		t.Errorf("%+v", p)
	}
}
