package source

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
)

// These tests check that a source which cannot connect reports it and keeps
// retrying, and that Close ends it. Frames from a real RTSP stream are
// tested in cmd/anpr (TestWatchRTSPStream, a virtual camera served through
// GStreamer); frames from a V4L2 device, and a reconnect after an RTSP
// stream was lost mid-stream, are untested.

func TestRTSPServerHangingUpIsRetried(t *testing.T) {
	// A server that hangs up on every connection. (A port merely closed
	// can be taken by another test's listener between attempts, and a
	// connection to that hangs for OpenCV's 30 s open timeout: seen once
	// in CI.)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := ln.Addr().String()

	src, err := Open(context.Background(), "rtsp://admin:hunter2@"+addr+"/stream1", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two failed connection attempts", func() bool {
		st := src.Stats()
		return st.Errors >= 2 && st.Reconnects >= 1
	})
	src.Close()
	st := src.Stats()
	if !strings.Contains(st.LastError, "could not connect") || st.Connected || st.Frames != 0 {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(st.LastError, "hunter2") {
		t.Errorf("LastError %q shows the password", st.LastError)
	}
	if _, ok := <-src.Frames(); ok {
		t.Error("Frames open after Close")
	}
}

func TestMissingV4L2DeviceIsRetried(t *testing.T) {
	const dev = "/dev/video9"
	if _, err := os.Stat(dev); err == nil {
		t.Skipf("%s exists on this machine", dev)
	}
	for _, spec := range []string{dev, "v4l2:9"} {
		src, err := Open(context.Background(), spec, testOptions())
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		waitFor(t, spec+" to fail twice", func() bool { return src.Stats().Errors >= 2 })
		src.Close()
		if st := src.Stats(); !strings.Contains(st.LastError, "v4l2:9") || st.Reconnects == 0 {
			t.Errorf("%s: stats %+v", spec, st)
		}
	}
}
