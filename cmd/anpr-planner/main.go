// Command anpr-planner is the camera-siting planner: a window showing a
// road network's map with its traffic moving, the current camera sites
// and a proposal, the heat map of what the sites miss, and the measures
// of the proposal against the current sites, recomputed on every edit.
// Click a road to propose a camera there, drag a site to move it,
// right-click to remove it, and press E to export the decision record and
// its public summary.
//
//	anpr-planner                                          # the default network and current sites
//	anpr-planner --proposal fixtures/sites/staffordshire-proposal.json
//	anpr-planner --screenshot build/planner.png --frames 30   # draw, save the screen, exit
//	anpr-planner --export build/decision                      # write the records, no window
//
// It needs an X display (ebiten panics without DISPLAY, before main): on
// a machine without one, run it under xvfb-run -a. The drawing, the
// measures and the records are in package sim/planner, which needs none.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	// First, so that a missing display is reported before ebiten loads.
	_ "anpr/internal/xdisplay"
	"anpr/sim/planner"
	"anpr/sim/siting"
	"anpr/sim/traffic"
)

const (
	defaultNetwork = "fixtures/networks/staffordshire.json"
	defaultSites   = "fixtures/sites/staffordshire-current.json"
)

// config is what the flags say.
type config struct {
	network, sites, proposal, candidates string
	tntpNodes, tntpTrips, tntpTimeUnit   string
	tntpLengthUnit                       float64
	seed                                 uint64
	seeds, trips                         int
	name                                 string
	screenshot                           string
	frames                               int
	export, exportDir                    string
	flow                                 bool
	heat                                 string
	dots, width, height                  int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("anpr-planner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.network, "network", defaultNetwork, "road network: the simulator's JSON format, or a TNTP _net.tntp file")
	fs.StringVar(&c.tntpNodes, "tntp-nodes", "", "TNTP node coordinates file (_node.tntp), needed to draw a TNTP network")
	fs.StringVar(&c.tntpTrips, "tntp-trips", "", "TNTP trips file (_trips.tntp); without it the gravity model makes the demand")
	fs.StringVar(&c.tntpTimeUnit, "tntp-time-unit", "minute", "unit of a TNTP network's free-flow times: minute or hour")
	fs.Float64Var(&c.tntpLengthUnit, "tntp-length-unit", 1609.344, "metres in a TNTP network's unit of length (a mile; Birmingham's is 1000)")
	fs.StringVar(&c.sites, "sites", "", "current camera sites (anpr-sites/1); default "+defaultSites+" on the default network, none on others")
	fs.StringVar(&c.proposal, "proposal", "", "start from this proposal (anpr-siting-proposal/1) instead of the current sites")
	fs.StringVar(&c.candidates, "candidates", "", "candidate sites: drawn (C) and chosen from when suggesting a site (O); default every link in the county")
	fs.Uint64Var(&c.seed, "seed", 1, "first seed; seeds are SEED, SEED+1, ...")
	fs.IntVar(&c.seeds, "seeds", 1, "simulated days of traffic to measure on (2 or more give intervals; each adds a few seconds at start)")
	fs.IntVar(&c.trips, "trips", 0, "trips a day (0: the network's default, 600,000 on the default network)")
	fs.StringVar(&c.name, "name", "", "the proposal's name in the records (default the proposal file's, else \"planner proposal\")")
	fs.StringVar(&c.screenshot, "screenshot", "", "draw --frames frames, save the screen to this PNG file and exit (input is ignored)")
	fs.IntVar(&c.frames, "frames", 30, "frames to draw before --screenshot")
	fs.StringVar(&c.export, "export", "", "write the decision record and the public summary into this folder and exit, with no window")
	fs.StringVar(&c.exportDir, "export-dir", "build/planner-records", "folder under which E writes each export, in a folder of its own")
	fs.BoolVar(&c.flow, "flow", true, "show the traffic moving")
	fs.StringVar(&c.heat, "heat", "gaps", "heat map: gaps (target trips no camera sees), coverage (share seen) or off")
	fs.IntVar(&c.dots, "dots", planner.DefaultDots, "about how many dots show the traffic")
	fs.IntVar(&c.width, "width", planner.DefaultWidth, "window width")
	fs.IntVar(&c.height, "height", planner.DefaultHeight, "window height")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.seeds < 1:
		return c, fmt.Errorf("--seeds %d: need at least 1", c.seeds)
	case c.trips < 0:
		return c, fmt.Errorf("--trips %d may not be negative", c.trips)
	case c.frames < 1:
		return c, fmt.Errorf("--frames %d: need at least 1", c.frames)
	case c.dots < 0 || c.dots > 16000:
		return c, fmt.Errorf("--dots %d: 0 to 16,000", c.dots)
	}
	if _, err := heatMode(c.heat); err != nil {
		return c, err
	}
	if c.sites == "" && c.network == defaultNetwork {
		c.sites = defaultSites
	}
	return c, nil
}

