package source

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"anpr/sim/stream"
)

// publishUntil publishes a fresh frame every few milliseconds until cond
// holds, as a live camera would.
func publishUntil(t *testing.T, cam *stream.MJPEGServer, what string, cond func() bool) {
	t.Helper()
	frame := encode(t, gocv.JPEGFileExt, 64, 48, 128)
	waitFor(t, what, func() bool {
		cam.Publish(frame)
		return cond()
	})
}

func TestMJPEGFramesArrive(t *testing.T) {
	cam := stream.NewMJPEGServer()
	srv := httptest.NewServer(cam)
	defer srv.Close()
	defer cam.Close()

	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := testOptions()
	opts.Clock = func() time.Time { return now }
	src, err := Open(context.Background(), srv.URL+"/cam1", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	publishUntil(t, cam, "three frames", func() bool { return src.Stats().Frames >= 3 })
	for i := range 3 {
		f := <-src.Frames()
		if f.Err != nil || f.Image.Cols() != 64 || f.Image.Rows() != 48 {
			t.Errorf("frame %d: %dx%d, %v", i, f.Image.Cols(), f.Image.Rows(), f.Err)
		}
		if math.Abs(meanGrey(f.Image)-128) > 3 {
			t.Errorf("frame %d: grey %.1f, want about 128", i, meanGrey(f.Image))
		}
		if !f.Captured.Equal(now) {
			t.Errorf("frame %d: Captured %v, want the clock's %v", i, f.Captured, now)
		}
		if want := fmt.Sprintf("%s/cam1#%d", srv.URL, f.Seq); f.Name != want {
			t.Errorf("frame %d: Name %q, want %q", i, f.Name, want)
		}
		f.Image.Close()
	}
	if st := src.Stats(); !st.Connected || st.Errors != 0 || st.Reconnects != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestMJPEGReconnectsAfterServerGoesAndReturns(t *testing.T) {
	cam := stream.NewMJPEGServer()
	defer cam.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	server := &http.Server{Handler: cam}
	go server.Serve(ln)

	src, err := Open(context.Background(), "http://"+addr+"/", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	publishUntil(t, cam, "the first frame", func() bool { return src.Stats().Frames > 0 })

	// The camera goes away: its connections close and its port refuses.
	server.Close()
	waitFor(t, "failed reconnect attempts", func() bool {
		st := src.Stats()
		return !st.Connected && st.Reconnects >= 2 && st.Errors >= 2
	})
	if st := src.Stats(); st.LastError == "" {
		t.Error("no LastError while the server is down")
	}

	// It comes back on the same address.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	server = &http.Server{Handler: cam}
	go server.Serve(ln)
	defer server.Close()
	before := src.Stats().Frames
	publishUntil(t, cam, "frames to resume", func() bool { return src.Stats().Frames > before })
	if st := src.Stats(); !st.Connected {
		t.Errorf("not Connected after frames resumed: %+v", st)
	}
}

// TestMJPEGConsumerNeverBlocksCamera shows a live source dropping its oldest
// frames, never waiting, when nobody reads.
func TestMJPEGConsumerNeverBlocksCamera(t *testing.T) {
	cam := stream.NewMJPEGServer()
	srv := httptest.NewServer(cam)
	defer srv.Close()
	defer cam.Close()

	opts := testOptions()
	opts.Buffer = 4
	src, err := Open(context.Background(), srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	// Frame i is grey 10*i. Each is published once and waited for, so the
	// source receives every one; nothing reads Frames meanwhile.
	const n = 20
	for i := range n {
		cam.Publish(encode(t, gocv.JPEGFileExt, 32, 32, float64(10*i)))
		waitFor(t, fmt.Sprintf("frame %d to arrive", i), func() bool { return src.Stats().Frames == uint64(i+1) })
		if q := len(src.Frames()); q > opts.Buffer {
			t.Fatalf("%d frames queued, over the buffer of %d", q, opts.Buffer)
		}
	}
	st := src.Stats()
	if st.Dropped != n-uint64(opts.Buffer) {
		t.Errorf("Dropped %d, want %d", st.Dropped, n-opts.Buffer)
	}
	// What is left is the newest frames, in order.
	for i := n - opts.Buffer; i < n; i++ {
		f := <-src.Frames()
		if f.Seq != uint64(i) || math.Abs(meanGrey(f.Image)-float64(10*i)) > 3 {
			t.Errorf("queued frame has Seq %d grey %.1f, want Seq %d grey %d", f.Seq, meanGrey(f.Image), i, 10*i)
		}
		f.Image.Close()
	}
}

// TestMJPEGCameraQuirksAndBadFrames serves what some IP cameras send: a
// boundary declared with the leading "--" it is then written with, parts
// without Content-Length, and broken frames among good ones.
func TestMJPEGCameraQuirksAndBadFrames(t *testing.T) {
	good := encodeNoise(t, gocv.JPEGFileExt, 96, 64)
	parts := [][]byte{good, []byte("this is not a JPEG"), good[:len(good)/2], good}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/x-mixed-replace;boundary=--myboundary")
		for _, p := range parts {
			fmt.Fprintf(w, "--myboundary\r\nContent-Type: image/jpeg\r\n\r\n")
			w.Write(p)
			fmt.Fprintf(w, "\r\n")
		}
		// Without Content-Length a part ends only at the next delimiter;
		// this camera writes it straight after each frame.
		fmt.Fprintf(w, "--myboundary\r\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // keep the stream open, as a camera would
	}))
	defer srv.Close()

	src, err := Open(context.Background(), srv.URL, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := range 2 {
		f := <-src.Frames()
		if f.Err != nil || f.Image.Cols() != 96 {
			t.Errorf("frame %d: %d wide, %v", i, f.Image.Cols(), f.Err)
		}
		f.Image.Close()
	}
	st := src.Stats()
	if st.Frames != 2 || st.Errors != 2 || st.Reconnects != 0 {
		t.Errorf("stats %+v, want 2 frames, 2 errors and no reconnect", st)
	}
	if !strings.Contains(st.LastError, "truncated JPEG") {
		t.Errorf("LastError %q, want the truncated frame", st.LastError)
	}
}

func TestMJPEGServerErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"not found", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, "HTTP 404 Not Found"},
		{"snapshot, not a stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte{0xFF, 0xD8})
		}, `Content-Type "image/jpeg" is not an MJPEG stream`},
		{"silent", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=x")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "nothing received for 100ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			opts := testOptions()
			opts.Stall = 100 * time.Millisecond
			src, err := Open(context.Background(), srv.URL, opts)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a retry", func() bool { return src.Stats().Reconnects >= 2 })
			src.Close()
			st := src.Stats()
			if !strings.Contains(st.LastError, tt.want) {
				t.Errorf("LastError %q, want %q in it", st.LastError, tt.want)
			}
			if st.Frames != 0 || st.Connected {
				t.Errorf("stats %+v", st)
			}
			if _, ok := <-src.Frames(); ok {
				t.Error("Frames open after Close")
			}
		})
	}
}

