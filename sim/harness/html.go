package harness

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Colours of the report: one for what went right, one for what went
// wrong, one for everything else.
var (
	good    = color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	bad     = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	neutral = color.RGBA{R: 0x1f, G: 0x5f, B: 0x9e, A: 0xff}
	second  = color.RGBA{R: 0xf5, G: 0x9e, B: 0x0b, A: 0xff}
)

// HTML renders the report as one self-contained page: the verdict and the
// headline figures first, then plots, then the tables behind them.
func (r *Report) HTML() ([]byte, error) {
	var plots []figure
	const w = 15 * vg.Centimeter
	h := 9 * vg.Centimeter
	add := func(title, caption string, p *plot.Plot, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		if p == nil {
			return nil
		}
		uri, err := svgURI(p, w, h)
		if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		plots = append(plots, figure{Title: title, Caption: caption, URI: template.URL(uri)})
		return nil
	}
	p, err := r.accuracyPlot()
	if err := add("Read accuracy by condition", "Share of rendered passes read exactly, with 95% Wilson intervals; the dashed line is the overall rate.", p, err); err != nil {
		return nil, err
	}
	p, err = r.charPxPlot()
	if err := add("Read accuracy by character height", "Character height in pixels at the pass's nearest frame: what the camera's resolution, lens and distance give.", p, err); err != nil {
		return nil, err
	}
	p, err = r.latencyPlot()
	if err := add("Latency", "Share of reads and alerts out within a given processing time (see the definition below).", p, err); err != nil {
		return nil, err
	}
	p, err = r.throughputPlot()
	if err := add("Throughput", "Frames the engine finished in each second of the run (rendering shares the cores).", p, err); err != nil {
		return nil, err
	}
	p, err = r.confusionPlot()
	if err := add("Character confusions", "Characters read as another in misreads of the right length, commonest first.", p, err); err != nil {
		return nil, err
	}
	p, err = r.alertPlot()
	if err := add("Alerts by match", "True alerts (the listed vehicle) and false ones, by how the read matched the hotlist.", p, err); err != nil {
		return nil, err
	}
	h = vg.Length(math.Max(9, 0.7*float64(len(r.Cameras)))) * vg.Centimeter
	p, err = r.cameraPlot()
	if err := add("Cameras", "Passes rendered at each camera and how many were read exactly.", p, err); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, struct {
		*Report
		Plots []figure
	}{r, plots}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type figure struct {
	Title, Caption string
	URI            template.URL
}

func svgURI(p *plot.Plot, w, h vg.Length) (string, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// intervalBars are points with asymmetric errors in x, for
// plotter.NewXErrorBars.
type intervalBars struct {
	plotter.XYs
	low, high []float64
}

func (b intervalBars) XError(i int) (float64, float64) { return b.low[i], b.high[i] }

// scoreBars plots scores as horizontal bars with their Wilson intervals,
// the first at the top; a dashed line marks overall, if not negative.
func scoreBars(ylabel string, scores []Score, overall float64) (*plot.Plot, error) {
	n := len(scores)
	if n == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Y.Label.Text = ylabel
	p.X.Label.Text = "read exactly"
	p.X.Min, p.X.Max = 0, 1
	vals := make(plotter.Values, n)
	eb := intervalBars{XYs: make(plotter.XYs, n), low: make([]float64, n), high: make([]float64, n)}
	names := make([]string, n)
	for i, s := range scores {
		j := n - 1 - i
		vals[j] = s.Rate
		eb.XYs[j] = plotter.XY{X: s.Rate, Y: float64(j)}
		eb.low[j], eb.high[j] = s.Rate-s.Interval95.Low, s.Interval95.High-s.Rate
		names[j] = fmt.Sprintf("%s (%d)", s.Condition, s.Reads)
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(math.Min(16, 200/float64(n))))
	if err != nil {
		return nil, err
	}
	bars.Horizontal, bars.Color, bars.LineStyle.Width = true, neutral, 0
	errs, err := plotter.NewXErrorBars(eb)
	if err != nil {
		return nil, err
	}
	p.Add(plotter.NewGrid(), bars, errs)
	if overall >= 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: overall, Y: -0.5}, {X: overall, Y: float64(n) - 0.5}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes = bad, []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
	}
	p.NominalY(names...)
	return p, nil
}