func heatMode(s string) (planner.HeatMode, error) {
	switch s {
	case "gaps":
		return planner.HeatGaps, nil
	case "coverage":
		return planner.HeatCoverage, nil
	case "off":
		return planner.HeatOff, nil
	}
	return 0, fmt.Errorf("--heat %q: want gaps, coverage or off", s)
}

func loadNetwork(c config) (*traffic.Network, error) {
	if !strings.HasSuffix(strings.ToLower(c.network), ".tntp") {
		net, err := traffic.LoadNetworkFile(c.network)
		if err != nil && c.network == defaultNetwork && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w (run from the repository's root, or give --network)", err)
		}
		return net, err
	}
	opts := traffic.TNTPOptions{Nodes: c.tntpNodes, Trips: c.tntpTrips, LengthUnit: c.tntpLengthUnit}
	switch c.tntpTimeUnit {
	case "minute":
		opts.TimeUnit = time.Minute
	case "hour":
		opts.TimeUnit = time.Hour
	default:
		return nil, fmt.Errorf("--tntp-time-unit %q: want minute or hour", c.tntpTimeUnit)
	}
	if c.tntpNodes == "" {
		return nil, errors.New("a TNTP network needs --tntp-nodes to be drawn")
	}
	return traffic.LoadTNTP(c.network, opts)
}

// setup loads the inputs, records the traffic and starts the session.
func setup(ctx context.Context, c config, log *slog.Logger) (*planner.Session, error) {
	net, err := loadNetwork(c)
	if err != nil {
		return nil, err
	}
	var current []siting.Site
	if c.sites != "" {
		if current, err = siting.LoadSites(c.sites, net); err != nil {
			return nil, err
		}
	}
	name := c.name
	var proposed []siting.Site
	if c.proposal != "" {
		p, err := siting.LoadProposal(c.proposal, net)
		if err != nil {
			return nil, err
		}
		if proposed, err = p.Apply(current); err != nil {
			return nil, fmt.Errorf("proposal %s: %w", c.proposal, err)
		}
		if name == "" {
			name = p.Name
		}
	}
	var candidates []siting.Site
	if c.candidates != "" {
		if candidates, err = siting.LoadSites(c.candidates, net); err != nil {
			return nil, err
		}
	}
	seeds := make([]uint64, c.seeds)
	for i := range seeds {
		seeds[i] = c.seed + uint64(i)
	}
	start := time.Now()
	log.Info("recording traffic", "network", net.Name, "seeds", c.seeds, "trips_per_day", c.trips)
	model, err := planner.NewModel(ctx, net, current, planner.TrafficConfig{Seeds: seeds, TripsPerDay: c.trips}, siting.Options{})
	if err != nil {
		return nil, err
	}
	log.Info("recorded traffic", "trips_per_day", int(model.Trips), "took", time.Since(start).Round(10*time.Millisecond))
	layout, err := planner.NewLayout(c.width, c.height, planner.DefaultPanelWidth)
	if err != nil {
		return nil, err
	}
	s, err := planner.NewSession(model, planner.SessionConfig{
		Layout: layout, Proposed: proposed, Name: name, Candidates: candidates, Dots: c.dots,
		ExportDir: c.exportDir,
		Describe: planner.RecordSource{NetworkFile: c.network, CurrentFile: c.sites, FirstSeed: c.seed,
			Seeds: c.seeds, TripsPerDay: c.trips},
	})
	if err != nil {
		return nil, err
	}
	mode, _ := heatMode(c.heat)
	s.SetHeatMode(mode)
	s.SetFlow(c.flow)
	return s, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "anpr-planner:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s, err := setup(ctx, c, log)
	if err != nil {
		fmt.Fprintln(stderr, "anpr-planner:", err)
		return 1
	}
	if c.export != "" {
		files, err := s.Export(c.export)
		if err != nil {
			fmt.Fprintln(stderr, "anpr-planner:", err)
			return 1
		}
		for _, f := range files {
			fmt.Fprintln(stdout, f)
		}
		if c.screenshot == "" {
			return 0
		}
	}
	if c.screenshot != "" {
		if dir := filepath.Dir(c.screenshot); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fmt.Fprintln(stderr, "anpr-planner:", err)
				return 1
			}
		}
	}
	if err := runWindow(s, c); err != nil {
		fmt.Fprintln(stderr, "anpr-planner:", err)
		return 1
	}
	if c.screenshot != "" {
		fmt.Fprintln(stdout, c.screenshot)
	}
	return 0
}
