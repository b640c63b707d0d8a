package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"anpr/engine/alert"
	"anpr/engine/audit"
)

// alertView is an alert as an operator sees it: with the camera told in
// full or by district, as the viewer's role allows.
type alertView struct {
	alert.Alert
	Camera any `json:"camera"`
}

func (s *Server) viewAlert(c *caller, a alert.Alert) alertView {
	return alertView{Alert: a, Camera: s.cameraView(c, a.Read.Camera)}
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := alert.Query{Camera: r.URL.Query().Get("camera"), List: r.URL.Query().Get("list"), Before: r.URL.Query().Get("before")}
	for _, st := range r.URL.Query()["state"] {
		q.States = append(q.States, alert.State(st))
	}
	var err error
	if q.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if q.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > 1000 {
			return errorf(http.StatusBadRequest, "limit=%q: want a whole number from 1 to 1000", v)
		}
	}
	as, err := s.cfg.Alerts.Alerts(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([]alertView, len(as))
	for i, a := range as {
		out[i] = s.viewAlert(c, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": out})
	return nil
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := s.cfg.Alerts.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewAlert(c, a))
	return nil
}

// alertImage serves an alert's plate patch or overview, auditing the view
// first.
func (s *Server) alertImage(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, err := s.cfg.Alerts.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var ref string
	switch which := r.PathValue("which"); which {
	case "patch":
		ref = a.Read.PatchRef
	case "overview":
		ref = a.Read.OverviewRef
	default:
		return errorf(http.StatusNotFound, "an alert has a patch and an overview image, not %q", which)
	}
	if ref == "" {
		return errorf(http.StatusNotFound, "the camera sent no %s image with this read", r.PathValue("which"))
	}
	if err := s.record(r, c, audit.ActionViewImage, ref, audit.OutcomeAllowed,
		map[string]string{"alert": a.ID, "image": r.PathValue("which")}); err != nil {
		return err
	}
	return s.serveImage(w, ref)
}

func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := decodeOptionalEmpty(r); err != nil {
		return err
	}
	a, err := s.cfg.Alerts.Acknowledge(r.Context(), r.PathValue("id"), c.Name)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionAlertDecision, a.ID, audit.OutcomeOK, map[string]string{"stage": "acknowledged"}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewAlert(c, a))
	return nil
}

type decisionRequest struct {
	Kind     alert.DecisionKind `json:"kind"`
	Reason   string             `json:"reason,omitempty"`
	Resource string             `json:"resource,omitempty"`
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req decisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.cfg.Alerts.Decide(r.Context(), r.PathValue("id"), alert.Decision{Kind: req.Kind, Reason: req.Reason, Resource: req.Resource, By: c.Name})
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionAlertDecision, a.ID, audit.OutcomeOK,
		map[string]string{"stage": "decided", "decision": string(req.Kind), "reason": req.Reason, "resource": req.Resource, "vrm": a.Read.VRM}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewAlert(c, a))
	return nil
}

type outcomeRequest struct {
	Kind alert.OutcomeKind `json:"kind"`
	Note string            `json:"note,omitempty"`
}

func (s *Server) outcome(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req outcomeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.cfg.Alerts.RecordOutcome(r.Context(), r.PathValue("id"), alert.Outcome{Kind: req.Kind, Note: req.Note, By: c.Name})
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionAlertDecision, a.ID, audit.OutcomeOK,
		map[string]string{"stage": "outcome", "outcome": string(req.Kind), "note": req.Note}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewAlert(c, a))
	return nil
}

func (s *Server) alertStats(w http.ResponseWriter, r *http.Request, c *caller) error {
	since, err := queryTime(r, "since")
	if err != nil {
		return err
	}
	until, err := queryTime(r, "until")
	if err != nil {
		return err
	}
	if until.IsZero() {
		until = s.now()
	}
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	st, err := s.cfg.Alerts.Stats(r.Context(), since, until)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// heartbeat is how often a quiet alert stream sends a comment, which also
// rechecks the session: a stream ends when its session does.
const heartbeat = 15 * time.Second

// alertEvents streams alerts as server-sent events: "raised", "updated"
// and "escalated", each with the alert as JSON. A client that falls too
// far behind is cut off; the browser's EventSource reconnects on its own,
// and the console reloads the list when it does.
func (s *Server) alertEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("alert stream: the response cannot be flushed")
	}
	events, cancel := s.cfg.Alerts.Subscribe()
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n: connected\n\n")
	fl.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
			if c.Session != nil {
				if _, err := s.cfg.Access.Session(r.Context(), c.Session.Token); err != nil {
					fmt.Fprintf(w, "event: signed-out\ndata: {}\n\n")
					fl.Flush()
					return nil
				}
			}
			fmt.Fprintf(w, ": heartbeat\n\n")
			fl.Flush()
		case ev, ok := <-events:
			if !ok {
				return nil // cut off for falling behind; the client reconnects
			}
			data, err := json.Marshal(s.viewAlert(c, ev.Alert))
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data)
			fl.Flush()
		}
	}
}

// decodeOptionalEmpty accepts an empty body or an empty JSON object.
func decodeOptionalEmpty(r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var v struct{}
	return decodeJSON(r, &v)
}