func (r *Report) accuracyPlot() (*plot.Plot, error) {
	return scoreBars("condition (passes)", r.PerCondition, r.Accuracy.Rate)
}

func (r *Report) charPxPlot() (*plot.Plot, error) {
	return scoreBars("character height (passes)", r.ByCharPx, -1)
}

// cdf is the empirical distribution of latencies, in milliseconds.
func cdf(ds []time.Duration) plotter.XYs {
	s := slices.Clone(ds)
	slices.Sort(s)
	xy := make(plotter.XYs, 0, len(s)+1)
	for i, d := range s {
		ms := float64(d.Microseconds()) / 1000
		if i == 0 {
			xy = append(xy, plotter.XY{X: ms, Y: 0})
		}
		xy = append(xy, plotter.XY{X: ms, Y: float64(i+1) / float64(len(s))})
	}
	return xy
}

func (r *Report) latencyPlot() (*plot.Plot, error) {
	if len(r.readLatency) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.X.Label.Text = "processing latency (ms)"
	p.Y.Label.Text = "share out within it"
	p.X.Min = 0
	p.Y.Min, p.Y.Max = 0, 1
	for _, s := range []struct {
		name string
		ds   []time.Duration
		c    color.Color
	}{{"capture to read", r.readLatency, neutral}, {"capture to alert", r.alertLatency, bad}} {
		if len(s.ds) == 0 {
			continue
		}
		l, err := plotter.NewLine(cdf(s.ds))
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = s.c, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s (n=%d)", s.name, len(s.ds)), l)
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YOffs = vg.Points(30)
	p.Add(plotter.NewGrid())
	return p, nil
}

func (r *Report) throughputPlot() (*plot.Plot, error) {
	ps := r.Throughput.PerSecond
	if len(ps) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.X.Label.Text = "seconds into the run"
	p.Y.Label.Text = "frames/s"
	p.Y.Min = 0
	xy := make(plotter.XYs, len(ps))
	for i, n := range ps {
		xy[i] = plotter.XY{X: float64(i) + 0.5, Y: float64(n)}
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = neutral, vg.Points(1.5)
	p.Add(l, plotter.NewGrid())
	return p, nil
}

func (r *Report) confusionPlot() (*plot.Plot, error) {
	cs := r.Confusions
	if len(cs) == 0 {
		return nil, nil
	}
	cs = cs[:min(len(cs), 15)]
	p := plot.New()
	p.X.Label.Text = "times"
	vals := make(plotter.Values, len(cs))
	names := make([]string, len(cs))
	for i, c := range cs {
		j := len(cs) - 1 - i // commonest at the top
		vals[j] = float64(c.Count)
		names[j] = c.Truth + " read as " + c.Read
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(12))
	if err != nil {
		return nil, err
	}
	bars.Horizontal, bars.Color, bars.LineStyle.Width = true, second, 0
	p.Add(bars)
	p.NominalY(names...)
	return p, nil
}

func (r *Report) alertPlot() (*plot.Plot, error) {
	if r.Alerts.Alerts == 0 {
		return nil, nil
	}
	kinds := sortedKeys(r.Alerts.ByMatch)
	trues, falses := make(plotter.Values, len(kinds)), make(plotter.Values, len(kinds))
	for i, k := range kinds {
		falses[i] = float64(r.Alerts.FalseByMatch[k])
		trues[i] = float64(r.Alerts.ByMatch[k]) - falses[i]
	}
	p := plot.New()
	p.Y.Label.Text = "alerts"
	tb, err := plotter.NewBarChart(trues, vg.Points(30))
	if err != nil {
		return nil, err
	}
	fb, err := plotter.NewBarChart(falses, vg.Points(30))
	if err != nil {
		return nil, err
	}
	tb.Color, fb.Color = good, bad
	tb.LineStyle.Width, fb.LineStyle.Width = 0, 0
	fb.StackOn(tb)
	p.Add(tb, fb)
	p.Legend.Add("true", tb)
	p.Legend.Add("false", fb)
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(kinds...)
	return p, nil
}

func (r *Report) cameraPlot() (*plot.Plot, error) {
	if len(r.Cameras) == 0 {
		return nil, nil
	}
	n := len(r.Cameras)
	rendered, exact := make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	for i, c := range r.Cameras {
		j := n - 1 - i // the first camera at the top
		rendered[j], exact[j], names[j] = float64(c.Rendered), float64(c.Exact), c.ID
	}
	p := plot.New()
	p.X.Label.Text = "passes"
	w := vg.Points(math.Min(10, 180/float64(n)))
	rb, err := plotter.NewBarChart(rendered, w)
	if err != nil {
		return nil, err
	}
	eb, err := plotter.NewBarChart(exact, w)
	if err != nil {
		return nil, err
	}
	rb.Color, eb.Color = neutral, good
	rb.LineStyle.Width, eb.LineStyle.Width = 0, 0
	rb.Horizontal, eb.Horizontal = true, true
	rb.Offset, eb.Offset = w/2, -w/2
	p.Add(rb, eb)
	p.Legend.Add("rendered", rb)
	p.Legend.Add("read exactly", eb)
	p.Legend.Top = true
	p.NominalY(names...)
	return p, nil
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) },
	"f1":  func(x float64) string { return fmt.Sprintf("%.1f", x) },
	"f2":  func(x float64) string { return fmt.Sprintf("%.2f", x) },
	"ms":  func(x float64) string { return fmt.Sprintf("%.0f ms", x) },
	"time": func(t time.Time) string {
		return t.Format("Mon 2 Jan 2006 15:04")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Scenario}}: scenario report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
