package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/sim/scene"
	"anpr/sim/stream"
	"anpr/sim/stream/rtsp"
)

// passingVehicle renders one vehicle in day light passing the camera in n
// frames.
func passingVehicle(t *testing.T, n int) ([]gocv.Mat, string) {
	t.Helper()
	r, err := scene.NewRenderer(scene.Options{AsOf: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Width: 1280, Height: 720, MinCharPx: 30, MaxCharPx: 36})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	frames, label, err := stream.Pass(r, "day", 4242, n)
	if err != nil {
		t.Fatal(err)
	}
	return frames, label.Plate
}

// passes runs anpr watch and returns its JSON lines.
func passes(t *testing.T, args ...string) []passLine {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"watch"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("anpr watch %v exited %d: %s", args, code, stderr.String())
	}
	t.Logf("stderr: %s", strings.TrimSpace(stderr.String()))
	var out []passLine
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var p passLine
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		out = append(out, p)
	}
	return out
}

// A video file of one vehicle passing gives one pass, read right, with its
// images written.
func TestWatchVideoFile(t *testing.T) {
	chdirRepo(t)
	frames, truth := passingVehicle(t, 10)
	defer func() {
		for _, m := range frames {
			m.Close()
		}
	}()
	dir := t.TempDir()
	video := filepath.Join(dir, "pass.avi")
	vw, err := gocv.VideoWriterFile(video, "MJPG", 10, frames[0].Cols(), frames[0].Rows(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := vw.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	vw.Close()
	images := filepath.Join(dir, "images")
	lanes := filepath.Join(dir, "lanes.json")
	w, h := frames[0].Cols(), frames[0].Rows()
	os.WriteFile(lanes, []byte(fmt.Sprintf(`[{"name": "lane 1", "region": [[0,0],[%d,0],[%d,%d],[0,%d]]}]`, w, w, h, h)), 0o644)
	got := passes(t, "--source", video, "--camera", "test-cam", "--images", images, "--lanes", lanes, "--towards", "northbound")
	if len(got) != 1 {
		t.Fatalf("%d passes, want 1: %+v", len(got), got)
	}
	p := got[0]
	if p.Text != truth || p.Camera != "test-cam" || p.Frames < 8 {
		t.Errorf("pass read %q in %d frames at %q, want %q in about 10", p.Text, p.Frames, p.Camera, truth)
	}
	if p.Lane != "lane 1" || p.Direction != "northbound" {
		t.Errorf("lane %q, direction %q; want lane 1, northbound", p.Lane, p.Direction)
	}
	if !p.LastSeen.After(p.FirstSeen) {
		t.Errorf("first seen %v, last seen %v", p.FirstSeen, p.LastSeen)
	}
	for _, f := range []string{p.Patch, p.Overview} {
		img := gocv.IMRead(f, gocv.IMReadColor)
		if img.Empty() {
			t.Errorf("image %q not written or not a JPEG", f)
		}
		img.Close()
	}
}

// A live HTTP MJPEG stream: passes come out while the stream runs, and
// watch stops cleanly when interrupted.
func TestWatchMJPEGStream(t *testing.T) {
	chdirRepo(t)
	url, truth := liveVehicleStream(t)
	watchUntilRead(t, url, "live", truth)
}

// liveVehicleStream serves, until the test ends, an MJPEG stream in which
// one vehicle passes, then the road is empty, over and over; it returns
// the stream's URL and the vehicle's plate.
func liveVehicleStream(t *testing.T) (url, plate string) {
	t.Helper()
	frames, truth := passingVehicle(t, 10)
	srv := stream.NewMJPEGServer()
	hs := httptest.NewServer(srv)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		blank := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 90, 90, 0), frames[0].Rows(), frames[0].Cols(), gocv.MatTypeCV8UC3)
		defer blank.Close()
		for ctx.Err() == nil {
			for _, f := range append(append([]gocv.Mat{}, frames...), blank, blank, blank, blank, blank, blank, blank, blank) {
				srv.PublishMat(f, 90)
				time.Sleep(80 * time.Millisecond)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
		hs.Close()
		for _, m := range frames {
			m.Close()
		}
	})
	return hs.URL, truth
}

// watchUntilRead runs anpr watch on source until it prints a pass read as
// plate (at most 60 s), then interrupts it: it must stop without error.
func watchUntilRead(t *testing.T, source, camera, plate string) {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan struct{})
	root := newRootCommand()
	root.SetArgs([]string{"watch", "--source", source, "--camera", camera})
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	wctx, stop := context.WithCancel(context.Background())
	go func() {
		if err := root.ExecuteContext(wctx); err != nil {
			t.Errorf("watch: %v", err)
		}
		close(done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(stdout.String(), plate) {
		time.Sleep(200 * time.Millisecond)
	}
	stop()
	<-done
	if !strings.Contains(stdout.String(), plate) {
		t.Fatalf("no pass read %s from %s within 60 s; stdout %q stderr %q", plate, source, stdout.String(), stderr.String())
	}
}

// chdirRepo runs the test from the repository root, where the default
// model paths point.
func chdirRepo(t *testing.T) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
}

// syncBuffer is a bytes.Buffer safe to write and read from two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A virtual camera recorded to a video file (anpr sim camera --video) is
// read by the engine as a recorded feed: one pass per vehicle, in order,
// scored against the camera's truth lines.
func TestSimCameraVideoFileWatched(t *testing.T) {
	chdirRepo(t)
	video := filepath.Join(t.TempDir(), "passes.avi")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sim", "camera", "--video", video, "--passes", "4", "--seed", "3", "--condition", "day"}, &stdout, &stderr); code != 0 {
		t.Fatalf("anpr sim camera --video exited %d: %s", code, stderr.String())
	}
	var truth []stream.PassTruth
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var p stream.PassTruth
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		truth = append(truth, p)
	}
	if len(truth) != 4 || truth[1].FirstFrame != 18 || truth[1].LastFrame != 27 {
		t.Fatalf("truth %+v: want 4 passes of 10 frames with 8 between", truth)
	}
	got := passes(t, "--source", video, "--camera", "virtual-1")
	if len(got) != len(truth) {
		t.Fatalf("%d passes read, want %d: %+v", len(got), len(truth), got)
	}
	exact := 0
	for i, p := range got {
		if p.Text == truth[i].Plate {
			exact++
		} else {
			t.Logf("pass %d: read %q, truth %q", i+1, p.Text, truth[i].Plate)
		}
	}
	// Day light, characters 20 to 60 px: the engine reads these nearly all.
	if exact < 3 {
		t.Errorf("%d of %d passes read exactly, want at least 3", exact, len(truth))
	}

	if code := run([]string{"sim", "camera", "--video", filepath.Join(t.TempDir(), "x.mkv"), "--passes", "1"}, &stdout, &stderr); code != 2 {
		t.Errorf("a .mkv name exited %d, want 2 (bad input)", code)
	}
	if code := run([]string{"sim", "camera", "--video", video}, &stdout, &stderr); code != 2 {
		t.Errorf("--video without --passes exited %d, want 2", code)
	}
}

// A virtual camera served over RTSP (anpr sim camera --rtsp, through
// Debian's GStreamer RTSP server) is read by the engine as a real RTSP
// camera is: the vehicle comes out as a pass, read right.
func TestWatchRTSPStream(t *testing.T) {
	if err := rtsp.Available(); err != nil {
		t.Skip(err)
	}
	chdirRepo(t)
	url, truth := liveVehicleStream(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	rs, err := rtsp.Start(context.Background(), url, port, "camera")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	watchUntilRead(t, rs.URL, "rtsp-cam", truth)
}