func TestPartReader(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // "<nil>" for a part skipped as too big
		end  string   // the error that ends the stream
	}{
		{
			name: "content-length, closing delimiter",
			body: "--b\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\nab\ncd\r\n--b\r\nContent-Length: 3\r\n\r\nxyz\r\n--b--\r\n",
			want: []string{"ab\ncd", "xyz"},
			end:  "server ended the stream",
		},
		{
			name: "no content-length: part ends at the next delimiter",
			body: "--b\r\n\r\nl1\r\n--bx\r\n--b\r\n\r\npart2\r\n--b\r\n",
			want: []string{"l1\r\n--bx", "part2"},
			end:  "EOF",
		},
		{
			name: "bare LF line ends, preamble, padding after the delimiter",
			body: "preamble\n--b  \nContent-Type: image/jpeg\n\nabc\n--b\n\ndef\n--b--",
			want: []string{"abc", "def"},
			end:  "server ended the stream",
		},
		{
			name: "short content-length: the rest of the part is skipped",
			body: "--b\r\nContent-Length: 2\r\n\r\nabcdef\r\n--b\r\nContent-Length: 1\r\n\r\nz\r\n",
			want: []string{"ab", "z"},
			end:  "EOF",
		},
		{
			name: "over the size limit, with and without content-length",
			body: "--b\r\nContent-Length: 11\r\n\r\n0123456789a\r\n--b\r\n\r\n0123456789ab\r\n--b\r\n\r\nok\r\n--b\r\n",
			want: []string{"<nil>", "<nil>", "ok"},
			end:  "EOF",
		},
		{
			name: "cut off inside a part",
			body: "--b\r\nContent-Length: 8\r\n\r\nonly",
			end:  "unexpected EOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &partReader{body: bufio.NewReaderSize(strings.NewReader(tt.body), 16), delim: []byte("--b"), maxBytes: 10}
			var got []string
			for {
				data, err := p.next()
				if err != nil {
					if !strings.Contains(err.Error(), tt.end) {
						t.Errorf("ended with %v, want %s", err, tt.end)
					}
					break
				}
				if data == nil {
					got = append(got, "<nil>")
				} else {
					got = append(got, string(data))
				}
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("parts %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStreamBoundary(t *testing.T) {
	tests := []struct{ declared, body, want string }{
		{"frame", "--frame\r\nContent-Type: image/jpeg\r\n", "frame"},
		{"--frame", "--frame\r\nContent-Type: image/jpeg\r\n", "frame"},     // written without the extra "--"
		{"--frame", "----frame\r\nContent-Type: image/jpeg\r\n", "--frame"}, // written correctly
		{"", "\r\n--ipcam\r\n", "ipcam"},                                    // not declared at all
		{"frame", "Content-Type: image/jpeg\r\n", "frame"},                  // no delimiter first
	}
	for _, tt := range tests {
		got := streamBoundary(bufio.NewReader(strings.NewReader(tt.body)), tt.declared)
		if got != tt.want {
			t.Errorf("declared %q, body %q: got %q, want %q", tt.declared, tt.body, got, tt.want)
		}
	}
}
