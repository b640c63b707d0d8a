package profiling

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// A Pyroscope stand-in: it decodes each uploaded profile as pprof data
// and keeps what it found.
type server struct {
	mu    sync.Mutex
	names []string // the name= of each upload: application and profile type
	types []string // the sample types of each decoded profile
	bad   []string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/ingest" {
		http.NotFound(w, r)
		return
	}
	f, _, err := r.FormFile("profile")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.bad = append(s.bad, err.Error())
		return
	}
	data, _ := io.ReadAll(f)
	p, err := profile.ParseData(data)
	if err != nil {
		s.bad = append(s.bad, err.Error())
		return
	}
	s.names = append(s.names, r.URL.Query().Get("name"))
	for _, st := range p.SampleType {
		s.types = append(s.types, st.Type)
	}
}

// Profiles pushed while the program works arrive as valid pprof data, CPU
// and heap both, filed under the application's name.
func TestPushesDecodableProfiles(t *testing.T) {
	s := &server{}
	ts := httptest.NewServer(s)
	defer ts.Close()
	stop, err := Start(Options{Server: ts.URL, Application: "anpr.test", Tags: map[string]string{"role": "test"}, UploadRate: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	x := 0
	for time.Now().Before(deadline) { // work for the CPU profile to see
		for i := range 1000 {
			x += i * i % 7
		}
	}
	_ = x
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bad) > 0 {
		t.Fatalf("uploads that did not decode as pprof: %v", s.bad)
	}
	all := strings.Join(s.names, " ")
	if !strings.HasPrefix(all, "anpr.test{") || !strings.Contains(all, "role=test") {
		t.Errorf("uploads named %v; want anpr.test with its tags", s.names)
	}
	if types := strings.Join(s.types, " "); !strings.Contains(types, "cpu") || !strings.Contains(types, "inuse_space") {
		t.Errorf("decoded sample types %v; want cpu and inuse_space", s.types)
	}
}

func TestRefusesABadServer(t *testing.T) {
	for _, addr := range []string{"", "pyroscope:4040", "ftp://x"} {
		if _, err := Start(Options{Server: addr, Application: "a"}); err == nil {
			t.Errorf("Start with server %q: no error", addr)
		}
	}
}

func TestHandlerServesPprof(t *testing.T) {
	ts := httptest.NewServer(Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "heap profile") {
		t.Errorf("heap profile: status %d, %.80q", res.StatusCode, body)
	}
}
