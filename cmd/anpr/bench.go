package main

import "github.com/spf13/cobra"

// newBenchCommand groups the benchmarks a user runs to measure the engine
// on their own machine; each prints its figures, --json as one object.
func newBenchCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the engine's speed and memory on this machine",
	}
	cmd.AddCommand(newBenchRecogniseCommand())
	cmd.AddCommand(newBenchMatchCommand())
	return cmd
}
