package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/camera"
	"anpr/engine/store/sqlite"
	"anpr/sim/siting"
)

func newSitingReviewCommand() *cobra.Command {
	var (
		dir    string
		days   int
		asJSON bool
		th     = siting.DefaultReviewThresholds()
	)
	cmd := &cobra.Command{
		Use:   "review [--data DIR] [--days N] [--json]",
		Short: "Review whether each existing site earns its place, from the engine's own records",
		Long: `For each camera in the register of a back office's data directory (as
'anpr serve --data'), over the last --days: its reads, the alerts it raised
and what came of them (the operators' decisions and the outcomes of
deployments), and findings where a reviewer should look: a site with no
alerts (is it still necessary?), one whose alerts are mostly misreads (is it
set up right?), an active camera with hardly any reads (is it working?).
Sites are named by id and district only. It counts; it shows no read.`,
		Example: "  anpr siting review --data anpr-data --days 90",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if days < 1 {
				return badInput("--days %d: at least 1", days)
			}
			cams, err := camera.Open(filepath.Join(dir, "cameras.json"))
			if err != nil {
				return usageError{err}
			}
			db, err := sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			until := time.Now()
			since := until.Add(-time.Duration(days) * 24 * time.Hour)
			ctx := cmd.Context()
			reads, err := db.CountReadsByCamera(ctx, since, until)
			if err != nil {
				return err
			}
			stats, err := db.AlertStats(ctx, since, until)
			if err != nil {
				return err
			}
			rev, err := siting.Review(cams.List(), reads, stats, float64(days), th)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"since": since.UTC(), "until": until.UTC(), "days": days, "sites": rev})
			}
			fmt.Fprintf(out, "Sites over the %d days to %s\n\n", days, until.UTC().Format("2006-01-02 15:04 MST"))
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "site\tdistrict\treads a day\talerts\tper 10k reads\tdeployed\tstopped\tarrests\tmisread\tescalated\tfindings")
			for _, r := range rev {
				f := "-"
				if len(r.Findings) > 0 {
					f = r.Findings[0]
					for _, more := range r.Findings[1:] {
						f += "; " + more
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%.0f\t%d\t%.1f\t%d\t%d\t%d\t%.0f%%\t%d\t%s\n", r.ID, r.District, r.ReadsPerDay, r.Alerts,
					r.AlertsPer10k, r.Deployed, r.Stopped, r.Arrests, 100*r.MisreadShare, r.Escalated, f)
			}
			return tw.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dir, "data", "anpr-data", "the back office's data directory")
	fl.IntVar(&days, "days", 90, "the period reviewed, ending now")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	fl.IntVar(&th.MinAlerts, "min-alerts", th.MinAlerts, "fewer alerts than this in the period is a finding")
	fl.Float64Var(&th.MaxMisread, "max-misread", th.MaxMisread, "a larger share of decided alerts that were misreads is a finding")
	fl.Float64Var(&th.MinReadsDay, "min-reads-a-day", th.MinReadsDay, "fewer reads a day from an active camera is a finding")
	return cmd
}
