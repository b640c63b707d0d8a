package source

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
)

// No RTSP server or camera is available to these tests, so they check only
// that a source which cannot connect reports it and keeps retrying, and that
// Close ends it. Frames from a real RTSP stream or V4L2 device, and a
// reconnect after one was lost mid-stream, are untested.

func TestRTSPClosedPortIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

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
