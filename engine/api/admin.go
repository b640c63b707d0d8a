package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"anpr/engine/access"
	"anpr/engine/audit"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
)

func (s *Server) listHotlists(w http.ResponseWriter, r *http.Request, c *caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"lists": s.cfg.Hotlists.Lists()})
	return nil
}

// loadHotlist replaces a named list with the body: CSV (text/csv) or JSON
// (application/json). Bad rows are reported and skipped; a mostly bad file
// is refused whole and the list in force stays (422).
func (s *Server) loadHotlist(w http.ResponseWriter, r *http.Request, c *caller) error {
	if s.cfg.HotlistsManaged != "" {
		return errorf(http.StatusConflict, "hotlists are not loaded through this server: %s", s.cfg.HotlistsManaged)
	}
	name := r.PathValue("name")
	if err := camera.CheckID(name); err != nil { // the same rule names lists: letters, digits, . _ -
		return errorf(http.StatusBadRequest, "list name %q: use letters, digits, '.', '_' and '-' (1 to 64)", name)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var format hotlist.Format
	switch mt {
	case "text/csv":
		format = hotlist.CSV
	case "application/json", "application/x-ndjson":
		format = hotlist.JSON
	default:
		return errorf(http.StatusUnsupportedMediaType, "send a hotlist as text/csv or application/json, not %q", mt)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxHotlistBytes)
	var (
		rep hotlist.LoadReport
		err error
	)
	if s.cfg.HotlistDir == "" {
		rep, err = s.cfg.Hotlists.Load(r.Context(), name, r.Body, format)
	} else {
		rep, err = s.loadAndKeep(r, name, format)
	}
	outcome := audit.OutcomeOK
	if err != nil {
		outcome = audit.OutcomeFailed
	}
	if aerr := s.record(r, c, audit.ActionHotlistLoad, name, outcome, map[string]string{
		"version": fmt.Sprint(rep.Version), "accepted": fmt.Sprint(rep.Accepted), "rejected": fmt.Sprint(rep.RejectedRows),
		"refused": fmt.Sprint(rep.Refused), "reason": rep.Reason}); aerr != nil {
		return aerr
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, rep)
	return nil
}

// loadAndKeep loads a list from the request while writing it to
// HotlistDir, and keeps the file only if the list was taken, so that the
// lists in force come back after a restart (see LoadHotlistDir).
func (s *Server) loadAndKeep(r *http.Request, name string, format hotlist.Format) (hotlist.LoadReport, error) {
	ext := map[hotlist.Format]string{hotlist.CSV: ".csv", hotlist.JSON: ".json"}
	tmp, err := os.CreateTemp(s.cfg.HotlistDir, name+".*.partial")
	if err != nil {
		return hotlist.LoadReport{}, fmt.Errorf("keep hotlist %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	defer tmp.Close()
	body := io.TeeReader(r.Body, tmp)
	rep, err := s.cfg.Hotlists.Load(r.Context(), name, body, format)
	if err != nil {
		return rep, err
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return rep, fmt.Errorf("keep hotlist %s: %w", name, err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return rep, fmt.Errorf("keep hotlist %s: %w", name, err)
	}
	for f, e := range ext {
		if f != format {
			os.Remove(filepath.Join(s.cfg.HotlistDir, name+e))
		}
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.cfg.HotlistDir, name+ext[format])); err != nil {
		return rep, fmt.Errorf("keep hotlist %s: %w", name, err)
	}
	return rep, nil
}

// LoadHotlistDir loads every list kept in dir (NAME.csv or NAME.json), as
// loaded through the API before a restart. A list refused now is reported
// and the others still load.
func LoadHotlistDir(ctx context.Context, h *hotlist.Hotlists, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".csv" && ext != ".json") {
			continue
		}
		if _, err := h.LoadFile(ctx, strings.TrimSuffix(e.Name(), ext), filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, c *caller) error {
	us, err := s.cfg.Access.Users(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": us})
	return nil
}

type newUserRequest struct {
	Name     string      `json:"name"`
	Role     access.Role `json:"role"`
	Password string      `json:"password"`
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req newUserRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := s.cfg.Access.AddUser(r.Context(), req.Name, req.Role, req.Password)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionUserChange, u.Name, audit.OutcomeOK, map[string]string{"change": "added", "role": string(u.Role)}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

type userChange struct {
	Disabled *bool   `json:"disabled,omitempty"`
	Password *string `json:"password,omitempty"`
}

func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req userChange
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	name := r.PathValue("name")
	if req.Disabled == nil && req.Password == nil {
		return errorf(http.StatusBadRequest, "nothing to change: give disabled or password")
	}
	var changes []string
	if req.Password != nil {
		if err := s.cfg.Access.SetPassword(r.Context(), name, *req.Password); err != nil {
			return err
		}
		changes = append(changes, "password set")
	}
	if req.Disabled != nil {
		if err := s.cfg.Access.SetDisabled(r.Context(), name, *req.Disabled); err != nil {
			return err
		}
		changes = append(changes, fmt.Sprintf("disabled=%v", *req.Disabled))
	}
	if err := s.record(r, c, audit.ActionUserChange, name, audit.OutcomeOK, map[string]string{"change": strings.Join(changes, ", ")}); err != nil {
		return err
	}
	u, err := s.cfg.Access.User(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, c *caller) error {
	ts, err := s.cfg.Access.Tokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

type newTokenRequest struct {
	Name string      `json:"name"`
	Role access.Role `json:"role"`
}

type newTokenResponse struct {
	access.Token
	Secret string `json:"secret"` // shown once: only its hash is kept
}

func (s *Server) newToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req newTokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t, secret, err := s.cfg.Access.NewToken(r.Context(), req.Name, req.Role)
	if err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionUserChange, "token:"+t.Name, audit.OutcomeOK, map[string]string{"change": "token issued", "token": t.ID, "role": string(t.Role)}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newTokenResponse{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := s.cfg.Access.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionUserChange, "token "+id, audit.OutcomeOK, map[string]string{"change": "token revoked"}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// cameraView tells a camera as c's role may know it: whole, or by district.
// A camera since removed from the register is told by its id alone.
func (s *Server) cameraView(c *caller, id string) any {
	cam, err := s.cfg.Cameras.Get(id)
	if err != nil {
		return camera.Public{ID: id}
	}
	if c.can(access.SeeCameraLocations) {
		return cam
	}
	return cam.Public()
}

func (s *Server) listCameras(w http.ResponseWriter, r *http.Request, c *caller) error {
	cams := s.cfg.Cameras.List()
	out := make([]any, len(cams))
	for i, cam := range cams {
		out[i] = s.cameraView(c, cam.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"cameras": out})
	return nil
}

func (s *Server) putCamera(w http.ResponseWriter, r *http.Request, c *caller) error {
	var cam camera.Camera
	if err := decodeJSON(r, &cam); err != nil {
		return err
	}
	if cam.ID == "" {
		cam.ID = r.PathValue("id")
	}
	if cam.ID != r.PathValue("id") {
		return errorf(http.StatusBadRequest, "camera id %q in the body is not the %q in the path", cam.ID, r.PathValue("id"))
	}
	added, err := s.cfg.Cameras.Put(cam)
	if err != nil {
		return err
	}
	change := "changed"
	if added {
		change = "added"
	}
	if err := s.record(r, c, audit.ActionCameraChange, cam.ID, audit.OutcomeOK, map[string]string{"change": change,
		"district": cam.District, "active": fmt.Sprint(cam.Active)}); err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	writeJSON(w, status, cam)
	return nil
}

func (s *Server) deleteCamera(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := s.cfg.Cameras.Delete(id); err != nil {
		return err
	}
	if err := s.record(r, c, audit.ActionCameraChange, id, audit.OutcomeOK, map[string]string{"change": "removed"}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// districtCount is the public summary of cameras: how many stand in each
// district, never where.
type districtCount struct {
	District string `json:"district"`
	Cameras  int    `json:"cameras"`
	Active   int    `json:"active"`
}

func (s *Server) publicCameras(w http.ResponseWriter, r *http.Request, _ *caller) error {
	by := map[string]*districtCount{}
	for _, cam := range s.cfg.Cameras.List() {
		d := by[cam.District]
		if d == nil {
			d = &districtCount{District: cam.District}
			by[cam.District] = d
		}
		d.Cameras++
		if cam.Active {
			d.Active++
		}
	}
	out := make([]districtCount, 0, len(by))
	for _, d := range by {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].District < out[j].District })
	writeJSON(w, http.StatusOK, map[string]any{"districts": out})
	return nil
}

func (s *Server) queryAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	f := audit.Filter{Actor: r.URL.Query().Get("actor"), Action: audit.Action(r.URL.Query().Get("action"))}
	if f.Action != "" && !f.Action.Valid() {
		return errorf(http.StatusBadRequest, "action=%q is not one the log records", f.Action)
	}
	var err error
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	es, err := s.cfg.Audit.Query(f)
	if err != nil {
		return err
	}
	// Newest first, and at most a page, for the auditor's screen.
	limit := 500
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	if len(es) > limit {
		es = es[:limit]
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	rep, err := audit.Verify(s.cfg.Audit.Path(), s.cfg.AuditKey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
