package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/vrm"
	"anpr/sim/scenario"
	"anpr/sim/siting"
	"anpr/sim/traffic"
)

func newSitingCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "siting",
		Short: "Camera siting: what a set of sites captures, what it intrudes, and where to put the next ones",
		Long: `Measure a set of ANPR camera sites on simulated traffic: the share of the
trips of vehicles of interest they see, the innocent vehicles they record,
what each site adds (necessity), which sites repeat others (duplication),
the journeys no camera sees (gaps), the alerts and operator time they make,
and a proportionality summary, each a mean over seeds with a 95% interval.

Camera locations are not disclosed: output names sites by id and district.
--with-locations adds each site's link, end nodes and name, and gaps by zone;
use it only where the output stays with those entitled to know where the
cameras are.`,
	}
	cmd.AddCommand(newSitingEvaluateCommand(), newSitingOptimiseCommand(), newSitingReviewCommand())
	return cmd
}

// trafficFlags are the flags that say what traffic to simulate.
type trafficFlags struct {
	network             string
	seed                uint64
	seeds, trips, days  int
	date                string
	interestShare       float64
	nearMisses          int
	jobs                int
	accuracy, confusion float64
	minutesPerAlert     float64
	evaluation          string
	withLocations, json bool
}

func (f *trafficFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.network, "network", "fixtures/networks/staffordshire.json", "road network file (the simulator's JSON format)")
	fl.Uint64Var(&f.seed, "seed", 1, "first seed; seeds are SEED, SEED+1, ...")
	fl.IntVar(&f.seeds, "seeds", 3, "number of seeds (simulated days of traffic) to average over; 2 or more give intervals")
	fl.IntVar(&f.trips, "trips", 0, "trips a day (0: the network's default, 600,000 on the default network)")
	fl.IntVar(&f.days, "days", 1, "days each seed simulates")
	fl.StringVar(&f.date, "date", "", "first day simulated, YYYY-MM-DD (default the simulator's epoch, Monday 2 March 2026)")
	fl.Float64Var(&f.interestShare, "interest-share", 0, "share of vehicles of interest (all listed): the hotlist's prevalence (0: the simulator's default, 0.005)")
	fl.IntVar(&f.nearMisses, "near-misses", 0, "listed marks one confusable character from an innocent vehicle's (0: the simulator's default, half the vehicles of interest)")
	fl.IntVar(&f.jobs, "jobs", runtime.GOMAXPROCS(0), "seeds simulated at once")
	fl.Float64Var(&f.accuracy, "accuracy", siting.DefaultAccuracy, "plate-exact read accuracy (default: the engine's measured figure)")
	fl.Float64Var(&f.confusion, "single-confusion", siting.DefaultSingleConfusion, "share of misreads that are one confusable character")
	fl.Float64Var(&f.minutesPerAlert, "minutes-per-alert", siting.DefaultMinutesPerAlert, "operator minutes to evaluate an alert")
	fl.StringVar(&f.evaluation, "evaluation", "", "derive --accuracy and --single-confusion from an engine evaluation report (anpr models evaluate --frames --json)")
	fl.BoolVar(&f.withLocations, "with-locations", false, "show where each site is (link, end nodes, name) and gaps by zone: camera locations are not disclosed, so only for output that stays with those entitled to know them")
	fl.BoolVar(&f.json, "json", false, "print JSON")
}

func (f *trafficFlags) check() error {
	switch {
	case f.seeds < 1:
		return badInput("--seeds %d: need at least 1", f.seeds)
	case f.days < 1:
		return badInput("--days %d: need at least 1", f.days)
	case f.trips < 0:
		return badInput("--trips %d may not be negative", f.trips)
	case f.jobs < 1:
		return badInput("--jobs %d: need at least 1", f.jobs)
	}
	return nil
}

// readModel is the read model the flags give: an evaluation report's
// figures, with any of --accuracy and --single-confusion given outright
// taking precedence.
func (f *trafficFlags) readModel(cmd *cobra.Command) (siting.ReadModel, error) {
	m := siting.ReadModel{Accuracy: f.accuracy, SingleConfusion: f.confusion, MinutesPerAlert: f.minutesPerAlert}
	if f.evaluation != "" {
		file, err := os.Open(f.evaluation)
		if err != nil {
			return m, badInput("--evaluation: %v", err)
		}
		defer file.Close()
		ev, err := siting.ReadModelFromEvaluation(file, vrm.DefaultConfusions())
		if err != nil {
			return m, badInput("--evaluation %s: %v", f.evaluation, err)
		}
		if !cmd.Flags().Changed("accuracy") {
			m.Accuracy = ev.Accuracy
		}
		if !cmd.Flags().Changed("single-confusion") {
			m.SingleConfusion = ev.SingleConfusion
		}
	}
	if err := m.Check(); err != nil {
		return m, usageError{err}
	}
	return m, nil
}

