package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"anpr/engine/access"
	"anpr/engine/alert"
	"anpr/engine/api"
	"anpr/engine/audit"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
	"anpr/internal/profiling"
	"anpr/sim/harness"
	"anpr/sim/scenario"
)

// backOffice is every part of the back office over one data directory:
// what `anpr serve` runs and `anpr users` administers.
type backOffice struct {
	dir      string
	auditKey []byte
	audit    *audit.Log
	access   *access.Directory
	reads    *sqlite.Store
	images   *store.Images
	cameras  *camera.Registry
}

// openBackOffice opens (creating on first use) the data directory: the
// read store, images, users, cameras and the audit log with its key.
func openBackOffice(dir string) (_ *backOffice, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	b := &backOffice{dir: dir}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if b.auditKey, err = auditKeyIn(dir); err != nil {
		return nil, err
	}
	if b.audit, err = audit.Open(filepath.Join(dir, "audit.log"), b.auditKey, nil); err != nil {
		return nil, err
	}
	if b.access, err = access.Open(filepath.Join(dir, "access.db"), access.Options{}); err != nil {
		return nil, err
	}
	if b.reads, err = sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{}); err != nil {
		return nil, err
	}
	if b.images, err = store.OpenImages(filepath.Join(dir, "images")); err != nil {
		return nil, err
	}
	if b.cameras, err = camera.Open(filepath.Join(dir, "cameras.json")); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *backOffice) Close() error {
	var errs []error
	if b.reads != nil {
		errs = append(errs, b.reads.Close())
	}
	if b.access != nil {
		errs = append(errs, b.access.Close())
	}
	if b.audit != nil {
		errs = append(errs, b.audit.Close())
	}
	return errors.Join(errs...)
}

// auditKeyIn returns the audit log's key from dir/audit.key, making a
// random one on first use. Whoever holds the key can rewrite the log
// consistently: keep a copy off the machine and the file readable by the
// service alone.
func auditKeyIn(dir string) ([]byte, error) {
	path := filepath.Join(dir, "audit.key")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create audit key: %w", err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return nil, fmt.Errorf("create audit key: %w", err)
		}
	}
	return audit.LoadKey(path)
}

