package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/vrm"
)

// vrmLine is one line of `anpr vrm` output.
type vrmLine struct {
	Input   string     `json:"input"`
	Text    string     `json:"text"`
	Display string     `json:"display"`
	Valid   bool       `json:"valid"`
	Format  vrm.Format `json:"format"`
	Period  *vrmPeriod `json:"period,omitempty"`
	Reason  string     `json:"reason,omitempty"`
}

type vrmPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func newVRMCommand() *cobra.Command {
	var date string
	cmd := &cobra.Command{
		Use:                   "vrm [--date YYYY-MM-DD] MARK...",
		Short:                 "Check, normalise and date UK registration marks",
		DisableFlagsInUseLine: true,
		Long: `Check UK vehicle registration marks (VRMs) and print one JSON line per mark:

  input    the mark as given
  text     normalised: upper case, no spaces or hyphens
  display  with the group space, as on the plate
  valid    whether it is a valid UK mark on --date
  format   current, prefix, suffix, dateless, northern-ireland, q-plate or
           unknown; for an invalid mark, the format its shape suggests
  period   first and last day of the registration period its age identifier
           or year letter implies (left out when it implies none)
  reason   why it is invalid (only when it is)

Age identifiers and year letters not yet issued on --date are invalid.
A mark with a space in it must be quoted, or it is read as two marks.
Exits 2 if any mark is invalid, after printing every line.`,
		Example: `  anpr vrm "AB12 CDE"
  anpr vrm --date 2026-11-25 ab76cde "A123 BCD" "ABZ 1234"
  anpr vrm AB01CDE    # invalid: age identifier 01 was never issued`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return badInput("%s: give at least one mark (see '%s --help')", cmd.CommandPath(), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			asOf := time.Now()
			if date != "" {
				d, err := time.Parse(time.DateOnly, date)
				if err != nil {
					return badInput("%s: --date %q is not a date YYYY-MM-DD (see '%s --help')", cmd.CommandPath(), date, cmd.CommandPath())
				}
				asOf = d
			}
			out := json.NewEncoder(cmd.OutOrStdout())
			out.SetEscapeHTML(false)
			var invalid []string
			for _, raw := range args {
				line := checkMark(raw, asOf)
				if err := out.Encode(line); err != nil {
					return fmt.Errorf("%s: write: %w", cmd.CommandPath(), err)
				}
				if !line.Valid {
					invalid = append(invalid, fmt.Sprintf("%q (%s)", raw, line.Reason))
				}
			}
			if len(invalid) > 0 {
				return badInput("%s: %d of %d marks invalid: %s", cmd.CommandPath(), len(invalid), len(args), strings.Join(invalid, "; "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "check marks as of this day, YYYY-MM-DD (default today)")
	return cmd
}

// checkMark parses one mark into its output line.
func checkMark(raw string, asOf time.Time) vrmLine {
	m, err := vrm.Parse(raw, asOf)
	line := vrmLine{Input: raw, Text: m.Text, Display: m.Display, Valid: err == nil, Format: m.Format}
	var perr *vrm.ParseError
	if errors.As(err, &perr) {
		line.Format, line.Reason = perr.Format, perr.Reason
	} else if err != nil {
		line.Format, line.Reason = vrm.Unknown, err.Error()
	}
	if !m.Period.IsZero() {
		line.Period = &vrmPeriod{From: m.Period.From.Format(time.DateOnly), To: m.Period.To.Format(time.DateOnly)}
	}
	return line
}