// loadNetwork checks the flags and loads the network.
func (f *trafficFlags) loadNetwork() (*traffic.Network, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.date != "" {
		if _, err := time.Parse(time.DateOnly, f.date); err != nil {
			return nil, badInput("--date %q: want YYYY-MM-DD", f.date)
		}
	}
	net, err := traffic.LoadNetworkFile(f.network)
	if err != nil {
		return nil, usageError{err}
	}
	return net, nil
}

// record records each seed's traffic on net, several seeds at once.
func (f *trafficFlags) record(cmd *cobra.Command, net *traffic.Network) ([]*siting.Recording, error) {
	from := traffic.DefaultEpoch()
	if f.date != "" {
		from, _ = time.Parse(time.DateOnly, f.date) // checked by loadNetwork
	}
	to := from.AddDate(0, 0, f.days)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	recs := make([]*siting.Recording, f.seeds)
	errs := make([]error, f.seeds)
	sem := make(chan struct{}, f.jobs)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range f.seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			cfg := traffic.Config{Seed: f.seed + uint64(i), TripsPerDay: f.trips,
				Interest: traffic.InterestConfig{Share: f.interestShare, NearMisses: f.nearMisses}}
			sim, err := traffic.New(net, cfg)
			if err != nil {
				errs[i] = usageError{err}
				return
			}
			recs[i], errs[i] = siting.Record(ctx, sim, from, to)
			if errs[i] == nil {
				mu.Lock()
				fmt.Fprintf(cmd.ErrOrStderr(), "recorded seed %d: %d trips in %s\n", cfg.Seed, recs[i].Trips(), time.Since(start).Round(10*time.Millisecond))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return recs, nil
}

func newSitingEvaluateCommand() *cobra.Command {
	var (
		tf                      trafficFlags
		sitesPath, proposalPath string
		retireDue, asOf         string
		gaps                    int
		duplication             float64
	)
	cmd := &cobra.Command{
		Use:   "evaluate [SCENARIO | --sites FILE] [--proposal FILE | --retire-due DATE] [--json]",
		Short: "Measure a set of camera sites, or compare a proposal against it",
		Long: `Simulate --seeds days of traffic (one per seed) on --network, record every
trip's route once, and measure the sites of --sites on it: target capture by
kind of target (trips seen by at least one and at least two cameras, and
raising an alert), intrusion (innocent vehicles recorded, reads per target
trip), alerts and operator hours a day (true, and false ones on clone twins
and on marks one confusable character from a listed mark), a proportionality
summary, and per site: necessity (target trips no other site sees),
duplication (captures other sites repeat), and end of life. Gaps are the
journeys of vehicles of interest no camera sees.

With --proposal (add, move, remove and replace sites) or --retire-due DATE
(remove every site at end of life by DATE and replace none), the current and
proposed sites are set side by side with the difference in every measure,
paired seed by seed on the same traffic.

A SCENARIO (scenarios/*.yaml, as 'anpr sim run' takes) gives the network
and the sites instead: its cameras, each on its link.

Sites files and proposals are described in the sim/siting package
documentation and fixtures/sites/README.md.`,
		Example: `  anpr siting evaluate --sites fixtures/sites/staffordshire-current.json
  anpr siting evaluate scenarios/bassetts-pole.yaml --json
  anpr siting evaluate --seeds 5 --json > measures.json
  anpr siting evaluate --retire-due 2027-03-31
  anpr siting evaluate --proposal fixtures/sites/staffordshire-proposal.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && cmd.Flags().Changed("sites") {
				return badInput("give a SCENARIO or --sites, not both")
			}
			if proposalPath != "" && retireDue != "" {
				return badInput("give --proposal or --retire-due, not both")
			}
			model, err := tf.readModel(cmd)
			if err != nil {
				return err
			}
			if gaps <= 0 {
				gaps = -1 // none; 0 in Options means the default
			}
			opts := siting.Options{Read: model, Gaps: gaps, DuplicationFlag: duplication, WithLocations: tf.withLocations}
			if duplication < 0 || duplication > 1 {
				return badInput("--duplication %g is not a share between 0 and 1", duplication)
			}
			var retire time.Time
			if retireDue != "" {
				if retire, err = time.Parse(time.DateOnly, retireDue); err != nil {
					return badInput("--retire-due %q: want YYYY-MM-DD", retireDue)
				}
				opts.AsOf = retire
			}
			if asOf != "" {
				if opts.AsOf, err = time.Parse(time.DateOnly, asOf); err != nil {
					return badInput("--as-of %q: want YYYY-MM-DD", asOf)
				}
			}
			var (
				net   *traffic.Network
				sites []siting.Site
			)
			if len(args) == 1 {
				if net, sites, err = scenarioSites(args[0]); err != nil {
					return err
				}
			} else {
				if net, err = tf.loadNetwork(); err != nil {
					return err
				}
				if sites, err = siting.LoadSites(sitesPath, net); err != nil {
					return usageError{err}
				}
			}
			var proposal *siting.Proposal
			switch {
			case proposalPath != "":
				p, err := siting.LoadProposal(proposalPath, net)
				if err != nil {
					return usageError{err}
				}
				proposal = &p
			case retireDue != "":
				p := siting.RetireDue(sites, retire)
				proposal = &p
			}
			var proposed []siting.Site
			if proposal != nil {
				if proposed, err = proposal.Apply(sites); err != nil {
					return usageError{err}
				}
			}
			recs, err := tf.record(cmd, net)
			if err != nil {
				return err
			}
			current, err := siting.Evaluate(recs, sites, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if proposal == nil {
				if tf.json {
					return writeJSON(out, current)
				}
				return current.WriteText(out, recs[0].Network())
			}
			prop, err := siting.Evaluate(recs, proposed, opts)
			if err != nil {
				return err
			}
			cmp, err := siting.Compare(current, prop, proposal.Name)
			if err != nil {
				return err
			}
			if tf.json {
				return writeJSON(out, cmp)
			}
			return cmp.WriteText(out)
		},
	}
	tf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&sitesPath, "sites", "fixtures/sites/staffordshire-current.json", "current sites file")
	f.StringVar(&proposalPath, "proposal", "", "proposal file: changes to the current sites to compare against them")
	f.StringVar(&retireDue, "retire-due", "", "compare against removing every site at end of life by this date, YYYY-MM-DD")
	f.StringVar(&asOf, "as-of", "", "flag sites at end of life by this date, YYYY-MM-DD")
	f.IntVar(&gaps, "gaps", siting.DefaultGaps, "gaps to list (0: none)")
	f.Float64Var(&duplication, "duplication", siting.DefaultDuplicationFlag, "flag a site as duplicated when other sites repeat this share of its captures")
	return cmd
}

func newSitingOptimiseCommand() *cobra.Command {
	var (
		tf                        trafficFlags
		k                         int
		candidatesPath, sitesPath string
		outPath, weights          string
		maxIntrusion, budget      float64
	)
	cmd := &cobra.Command{
		Use:   "optimise --k N [--candidates FILE] [--sites FILE] [--max-intrusion X | --budget N]",
		Short: "Suggest K camera sites that see the most trips of vehicles of interest",
		Long: `Choose up to --k sites from the candidates (every link in the county, or
--candidates FILE, a sites file whose "cost" members the budget counts), added
to the sites already in place (--sites, none unless given), maximising the
share of trips of vehicles of interest seen by at least one camera, on
--seeds days of simulated traffic.

Target capture is a coverage function (submodular: a site adds less the more
there are), so the greedy choice is within 63% of the best possible and lazy
greedy finds it cheaply: each site's gain is worked out again only when it
reaches the top of the queue. --max-intrusion limits the innocent vehicles a
day the sites in place and the chosen ones record together; --budget limits
the total cost of the chosen ones. With either, sites are ranked both by gain
and by gain per cost or per innocent vehicle, and the better choice kept.

Each chosen site's marginal gain is printed. --out writes the chosen sites as
a sites file, to evaluate or to add to a proposal.`,
		Example: `  anpr siting optimise --k 10
  anpr siting optimise --k 5 --sites fixtures/sites/staffordshire-current.json --candidates fixtures/sites/staffordshire-candidates.json --budget 6
  anpr siting optimise --k 20 --max-intrusion 150000 --weights travelling-criminal=3,stolen=2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if k < 1 {
				return badInput("--k %d: choose at least one site", k)
			}
			if maxIntrusion < 0 || budget < 0 {
				return badInput("--max-intrusion and --budget may not be negative")
			}
			w, err := parseWeights(weights)
			if err != nil {
				return err
			}
			net, err := tf.loadNetwork()
			if err != nil {
				return err
			}
			candidates := siting.EveryLink(net)
			if candidatesPath != "" {
				if candidates, err = siting.LoadSites(candidatesPath, net); err != nil {
					return usageError{err}
				}
			}
			var fixed []siting.Site
			if sitesPath != "" {
				if fixed, err = siting.LoadSites(sitesPath, net); err != nil {
					return usageError{err}
				}
				for _, c := range candidates {
					for _, s := range fixed {
						if c.ID == s.ID {
							return badInput("candidate %q has the id of a site in place", c.ID)
						}
					}
				}
			}
			recs, err := tf.record(cmd, net)
			if err != nil {
				return err
			}
			start := time.Now()
			plan, err := siting.Optimise(recs, candidates, siting.OptimiseOptions{K: k, Budget: budget, MaxIntrusion: maxIntrusion, Fixed: fixed, Weights: w})
			if err != nil {
				return usageError{err}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "optimised over %d candidates in %s\n", len(candidates), time.Since(start).Round(time.Millisecond))
			if outPath != "" {
				if err := writeChosen(outPath, recs[0].Network(), plan); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if tf.json {
				return writeJSON(out, plan.Summary(recs[0].Network(), tf.withLocations))
			}
			return plan.WriteText(out, recs[0].Network(), tf.withLocations)
		},
	}
	tf.register(cmd)
	f := cmd.Flags()
	f.IntVar(&k, "k", 0, "most sites to choose")
	f.StringVar(&candidatesPath, "candidates", "", "candidate sites file (default: a candidate on every link in the county)")
	f.StringVar(&sitesPath, "sites", "", "sites already in place, which the choice adds to")
	f.Float64Var(&maxIntrusion, "max-intrusion", 0, "most innocent vehicles a day the sites may record, in place and chosen together (0: no limit)")
	f.Float64Var(&budget, "budget", 0, "most the chosen sites may cost in all, by the candidates' cost (1 each unless the file says) (0: no budget)")
	f.StringVar(&weights, "weights", "", "weights of kinds of target, e.g. travelling-criminal=3,stolen=2 (others 1)")
	f.StringVar(&outPath, "out", "", "write the chosen sites to this sites file (it holds their locations)")
	_ = cmd.MarkFlagRequired("k")
	return cmd
}

// parseWeights reads kind=weight pairs; kinds not named weigh 1.
func parseWeights(s string) (map[traffic.Behaviour]float64, error) {
	if s == "" {
		return nil, nil
	}
	kinds := []traffic.Behaviour{traffic.Uninsured, traffic.TravellingCriminal, traffic.NightRunner, traffic.Stolen, traffic.Clone}
	w := map[traffic.Behaviour]float64{}
	for _, b := range kinds {
		w[b] = 1
	}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		x, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || x < 0 {
			return nil, badInput("--weights %q: want kind=weight pairs with weights of at least 0", part)
		}
		found := false
		for _, b := range kinds {
			if b.String() == name {
				w[b], found = x, true
			}
		}
		if !found {
			var names []string
			for _, b := range kinds {
				names = append(names, b.String())
			}
			return nil, badInput("--weights: %q is not a kind of target (%s)", name, strings.Join(names, ", "))
		}
	}
	return w, nil
}