type serveFlags struct {
	dir, listen          string
	hotlists             []string
	feeds                []string
	travelTimes          string
	keepReads            time.Duration
	keepAlerts           time.Duration
	escalateAfter        time.Duration
	insecureCookies      bool
	demo                 bool
	demoScenario         string
	readerPath, detPath  string
	pyroscope, pprofAddr string
	role, bus, postgres  string
	busPrefix, pgSchema  string
	consoleName          string
	imagesDir            string
	config               string
	streamReplicas       int
	streamMaxAge         time.Duration
	streamMaxBytes       int64
	spoolMaxBytes        int64
	healthAddr           string
}

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--data DIR] [--listen ADDR] [--demo]",
		Short: "Run the back office: read intake, hotlist matching, alerts, the API and the operator console",
		Long: `Run the back office on one machine, everything embedded: reads in (from
cameras over the API, or from --feed camera feeds the engine reads itself),
checked at once against the hotlists and for cloned plates; alerts pushed
live to the operator console; searches with justification; the audit log;
retention. The console is at http://ADDR/ and the API's OpenAPI document at
http://ADDR/openapi.json.

Everything is kept in --data: reads.db (reads, alerts, decisions), images/,
access.db (users, sessions, tokens, search approvals), cameras.json,
hotlists/ (the lists loaded through the API, in force again after a
restart), audit.log with its key audit.key (keep a copy of the key off the
machine).
Add the first administrator with 'anpr users add'.

--demo runs the whole system on the embedded default. It fills an empty
data directory with demo users (their passwords are printed), registers the
cameras of a scenario (scenarios/demo.yaml: three cameras on the
Staffordshire network; --demo-scenario FILE for another) and loads the
sample hotlist and the scenario's own. The traffic simulator drives the
scenario's vehicles past the cameras; each camera renders what it captures
of them (a share of the traffic, and every passage of a listed vehicle)
under the light and weather of the moment and streams it as live MJPEG to
the recognition engine, which reads each stream as it would a real
camera's. The quiet road between vehicles is cut to a second, so each
camera shows a vehicle every two seconds or so. The scenario's vehicles of
interest are on its hotlist (named after the scenario, with their lists,
markers and advice), so their reads raise alerts in the operator console.

--role edge|matcher|writer runs one part of a scaled-out deployment on NATS
JetStream (--bus) and PostgreSQL (--postgres): edges read --feed cameras and
send their reads through a local disk spool; writers store reads in
PostgreSQL; matchers match them against --hotlist files and lists published
with 'anpr hotlist publish', and raise alerts into PostgreSQL; consoles serve
the API and the operator console over PostgreSQL, their users, cameras and
audit log in --data, reads posted to the API going onto the bus and the
matchers' alerts reaching the operators live. Run as many of each as the
load needs.

--feed CAMERA=SOURCE has the engine read a camera itself (a video file,
directory of images, http:// MJPEG, rtsp:// or V4L2 device, as 'anpr
watch' takes); the camera must be in the register.`,
		Example: `  anpr serve --demo
  anpr serve --data /var/lib/anpr --listen 127.0.0.1:8080 --hotlist pnc=/srv/lists/pnc.csv --feed A38-N1=rtsp://10.0.0.5/stream
  anpr serve --config /etc/anpr/matcher.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.config != "" {
				if err := applyConfigFile(cmd.Flags(), f.config); err != nil {
					return err
				}
			}
			return runServe(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "YAML file of settings: keys are these flags' names without --, lists for repeatable flags, maps for NAME=VALUE ones; the command line wins")
	fl.StringVar(&f.dir, "data", "anpr-data", "data directory")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address for the API and console")
	fl.StringArrayVar(&f.hotlists, "hotlist", nil, "NAME=FILE: load a hotlist (CSV or JSON) and reload it when the file changes; repeatable")
	fl.StringArrayVar(&f.feeds, "feed", nil, "CAMERA=SOURCE: read a camera feed with the engine; repeatable")
	fl.StringVar(&f.travelTimes, "travel-times", "", "CSV of least travel times between cameras (from,to,least) for the cloned-plate check")
	fl.DurationVar(&f.keepReads, "keep-reads", 365*24*time.Hour, "delete reads older than this")
	fl.DurationVar(&f.keepAlerts, "keep-alerts", 2*365*24*time.Hour, "delete alerts and decisions older than this")
	fl.DurationVar(&f.escalateAfter, "escalate-after", 2*time.Minute, "escalate an alert nobody has acknowledged after this")
	fl.BoolVar(&f.insecureCookies, "insecure-cookies", false, "session cookie without the Secure flag, for plain HTTP to a non-local address")
	fl.BoolVar(&f.demo, "demo", false, "demo users, cameras and lists, and a simulated scenario's cameras feeding the engine")
	fl.StringVar(&f.demoScenario, "demo-scenario", "scenarios/demo.yaml", "the scenario whose traffic and cameras --demo runs")
	fl.StringVar(&f.role, "role", roleAll, "all (everything in one process), or one part of a scaled-out deployment: edge, matcher, writer or console")
	fl.StringVar(&f.bus, "bus", "", "NATS JetStream server of a scaled-out deployment (nats://host:4222), for --role edge|matcher|writer|console")
	fl.StringVar(&f.postgres, "postgres", "", "PostgreSQL of a scaled-out deployment (postgres://...), for --role matcher|writer|console")
	fl.StringVar(&f.busPrefix, "bus-prefix", "anpr", "prefix of the deployment's stream and subject names, so deployments can share a NATS server")
	fl.StringVar(&f.imagesDir, "images", "", "for --role writer|console: the image store (default DATA/images); writers and consoles share one (a network file system) for consoles to show alerts' images")
	fl.StringVar(&f.consoleName, "console-name", "", "this console's name among the deployment's consoles, for its stream of alert events (default: the host name)")
	fl.StringVar(&f.pgSchema, "postgres-schema", "anpr", "PostgreSQL schema holding the deployment's tables")
	fl.IntVar(&f.streamReplicas, "stream-replicas", 1, "copies a NATS cluster keeps of the reads and alerts streams (3 in a production cluster); every process of a deployment must say the same, as each sets the streams up")
	fl.DurationVar(&f.streamMaxAge, "stream-max-age", 7*24*time.Hour, "how long the reads and alerts streams keep a message, taken or not")
	fl.Int64Var(&f.streamMaxBytes, "stream-max-bytes", 0, "the most each stream holds before it refuses new messages (edges then spool them); 0: the server's limit")
	fl.Int64Var(&f.spoolMaxBytes, "spool-max-bytes", 1<<30, "for --role edge: the most the local disk spool holds while the bus is unreachable; past it reads are refused, not dropped")
	fl.StringVar(&f.pyroscope, "pyroscope", "", "push CPU and heap profiles continuously to this Pyroscope server (http://host:4040)")
	fl.StringVar(&f.healthAddr, "health", "", "for --role: serve GET /healthz on this address (200 when the bus and database are reachable, 503 when not; JSON with the role's counters)")
	fl.StringVar(&f.pprofAddr, "pprof", "", "serve Go's pprof endpoints (/debug/pprof/) on this address, e.g. 127.0.0.1:6060")
	fl.StringVar(&f.readerPath, "model", defaultReaderModel, "plate reader model (ONNX), for --feed and --demo")
	fl.StringVar(&f.detPath, "detector-model", defaultDetectorModel, "plate detector model (ONNX), for --feed and --demo")
	return cmd
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	if f.role != roleAll {
		return runRole(cmd, f)
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	feeds, err := parsePairs("--feed", f.feeds)
	if err != nil {
		return err
	}
	lists, err := parsePairs("--hotlist", f.hotlists)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfiling, err := startProfiling(f, "anpr.serve", logger)
	if err != nil {
		return err
	}
	defer stopProfiling()

	b, err := openBackOffice(f.dir)
	if err != nil {
		return err
	}
	defer b.Close()

	hl, err := hotlist.New(hotlist.Options{Logger: logger, OnLoad: auditHotlistLoads(b.audit, logger)})
	if err != nil {
		return err
	}
	var clones *hotlist.CloneDetector
	if f.travelTimes != "" {
		tf, err := os.Open(f.travelTimes)
		if err != nil {
			return usageError{err}
		}
		tt, err := hotlist.LoadTravelTimes(tf)
		tf.Close()
		if err != nil {
			return usageError{err}
		}
		clones = hotlist.NewCloneDetector(tt)
	}
	alerts := alert.NewService(b.reads, alert.Options{EscalateAfter: f.escalateAfter})
	pipe := &ingest.Pipeline{Store: b.reads, Images: b.images, Cameras: b.cameras, Hotlists: hl, Clones: clones, Alerts: alerts}

	var demoUsers []demoUser
	var replay *harness.Replay
	demoFeeds := 0
	if f.demo {
		var sc *scenario.Scenario
		if replay, sc, err = openDemo(ctx, f.demoScenario); err != nil {
			return err
		}
		if demoUsers, err = seedDemo(ctx, b, hl, replay, sc); err != nil {
			return err
		}
		demoFeeds = 2 * len(replay.Cameras()) // a camera and its feed
	}
	hotlistDir := filepath.Join(f.dir, "hotlists")
	if err := os.MkdirAll(hotlistDir, 0o700); err != nil {
		return err
	}
	if err := api.LoadHotlistDir(ctx, hl, hotlistDir); err != nil {
		logger.Error("hotlists kept from before", "err", err)
	}
	for _, kv := range lists {
		if _, err := hl.LoadFile(ctx, kv[0], kv[1]); err != nil {
			return usageError{fmt.Errorf("--hotlist %s=%s: %w", kv[0], kv[1], err)}
		}
		go hl.Watch(ctx, kv[0], kv[1], 5*time.Second)
	}
	for _, kv := range feeds {
		if _, err := b.cameras.Get(kv[0]); err != nil {
			return usageError{fmt.Errorf("--feed %s: %w: add the camera first (PUT /api/cameras/%s)", kv[0], err, kv[0])}
		}
	}

	srv, err := api.New(api.Config{Access: b.access, Audit: b.audit, AuditKey: b.auditKey, Alerts: alerts, Reads: b.reads,
		Images: b.images, Cameras: b.cameras, Hotlists: hl, Ingest: pipe, InsecureCookies: f.insecureCookies, HotlistDir: hotlistDir, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usageError{fmt.Errorf("listen on %s: %w", f.listen, err)}
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4+len(feeds)+demoFeeds)
	goRun := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	goRun("escalation", func() error { return alerts.Run(ctx) })
	goRun("retention", func() error { return runRetention(ctx, b.reads, b.images, b.audit, f.keepReads, f.keepAlerts, logger) })
	for _, kv := range feeds {
		goRun("feed "+kv[0], func() error {
			return runFeed(ctx, kv[0], kv[1], f.readerPath, f.detPath, pipelineSubmitter(pipe, logger), logger)
		})
	}
	if f.demo {
		if err := startDemoCameras(ctx, goRun, replay, f, pipe, logger); err != nil {
			return err
		}
	}
	goRun("http", func() error { return srv.Serve(ctx, ln) })

	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "anpr serve: console on http://%s/ (API: http://%s/openapi.json); data in %s\n", ln.Addr(), ln.Addr(), f.dir)
	for _, u := range demoUsers {
		fmt.Fprintf(out, "  demo user %-14s password %-24s (%s)\n", u.name, u.password, u.role)
	}
	fmt.Fprintln(out, "Ctrl-C to stop.")

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
		stop()
	}
	wg.Wait()
	return runErr
}

// parsePairs splits NAME=VALUE flags.
func parsePairs(flag string, vals []string) ([][2]string, error) {
	out := make([][2]string, 0, len(vals))
	for _, v := range vals {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" || val == "" {
			return nil, badInput("%s %q: want NAME=VALUE", flag, v)
		}
		out = append(out, [2]string{k, val})
	}
	return out, nil
}

// startProfiling starts what --pyroscope and --pprof ask for, in the
// all-in-one and in every role alike; stop ends both.
func startProfiling(f serveFlags, app string, logger *slog.Logger) (stop func(), err error) {
	return startProfilers(f.pyroscope, f.pprofAddr, app, logger)
}

// startProfilers pushes profiles to a Pyroscope server (pyroscope, if set)
// and serves pprof (on pprofAddr, if set), for any command that runs the
// engine; stop ends both.
func startProfilers(pyroscope, pprofAddr, app string, logger *slog.Logger) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, s := range stops {
			s()
		}
	}
	if pyroscope != "" {
		s, err := profiling.Start(profiling.Options{Server: pyroscope, Application: app, Logger: logger})
		if err != nil {
			return nil, usageError{err}
		}
		stops = append(stops, func() { s() })
	}
	if pprofAddr != "" {
		ln, err := net.Listen("tcp", pprofAddr)
		if err != nil {
			stop()
			return nil, usageError{fmt.Errorf("--pprof %s: %w", pprofAddr, err)}
		}
		ps := &http.Server{Handler: profiling.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := ps.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				logger.Error("pprof server", "err", err)
			}
		}()
		stops = append(stops, func() { ps.Close() })
	}
	return stop, nil
}

// auditHotlistLoads records every load of a hotlist, accepted or refused,
// with where it came from (a file, or a published version and its
// publisher) and how many rows went in and were rejected.
func auditHotlistLoads(auditLog *audit.Log, log *slog.Logger) func(hotlist.LoadReport) {
	return func(rep hotlist.LoadReport) {
		outcome := audit.OutcomeOK
		if rep.Refused {
			outcome = audit.OutcomeFailed
		}
		if _, err := auditLog.Append(audit.Entry{Actor: "system", Role: "system", Action: audit.ActionHotlistLoad, Target: rep.List, Outcome: outcome,
			Detail: map[string]string{"file": rep.File, "version": fmt.Sprint(rep.Version), "accepted": fmt.Sprint(rep.Accepted),
				"rejected": fmt.Sprint(rep.RejectedRows), "reason": rep.Reason}}); err != nil {
			log.Error("audit hotlist load", "list", rep.List, "err", err)
		}
	}
}

// openRoleAudit opens the audit log a role keeps in its --data, and its key.
func openRoleAudit(dir string) (*audit.Log, []byte, error) {
	key, err := auditKeyIn(dir)
	if err != nil {
		return nil, nil, err
	}
	l, err := audit.Open(filepath.Join(dir, "audit.log"), key, nil)
	return l, key, err
}

// retentionStore is a store that retention runs over: the embedded SQLite
// store or the deployment's PostgreSQL.
type retentionStore interface {
	RunRetention(ctx context.Context, keep time.Duration, now time.Time) (store.RetentionRun, error)
	DeleteAlertsBefore(ctx context.Context, t time.Time) (int64, error)
	AlertImageRefs(ctx context.Context) (map[string]bool, error)
}

// runRetention deletes reads, their images, and alerts past their keeping
// time once an hour, recording each run in the audit log. The all-in-one
// and every writer of a deployment run it; the stores take one run at a
// time, and image deletion tolerates another process deleting the same
// day.
func runRetention(ctx context.Context, st retentionStore, images *store.Images, auditLog *audit.Log, keepReads, keepAlerts time.Duration, log *slog.Logger) error {
	record := func(target string, cutoff time.Time, deleted int64, err error) {
		detail := map[string]string{"what": target, "cutoff": cutoff.UTC().Format(time.RFC3339), "deleted": fmt.Sprint(deleted)}
		outcome := audit.OutcomeOK
		if err != nil {
			detail["error"], outcome = err.Error(), audit.OutcomeFailed
			log.Error(target+" retention", "err", err)
		} else {
			log.Info(target+" retention", "deleted", deleted, "cutoff", cutoff)
		}
		if _, err := auditLog.Append(audit.Entry{Actor: "system", Role: "system", Action: audit.ActionRetentionRun, Target: target, Outcome: outcome, Detail: detail}); err != nil {
			log.Error("audit retention run", "err", err)
		}
	}
	once := func() {
		now := time.Now()
		run, err := st.RunRetention(ctx, keepReads, now)
		record("reads", now.Add(-keepReads), run.Deleted, err)
		n, err := st.DeleteAlertsBefore(ctx, now.Add(-keepAlerts))
		record("alerts", now.Add(-keepAlerts), n, err)
		// Images go with their reads, except those of alerts still kept.
		keep, err := st.AlertImageRefs(ctx)
		var deleted int
		if err == nil {
			deleted, err = images.DeleteDaysBefore(now.Add(-keepReads), func(ref string) bool { return keep[ref] })
		}
		record("images", now.Add(-keepReads), int64(deleted), err)
	}
	once()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			once()
		}
	}
}
