package harness

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"anpr/sim/scenario"
	"anpr/sim/traffic"
)

// passScore is what became of one rendered pass.
type passScore struct {
	reads  []int // indices in pipeline.reads, joined to the pass
	best   int   // the most confident; -1 when none
	alerts int   // true alerts raised by its reads
}

// scoreRun joins the engine's reads and alerts with the truth and fills in the
// report's measures.
func scoreRun(rep *Report, sc *scenario.Scenario, pl *plan, listings []traffic.Listing, p *pipeline) {
	passes := make([]passScore, len(pl.passes))
	for i := range passes {
		passes[i].best = -1
	}
	// Join each read to the pass whose frame it was best seen in.
	readPass := make([]int, len(p.reads))
	siteIndex := map[string]int{}
	for i, s := range sc.Sites {
		siteIndex[s.ID] = i
	}
	var readLat []time.Duration
	var weightedReads float64 // reads as the traffic would give them (see plannedPass.weight)
	fr := &rep.FalseReads
	for i, r := range p.reads {
		readPass[i] = -1
		if r.err == "no mark read" {
			fr.NoMark++
			continue
		}
		fr.Reads++
		if r.err != "" {
			fr.Refused++
		}
		ref, ok := p.frames[siteIndex[r.read.Camera]][r.bestAt.UnixNano()]
		if !ok {
			fr.Unjoined++
			fr.Misreads++
			weightedReads++
			continue
		}
		readPass[i] = ref.pass
		weightedReads += pl.passes[ref.pass].weight
		readLat = append(readLat, r.out.Sub(ref.handed))
		ps := &passes[ref.pass]
		ps.reads = append(ps.reads, i)
		if ps.best < 0 || r.read.Confidence > p.reads[ps.best].read.Confidence {
			ps.best = i
		}
		if r.read.VRM != pl.passes[ref.pass].capture.Mark.Text {
			fr.Misreads++
		}
	}
	if fr.Reads > 0 {
		fr.Share = float64(fr.Misreads) / float64(fr.Reads)
	}

	// Accuracy, detection and confusions.
	var all []outcome
	groups := map[string][]outcome{}
	byPx := map[int][]outcome{}
	confusions := map[[2]string]int{}
	det := &rep.Detection
	describePlan(rep, sc, pl)
	for i, pp := range pl.passes {
		ps := passes[i]
		o := outcome{condition: pp.condition, truth: pp.capture.Mark.Text}
		if ps.best >= 0 {
			o.read, o.conf = p.reads[ps.best].read.VRM, p.reads[ps.best].read.Confidence
			det.Detected++
		}
		fr.Extra += max(len(ps.reads)-1, 0)
		o.charAcc = charAccuracy(o.truth, o.read)
		all = append(all, o)
		groups[o.condition] = append(groups[o.condition], o)
		px := nearestCharPx(pp)
		byPx[pxBucket(px)] = append(byPx[pxBucket(px)], o)
		cs := &rep.Cameras[pp.site]
		cs.Reads += len(ps.reads)
		if o.read == o.truth {
			cs.Exact++
			continue
		}
		if len(rep.Misreads) < 40 {
			rep.Misreads = append(rep.Misreads, PassMisread{Camera: pp.capture.Camera, Condition: pp.condition, Truth: o.truth, Read: o.read, Conf: round(o.conf, 3), CharPx: round(px, 1)})
		}
		if len(o.read) == len(o.truth) {
			for k := range o.truth {
				if o.truth[k] != o.read[k] {
					confusions[[2]string{o.truth[k : k+1], o.read[k : k+1]}]++
				}
			}
		}
	}
	det.Passes = len(pl.passes)
	if det.Passes > 0 {
		det.Recall = float64(det.Detected) / float64(det.Passes)
	}
	det.Interval95 = wilson(det.Detected, det.Passes)
	rep.Accuracy = scoreOf("overall", all)
	for _, name := range sortedKeys(groups) {
		rep.PerCondition = append(rep.PerCondition, scoreOf(name, groups[name]))
	}
	for _, b := range sortedKeys(byPx) {
		rep.ByCharPx = append(rep.ByCharPx, scoreOf(pxBucketName(b), byPx[b]))
	}
	for k, n := range confusions {
		rep.Confusions = append(rep.Confusions, Confusion{Truth: k[0], Read: k[1], Count: n})
	}
	slices.SortFunc(rep.Confusions, func(a, b Confusion) int {
		return cmp.Or(b.Count-a.Count, cmp.Compare(a.Truth, b.Truth), cmp.Compare(a.Read, b.Read))
	})
	for i := range rep.Cameras {
		if cs := &rep.Cameras[i]; cs.Rendered > 0 {
			cs.Accuracy = round(float64(cs.Exact)/float64(cs.Rendered), 4)
		}
	}

	// Alerts: true when the read's vehicle is the listed vehicle.
	listing := map[string]traffic.Listing{}
	for _, l := range listings {
		listing[l.Entry.VRM] = l
	}
	readIndex := map[string]int{}
	for i, r := range p.reads {
		readIndex[r.read.ID] = i
	}
	al := &rep.Alerts
	al.ByMatch, al.FalseByMatch = map[string]int{}, map[string]int{}
	var alertLat []time.Duration
	var weightedTrue, weightedFalse float64
	for _, a := range p.alerts {
		al.Alerts++
		kind := string(a.alert.Kind)
		if a.alert.Hit != nil {
			kind = a.alert.Hit.Kind.String()
		}
		al.ByMatch[kind]++
		ri, ok := readIndex[a.alert.Read.ID]
		truth, weight := false, 1.0
		if ok && readPass[ri] >= 0 {
			pp := pl.passes[readPass[ri]]
			weight = pp.weight
			if ref, ok := p.frames[pp.site][p.reads[ri].bestAt.UnixNano()]; ok {
				alertLat = append(alertLat, a.at.Sub(ref.handed))
			}
			if a.alert.Hit != nil {
				l, listed := listing[a.alert.Hit.Entry.VRM]
				truth = listed && l.Kind == traffic.OfInterest && l.Vehicle == pp.capture.Vehicle
			}
			if truth {
				passes[readPass[ri]].alerts++
			}
		}
		if truth {
			al.True++
			weightedTrue += weight
		} else {
			al.False++
			al.FalseByMatch[kind]++
			weightedFalse += weight
		}
	}
	for i, pp := range pl.passes {
		if !pl.listed[pp.capture.Vehicle] {
			continue
		}
		al.ListedPasses++
		if passes[i].alerts > 0 {
			al.Alerted++
		} else if len(al.Missed) < 40 {
			read := ""
			if passes[i].best >= 0 {
				read = p.reads[passes[i].best].read.VRM
			}
			al.Missed = append(al.Missed, MissedAlert{Camera: pp.capture.Camera, Plate: pp.capture.Mark.Text, Behaviour: pp.behaviour.String(), Read: read})
		}
	}
	if al.Alerts > 0 {
		al.RenderedPrecision = float64(al.True) / float64(al.Alerts)
		al.Precision = round(weightedTrue/(weightedTrue+weightedFalse), 4)
	}
	al.PrecisionInt95 = wilson(al.True, al.Alerts)
	if al.ListedPasses > 0 {
		al.Recall = float64(al.Alerted) / float64(al.ListedPasses)
	}
	al.RecallInt95 = wilson(al.Alerted, al.ListedPasses)
	if fr.Reads > 0 {
		al.RenderedFalsePer100k = round(float64(al.False)*100_000/float64(fr.Reads), 1)
		al.FalsePer100k = round(weightedFalse*100_000/weightedReads, 1)
	}

	rep.readLatency, rep.alertLatency = readLat, alertLat
	rep.Latency = LatencySummary{Definition: LatencyDefinition, CaptureToRead: percentiles(readLat), CaptureToAlert: percentiles(alertLat)}

	// Throughput.
	t := &rep.Throughput
	t.Frames, t.Reads, t.BadFrames = len(p.frameDone), fr.Reads, p.badFrames
	if t.WallSeconds > 0 {
		t.FramesPerS = round(float64(t.Frames)/t.WallSeconds, 2)
		t.ReadsPerS = round(float64(t.Reads)/t.WallSeconds, 2)
	}
	if t.Frames > 0 {
		t.EngineMSPerFrame = round(float64(p.engineTime.Microseconds())/1000/float64(t.Frames), 2)
		t.EngineCPUMSPerFrame = round(float64(p.engineCPU.Microseconds())/1000/float64(t.Frames), 2)
		if t.EngineCPUMSPerFrame > 0 {
			t.EngineFramesPerCoreS = round(1000/t.EngineCPUMSPerFrame, 1)
		}
	}
	for _, d := range p.frameDone {
		s := int(d / time.Second)
		for len(t.PerSecond) <= s {
			t.PerSecond = append(t.PerSecond, 0)
		}
		t.PerSecond[s]++
	}
	if r := &rep.Rendering; r.Passes > 0 {
		r.MSPerPass = round(float64(p.renderTime.Microseconds())/1000/float64(r.Passes), 1)
	}
}

