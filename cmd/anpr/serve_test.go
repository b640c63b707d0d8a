package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// `anpr serve --demo` as a new user runs it: it prints where the console is
// and the demo passwords, a demo user signs in, and vehicles the virtual
// camera shows, read by the engine, raise alerts the operator sees.
func TestServeDemo(t *testing.T) {
	chdirRepo(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		root := newRootCommand()
		root.SetArgs([]string{"serve", "--demo", "--demo-cameras", "1", "--data", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0"})
		root.SetOut(&out)
		root.SetErr(io.Discard)
		done <- root.ExecuteContext(ctx)
	}()
	addr := regexp.MustCompile(`console on http://([0-9.:]+)/`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve printed no address: %q", out.String())
	}
	if !strings.Contains(out.String(), "operator") || !strings.Contains(out.String(), "demo-control-room") {
		t.Fatalf("serve did not print the demo users: %q", out.String())
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	body, _ := json.Marshal(map[string]string{"name": "operator", "password": "demo-control-room"})
	res, err := hc.Post(base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("demo operator login: %v %v", res.Status, err)
	}
	res.Body.Close()
	var alerts struct {
		Alerts []struct {
			Read struct{ VRM string }
			Hit  struct{ Hotlist string }
		}
	}
	for deadline := time.Now().Add(90 * time.Second); len(alerts.Alerts) == 0 && time.Now().Before(deadline); time.Sleep(time.Second) {
		res, err := hc.Get(base + "/api/alerts")
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(res.Body).Decode(&alerts)
		res.Body.Close()
	}
	if len(alerts.Alerts) == 0 {
		t.Fatal("no alert from the demo's virtual camera within 90 s")
	}
	if a := alerts.Alerts[0]; a.Hit.Hotlist != "demo" || a.Read.VRM == "" {
		t.Errorf("first alert = %+v, want a read hitting the demo list", a)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve ended with %v after interrupt", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down within 20 s of its context ending")
	}
}
