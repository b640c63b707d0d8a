package main

import (
	"encoding/json"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"anpr/sim/display"
)

func newSimScoreCommand() *cobra.Command {
	var (
		truthPath, readsPath string
		slack                time.Duration
		asJSON               bool
	)
	cmd := &cobra.Command{
		Use:   "score --truth FILE --reads FILE [--slack 2s] [--json]",
		Short: "Score a real camera's reads against the truth log of what anpr-display showed it",
		Long: `Join a camera's reads to the plates anpr-display showed it and score them:
items shown, items read, read exactly (with a 95% Wilson interval), misreads
(shown and read), items never read, reads made when nothing shown could be
meant (false reads), and the latency from an item going on the screen to its
first read's capture, p50 and p95; and the same per condition.

--truth is anpr-display's truth log (one JSON line per item shown, with the
times it went on and off the screen). --reads holds the camera's reads, in any
of the forms the engine uses: reads as posted to anpr serve's ingest API
(POST /api/reads: {"vrm", "captured", "camera", ...}, alone or as
{"reads": [...]} batches), the JSON its searches return, the CSV its exports
give, or the passes anpr watch prints (text, best_at) when it reads the
camera's video feed. "-" reads them from standard input.

A read is joined to the item on the screen at its capture time, give or take
--slack, which covers the offset between the camera's clock and the display's
and any delay in the camera; where the slack reaches two items, the read goes
to the one whose plate it is nearest. An item's read is its most confident.`,
		Example: `  anpr-display --count 50 --screen-width-mm 531 --truth truth.jsonl
  anpr watch --source rtsp://camera/stream --camera bench-1 > reads.jsonl
  anpr sim score --truth truth.jsonl --reads reads.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if truthPath == "" || readsPath == "" {
				return badInput("--truth and --reads are required")
			}
			if slack < 0 {
				return badInput("--slack %v may not be negative", slack)
			}
			truth, err := loadScoreInput(truthPath, cmd.InOrStdin(), display.ReadTruth)
			if err != nil {
				return err
			}
			reads, err := loadScoreInput(readsPath, cmd.InOrStdin(), display.ReadReads)
			if err != nil {
				return err
			}
			if len(truth) == 0 {
				return badInput("%s: no items: is it the truth log anpr-display wrote?", truthPath)
			}
			rep := display.Score(truth, reads, slack)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteMarkdown(cmd.OutOrStdout(), truthPath, readsPath)
		},
	}
	f := cmd.Flags()
	f.StringVar(&truthPath, "truth", "", "anpr-display's truth log (JSON lines)")
	f.StringVar(&readsPath, "reads", "", `the camera's reads: ingest-API or search JSON, export CSV, or anpr watch's lines ("-": standard input)`)
	f.DurationVar(&slack, "slack", 2*time.Second, "how far outside the time an item was shown a read may be captured and still be of it")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// loadScoreInput opens path ("-" for stdin) and parses it; whatever is
// wrong with it is bad input, named by file and line.
func loadScoreInput[T any](path string, stdin io.Reader, parse func(io.Reader, string) ([]T, error)) ([]T, error) {
	r, name := stdin, "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, badInput("%v", err)
		}
		defer f.Close()
		r, name = f, path
	}
	out, err := parse(r, name)
	if err != nil {
		return nil, usageError{err}
	}
	return out, nil
}
