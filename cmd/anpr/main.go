// Command anpr is the single entry point of the ANPR engine and its simulator.
//
// Exit codes follow the usual convention: 0 success, 2 bad usage or bad
// input, 1 any other failure.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"anpr/engine/ocr"
)

// usageError marks an error caused by what the user asked for (a bad flag, an
// invalid mark, an unknown condition) rather than by a failure while doing it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// badInput wraps err so that main exits with code 2.
func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "anpr",
		Short:         "UK automatic number plate recognition engine and traffic simulator",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Flag parsing errors are usage errors.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())}
	})
	root.AddCommand(newVRMCommand(), newSimCommand(), newModelsCommand(), newReadCommand(), newWatchCommand(), newBenchCommand(), newAuditCommand(), newHotlistCommand(), newServeCommand(), newUsersCommand(), newSitingCommand())
	return root
}

func main() {
	ocr.ServeModelCheck() // when started to try a model, do only that
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the process's exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "anpr:", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		return 2
	}
	return 1
}

// isCobraUsageError recognises the errors cobra itself returns for unknown
// commands and wrong argument counts, which carry no type of their own.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "required flag"} {
		if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}
