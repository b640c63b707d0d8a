package harness

import (
	"fmt"
	"io"
	"strings"
)

// Summary is the load run's result in one line: the most cameras the
// engine sustained, per core, how it degraded past them, and whether every
// read reached the sink.
func (r *LoadReport) Summary() string {
	s := r.Settings
	var b strings.Builder
	if r.MostCameras == 0 {
		fmt.Fprintf(&b, "the engine did not sustain even one camera at %g fps on %s within the bound", s.FPS, plural(s.Workers, "worker"))
	} else {
		fmt.Fprintf(&b, "the engine sustained %s at %g fps on %s: %.2f cameras per core", plural(r.MostCameras, "camera"), s.FPS, plural(s.Workers, "worker"), r.CamerasPerCore)
	}
	var past []string
	for _, st := range r.Steps {
		if st.Cameras > r.MostCameras {
			past = append(past, fmt.Sprintf("at %s %.1f%% of frames were dropped (%d, counted), p99 latency %.0f ms, %d reads of %d passes",
				plural(st.Cameras, "camera"), 100*st.DropShare, st.Dropped, st.Latency.P99, st.ReadsEmitted, st.PassesShown))
		}
	}
	switch {
	case r.BrokeAt == 0 && !r.Interrupted:
		b.WriteString(", the most tried: the bound never broke")
	case len(past) > 0 && r.MostCameras == 0:
		b.WriteString("; " + strings.Join(past, "; "))
	case len(past) > 0:
		b.WriteString("; past it, " + strings.Join(past, "; "))
	}
	emitted, delivered := 0, 0
	for _, st := range r.Steps {
		emitted, delivered = emitted+st.ReadsEmitted, delivered+st.ReadsDelivered
	}
	if r.ReadsLost == 0 {
		fmt.Fprintf(&b, "; no read lost (%d emitted, %d delivered)", emitted, delivered)
	} else {
		fmt.Fprintf(&b, "; %d READS LOST (%d emitted, %d delivered)", r.ReadsLost, emitted, delivered)
	}
	if r.Interrupted {
		b.WriteString(" (interrupted)")
	}
	return b.String()
}

// WriteMarkdown writes the bound and set-up, a table of the steps, and
// the summary.
func (r *LoadReport) WriteMarkdown(w io.Writer) error {
	s := r.Settings
	var b strings.Builder
	fmt.Fprintf(&b, "Bound: p99 latency (capture to recognised and tracked) <= %.0f ms, frames dropped <= %.1f%%.\n",
		r.Bound.LatencyP99MS, 100*r.Bound.MaxDropShare)
	fmt.Fprintf(&b, "Engine: %s, %d OpenCV thread each, %d-frame queue per camera, track max gap %.0f ms, on %d cores (GOMAXPROCS %d).\n",
		plural(s.Workers, "worker"), s.OpenCVThreads, s.QueueFrames, s.TrackMaxGapMS, r.Cores, s.GoMaxProcs)
	if s.ReaderModel != "" {
		fmt.Fprintf(&b, "Models: detector %s (threshold %g), reader %s (min confidence %g).\n", s.DetectorModel, s.Threshold, s.ReaderModel, s.MinConfidence)
	}
	fmt.Fprintf(&b, "Cameras: %dx%d %s frames at %g fps, %d vehicles of %d frames with %d of empty road between, %g s a step.\n\n",
		s.Width, s.Height, s.Condition, s.FPS, s.Passes, s.FramesPerPass, s.Gap, s.StepSeconds)
	b.WriteString("| cameras | offered fps | processed fps | dropped | dropped % | p50 ms | p95 ms | p99 ms | passes shown | reads emitted | reads delivered | bound |\n")
	b.WriteString("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|\n")
	for _, st := range r.Steps {
		bound := "met"
		if !st.MetBound {
			bound = "broken: " + st.Broke
		}
		fmt.Fprintf(&b, "| %d | %.1f | %.1f | %d | %.1f | %.0f | %.0f | %.0f | %d | %d | %d | %s |\n",
			st.Cameras, st.OfferedFPS, st.ProcessedFPS, st.Dropped, 100*st.DropShare,
			st.Latency.P50, st.Latency.P95, st.Latency.P99, st.PassesShown, st.ReadsEmitted, st.ReadsDelivered, bound)
	}
	fmt.Fprintf(&b, "\n%s\n", r.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the step as a progress line.
func (st LoadStep) String() string {
	bound := "within the bound"
	if !st.MetBound {
		bound = "bound broken: " + st.Broke
	}
	return fmt.Sprintf("%s: %.1f frames/s offered, %.1f processed, %d dropped (%.1f%%), p50/p99 %.0f/%.0f ms, %d reads (%d delivered) of %d passes; %s",
		plural(st.Cameras, "camera"), st.OfferedFPS, st.ProcessedFPS, st.Dropped, 100*st.DropShare, st.Latency.P50, st.Latency.P99,
		st.ReadsEmitted, st.ReadsDelivered, st.PassesShown, bound)
}

// plural is n of a thing, plural unless one.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
