package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"anpr/sim/harness"
	"anpr/sim/scenario"
)

// `anpr serve --demo` as a new user runs it: it prints where the console is
// and the demo passwords, a demo user signs in and finds the scenario's
// cameras in the register, and the vehicles of interest that the simulated
// traffic drives past them, read by the engine from the cameras' live
// streams, raise alerts the operator sees. The test's scenario is small
// and mostly listed vehicles, so that the first alert comes soon.
func TestServeDemo(t *testing.T) {
	chdirRepo(t)
	const scenarioFile = "cmd/anpr/testdata/demo-quick.yaml"
	sc, err := scenario.Load(scenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := harness.OpenReplay(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{} // the plates of the listed vehicles the camera shows
	for _, p := range truth.Passages("m6-j14-j15-nb") {
		if p.Listed {
			listed[p.Plate] = true
		}
	}
	if len(listed) == 0 {
		t.Fatalf("%s shows no listed vehicle", scenarioFile)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, logs syncBuffer
	done := make(chan error, 1)
	go func() {
		root := newRootCommand()
		root.SetArgs([]string{"serve", "--demo", "--demo-scenario", scenarioFile, "--data", filepath.Join(dir, "data"), "--listen", "127.0.0.1:0"})
		root.SetOut(&out)
		root.SetErr(&logs)
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
	get := func(path string, v any) {
		t.Helper()
		res, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var cams struct{ Cameras []struct{ ID, Name string } }
	get("/api/cameras", &cams)
	if len(cams.Cameras) != 1 || cams.Cameras[0].ID != "m6-j14-j15-nb" || cams.Cameras[0].Name != "M6 northbound between J14 and J15" {
		t.Errorf("cameras registered: %+v, want the scenario's one", cams.Cameras)
	}
	type alertView struct {
		Read struct{ VRM, Camera string }
		Hit  struct{ Hotlist, Marker string }
	}
	var hit *alertView
	for deadline := time.Now().Add(90 * time.Second); hit == nil && time.Now().Before(deadline); time.Sleep(time.Second) {
		var alerts struct{ Alerts []alertView }
		get("/api/alerts", &alerts)
		for _, a := range alerts.Alerts {
			if listed[a.Read.VRM] {
				hit = &a
				break
			}
		}
	}
	if hit == nil {
		t.Fatalf("no alert on a listed vehicle within 90 s; the log:\n%s", logs.String())
	}
	if hit.Hit.Hotlist != "demo-quick" || hit.Hit.Marker == "" || hit.Read.Camera != "m6-j14-j15-nb" {
		t.Errorf("alert %+v: want the scenario's camera and its hotlist's entry with a marker", *hit)
	}
	if !strings.Contains(logs.String(), "msg=read ") {
		t.Errorf("no read logged: %s", logs.String())
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
