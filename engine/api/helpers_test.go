package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anpr/engine/access"
	"anpr/engine/alert"
	"anpr/engine/audit"
	"anpr/engine/camera"
	"anpr/engine/hotlist"
	"anpr/engine/ingest"
	"anpr/engine/store"
	"anpr/engine/store/sqlite"
)

// backOffice is a whole back office over real files in a temporary
// directory, served by a real HTTP server.
type backOffice struct {
	t        testing.TB
	dir      string
	srv      *httptest.Server
	access   *access.Directory
	audit    *audit.Log
	key      []byte
	reads    *sqlite.Store
	alerts   *alert.Service
	cameras  *camera.Registry
	hotlists *hotlist.Hotlists
	token    string // an ingest API token
}

func (b *backOffice) hotlistDir() string { return filepath.Join(b.dir, "hotlists") }

const testPassword = "a long enough test password"

// The test hotlist: a stolen car and a firearms marker.
const testHotlist = `vrm,list,marker,priority,action,added,expires,owner_ref
AB12CDE,PNC,stolen,2,Stolen vehicle: stop if safe,2026-01-01,,PNC-1
KX63PXF,PNC,firearms,1,Do not approach,2026-01-01,,PNC-2
`

func newBackOffice(t testing.TB) *backOffice {
	t.Helper()
	dir := t.TempDir()
	b := &backOffice{t: t, dir: dir, key: bytes.Repeat([]byte{7}, 32)}
	var err error
	if b.audit, err = audit.Open(filepath.Join(dir, "audit.log"), b.key, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.audit.Close() })
	if b.access, err = access.Open(filepath.Join(dir, "access.db"), access.Options{HashParams: access.HashParams{Time: 1, Memory: 64, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.access.Close() })
	if b.reads, err = sqlite.Open(filepath.Join(dir, "reads.db"), sqlite.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.reads.Close() })
	images, err := store.OpenImages(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	if b.cameras, err = camera.Open(filepath.Join(dir, "cameras.json")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []camera.Camera{
		{ID: "cam-1", Name: "A38 northbound", District: "Derby", Lat: 52.92, Lon: -1.47, Active: true},
		{ID: "cam-2", Name: "A52 eastbound", District: "Erewash", Lat: 52.93, Lon: -1.30, Active: true},
		{ID: "cam-off", Name: "Closed site", District: "Derby", Lat: 52.90, Lon: -1.45, Active: false},
	} {
		if _, err := b.cameras.Put(c); err != nil {
			t.Fatal(err)
		}
	}
	hl, err := hotlist.New(hotlist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hl.Load(context.Background(), "pnc", strings.NewReader(testHotlist), hotlist.CSV); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(b.hotlistDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	b.hotlists = hl
	b.alerts = alert.NewService(b.reads, alert.Options{})
	pipe := &ingest.Pipeline{Store: b.reads, Images: images, Cameras: b.cameras, Hotlists: hl, Alerts: b.alerts}
	s, err := New(Config{Access: b.access, Audit: b.audit, AuditKey: b.key, Alerts: b.alerts, Reads: b.reads, Images: images,
		Cameras: b.cameras, Hotlists: hl, Ingest: pipe, HotlistDir: b.hotlistDir()})
	if err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(s.Handler())
	t.Cleanup(b.srv.Close)
	for _, u := range []struct {
		name string
		role access.Role
	}{{"olive", access.Operator}, {"ivan", access.Investigator}, {"sam", access.Authoriser}, {"audrey", access.Auditor}, {"adam", access.Administrator}} {
		if _, err := b.access.AddUser(context.Background(), u.name, u.role, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	_, b.token, err = b.access.NewToken(context.Background(), "camera-feed", access.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// client is one signed-in browser-like client: a cookie jar and the
// session's CSRF token.
type client struct {
	b    *backOffice
	http *http.Client
	csrf string
	auth string // Authorization header, for token clients
}

func (b *backOffice) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{b: b, http: &http.Client{Jar: jar}}
}

func (b *backOffice) login(name string) *client {
	b.t.Helper()
	c := b.anonymous()
	var info sessionInfo
	if st := c.do("POST", "/api/login", loginRequest{Name: name, Password: testPassword}, &info); st != 200 {
		b.t.Fatalf("login %s: status %d", name, st)
	}
	c.csrf = info.CSRF
	return c
}

func (b *backOffice) camera() *client {
	c := b.anonymous()
	c.auth = "Bearer " + b.token
	return c
}

// do sends a JSON request (body nil for none, a string or []byte as it is)
// and decodes a JSON reply into out when out is not nil. It returns the
// status.
func (c *client) do(method, path string, body, out any) int {
	c.b.t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	case []byte:
		rd = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			c.b.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.b.srv.URL+path, rd)
	if err != nil {
		c.b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.b.t.Fatalf("%s %s: reply %q: %v", method, path, data, err)
		}
	}
	if res.StatusCode >= 400 && testing.Verbose() {
		c.b.t.Logf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(data))
	}
	return res.StatusCode
}

// submit posts reads as the camera token does.
func (b *backOffice) submit(reads ...readSubmission) (submitResponse, int) {
	var out submitResponse
	st := b.camera().do("POST", "/api/reads", submitRequest{Reads: reads}, &out)
	return out, st
}

// tinyJPEG is the smallest thing the image store takes as a JPEG.
var tinyJPEG = func() []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "patch.jpg"))
	if err != nil {
		panic(err)
	}
	return data
}()

func read(id, cam, vrm string, at time.Time) readSubmission {
	return readSubmission{ID: id, Camera: cam, VRM: vrm, Confidence: 0.97, Captured: at, Patch: tinyJPEG}
}

// auditEntries returns the log's entries with the given action.
func (b *backOffice) auditEntries(action audit.Action) []audit.Entry {
	b.t.Helper()
	es, err := b.audit.Query(audit.Filter{Action: action})
	if err != nil {
		b.t.Fatal(err)
	}
	return es
}
