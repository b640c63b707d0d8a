// Package api is the back office's HTTP interface: the JSON API that
// cameras, operators, investigators, authorisers, auditors and
// administrators use, described by the OpenAPI document it serves at
// /openapi.json, and the operator console, a web page served by the same
// server.
//
// Every route states the permission it needs (package access holds which
// role has which), and the server checks it before the handler runs.
// Sessions come from a cookie set at login (HttpOnly, SameSite=Strict,
// Secure unless configured off for plain-HTTP development), and every
// state-changing request made with one must echo the session's CSRF token
// in the X-CSRF-Token header; machines use API tokens in the Authorization
// header instead. Every search, view of a read or image, alert decision,
// hotlist, user or camera change, login and denied attempt goes into the
// audit log; for views and searches the entry is written before the data is
// read, so nothing is seen that the log does not show.
//
// Purpose limits are part of the interface: no route takes, computes or
// returns a speed; a read submitted with one is refused (unknown fields are
// refused). Camera locations are shown only to roles that need them, and
// the one public route generalises them to districts.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"anpr/engine/access"
	"anpr/engine/alert"
	"anpr/engine/audit"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
)

// Config is what the server serves. Every field but Logger and Now is
// required.
type Config struct {
	Access   *access.Directory
	Audit    *audit.Log
	AuditKey []byte // to verify the log on the auditor's request
	Alerts   *alert.Service
	Reads    store.Store
	Images   *store.Images
	Cameras  *camera.Registry
	Hotlists *hotlist.Hotlists
	Ingest   Ingester

	// InsecureCookies leaves the Secure flag off the session cookie, for
	// a console reached over plain HTTP from another machine. Browsers
	// keep Secure cookies for http://127.0.0.1 and http://localhost, so
	// the default needs nothing set.
	InsecureCookies bool
	MaxHotlistBytes int64 // the largest hotlist upload; 0: 256 MiB
	// HotlistsManaged, if set, says where hotlists are managed instead of
	// through this server (a scaled-out deployment publishes them to every
	// matcher), and loading one through the API is refused with it.
	HotlistsManaged string
	// HotlistDir, if set, keeps each list loaded through the API as a
	// file there, so that it is in force again after a restart
	// (LoadHotlistDir).
	HotlistDir string
	Logger     *slog.Logger
	Now        func() time.Time
}

// Ingester takes reads in: the ingest pipeline of a back office on one
// machine, or an edge's bus in a scaled-out deployment (where Result.Added
// counts the reads accepted for storage and no alerts come back: matchers
// raise them).
type Ingester interface {
	Submit(ctx context.Context, subs []ingest.Submission) (ingest.Result, error)
}

// Server is the HTTP interface. Its Handler is safe for concurrent use.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	routes []route
	log    *slog.Logger
	now    func() time.Time
}

// New returns a server over cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Access == nil || cfg.Audit == nil || cfg.Alerts == nil || cfg.Reads == nil || cfg.Images == nil ||
		cfg.Cameras == nil || cfg.Hotlists == nil || cfg.Ingest == nil {
		return nil, errors.New("api: config lacks a component: access, audit, alerts, reads, images, cameras, hotlists and ingest are all needed")
	}
	if cfg.MaxHotlistBytes <= 0 {
		cfg.MaxHotlistBytes = 256 << 20
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	s.mux.Handle("GET /openapi.json", http.HandlerFunc(s.serveOpenAPI))
	s.mux.Handle("GET /{$}", http.RedirectHandler("/console/", http.StatusFound))
	s.mux.Handle("GET /console/", consoleHandler())
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return securityHeaders(s.mux) }

// route is one API operation: the permission it needs and its handler.
type route struct {
	method, path string
	perm         access.Permission // needed; "" with public false: any signed-in user
	public       bool              // no sign-in needed
	maxBody      int64             // request body limit; 0: 64 KiB
	handle       func(w http.ResponseWriter, r *http.Request, c *caller) error
}

// table lists every API route; the OpenAPI document must describe exactly
// these (a test holds them together).
func (s *Server) table() []route {
	return []route{
		{method: "POST", path: "/api/login", public: true, handle: s.login},
		{method: "POST", path: "/api/logout", handle: s.logout},
		{method: "GET", path: "/api/me", handle: s.me},

		{method: "POST", path: "/api/reads", perm: access.IngestReads, maxBody: 32 << 20, handle: s.submitReads},
		{method: "POST", path: "/api/searches", perm: access.SearchReads, handle: s.search},
		{method: "POST", path: "/api/exports", perm: access.SearchReads, handle: s.export},
		{method: "GET", path: "/api/images/{ref}", perm: access.SearchReads, handle: s.searchImage},
		{method: "GET", path: "/api/approvals", handle: s.listApprovals},
		{method: "POST", path: "/api/approvals", perm: access.SearchReads, handle: s.requestApproval},
		{method: "POST", path: "/api/approvals/{id}/decision", perm: access.ApproveSearches, handle: s.decideApproval},

		{method: "GET", path: "/api/alerts", perm: access.ViewAlerts, handle: s.listAlerts},
		{method: "GET", path: "/api/alerts/events", perm: access.ViewAlerts, handle: s.alertEvents},
		{method: "GET", path: "/api/alerts/stats", perm: access.ViewAlerts, handle: s.alertStats},
		{method: "GET", path: "/api/alerts/{id}", perm: access.ViewAlerts, handle: s.getAlert},
		{method: "GET", path: "/api/alerts/{id}/images/{which}", perm: access.ViewAlerts, handle: s.alertImage},
		{method: "POST", path: "/api/alerts/{id}/acknowledge", perm: access.DecideAlerts, handle: s.acknowledge},
		{method: "POST", path: "/api/alerts/{id}/decision", perm: access.DecideAlerts, handle: s.decide},
		{method: "POST", path: "/api/alerts/{id}/outcome", perm: access.DecideAlerts, handle: s.outcome},

		{method: "GET", path: "/api/audit", perm: access.ReadAudit, handle: s.queryAudit},
		{method: "GET", path: "/api/audit/verify", perm: access.ReadAudit, handle: s.verifyAudit},

		{method: "GET", path: "/api/hotlists", perm: access.ManageHotlists, handle: s.listHotlists},
		{method: "PUT", path: "/api/hotlists/{name}", perm: access.ManageHotlists, handle: s.loadHotlist},

		{method: "GET", path: "/api/users", perm: access.ManageUsers, handle: s.listUsers},
		{method: "POST", path: "/api/users", perm: access.ManageUsers, handle: s.addUser},
		{method: "PATCH", path: "/api/users/{name}", perm: access.ManageUsers, handle: s.changeUser},
		{method: "GET", path: "/api/tokens", perm: access.ManageUsers, handle: s.listTokens},
		{method: "POST", path: "/api/tokens", perm: access.ManageUsers, handle: s.newToken},
		{method: "DELETE", path: "/api/tokens/{id}", perm: access.ManageUsers, handle: s.revokeToken},

		{method: "GET", path: "/api/cameras", handle: s.listCameras},
		{method: "PUT", path: "/api/cameras/{id}", perm: access.ManageCameras, handle: s.putCamera},
		{method: "DELETE", path: "/api/cameras/{id}", perm: access.ManageCameras, handle: s.deleteCamera},
		{method: "GET", path: "/api/public/cameras", public: true, handle: s.publicCameras},
	}
}

// Serve serves on ln until ctx ends, then shuts down, giving open requests
// five seconds to finish. Live alert streams end with ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
