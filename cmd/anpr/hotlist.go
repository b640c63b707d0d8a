package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/hotlist"
	"anpr/engine/vrm"
)

// hotlistLine is one line of `anpr hotlist check` output.
type hotlistLine struct {
	Read    string        `json:"read"`
	Hits    []hotlist.Hit `json:"hits"`
	Explain []string      `json:"explain,omitempty"`
}

func newHotlistCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hotlist",
		Short: "Load lists of vehicles of interest and check marks against them",
	}
	cmd.AddCommand(newHotlistCheckCommand(), newHotlistPublishCommand())
	return cmd
}

func newHotlistCheckCommand() *cobra.Command {
	var (
		lists        []string
		at           string
		oneEdit      int
		maxConfusion int
	)
	cmd := &cobra.Command{
		Use:   "check --list [NAME=]FILE... [--at TIME] MARK...",
		Short: "Check marks against hotlists, saying how each hit matched",
		Long: `Load one or more hotlists (CSV with a header row, JSON or JSON Lines: vrm,
list, marker and priority required; action, added, expires and owner_ref
optional) and check each mark as a read made at --at (default now). Prints
one JSON line per mark with every hit, the strongest evidence first, then
the most urgent: the entry, how it
matched (exact; confusion, where the read differs only by characters readers
mistake for one another, such as 8/B or 0/O; one-edit, for entries of
--one-edit-priority or more urgent) and the evidence, with a one-line
explanation for an operator.

Each list's load report goes to standard error: rows rejected with their
file, line and reason. A list whose rows are mostly bad is refused whole and
the command exits 2.`,
		Example: `  anpr hotlist check --list fixtures/hotlists/sample.csv AB12CDE A8I2CDE MA06RRV
  anpr hotlist check --list pnc=pnc.csv --list local=local.json --at 2026-11-30T09:00:00Z AB12CDE`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, marks []string) error {
			if len(lists) == 0 {
				return badInput("give at least one --list")
			}
			when := time.Now()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					if t, err = time.Parse("2006-01-02", at); err != nil {
						return badInput("--at %q: want RFC 3339 or YYYY-MM-DD", at)
					}
				}
				when = t
			}
			h, err := hotlist.New(hotlist.Options{OneEditPriority: oneEdit, MaxConfusions: maxConfusion})
			if err != nil {
				return usageError{err}
			}
			stderr := json.NewEncoder(cmd.ErrOrStderr())
			for _, l := range lists {
				name, file, ok := strings.Cut(l, "=")
				if !ok {
					name, file = strings.TrimSuffix(filepath.Base(l), filepath.Ext(l)), l
				}
				rep, err := h.LoadFile(context.Background(), name, file)
				stderr.Encode(rep)
				if err != nil {
					return badInput("list %s: %v", name, err)
				}
			}
			out := json.NewEncoder(cmd.OutOrStdout())
			out.SetEscapeHTML(false)
			for _, m := range marks {
				line := hotlistLine{Read: vrm.Normalise(m), Hits: h.Match(m, when)}
				if line.Hits == nil {
					line.Hits = []hotlist.Hit{}
				}
				for _, hit := range line.Hits {
					line.Explain = append(line.Explain, hit.Explain())
				}
				if err := out.Encode(line); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&lists, "list", nil, "a hotlist file, optionally named NAME=FILE (repeat for more)")
	f.StringVar(&at, "at", "", "when the reads were made (RFC 3339 or YYYY-MM-DD; default now): expired entries never hit")
	f.IntVar(&oneEdit, "one-edit-priority", 1, "match entries of this priority or more urgent one edit away (0: off)")
	f.IntVar(&maxConfusion, "max-confusions", 0, "most places a confusion match may differ at (0: the default)")
	return cmd
}
