package api

import (
	"net/http"
	"time"

	"anpr/engine/access"
	"anpr/engine/audit"
)

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// sessionInfo is what a signed-in browser needs: who it is, what it may
// do, and the CSRF token to echo.
type sessionInfo struct {
	Name        string              `json:"name"`
	Role        access.Role         `json:"role"`
	Permissions []access.Permission `json:"permissions"`
	CSRF        string              `json:"csrf,omitempty"`
	Expires     time.Time           `json:"expires,omitzero"`
}

func infoOf(name string, role access.Role, sess *access.Session) sessionInfo {
	info := sessionInfo{Name: name, Role: role, Permissions: append([]access.Permission{}, role.Permissions()...)}
	if sess != nil {
		info.CSRF, info.Expires = sess.CSRF, sess.Expires
	}
	return info
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sess, err := s.cfg.Access.Login(r.Context(), req.Name, req.Password, remoteOf(r))
	if err != nil {
		// The name is recorded as given, cut short: a failed login is
		// often a password typed into the name field.
		name := req.Name
		if len(name) > 64 {
			name = name[:64]
		}
		if aerr := s.record(r, &caller{Name: name}, audit.ActionLoginFailed, name, audit.OutcomeDenied,
			map[string]string{"remote": remoteOf(r), "reason": err.Error()}); aerr != nil {
			return aerr
		}
		return err
	}
	c := &caller{Name: sess.User.Name, Role: sess.User.Role, Session: &sess}
	if err := s.record(r, c, audit.ActionLogin, sess.User.Name, audit.OutcomeOK, map[string]string{"remote": remoteOf(r)}); err != nil {
		s.cfg.Access.Logout(r.Context(), sess.Token)
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode, Expires: sess.Expires})
	writeJSON(w, http.StatusOK, infoOf(sess.User.Name, sess.User.Role, &sess))
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.Session == nil {
		return errorf(http.StatusBadRequest, "API tokens do not sign out: revoke the token instead")
	}
	if err := s.cfg.Access.Logout(r.Context(), c.Session.Token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if err := s.record(r, c, audit.ActionLogout, c.Name, audit.OutcomeOK, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	writeJSON(w, http.StatusOK, infoOf(c.Name, c.Role, c.Session))
	return nil
}

// can is c.Role.Can, for handlers that shape what they show by role.
func (c *caller) can(p access.Permission) bool { return c != nil && c.Role.Can(p) }
