package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"anpr/engine/access"
	"anpr/engine/alert"
	"anpr/engine/audit"
	"anpr/engine/camera"
	"anpr/engine/store"
)

// caller is who is making a request, and how they proved it.
type caller struct {
	Name    string
	Role    access.Role
	Session *access.Session // nil for API tokens
	Token   *access.Token   // nil for sessions
}

const (
	sessionCookie = "anpr_session"
	csrfHeader    = "X-CSRF-Token"
)

// wrap runs a route: it limits the body, finds the caller, checks CSRF and
// the permission, auditing each refusal, then calls the handler and turns
// its error into a JSON error response.
func (s *Server) wrap(rt route) http.Handler {
	limit := rt.maxBody
	if limit <= 0 {
		limit = 64 << 10
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var c *caller
		if !rt.public {
			var err error
			c, err = s.authenticate(r)
			if err != nil {
				s.deny(w, r, nil, http.StatusUnauthorized, err.Error())
				return
			}
			if c.Session != nil && r.Method != http.MethodGet && !s.cfg.Access.CheckCSRF(*c.Session, r.Header.Get(csrfHeader)) {
				s.deny(w, r, c, http.StatusForbidden, "missing or wrong "+csrfHeader+" header: reload the console and try again")
				return
			}
			if rt.perm != "" && !c.Role.Can(rt.perm) {
				s.deny(w, r, c, http.StatusForbidden, fmt.Sprintf("the %s role may not %s", c.Role, rt.perm))
				return
			}
		}
		if err := rt.handle(w, r, c); err != nil {
			s.fail(w, r, c, err)
		}
	})
}

// authenticate finds the caller from a bearer API token or a session
// cookie.
func (s *Server) authenticate(r *http.Request) (*caller, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errors.New("Authorization header is not 'Bearer <token>'")
		}
		t, err := s.cfg.Access.CheckToken(ctx, strings.TrimSpace(secret))
		if err != nil {
			return nil, errors.New("API token not recognised or revoked")
		}
		return &caller{Name: "token:" + t.Name, Role: t.Role, Token: &t}, nil
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, errors.New("not signed in")
	}
	sess, err := s.cfg.Access.Session(ctx, ck.Value)
	if err != nil {
		return nil, errors.New("session expired or signed out: sign in again")
	}
	return &caller{Name: sess.User.Name, Role: sess.User.Role, Session: &sess}, nil
}

// httpError is an error with the status it should be answered with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &httpError{status, fmt.Sprintf(format, args...)}
}

// statusOf maps a component's error to an HTTP status: bad input is the
// client's to fix (400), a refusal by the rules is 403, and anything else is
// the server's failure (500), whose detail stays in the server's log.
func statusOf(err error) int {
	var he *httpError
	var mbe *http.MaxBytesError
	var rl *access.RateLimitError
	switch {
	case errors.As(err, &he):
		return he.status
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &rl):
		return http.StatusTooManyRequests
	case errors.Is(err, access.ErrDenied):
		return http.StatusForbidden
	case errors.Is(err, access.ErrBadCredentials):
		return http.StatusUnauthorized
	case errors.Is(err, store.ErrInvalid), errors.Is(err, alert.ErrInvalid), errors.Is(err, access.ErrInvalid),
		errors.Is(err, camera.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, alert.ErrNotFound), errors.Is(err, access.ErrNotFound), errors.Is(err, camera.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, alert.ErrConflict), errors.Is(err, access.ErrExists):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// fail answers a request whose handler failed. Refusals by the rules are
// audited as denied attempts.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *caller, err error) {
	status := statusOf(err)
	msg := err.Error()
	switch {
	case status == http.StatusForbidden:
		s.deny(w, r, c, status, msg)
		return
	case status >= 500:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error: the server's log has the detail"
	}
	var rl *access.RateLimitError
	if errors.As(err, &rl) {
		w.Header().Set("Retry-After", fmt.Sprint(int(rl.Wait.Seconds())+1))
	}
	writeJSON(w, status, errorBody{Error: msg})
}

type errorBody struct {
	Error string `json:"error"`
}

// deny refuses a request and records the attempt.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, c *caller, status int, why string) {
	e := audit.Entry{Action: audit.ActionDenied, Target: r.Method + " " + r.URL.Path, Outcome: audit.OutcomeDenied,
		Detail: map[string]string{"reason": why, "remote": remoteOf(r)}}
	e.Actor = "anonymous"
	if c != nil {
		e.Actor, e.Role = c.Name, string(c.Role)
	}
	if _, err := s.cfg.Audit.Append(e); err != nil {
		s.log.Error("audit denied attempt", "err", err)
	}
	writeJSON(w, status, errorBody{Error: why})
}

// record appends an audit entry for the caller. An error means the action
// must not go ahead (or, after it, that the caller must be told the record
// failed).
func (s *Server) record(r *http.Request, c *caller, action audit.Action, target string, outcome audit.Outcome, detail map[string]string) error {
	e := audit.Entry{Actor: "anonymous", Action: action, Target: target, Outcome: outcome, Detail: detail}
	if c != nil && c.Name != "" {
		e.Actor, e.Role = c.Name, string(c.Role)
	}
	if _, err := s.cfg.Audit.Append(e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func remoteOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeJSON reads one JSON object into v, refusing unknown fields (so a
// speed, or any other field the system does not take, is refused rather
// than dropped) and anything after the object.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, "request body is over the limit of %d bytes", mbe.Limit)
		}
		return errorf(http.StatusBadRequest, "read request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return errorf(http.StatusBadRequest, "request body is not valid JSON: %v at byte %d", err, se.Offset)
		case errors.As(err, &te):
			return errorf(http.StatusBadRequest, "request body: field %q must be %s, not %s", te.Field, te.Type, te.Value)
		case errors.Is(err, io.EOF):
			return errorf(http.StatusBadRequest, "request body is empty: a JSON object is needed")
		}
		return errorf(http.StatusBadRequest, "request body: %v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "request body holds more than one JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// securityHeaders keeps the console and API out of frames and other
// origins' scripts.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// queryTime parses an optional RFC 3339 time query parameter.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errorf(http.StatusBadRequest, "query parameter %s=%q is not an RFC 3339 time (2026-11-30T09:00:00Z)", name, v)
	}
	return t, nil
}
