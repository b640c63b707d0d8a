// Package rtsp re-serves a virtual camera's HTTP MJPEG stream as RTSP, for
// feeding the engine as many real cameras do. No Go RTSP server can be had
// here, so it runs Debian's GStreamer RTSP server through a small Python
// script (serve-rtsp.py, embedded); the frames go out as they are, RTP/JPEG.
// The simulator only: the engine reads RTSP through OpenCV and never runs
// this.
package rtsp

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

//go:embed serve-rtsp.py
var script []byte

// Python is the interpreter the script needs: Debian's, with python3-gi
// and gir1.2-gst-rtsp-server-1.0 (scripts/install-deps.sh installs them).
const Python = "/usr/bin/python3"

// Available says whether the RTSP server can run here, and if not, why.
func Available() error {
	out, err := exec.Command(Python, "-c",
		`import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer`).CombinedOutput()
	if err != nil {
		return fmt.Errorf("the GStreamer RTSP server is not usable from %s (install python3-gi, gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-good and -bad; scripts/install-deps.sh does): %v: %s",
			Python, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Server is a running RTSP re-server.
type Server struct {
	URL  string // rtsp://127.0.0.1:PORT/PATH
	cmd  *exec.Cmd
	dir  string
	done chan error
}

// Start serves the MJPEG stream at httpURL as rtsp://127.0.0.1:port/path,
// and returns once the server listens. Close stops it.
func Start(ctx context.Context, httpURL string, port int, path string) (*Server, error) {
	dir, err := os.MkdirTemp("", "anpr-rtsp-")
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "serve-rtsp.py")
	if err := os.WriteFile(file, script, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(Python, file, httpURL, fmt.Sprint(port), path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start the RTSP server: %w", err)
	}
	s := &Server{cmd: cmd, dir: dir, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- url
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.URL = <-ready:
		return s, nil
	case err := <-s.done:
		os.RemoveAll(dir)
		return nil, fmt.Errorf("the RTSP server stopped (%v): %s", err, strings.TrimSpace(stderr.String()))
	case <-time.After(15 * time.Second):
		s.Close()
		return nil, errors.New("the RTSP server did not start within 15 s")
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	}
}

// Close stops the server.
func (s *Server) Close() error {
	s.cmd.Process.Kill()
	<-s.done
	return os.RemoveAll(s.dir)
}