// describePlan fills in what the plan says: the cameras and what they
// capture, and what is rendered.
func describePlan(rep *Report, sc *scenario.Scenario, pl *plan) {
	rep.Cameras = make([]CameraSummary, len(sc.Sites))
	for i, s := range sc.Sites {
		cs := &rep.Cameras[i]
		cs.ID, cs.Link, cs.Facing, cs.Sensor = s.ID, s.LinkName, string(s.Facing), string(s.Sensor)
		cs.CharPx = round(s.CharPxAt(s.TriggerM), 1)
		cs.ZoneM = [2]float64{round(s.Near, 1), round(s.Far, 1)}
		cs.Passages, cs.InView, cs.Rendered = pl.counts[i].Passages, pl.counts[i].InView, pl.counts[i].Rendered
	}
	r := &rep.Rendering
	r.Passes = len(pl.passes)
	for _, pp := range pl.passes {
		r.Frames += len(pp.capture.Frames)
		rep.Cameras[pp.site].Frames += len(pp.capture.Frames)
		if pl.listed[pp.capture.Vehicle] || pl.nearMiss[pp.capture.Vehicle] {
			r.ListedPasses++
		}
	}
}

// nearestCharPx is the character height in the pass's nearest frame.
func nearestCharPx(pp *plannedPass) float64 {
	px := 0.0
	for _, f := range pp.capture.Frames {
		px = math.Max(px, f.CharPx)
	}
	return px
}

