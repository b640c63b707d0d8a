package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Report is what a scenario run found: DIR/report.json.
type Report struct {
	Scenario    string    `json:"scenario"`
	File        string    `json:"file"`
	Description string    `json:"description,omitempty"`
	Seed        uint64    `json:"seed"`
	From        time.Time `json:"from"` // the simulated window
	To          time.Time `json:"to"`
	Started     time.Time `json:"started"` // wall clock
	WallSeconds float64   `json:"wall_seconds"`

	Traffic   TrafficSummary   `json:"traffic"`
	Cameras   []CameraSummary  `json:"cameras"`
	Rendering RenderingSummary `json:"rendering"`

	// Accuracy is plate-exact reading per rendered pass: a pass counts as
	// read right when the most confident read the engine joined to it is
	// the plate's mark. A pass with no read counts as misread.
	Accuracy     Score             `json:"accuracy"`
	PerCondition []Score           `json:"per_condition"`
	ByCharPx     []Score           `json:"by_char_px"` // by character height at the pass's nearest frame
	Confusions   []Confusion       `json:"confusions"` // truth character read as another, in same-length misreads, commonest first
	Misreads     []PassMisread     `json:"misreads"`   // the first few
	Detection    DetectionSummary  `json:"detection"`
	FalseReads   FalseReadsSummary `json:"false_reads"`
	Alerts       AlertSummary      `json:"alerts"`
	Latency      LatencySummary    `json:"latency"`
	Throughput   Throughput        `json:"throughput"`
	Resources    Resources         `json:"resources"`

	Expectations []Check  `json:"expectations"`
	Failed       []string `json:"failed"` // the expectations not met, by name

	// The latencies themselves, for the HTML report's plots.
	readLatency, alertLatency []time.Duration
}

// TrafficSummary is the traffic of the window.
type TrafficSummary struct {
	// Trips and Vehicles are those of the traffic run, which starts
	// LeadSeconds before the window so as to catch every vehicle that
	// reaches a camera in it.
	Trips            int     `json:"trips"`
	LeadSeconds      float64 `json:"lead_s"`
	Passages         int     `json:"passages_at_cameras"` // vehicles passing a camera's trigger point in the window, each camera counted
	Vehicles         int     `json:"vehicles"`
	HotlistEntries   int     `json:"hotlist_entries"`
	HotlistRejected  int     `json:"hotlist_rejected"`
	ListedVehicles   int     `json:"listed_vehicles"`
	NearMissVehicles int     `json:"near_miss_vehicles"`
}

// CameraSummary is one camera's part in the run.
type CameraSummary struct {
	ID       string     `json:"id"`
	Link     string     `json:"link"`
	Facing   string     `json:"facing"`
	Sensor   string     `json:"sensor"`
	CharPx   float64    `json:"char_px_at_trigger"`
	ZoneM    [2]float64 `json:"capture_zone_m"`
	Passages int        `json:"passages"`
	InView   int        `json:"in_view"`
	Rendered int        `json:"rendered"`
	Frames   int        `json:"frames"`
	Reads    int        `json:"reads"`
	Exact    int        `json:"exact"`
	Accuracy float64    `json:"accuracy"`
}

// RenderingSummary says how much was rendered.
type RenderingSummary struct {
	Passes       int     `json:"passes"`
	Frames       int     `json:"frames"`
	ListedPasses int     `json:"listed_passes"` // of listed or near-miss vehicles, rendered whatever the share
	MSPerPass    float64 `json:"ms_per_pass"`   // rendering, one core
	Share        float64 `json:"share"`
}

// Confusion is one character read as another.
type Confusion struct {
	Truth string `json:"truth"`
	Read  string `json:"read"`
	Count int    `json:"count"`
}

// PassMisread is one pass read wrong, for looking at.
type PassMisread struct {
	Camera    string  `json:"camera"`
	Condition string  `json:"condition"`
	Truth     string  `json:"truth"`
	Read      string  `json:"read"` // "" when nothing was read
	Conf      float64 `json:"confidence"`
	CharPx    float64 `json:"char_px"`
}

// DetectionSummary is how many rendered passes gave any read at all.
type DetectionSummary struct {
	Passes     int      `json:"passes"`
	Detected   int      `json:"detected"`
	Recall     float64  `json:"recall"`
	Interval95 Interval `json:"interval95"`
}

// FalseReadsSummary counts reads that are not the plate they were made of.
type FalseReadsSummary struct {
	Reads    int `json:"reads"`    // every read the engine made, with a mark
	Misreads int `json:"misreads"` // not the mark of the pass they came from (plates in the background included)
	// Extra are reads beyond the first of a pass: the tracker split one
	// pass in two.
	Extra  int     `json:"extra"`
	Share  float64 `json:"share"` // Misreads / Reads
	NoMark int     `json:"no_mark"`
	// Unjoined reads came from no rendered frame: none should.
	Unjoined int `json:"unjoined"`
	Refused  int `json:"refused"` // by the back office
}

