package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"anpr/engine/access"
	"anpr/engine/audit"
)

func newUsersCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Add and list the back office's users and machine API tokens",
		Long: `Administer the users of a data directory from the command line: the way to
add the first administrator before 'anpr serve' has anyone who can sign in.
Later changes are better made in the console, as the administrator. Every
change is recorded in the audit log with the actor "cli".`,
	}
	cmd.PersistentFlags().StringVar(&dir, "data", "anpr-data", "data directory, as 'anpr serve --data'")

	var role string
	add := &cobra.Command{
		Use:   "add NAME --role ROLE",
		Short: "Add a user; the password is read from standard input (one line)",
		Example: `  printf '%s\n' 'a long pass phrase' | anpr users add admin --role administrator
  anpr users add jsmith --role investigator < password.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			password, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
			if err != nil && password == "" {
				return badInput("give the password on standard input, one line")
			}
			password = strings.TrimRight(password, "\r\n")
			b, err := openBackOffice(dir)
			if err != nil {
				return err
			}
			defer b.Close()
			u, err := b.access.AddUser(cmd.Context(), args[0], access.Role(role), password)
			if err != nil {
				return usageError{err}
			}
			if _, err := b.audit.Append(audit.Entry{Actor: "cli", Role: "administrator", Action: audit.ActionUserChange, Target: u.Name,
				Outcome: audit.OutcomeOK, Detail: map[string]string{"change": "added", "role": string(u.Role)}}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added %s (%s)\n", u.Name, u.Role)
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "", "operator, investigator, senior-authoriser, auditor or administrator")

	list := &cobra.Command{
		Use:   "list",
		Short: "List users, one JSON line each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := openBackOffice(dir)
			if err != nil {
				return err
			}
			defer b.Close()
			us, err := b.access.Users(cmd.Context())
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, u := range us {
				enc.Encode(u)
			}
			return nil
		},
	}

	var tokenRole string
	token := &cobra.Command{
		Use:   "token NAME [--role ingest]",
		Short: "Issue an API token for a machine (a camera posting reads); prints the secret once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := openBackOffice(dir)
			if err != nil {
				return err
			}
			defer b.Close()
			t, secret, err := b.access.NewToken(cmd.Context(), args[0], access.Role(tokenRole))
			if err != nil {
				return usageError{err}
			}
			if _, err := b.audit.Append(audit.Entry{Actor: "cli", Role: "administrator", Action: audit.ActionUserChange, Target: "token:" + t.Name,
				Outcome: audit.OutcomeOK, Detail: map[string]string{"change": "token issued", "token": t.ID, "role": string(t.Role)}}); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s for %s (%s): the secret above is shown once; send it as 'Authorization: Bearer <secret>'\n", t.ID, t.Name, t.Role)
			return nil
		},
	}
	token.Flags().StringVar(&tokenRole, "role", string(access.Ingest), "the token's role")
	cmd.AddCommand(add, list, token)
	return cmd
}
