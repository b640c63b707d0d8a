package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/access"
	"anpr/engine/alert"
	"anpr/engine/api"
	"anpr/engine/bus"
	"anpr/engine/bus/jetstream"
	"anpr/engine/bus/spool"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
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
	roleConsole = "console" // the API and operator console over PostgreSQL, alerts live from the bus
)

// runRole runs one scale-out role against NATS JetStream (--bus) and
// PostgreSQL (--postgres).
func runRole(cmd *cobra.Command, f serveFlags) error {
	switch {
	case f.bus == "":
		return badInput("--role %s needs --bus nats://HOST:4222", f.role)
	case (f.role == roleMatcher || f.role == roleWriter || f.role == roleConsole) && f.postgres == "":
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
	stopProfiling, err := startProfiling(f, "anpr."+f.role, logger)
	if err != nil {
		return err
	}
	defer stopProfiling()

	switch {
	case f.streamReplicas < 1:
		return badInput("--stream-replicas must be at least 1")
	case f.streamMaxAge <= 0:
		return badInput("--stream-max-age must be positive")
	case f.streamMaxBytes < 0:
		return badInput("--stream-max-bytes must be 0 (no limit) or more")
	case f.spoolMaxBytes < 1<<20:
		return badInput("--spool-max-bytes must be at least 1048576 (1 MiB)")
	}
	var streams []jetstream.Stream
	for _, name := range []string{bus.Reads, bus.Alerts} {
		streams = append(streams, jetstream.Stream{Name: name, Replicas: f.streamReplicas, MaxAge: f.streamMaxAge, MaxBytes: f.streamMaxBytes})
	}
	b, err := jetstream.Open(ctx, f.bus, jetstream.Options{Name: "anpr-" + f.role, Prefix: f.busPrefix, Streams: streams})
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
	imagesDir := f.imagesDir
	if imagesDir == "" {
		imagesDir = filepath.Join(f.dir, "images")
	}
	images, err := store.OpenImages(imagesDir)
	if err != nil {
		return err
	}

	var runs []func(context.Context) error
	var stats func() any // the role's own counters, for --health
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
		edge, err := role.NewEdge(role.EdgeConfig{Bus: b, SpoolDir: filepath.Join(f.dir, "spool"), Spool: spool.Options{MaxBytes: f.spoolMaxBytes}, Cameras: cams, Log: logger})
		if err != nil {
			return err
		}
		defer edge.Close()
		runs = append(runs, edge.Run)
		stats = func() any { return edge.Stats() }
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
		// The writer's retention runs go into its own audit log, in --data.
		auditLog, _, err := openRoleAudit(f.dir)
		if err != nil {
			return err
		}
		defer auditLog.Close()
		stats = func() any { return w.Stats() }
		runs = append(runs, w.Run, func(ctx context.Context) error {
			return runRetention(ctx, db, images, auditLog, f.keepReads, f.keepAlerts, logger)
		})
	case roleConsole:
		run, err := consoleRole(ctx, f, b, db, images, logger)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	case roleMatcher:
		// Every list load, local or published, goes into the matcher's own
		// audit log, in --data.
		auditLog, _, err := openRoleAudit(f.dir)
		if err != nil {
			return err
		}
		defer auditLog.Close()
		hl, err := hotlist.New(hotlist.Options{Logger: logger, OnLoad: auditHotlistLoads(auditLog, logger)})
		if err != nil {
			return err
		}
		for _, kv := range lists {
			if _, err := hl.LoadFile(ctx, kv[0], kv[1]); err != nil {
				return usageError{fmt.Errorf("--hotlist %s=%s: %w", kv[0], kv[1], err)}
			}
			go hl.Watch(ctx, kv[0], kv[1], 5*time.Second)
		}
		// The clone check keeps its sightings in the process: give
		// --travel-times to one matcher of a deployment, or each sees only
		// the reads it happens to match.
		var clones *hotlist.CloneDetector
		if f.travelTimes != "" {
			tf, err := os.Open(f.travelTimes)
			if err != nil {
				return usageError{err}
			}
			tt, err := hotlist.LoadTravelTimes(tf)
			tf.Close()
			if err != nil {
				return usageError{fmt.Errorf("--travel-times %s: %w", f.travelTimes, err)}
			}
			clones = hotlist.NewCloneDetector(tt)
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
		m, err := role.NewMatcher(role.MatcherConfig{Bus: b, Alerts: alerts, Hotlists: hl, WaitFor: wait, Clones: clones, Log: logger})
		if err != nil {
			return err
		}
		runs = append(runs, replica.Run, m.Run, alerts.Run)
		stats = func() any { return m.Stats() }
	default:
		return badInput("--role %q: want all, edge, matcher, writer or console", f.role)
	}
	if f.healthAddr != "" {
		stopHealth, err := serveRoleHealth(f.healthAddr, f.role, b, db, stats, logger)
		if err != nil {
			return err
		}
		defer stopHealth()
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
	var replicas int
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
			if replicas < 1 {
				return badInput("--stream-replicas must be at least 1")
			}
			// Streams left as they are: only the object store is used.
			b, err := jetstream.Open(ctx, busURL, jetstream.Options{Name: "anpr-hotlist-publish", Prefix: prefix,
				Streams: []jetstream.Stream{}, FilesReplicas: replicas})
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
	cmd.Flags().IntVar(&replicas, "stream-replicas", 1, "copies a NATS cluster keeps of the published lists, as anpr serve --stream-replicas")
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
	return role.PublishHotlist(ctx, files, name, format, fh, publisher())
}

// publisher names who runs this command, user@host, for matchers to record
// with each list they load.
func publisher() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return name + "@" + host
}

// consoleRole serves the API and the operator console over the
// deployment's PostgreSQL, with users, sessions, cameras and the audit log
// in the console's --data; reads posted to the API go onto the bus, and
// the alerts matchers raise reach the operators' live streams from the
// bus.
func consoleRole(ctx context.Context, f serveFlags, b *jetstream.Bus, db *postgres.Store, images *store.Images, log *slog.Logger) (func(context.Context) error, error) {
	auditLog, key, err := openRoleAudit(f.dir)
	if err != nil {
		return nil, err
	}
	dir, err := access.Open(filepath.Join(f.dir, "access.db"), access.Options{})
	if err != nil {
		auditLog.Close()
		return nil, err
	}
	cams, err := camera.Open(filepath.Join(f.dir, "cameras.json"))
	if err != nil {
		return nil, err
	}
	edge, err := role.NewEdge(role.EdgeConfig{Bus: b, SpoolDir: filepath.Join(f.dir, "spool"), Spool: spool.Options{MaxBytes: f.spoolMaxBytes}, Cameras: cams, Log: log})
	if err != nil {
		return nil, err
	}
	hl, err := hotlist.New(hotlist.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	replica, err := role.NewHotlistReplica(role.HotlistReplicaConfig{Files: b, Hotlists: hl, Log: log})
	if err != nil {
		return nil, err
	}
	alerts := alert.NewService(db, alert.Options{Log: log, EscalateAfter: f.escalateAfter})
	srv, err := api.New(api.Config{Access: dir, Audit: auditLog, AuditKey: key, Alerts: alerts, Reads: db, Images: images,
		Cameras: cams, Hotlists: hl, Ingest: edgeIngester{edge}, InsecureCookies: f.insecureCookies, Logger: log,
		HotlistsManaged: "publish them to every matcher with 'anpr hotlist publish'"})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, usageError{fmt.Errorf("listen on %s: %w", f.listen, err)}
	}
	durable := f.consoleName
	if durable == "" {
		durable, _ = os.Hostname()
	}
	durable = "console-" + sanitiseName(durable)
	return func(ctx context.Context) error {
		defer dir.Close()
		defer auditLog.Close()
		defer edge.Close()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errs := make(chan error, 5)
		for _, run := range []func(context.Context) error{
			edge.Run, replica.Run, alerts.Run,
			func(ctx context.Context) error { return srv.Serve(ctx, ln) },
			// Each console has a durable consumer of its own, so every
			// console sees every alert event.
			func(ctx context.Context) error {
				return b.Consume(ctx, bus.Consumer{Stream: bus.Alerts, Durable: durable}, func(_ context.Context, msgs []bus.Message) error {
					for _, m := range msgs {
						var ev alert.Event
						if err := json.Unmarshal(m.Data, &ev); err != nil {
							log.Error("alert event not understood; dropped", "message", m.ID, "err", err)
							continue
						}
						alerts.Relay(ev)
					}
					return nil
				})
			},
		} {
			go func() { errs <- run(ctx) }()
		}
		log.Info("console serving", "addr", ln.Addr().String())
		err := <-errs
		cancel()
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return err
	}, nil
}

// edgeIngester takes the API's reads onto the bus through an edge.
type edgeIngester struct{ edge *role.Edge }

func (e edgeIngester) Submit(ctx context.Context, subs []ingest.Submission) (ingest.Result, error) {
	if err := e.edge.Submit(ctx, subs); err != nil {
		return ingest.Result{}, err
	}
	return ingest.Result{Added: len(subs)}, nil
}

// sanitiseName keeps the letters, digits, - and _ of a name, for a
// durable consumer's name.
func sanitiseName(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "console"
	}
	return string(out)
}

// serveRoleHealth serves GET /healthz on addr for a role: 200 when its bus
// connection is up and its database (if it has one) answers, 503
// otherwise, with a JSON body saying which and the role's counters, for a
// load balancer or a monitoring system to poll.
func serveRoleHealth(addr, roleName string, b *jetstream.Bus, db *postgres.Store, stats func() any, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageError{fmt.Errorf("--health %s: %w", addr, err)}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		body := map[string]any{"role": roleName, "bus": "connected"}
		healthy := true
		if !b.Connected() {
			body["bus"], healthy = "disconnected", false
		}
		if db != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			body["postgres"] = "ok"
			if err := db.Ping(ctx); err != nil {
				body["postgres"], healthy = err.Error(), false
			}
		}
		if stats != nil {
			body["stats"] = stats()
		}
		body["healthy"] = healthy
		w.Header().Set("Content-Type", "application/json")
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(body)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("health server", "err", err)
		}
	}()
	return func() { srv.Close() }, nil
}