func writeChosen(path string, net *traffic.Network, plan *siting.Plan) error {
	var sites []siting.Site
	for _, c := range plan.Chosen {
		sites = append(sites, c.Site)
	}
	f, err := os.Create(path)
	if err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	note := fmt.Sprintf("Chosen by anpr siting optimise (%s) on %s: capture %.1f%% -> %.1f%%. Holds camera locations: not for disclosure.",
		plan.Rule, time.Now().UTC().Format(time.DateOnly), 100*plan.BaseCapture, 100*plan.Capture)
	if err := siting.WriteSites(f, net, sites, note); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// scenarioSites takes the network and the camera sites of a scenario.
func scenarioSites(path string) (*traffic.Network, []siting.Site, error) {
	sc, err := scenario.Load(path)
	if err != nil {
		return nil, nil, usageError{err}
	}
	sites := make([]siting.Site, 0, len(sc.Cameras))
	for _, c := range sc.Cameras {
		link, ok := sc.Net.FindLink(c.From, c.To)
		if !ok { // Load has checked every camera's link; this is a bug
			return nil, nil, fmt.Errorf("scenario %s: camera %s: no link from %s to %s", path, c.ID, c.From, c.To)
		}
		sites = append(sites, siting.Site{ID: c.ID, Name: c.Name, Link: link, Cost: 1})
	}
	return sc.Net, sites, nil
}
