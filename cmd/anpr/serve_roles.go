package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"anpr/engine/alert"
	"anpr/engine/bus"
	"anpr/engine/bus/jetstream"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/role"
	"anpr/engine/store"
	"anpr/engine/store/postgres"
)

// Roles of a scaled-out deployment: the same binary, one part each.
const (
	roleAll     = "all"     // everything in one process: the embedded default
	roleEdge    = "edge"    // reads camera feeds and sends reads to the bus
	roleMatcher = "matcher" // matches reads from the bus, raises alerts into PostgreSQL
	roleWriter  = "writer"  // stores reads from the bus in PostgreSQL
)

// runRole runs one scale-out role against NATS JetStream (--bus) and
// PostgreSQL (--postgres).
func runRole(cmd *cobra.Command, f serveFlags) error {
	switch {
	case f.bus == "":
		return badInput("--role %s needs --bus nats://HOST:4222", f.role)
	case (f.role == roleMatcher || f.role == roleWriter) && f.postgres == "":
		return badInput("--role %s needs --postgres postgres://...", f.role)
	case f.role == roleEdge && len(f.feeds) == 0:
		return badInput("--role edge needs at least one --feed CAMERA=SOURCE")
	}
	feeds, err := parsePairs("--feed", f.feeds)
	if err != nil {
		return err
	}
	lists, err := parsePairs("--hotlist", f.hotlists)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)).With("role", f.role)
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return err
	}

	b, err := jetstream.Open(ctx, f.bus, jetstream.Options{Name: "anpr-" + f.role, Prefix: f.busPrefix})
	if err != nil {
		return fmt.Errorf("--bus %s: %w", f.bus, err)
	}
	defer b.Close()
	var db *postgres.Store
	if f.postgres != "" {
		if db, err = postgres.Open(ctx, f.postgres, postgres.Options{Schema: f.pgSchema}); err != nil {
			return fmt.Errorf("--postgres: %w", err)
		}
		defer db.Close()
	}
	// Images live where the role runs; a deployment shares the directory
	// (a network file system) or leaves images inline on the bus.
	images, err := store.OpenImages(filepath.Join(f.dir, "images"))
	if err != nil {
		return err
	}

	var runs []func(context.Context) error
	switch f.role {
	case roleEdge:
		cams, err := camera.Open(filepath.Join(f.dir, "cameras.json"))
		if err != nil {
			return err
		}
		for _, kv := range feeds {
			if _, err := cams.Get(kv[0]); err != nil {
				return usageError{fmt.Errorf("--feed %s: %w: add it to %s", kv[0], err, filepath.Join(f.dir, "cameras.json"))}
			}
		}
		edge, err := role.NewEdge(role.EdgeConfig{Bus: b, SpoolDir: filepath.Join(f.dir, "spool"), Cameras: cams, Log: logger})
		if err != nil {
			return err
		}
		defer edge.Close()
		runs = append(runs, edge.Run)
		for _, kv := range feeds {
			runs = append(runs, func(ctx context.Context) error {
				return runFeed(ctx, kv[0], kv[1], f.readerPath, f.detPath, edge.Submit, logger)
			})
		}
	case roleWriter:
		w, err := role.NewWriter(role.WriterConfig{Bus: b, Store: db, Images: images, Log: logger})
		if err != nil {
			return err
		}
		runs = append(runs, w.Run)
	case roleMatcher:
		hl, err := hotlist.New(hotlist.Options{Logger: logger})
		if err != nil {
			return err
		}
		for _, kv := range lists {
			if _, err := hl.LoadFile(ctx, kv[0], kv[1]); err != nil {
				return usageError{fmt.Errorf("--hotlist %s=%s: %w", kv[0], kv[1], err)}
			}
		}
		// Lists published on the bus (anpr hotlist publish) reach every
		// matcher; with none given here, match nothing until they do.
		replica, err := role.NewHotlistReplica(role.HotlistReplicaConfig{Files: b, Hotlists: hl, Log: logger})
		if err != nil {
			return err
		}
		var wait <-chan struct{}
		if len(lists) == 0 {
			wait = replica.Ready()
		}
		alerts := alert.NewService(db, alert.Options{Log: logger, EscalateAfter: f.escalateAfter})
		m, err := role.NewMatcher(role.MatcherConfig{Bus: b, Alerts: alerts, Hotlists: hl, WaitFor: wait, Log: logger})
		if err != nil {
			return err
		}
		runs = append(runs, replica.Run, m.Run, alerts.Run)
	default:
		return badInput("--role %q: want all, edge, matcher or writer", f.role)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "anpr serve: %s running on %s; Ctrl-C to stop\n", f.role, f.bus)

	var wg sync.WaitGroup
	errs := make(chan error, len(runs))
	for _, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				errs <- err
				stop()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// newHotlistPublishCommand publishes a list to every matcher of a
// scaled-out deployment.
func newHotlistPublishCommand() *cobra.Command {
	var busURL, prefix string
	cmd := &cobra.Command{
		Use:   "publish --bus URL NAME=FILE...",
		Short: "Publish hotlists to every matcher of a scaled-out deployment (through JetStream)",
		Long: `Check each list as a matcher would load it, then publish it to the
deployment's JetStream object store; every matcher (anpr serve --role
matcher) swaps the new version in atomically. A list that would be refused is
not published.`,
		Example: "  anpr hotlist publish --bus nats://127.0.0.1:4222 pnc=/srv/lists/pnc.csv",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pairs, err := parsePairs("list", args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			b, err := jetstream.Open(ctx, busURL, jetstream.Options{Name: "anpr-hotlist-publish", Prefix: prefix})
			if err != nil {
				return fmt.Errorf("--bus %s: %w", busURL, err)
			}
			defer b.Close()
			for _, kv := range pairs {
				if err := publishList(ctx, b, kv[0], kv[1]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "published %s from %s\n", kv[0], kv[1])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&busURL, "bus", "nats://127.0.0.1:4222", "the deployment's NATS server")
	cmd.Flags().StringVar(&prefix, "bus-prefix", "anpr", "the deployment's stream prefix, as anpr serve --bus-prefix")
	return cmd
}

func publishList(ctx context.Context, files bus.Files, name, path string) error {
	check, err := hotlist.New(hotlist.Options{})
	if err != nil {
		return err
	}
	if _, err := check.LoadFile(ctx, name, path); err != nil {
		return usageError{err}
	}
	format, err := hotlist.FormatOf(path)
	if err != nil {
		return usageError{err}
	}
	fh, err := os.Open(path)
	if err != nil {
		return usageError{err}
	}
	defer fh.Close()
	return role.PublishHotlist(ctx, files, name, format, fh)
}
