package api

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"anpr/engine/access"
	"anpr/engine/audit"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/vrm"
)

// readSubmission is one read as a camera posts it.
type readSubmission struct {
	ID         string    `json:"id"`
	Camera     string    `json:"camera"`
	VRM        string    `json:"vrm"`
	Confidence float64   `json:"confidence"`
	Captured   time.Time `json:"captured"`
	Lane       string    `json:"lane,omitempty"`
	Direction  string    `json:"direction,omitempty"`
	Format     string    `json:"format,omitempty"`
	Patch      []byte    `json:"patch_jpeg,omitempty"`    // base64 in JSON
	Overview   []byte    `json:"overview_jpeg,omitempty"` // base64 in JSON
}

type submitRequest struct {
	Reads []readSubmission `json:"reads"`
}

type submitResponse struct {
	Added      int      `json:"added"`
	Duplicates int      `json:"duplicates"`
	Alerts     []string `json:"alerts"` // ids of the alerts raised
}

// submitReads takes a batch of reads from a camera. A refused batch stores
// nothing and is audited, so a camera sending bad data shows in the log.
func (s *Server) submitReads(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req submitRequest
	err := decodeJSON(r, &req)
	if err == nil && len(req.Reads) == 0 {
		err = errorf(http.StatusBadRequest, "no reads in the batch")
	}
	var res ingest.Result
	if err == nil {
		subs := make([]ingest.Submission, len(req.Reads))
		for i, rd := range req.Reads {
			subs[i] = ingest.Submission{Read: store.Read{ID: rd.ID, Camera: rd.Camera, VRM: vrm.Normalise(rd.VRM),
				Confidence: rd.Confidence, Captured: rd.Captured, Lane: rd.Lane, Direction: rd.Direction, Format: rd.Format},
				Patch: rd.Patch, Overview: rd.Overview}
		}
		res, err = s.cfg.Ingest.Submit(r.Context(), subs)
	}
	if err != nil {
		if st := statusOf(err); st < 500 {
			s.record(r, c, audit.ActionDenied, "POST /api/reads", audit.OutcomeFailed,
				map[string]string{"reason": err.Error(), "remote": remoteOf(r)})
		}
		return err
	}
	out := submitResponse{Added: res.Added, Duplicates: res.Duplicates, Alerts: []string{}}
	for _, a := range res.Alerts {
		out.Alerts = append(out.Alerts, a.ID)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// searchRequest is an investigator's search of stored reads, with the
// reasons the law asks for.
type searchRequest struct {
	VRM           string    `json:"vrm"` // exact, or with * and ? wildcards
	Camera        string    `json:"camera,omitempty"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to,omitzero"` // zero: now
	Justification string    `json:"justification"`
	Reference     string    `json:"reference"`
	CrimeCategory string    `json:"crime_category,omitempty"`
	ApprovalID    string    `json:"approval_id,omitempty"`
	Limit         int       `json:"limit,omitempty"`
	After         string    `json:"after,omitempty"` // the cursor of the previous page
}

type searchResponse struct {
	Reads []readView `json:"reads"`
	Next  string     `json:"next,omitempty"` // cursor for the next page; empty on the last
}

// readView is a stored read as an investigator sees it.
type readView struct {
	store.Read
	CameraDetail any `json:"camera_detail"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req searchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	reads, next, err := s.runSearch(r, c, req)
	if err != nil {
		return err
	}
	out := searchResponse{Reads: make([]readView, len(reads)), Next: next}
	for i, rd := range reads {
		out.Reads[i] = readView{Read: rd, CameraDetail: s.cameraView(c, rd.Camera)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// export is a search whose page leaves the system as CSV: audited as the
// search and again as an export. Cameras are told by id and district only,
// whatever the investigator may see on screen.
func (s *Server) export(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req searchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	reads, next, err := s.runSearch(r, c, req)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionExport, fmt.Sprintf("%d reads as CSV", len(reads)), audit.OutcomeAllowed,
		map[string]string{"reference": req.Reference, "justification": req.Justification, "vrm": req.VRM}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reads.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if next != "" {
		w.Header().Set("X-Next-Page", next)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "captured", "camera", "district", "vrm", "confidence"})
	for _, rd := range reads {
		district := ""
		if cam, err := s.cfg.Cameras.Get(rd.Camera); err == nil {
			district = cam.District
		}
		cw.Write([]string{rd.ID, rd.Captured.UTC().Format(time.RFC3339Nano), rd.Camera, district, rd.VRM,
			strconv.FormatFloat(rd.Confidence, 'f', 3, 64)})
	}
	cw.Flush()
	return nil
}

// runSearch applies the search rules to req, audits the search (before any
// read is read), and returns one page of reads and the cursor of the next.
func (s *Server) runSearch(r *http.Request, c *caller, req searchRequest) ([]store.Read, string, error) {
	now := s.now()
	to := req.To
	if to.IsZero() {
		to = now
	}
	q := store.Query{VRM: vrm.Normalise(req.VRM), From: req.From, To: to, Limit: req.Limit}
	if req.Camera != "" {
		q.Cameras = []string{req.Camera}
	}
	if req.After != "" {
		cur, err := parseCursor(req.After)
		if err != nil {
			return nil, "", err
		}
		q.After = cur
	}
	if _, err := q.Check(); err != nil {
		return nil, "", err
	}
	terms := fmt.Sprintf("vrm=%s camera=%s from=%s to=%s", q.VRM, req.Camera, req.From.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	detail := map[string]string{"justification": req.Justification, "reference": req.Reference,
		"crime_category": req.CrimeCategory, "approval": req.ApprovalID}
	sr := access.SearchRequest{User: access.User{Name: c.Name, Role: c.Role}, Justification: req.Justification,
		Reference: req.Reference, CrimeCategory: req.CrimeCategory, From: req.From, To: to, ApprovalID: req.ApprovalID}
	if err := s.cfg.Access.CheckSearch(r.Context(), sr); err != nil {
		if errors.Is(err, access.ErrDenied) || errors.Is(err, access.ErrInvalid) {
			detail["reason"] = err.Error()
			if aerr := s.record(r, c, audit.ActionSearch, terms, audit.OutcomeDenied, detail); aerr != nil {
				return nil, "", aerr
			}
			return nil, "", errorf(http.StatusForbidden, "%v", err)
		}
		return nil, "", err
	}
	// Written before the reads are: nothing is seen that the log lacks.
	if err := s.record(r, c, audit.ActionSearch, terms, audit.OutcomeAllowed, detail); err != nil {
		return nil, "", err
	}
	reads, err := s.cfg.Reads.SearchReads(r.Context(), q)
	if err != nil {
		return nil, "", err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	next := ""
	if len(reads) == limit {
		next = formatCursor(store.CursorOf(reads[len(reads)-1]))
	}
	return reads, next, nil
}

// A cursor travels as "<captured unix nanoseconds>.<read id>".
func formatCursor(c store.Cursor) string {
	return strconv.FormatInt(c.Captured.UnixNano(), 10) + "." + c.ID
}

func parseCursor(s string) (store.Cursor, error) {
	ns, id, ok := cutDot(s)
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return store.Cursor{}, errorf(http.StatusBadRequest, "cursor %q is not one this server gave", s)
	}
	return store.Cursor{Captured: time.Unix(0, n).UTC(), ID: id}, nil
}

func cutDot(s string) (before, after string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// searchImage serves an image named in search results, auditing the view
// first.
func (s *Server) searchImage(w http.ResponseWriter, r *http.Request, c *caller) error {
	ref := r.PathValue("ref")
	if err := store.CheckRef(ref); err != nil {
		return err
	}
	reference := r.URL.Query().Get("reference")
	if reference == "" {
		return errorf(http.StatusBadRequest, "say which incident or crime reference this view is for: ?reference=...")
	}
	if err := s.record(r, c, audit.ActionViewImage, ref, audit.OutcomeAllowed, map[string]string{"reference": reference}); err != nil {
		return err
	}
	return s.serveImage(w, ref)
}

func (s *Server) serveImage(w http.ResponseWriter, ref string) error {
	data, err := s.cfg.Images.Get(ref)
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return err
		}
		return errorf(http.StatusNotFound, "image %s is not held (deleted by retention, or never stored)", ref)
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(data)
	return nil
}

type approvalRequest struct {
	Reference     string    `json:"reference"`
	CrimeCategory string    `json:"crime_category"`
	Justification string    `json:"justification"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
}

func (s *Server) requestApproval(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req approvalRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.cfg.Access.RequestApproval(r.Context(), access.User{Name: c.Name, Role: c.Role}, req.Reference,
		req.CrimeCategory, req.Justification, req.From, req.To)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionSearchApproval, a.ID, audit.OutcomeOK,
		map[string]string{"stage": "requested", "reference": a.Reference, "crime_category": a.CrimeCategory, "justification": a.Justification}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

type approvalDecision struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

func (s *Server) decideApproval(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req approvalDecision
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.cfg.Access.DecideApproval(r.Context(), access.User{Name: c.Name, Role: c.Role}, r.PathValue("id"), req.Approve, req.Note)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionSearchApproval, a.ID, audit.OutcomeOK,
		map[string]string{"stage": a.Status, "investigator": a.Investigator, "reference": a.Reference, "note": req.Note}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// listApprovals shows an authoriser every request, and an investigator
// their own.
func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request, c *caller) error {
	if !c.can(access.ApproveSearches) && !c.can(access.SearchReads) {
		return errorf(http.StatusForbidden, "the %s role has no search approvals to see", c.Role)
	}
	all, err := s.cfg.Access.Approvals(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	out := all[:0]
	for _, a := range all {
		if c.can(access.ApproveSearches) || a.Investigator == c.Name {
			out = append(out, a)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": out})
	return nil
}