var pxBuckets = []float64{8, 16, 24, 32, 48}

func pxBucket(px float64) int {
	b := 0
	for i, lo := range pxBuckets {
		if px >= lo {
			b = i
		}
	}
	return b
}

func pxBucketName(b int) string {
	if b == len(pxBuckets)-1 {
		return fmt.Sprintf("%g+ px", pxBuckets[b])
	}
	return fmt.Sprintf("%g-%g px", pxBuckets[b], pxBuckets[b+1])
}

func scoreOf(name string, os []outcome) Score {
	s := score(name, os)
	s.Rate = round(s.Rate, 4)
	s.CharAccuracy = round(s.CharAccuracy, 4)
	return s
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// percentiles are by nearest rank.
func percentiles(ds []time.Duration) Percentiles {
	p := Percentiles{N: len(ds)}
	if len(ds) == 0 {
		return p
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return round(float64(ds[max(i, 0)].Microseconds())/1000, 2)
	}
	p.P50, p.P95, p.P99, p.Max = at(0.50), at(0.95), at(0.99), at(1)
	return p
}

// checkExpectations compares the report with what the scenario expects.
func checkExpectations(rep *Report, x scenario.Expect) {
	add := func(name, want string, got float64, ok bool, note string) {
		rep.Expectations = append(rep.Expectations, Check{Name: name, Want: want, Got: round(got, 4), OK: ok, Note: note})
		if !ok {
			rep.Failed = append(rep.Failed, name)
		}
	}
	atLeast := func(name string, want, got float64, n int, what string) {
		if n == 0 {
			add(name, fmt.Sprintf(">= %g", want), 0, false, "nothing to measure: no "+what)
			return
		}
		add(name, fmt.Sprintf(">= %g", want), got, got >= want, fmt.Sprintf("of %d %s", n, what))
	}
	for _, name := range sortedKeys(x.ReadAccuracy) {
		want := x.ReadAccuracy[name]
		s := rep.Accuracy
		if name != "overall" {
			s = Score{Condition: name}
			for _, c := range rep.PerCondition {
				if c.Condition == name {
					s = c
				}
			}
		}
		atLeast("read_accuracy."+name, want, s.Rate, s.Reads, "passes")
	}
	if x.DetectionRecall != nil {
		atLeast("detection_recall", *x.DetectionRecall, rep.Detection.Recall, rep.Detection.Passes, "passes")
	}
	if x.AlertRecall != nil {
		atLeast("alert_recall", *x.AlertRecall, rep.Alerts.Recall, rep.Alerts.ListedPasses, "passes of listed vehicles")
	}
	if x.AlertPrecision != nil {
		atLeast("alert_precision", *x.AlertPrecision, rep.Alerts.Precision, rep.Alerts.Alerts, "alerts")
	}
	if x.MaxFalseAlertsPer100k != nil {
		got := rep.Alerts.FalsePer100k
		add("max_false_alerts_per_100k_reads", fmt.Sprintf("<= %g", *x.MaxFalseAlertsPer100k), got, got <= *x.MaxFalseAlertsPer100k,
			fmt.Sprintf("%d false alerts in %d reads", rep.Alerts.False, rep.FalseReads.Reads))
	}
	latency := func(name string, want time.Duration, p Percentiles, what string) {
		if want == 0 {
			return
		}
		if p.N == 0 {
			add(name, "<= "+want.String(), 0, false, "nothing to measure: no "+what)
			return
		}
		add(name, "<= "+want.String()+" (ms)", p.P99, p.P99 <= float64(want.Microseconds())/1000, fmt.Sprintf("p99 of %d %s", p.N, what))
	}
	latency("max_p99_capture_to_read", x.P99Read, rep.Latency.CaptureToRead, "reads")
	latency("max_p99_capture_to_alert", x.P99Alert, rep.Latency.CaptureToAlert, "alerts")
	if x.MinFramesPerSecond != nil {
		atLeast("min_frames_per_second", *x.MinFramesPerSecond, rep.Throughput.EngineFramesPerCoreS, rep.Throughput.Frames, "frames (engine, one core)")
	}
	if x.MinReadsPerSecond != nil {
		atLeast("min_reads_per_second", *x.MinReadsPerSecond, rep.Throughput.ReadsPerS, rep.Throughput.Reads, "reads")
	}
}

// FailedSummary names the failed expectations with what was wanted and got.
func (r *Report) FailedSummary() string {
	var parts []string
	for _, c := range r.Expectations {
		if !c.OK {
			s := fmt.Sprintf("%s: want %s, got %g", c.Name, c.Want, c.Got)
			if c.Note != "" {
				s += " (" + c.Note + ")"
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}