// AlertSummary is how the alerts compare with the truth. An alert is true
// when the vehicle whose read raised it is the vehicle its hotlist entry
// lists; every other alert (a misread that happens to hit, an innocent
// vehicle one character from a listed mark, a clone's innocent twin, a
// mark no vehicle carries) is false.
//
// A scenario that renders a share of the traffic but every passage of a
// listed or near-miss vehicle (render.listed) renders those many times
// more often than the rest. Precision and false alerts per 100,000 reads
// weigh each pass by how many passages of the traffic it stands for, so
// that they are the traffic's; the rendered_ figures and the interval are
// the rendered passes' as they are.
type AlertSummary struct {
	Alerts               int            `json:"alerts"`
	True                 int            `json:"true"`
	False                int            `json:"false"`
	Precision            float64        `json:"precision"`
	RenderedPrecision    float64        `json:"rendered_precision"`
	PrecisionInt95       Interval       `json:"rendered_precision_interval95"`
	ListedPasses         int            `json:"listed_passes"` // rendered passes of listed vehicles
	Alerted              int            `json:"alerted"`       // of those, passes with a true alert
	Recall               float64        `json:"recall"`
	RecallInt95          Interval       `json:"recall_interval95"`
	FalsePer100k         float64        `json:"false_alerts_per_100k_reads"`
	RenderedFalsePer100k float64        `json:"rendered_false_alerts_per_100k_reads"`
	ByMatch              map[string]int `json:"by_match"`       // alerts by how they matched
	FalseByMatch         map[string]int `json:"false_by_match"` // false ones
	Missed               []MissedAlert  `json:"missed,omitempty"`
}

// MissedAlert is a listed vehicle's pass that raised no true alert.
type MissedAlert struct {
	Camera    string `json:"camera"`
	Plate     string `json:"plate"`
	Behaviour string `json:"behaviour"`
	Read      string `json:"read"`
}

// Percentiles of a latency, in milliseconds.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// LatencySummary is the engine's processing latency.
type LatencySummary struct {
	Definition     string      `json:"definition"`
	CaptureToRead  Percentiles `json:"capture_to_read"`
	CaptureToAlert Percentiles `json:"capture_to_alert"`
}

// LatencyDefinition says what the latencies measure.
const LatencyDefinition = "Wall-clock processing latency. Capture times in a run are simulated, so latency " +
	"is measured from when the read's best frame (the frame whose capture time the read carries) was handed to " +
	"the engine's recogniser to when the tracker let the fused read go (capture_to_read) and to when the alert it " +
	"raised reached a subscriber of the alert service, the operator channel (capture_to_alert). It includes " +
	"recognising the pass's later frames, tracking, storing, matching and alerting, and the wait for the " +
	"pass's other frames to be rendered; it leaves out what a live camera adds: the time the vehicle takes to " +
	"cross the rest of the capture zone after the best frame and the tracker's max_gap of empty road before a " +
	"pass ends (in a run, one frame of empty road stands for those)."

// Throughput is how fast the engine went.
type Throughput struct {
	Frames      int     `json:"frames"`
	Reads       int     `json:"reads"`
	WallSeconds float64 `json:"wall_seconds"` // rendering and the engine, together
	FramesPerS  float64 `json:"frames_per_s"` // sustained over the run, rendering included
	ReadsPerS   float64 `json:"reads_per_s"`
	// EngineMSPerFrame is the wall time of recognising and tracking one
	// frame (OpenCV held to one thread per worker), rendering excluded; on
	// a busy machine it includes waiting for a core.
	EngineMSPerFrame float64 `json:"engine_ms_per_frame"`
	// EngineCPUMSPerFrame is the CPU time of the same, on the worker's
	// thread: what a frame costs whatever else the machine is doing.
	EngineCPUMSPerFrame float64 `json:"engine_cpu_ms_per_frame"`
	// EngineFramesPerCoreS is 1000 / EngineCPUMSPerFrame: the frames one
	// core sustains.
	EngineFramesPerCoreS float64 `json:"engine_frames_per_core_s"`
	Workers              int     `json:"workers"`
	// PerSecond is the frames the engine finished in each second of the
	// run.
	PerSecond []int `json:"frames_each_second"`
	BadFrames int   `json:"bad_frames"`
}

// Resources is what the run cost the machine.
type Resources struct {
	CPUSeconds    float64 `json:"cpu_seconds"` // user and system, the whole process, during the run
	CPUUserS      float64 `json:"cpu_user_s"`
	CPUSystemS    float64 `json:"cpu_system_s"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`     // the process's, since it started
	PeakGoHeapMiB float64 `json:"peak_go_heap_mib"` // sampled
	Cores         int     `json:"cores"`
}

// Check is one expectation of the scenario and whether the run met it.
type Check struct {
	Name string  `json:"name"`
	Want string  `json:"want"`
	Got  float64 `json:"got"`
	OK   bool    `json:"ok"`
	Note string  `json:"note,omitempty"`
}

// Write writes DIR/report.json and DIR/report.html.
func (r *Report) Write(dir string) error {
	if err := r.WriteJSON(dir); err != nil {
		return err
	}
	html, err := r.HTML()
	if err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "report.html"), html, 0o644)
}

// WriteJSON writes DIR/report.json alone.
func (r *Report) WriteJSON(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "report.json"), append(data, '\n'), 0o644)
}
