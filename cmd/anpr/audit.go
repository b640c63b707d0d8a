package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"anpr/engine/audit"
)

func newAuditCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check and read the tamper-evident audit log",
		Long: `Check and read the audit log: every search, view, alert decision, hotlist,
user and camera change, export, login and refused attempt.

The log is JSON lines, each entry chained to the one before and signed with an
HMAC key; a head file beside it (LOG.head) records the last entry, so that
entries cut off the end show too.`,
	}
	cmd.AddCommand(newAuditVerifyCommand(), newAuditShowCommand())
	return cmd
}

func newAuditVerifyCommand() *cobra.Command {
	var logPath, keyFile string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify --log FILE --key-file FILE [--json]",
		Short: "Check that no audit entry has been altered, removed, moved or added",
		Long: `Read the whole audit log and its head file and list every problem, each with
the line and entry it concerns: entries altered, missing, out of order,
repeated or not chained to the one before, entries cut off the end, lines
that are not entries, a last line cut short by a crash.

The key file holds the log's HMAC key as hex digits or raw bytes, at least
16 bytes. Exits 0 when the log is intact, 1 when it is not, 2 for bad usage.`,
		Example:               "  anpr audit verify --log /var/lib/anpr/audit.log --key-file /var/lib/anpr/audit.key",
		DisableFlagsInUseLine: true,
		Args:                  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if logPath == "" || keyFile == "" {
				return badInput("%s: give --log and --key-file (see '%s --help')", cmd.CommandPath(), cmd.CommandPath())
			}
			key, err := audit.LoadKey(keyFile)
			if err != nil {
				return badInput("%s: %v", cmd.CommandPath(), err)
			}
			rep, err := audit.Verify(logPath, key)
			if errors.Is(err, fs.ErrNotExist) {
				return badInput("%s: %v", cmd.CommandPath(), err)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				err = enc.Encode(rep)
			} else {
				err = printReport(out, rep)
			}
			if err != nil {
				return fmt.Errorf("%s: write: %w", cmd.CommandPath(), err)
			}
			if !rep.OK {
				return fmt.Errorf("audit log %s is not intact: %d problem(s)", logPath, len(rep.Problems))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&logPath, "log", "", "the audit log")
	f.StringVar(&keyFile, "key-file", "", "file holding the log's key, hex or raw bytes")
	f.BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	return cmd
}

func printReport(w io.Writer, rep audit.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "audit log %s: %d entries", rep.Path, rep.Entries)
	if rep.Entries > 0 {
		fmt.Fprintf(&b, ", %s to %s", rep.First.Format(time.RFC3339), rep.Last.Format(time.RFC3339))
	}
	if rep.HeadOK {
		fmt.Fprintf(&b, "; head file records %d\n", rep.HeadSeq)
	} else {
		b.WriteString("; no head file that verifies\n")
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if rep.OK {
		b.WriteString("intact\n")
	} else {
		fmt.Fprintf(&b, "NOT INTACT: %d problem(s)\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(&b, "  line %d: %s [%s]\n", p.Line, p.Message, p.Kind)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newAuditShowCommand() *cobra.Command {
	var logPath, actor, action, since, until string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show --log FILE [--actor A] [--action X] [--since T] [--until T] [--json]",
		Short: "List audit entries, filtered by actor, action and time",
		Long: `List the audit log's entries in the order they were written, one a line:
entry number, time, actor, role, action, outcome, target and details.

T is a time in RFC 3339 (2026-03-02T09:15:00Z) or a day (2026-03-02, from
midnight UTC). --since keeps entries at or after T, --until entries before T.
Entries are shown as recorded and not checked: 'anpr audit verify' says
whether they can be trusted.`,
		Example: `  anpr audit show --log audit.log --actor pc1234 --since 2026-03-01
  anpr audit show --log audit.log --action export --json`,
		DisableFlagsInUseLine: true,
		Args:                  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if logPath == "" {
				return badInput("%s: give --log (see '%s --help')", cmd.CommandPath(), cmd.CommandPath())
			}
			filter := audit.Filter{Actor: actor, Action: audit.Action(action)}
			if action != "" && !filter.Action.Valid() {
				return badInput("%s: --action %q is not one of %s", cmd.CommandPath(), action, joinActions())
			}
			var err error
			if filter.Since, err = parseAuditTime(since); err != nil {
				return badInput("%s: --since: %v", cmd.CommandPath(), err)
			}
			if filter.Until, err = parseAuditTime(until); err != nil {
				return badInput("%s: --until: %v", cmd.CommandPath(), err)
			}
			entries, err := audit.Query(logPath, filter)
			if errors.Is(err, fs.ErrNotExist) {
				return badInput("%s: %v", cmd.CommandPath(), err)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
			}
			if asJSON {
				err = printEntriesJSON(cmd.OutOrStdout(), entries)
			} else {
				err = printEntries(cmd.OutOrStdout(), entries)
			}
			if err != nil {
				return fmt.Errorf("%s: write: %w", cmd.CommandPath(), err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&logPath, "log", "", "the audit log")
	f.StringVar(&actor, "actor", "", "only this user or machine id")
	f.StringVar(&action, "action", "", "only this action: "+joinActions())
	f.StringVar(&since, "since", "", "only entries at or after this time")
	f.StringVar(&until, "until", "", "only entries before this time")
	f.BoolVar(&asJSON, "json", false, "print the entries as recorded, one JSON object a line")
	return cmd
}

func joinActions() string {
	var names []string
	for _, a := range audit.Actions() {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}

// parseAuditTime reads an RFC 3339 time or a day; "" is no bound.
func parseAuditTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a time like 2026-03-02T09:15:00Z nor a day like 2026-03-02", s)
}

func printEntriesJSON(w io.Writer, entries []audit.Entry) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return err
		}
	}
	return nil
}

func printEntries(w io.Writer, entries []audit.Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tROLE\tACTION\tOUTCOME\tTARGET\tDETAIL")
	for _, e := range entries {
		var detail []string
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			detail = append(detail, shown(k)+"="+shown(e.Detail[k]))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.RFC3339Nano),
			shown(e.Actor), shown(e.Role), shown(string(e.Action)), shown(string(e.Outcome)), shown(e.Target), strings.Join(detail, " "))
	}
	return tw.Flush()
}

// shown makes a recorded string safe to print in a column: quoted when it
// holds spaces, quotes, '=' or anything unprintable (a search term could
// carry terminal escape sequences), "-" when empty.
func shown(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '=' || !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}