.verdict{padding:.8rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0}
.pass{background:#e8f5e9;color:#1b5e20} .fail{background:#ffebee;color:#b71c1c}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.8rem;margin:1rem 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:.7rem}
.tile .v{font-size:1.7rem;font-weight:600} .tile .l{color:#555;font-size:.85rem}
.tile .n{color:#888;font-size:.75rem}
figure{display:inline-block;margin:.5rem 1rem 1rem 0;vertical-align:top;width:calc(50% - 1.5rem)}
figure img{width:100%} figcaption{color:#555;font-size:.85rem;max-width:34rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem} td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left;font-size:.9rem}
td.num{text-align:right;font-variant-numeric:tabular-nums} .ok{color:#1b5e20;font-weight:600} .no{color:#b71c1c;font-weight:600}
.note{color:#555;font-size:.85rem;max-width:50rem}
</style></head><body>
<h1>{{.Scenario}}</h1>
<p class="sub">{{.Description}}<br>Simulated {{time .From}} to {{time .To}} · seed {{.Seed}} · {{.File}} · ran in {{f1 .WallSeconds}} s on {{.Resources.Cores}} cores</p>
{{if .Failed}}<div class="verdict fail">Failed {{len .Failed}} of {{len .Expectations}} expectations: {{range $i, $f := .Failed}}{{if $i}}, {{end}}{{$f}}{{end}}</div>
{{else}}<div class="verdict pass">Met all {{len .Expectations}} expectations</div>{{end}}
<div class="tiles">
<div class="tile"><div class="v">{{pct .Accuracy.Rate}}</div><div class="l">passes read exactly</div><div class="n">{{.Accuracy.Exact}} of {{.Accuracy.Reads}}, 95% {{pct .Accuracy.Interval95.Low}} to {{pct .Accuracy.Interval95.High}}</div></div>
<div class="tile"><div class="v">{{pct .Detection.Recall}}</div><div class="l">passes read at all</div><div class="n">{{.Detection.Detected}} of {{.Detection.Passes}}</div></div>
<div class="tile"><div class="v">{{pct .Alerts.Recall}}</div><div class="l">alert recall</div><div class="n">{{.Alerts.Alerted}} of {{.Alerts.ListedPasses}} passes of listed vehicles</div></div>
<div class="tile"><div class="v">{{pct .Alerts.Precision}}</div><div class="l">alert precision</div><div class="n">weighted to the traffic; {{.Alerts.True}} true of {{.Alerts.Alerts}} rendered; {{f1 .Alerts.FalsePer100k}} false per 100k reads</div></div>
<div class="tile"><div class="v">{{ms .Latency.CaptureToAlert.P99}}</div><div class="l">p99 capture to alert</div><div class="n">p50 {{ms .Latency.CaptureToAlert.P50}}, read p99 {{ms .Latency.CaptureToRead.P99}}</div></div>
<div class="tile"><div class="v">{{f1 .Throughput.EngineFramesPerCoreS}}</div><div class="l">frames/s per core (engine)</div><div class="n">{{f1 .Throughput.EngineCPUMSPerFrame}} ms CPU ({{f1 .Throughput.EngineMSPerFrame}} ms wall) a frame; run {{f1 .Throughput.FramesPerS}} frames/s with rendering</div></div>
<div class="tile"><div class="v">{{f1 .Resources.CPUSeconds}} s</div><div class="l">CPU</div><div class="n">peak RSS {{f1 .Resources.PeakRSSMiB}} MiB</div></div>
</div>
<h2>Expectations</h2>
<table><tr><th>expectation</th><th>want</th><th>got</th><th></th><th>over</th></tr>
{{range .Expectations}}<tr><td>{{.Name}}</td><td>{{.Want}}</td><td class="num">{{.Got}}</td><td class="{{if .OK}}ok{{else}}no{{end}}">{{if .OK}}met{{else}}FAILED{{end}}</td><td>{{.Note}}</td></tr>
{{else}}<tr><td colspan="5">none set</td></tr>{{end}}</table>
<h2>Plots</h2>
{{range .Plots}}<figure><img src="{{.URI}}" alt="{{.Title}}"><figcaption><b>{{.Title}}.</b> {{.Caption}}</figcaption></figure>
{{end}}
<h2>Accuracy by condition</h2>
<table><tr><th>condition</th><th>passes</th><th>exact</th><th>rate</th><th>95% interval</th><th>character accuracy</th></tr>
{{range .PerCondition}}<tr><td>{{.Condition}}</td><td class="num">{{.Reads}}</td><td class="num">{{.Exact}}</td><td class="num">{{pct .Rate}}</td><td>{{pct .Interval95.Low}} to {{pct .Interval95.High}}</td><td class="num">{{pct .CharAccuracy}}</td></tr>
{{end}}<tr><th>overall</th><th class="num">{{.Accuracy.Reads}}</th><th class="num">{{.Accuracy.Exact}}</th><th class="num">{{pct .Accuracy.Rate}}</th><th>{{pct .Accuracy.Interval95.Low}} to {{pct .Accuracy.Interval95.High}}</th><th class="num">{{pct .Accuracy.CharAccuracy}}</th></tr></table>
<h2>Cameras</h2>
<table><tr><th>camera</th><th>link</th><th>facing</th><th>sensor</th><th>characters at trigger</th><th>zone</th><th>passages</th><th>in view</th><th>rendered</th><th>frames</th><th>reads</th><th>exact</th></tr>
{{range .Cameras}}<tr><td>{{.ID}}</td><td>{{.Link}}</td><td>{{.Facing}}</td><td>{{.Sensor}}</td><td class="num">{{f1 .CharPx}} px</td><td>{{index .ZoneM 0}} to {{index .ZoneM 1}} m</td><td class="num">{{.Passages}}</td><td class="num">{{.InView}}</td><td class="num">{{.Rendered}}</td><td class="num">{{.Frames}}</td><td class="num">{{.Reads}}</td><td class="num">{{.Exact}}</td></tr>
{{end}}</table>
<h2>Reads and alerts</h2>
<table>
<tr><td>reads with a mark</td><td class="num">{{.FalseReads.Reads}}</td></tr>
<tr><td>false reads (not the plate they were made of)</td><td class="num">{{.FalseReads.Misreads}} ({{pct .FalseReads.Share}})</td></tr>
<tr><td>extra reads (a pass split in two)</td><td class="num">{{.FalseReads.Extra}}</td></tr>
<tr><td>tracks with no mark read</td><td class="num">{{.FalseReads.NoMark}}</td></tr>
<tr><td>alerts of the rendered passes: true / false</td><td class="num">{{.Alerts.True}} / {{.Alerts.False}}</td></tr>
<tr><td>alert recall, 95% interval</td><td>{{pct .Alerts.RecallInt95.Low}} to {{pct .Alerts.RecallInt95.High}}</td></tr>
<tr><td>alert precision weighted to the traffic</td><td class="num">{{pct .Alerts.Precision}}</td></tr>
<tr><td>alert precision of the rendered passes, 95% interval</td><td>{{pct .Alerts.RenderedPrecision}}: {{pct .Alerts.PrecisionInt95.Low}} to {{pct .Alerts.PrecisionInt95.High}}</td></tr>
<tr><td>false alerts per 100k reads: weighted / rendered</td><td class="num">{{f1 .Alerts.FalsePer100k}} / {{f1 .Alerts.RenderedFalsePer100k}}</td></tr>
<tr><td>hotlist entries loaded</td><td class="num">{{.Traffic.HotlistEntries}} ({{.Traffic.HotlistRejected}} rejected)</td></tr>
</table>
{{if .Confusions}}<h3>Character confusions</h3>
<table><tr><th>truth</th><th>read as</th><th>times</th></tr>
{{range $i, $c := .Confusions}}{{if lt $i 30}}<tr><td>{{$c.Truth}}</td><td>{{$c.Read}}</td><td class="num">{{$c.Count}}</td></tr>
{{end}}{{end}}</table>{{end}}
{{if .Misreads}}<h3>Misread passes (first {{len .Misreads}})</h3>
<table><tr><th>camera</th><th>condition</th><th>truth</th><th>read</th><th>confidence</th><th>characters</th></tr>
{{range .Misreads}}<tr><td>{{.Camera}}</td><td>{{.Condition}}</td><td>{{.Truth}}</td><td>{{if .Read}}{{.Read}}{{else}}<i>nothing</i>{{end}}</td><td class="num">{{.Conf}}</td><td class="num">{{f1 .CharPx}} px</td></tr>
{{end}}</table>{{end}}
{{if .Alerts.Missed}}<h3>Passes of listed vehicles without a true alert</h3>
<table><tr><th>camera</th><th>plate</th><th>behaviour</th><th>read</th></tr>
{{range .Alerts.Missed}}<tr><td>{{.Camera}}</td><td>{{.Plate}}</td><td>{{.Behaviour}}</td><td>{{if .Read}}{{.Read}}{{else}}<i>nothing</i>{{end}}</td></tr>
{{end}}</table>{{end}}
<h2>Latency</h2>
<table><tr><th></th><th>n</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>
<tr><td>capture to read</td><td class="num">{{.Latency.CaptureToRead.N}}</td><td class="num">{{ms .Latency.CaptureToRead.P50}}</td><td class="num">{{ms .Latency.CaptureToRead.P95}}</td><td class="num">{{ms .Latency.CaptureToRead.P99}}</td><td class="num">{{ms .Latency.CaptureToRead.Max}}</td></tr>
<tr><td>capture to alert</td><td class="num">{{.Latency.CaptureToAlert.N}}</td><td class="num">{{ms .Latency.CaptureToAlert.P50}}</td><td class="num">{{ms .Latency.CaptureToAlert.P95}}</td><td class="num">{{ms .Latency.CaptureToAlert.P99}}</td><td class="num">{{ms .Latency.CaptureToAlert.Max}}</td></tr></table>
<p class="note">{{.Latency.Definition}}</p>
<h2>Run</h2>
<table>
<tr><td>trips in the window</td><td class="num">{{.Traffic.Trips}}</td></tr>
<tr><td>passages at cameras</td><td class="num">{{.Traffic.Passages}}</td></tr>
<tr><td>passes rendered (of listed or near-miss vehicles)</td><td class="num">{{.Rendering.Passes}} ({{.Rendering.ListedPasses}})</td></tr>
<tr><td>frames</td><td class="num">{{.Rendering.Frames}}</td></tr>
<tr><td>rendering a pass</td><td class="num">{{f1 .Rendering.MSPerPass}} ms</td></tr>
<tr><td>workers</td><td class="num">{{.Throughput.Workers}}</td></tr>
<tr><td>CPU user / system</td><td class="num">{{f2 .Resources.CPUUserS}} s / {{f2 .Resources.CPUSystemS}} s</td></tr>
<tr><td>peak Go heap</td><td class="num">{{f1 .Resources.PeakGoHeapMiB}} MiB</td></tr>
</table>
</body></html>
`))
