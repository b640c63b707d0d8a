// Package profiling lets the engine be profiled while it runs: it pushes
// CPU and heap profiles continuously to a Pyroscope server (pyroscope-go),
// and serves Go's pprof endpoints for pulling them by hand.
package profiling

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"net/url"
	"time"

	"github.com/grafana/pyroscope-go"
)

// Options configures continuous profiling.
type Options struct {
	Server      string            // the Pyroscope server, http://host:4040
	Application string            // the name profiles are filed under, e.g. anpr.serve
	Tags        map[string]string // e.g. the host or the role
	UploadRate  time.Duration     // how often profiles are pushed; 0: 15 s
	Logger      *slog.Logger      // upload failures; nil: discarded
}

// Start begins pushing CPU, allocation and in-use heap profiles to the
// server. Stop flushes the last profiles and ends it.
func Start(opts Options) (stop func() error, err error) {
	u, err := url.Parse(opts.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("profiling server %q: want http://host:port", opts.Server)
	}
	if opts.Application == "" {
		return nil, errors.New("profiling: no application name")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := pyroscope.Start(pyroscope.Config{
		ApplicationName: opts.Application,
		ServerAddress:   opts.Server,
		Tags:            opts.Tags,
		UploadRate:      opts.UploadRate,
		Logger:          logger{log},
		ProfileTypes: []pyroscope.ProfileType{
			pyroscope.ProfileCPU, pyroscope.ProfileAllocObjects, pyroscope.ProfileAllocSpace,
			pyroscope.ProfileInuseObjects, pyroscope.ProfileInuseSpace,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("start profiling to %s: %w", opts.Server, err)
	}
	return p.Stop, nil
}

// logger passes pyroscope's messages to slog: its errors as warnings (a
// profiling server away must not look like the engine failing), the rest
// at debug level.
type logger struct{ l *slog.Logger }

func (g logger) Infof(format string, args ...any)  { g.l.Debug(fmt.Sprintf(format, args...)) }
func (g logger) Debugf(format string, args ...any) { g.l.Debug(fmt.Sprintf(format, args...)) }
func (g logger) Errorf(format string, args ...any) {
	g.l.Warn("profiling: " + fmt.Sprintf(format, args...))
}

// Handler serves Go's pprof endpoints under /debug/pprof/. Mount it on a
// listener of its own, reachable only by engineers: profiles show the
// program's internals.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
