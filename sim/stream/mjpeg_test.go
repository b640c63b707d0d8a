package stream

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// readParts connects to url and returns a function giving the next part's
// body and Content-Length header.
func readParts(t *testing.T, ctx context.Context, url string) func() ([]byte, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" {
		t.Fatalf("Content-Type %q (%v)", resp.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	return func() ([]byte, string, error) {
		p, err := mr.NextPart()
		if err != nil {
			return nil, "", err
		}
		b, err := io.ReadAll(p)
		return b, p.Header.Get("Content-Length"), err
	}
}

// newTestServer serves a new MJPEGServer; the test's cleanup ends its
// streams before closing the HTTP server, which waits for every handler.
func newTestServer(t *testing.T) (*MJPEGServer, *httptest.Server) {
	s := NewMJPEGServer()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.Close)
	return s, srv
}

// waitClients waits until n clients are connected; the deadline only stops a
// broken server hanging the test.
func waitClients(t *testing.T, s *MJPEGServer, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Clients() != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients connected, want %d", s.Clients(), n)
		}
	}
}

func TestClientsReceivePublishedFrames(t *testing.T) {
	s, srv := newTestServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	next1 := readParts(t, ctx, srv.URL)
	next2 := readParts(t, ctx, srv.URL)
	waitClients(t, s, 2)

	for i := range 3 {
		frame := []byte("frame " + strconv.Itoa(i))
		s.Publish(frame)
		for c, next := range []func() ([]byte, string, error){next1, next2} {
			got, length, err := next()
			if err != nil {
				t.Fatalf("client %d frame %d: %v", c, i, err)
			}
			if !bytes.Equal(got, frame) || length != strconv.Itoa(len(frame)) {
				t.Errorf("client %d got %q (Content-Length %s), want %q", c, got, length, frame)
			}
		}
	}
}

func TestNewClientGetsLatestFrameFirst(t *testing.T) {
	s, srv := newTestServer(t)
	s.Publish([]byte("old"))
	s.Publish([]byte("latest"))

	next := readParts(t, context.Background(), srv.URL)
	got, _, err := next()
	if err != nil || string(got) != "latest" {
		t.Fatalf("first frame %q, %v; want \"latest\"", got, err)
	}
}

func TestSlowClientMissesFramesAndNeverBlocksPublisher(t *testing.T) {
	s, srv := newTestServer(t)
	next := readParts(t, context.Background(), srv.URL)
	waitClients(t, s, 1)

	// The client reads nothing while far more data than any socket buffer
	// holds is published; Publish returning at all shows it did not wait.
	big := bytes.Repeat([]byte{0xAB}, 1<<20)
	for range 64 {
		s.Publish(big)
	}
	s.Publish([]byte("last"))

	var got int
	for {
		b, _, err := next()
		if err != nil {
			t.Fatal(err)
		}
		got++
		if string(b) == "last" {
			break
		}
	}
	if got >= 65 {
		t.Errorf("slow client got all %d frames; want it to miss some", got)
	}
}

func TestCloseEndsStreamsAndRefusesNewClients(t *testing.T) {
	s, srv := newTestServer(t)
	next := readParts(t, context.Background(), srv.URL)
	waitClients(t, s, 1)

	s.Close()
	if _, _, err := next(); err == nil {
		t.Fatal("stream still open after Close")
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close: status %s, want 503", resp.Status)
	}
	s.Publish([]byte("ignored")) // must not panic or block
}

func TestPublishMatSendsDecodableJPEG(t *testing.T) {
	s, srv := newTestServer(t)
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 255, 0), 48, 64, gocv.MatTypeCV8UC3)
	defer img.Close()
	if err := s.PublishMat(img, 90); err != nil {
		t.Fatal(err)
	}
	got, _, err := readParts(t, context.Background(), srv.URL)()
	if err != nil {
		t.Fatal(err)
	}
	dec, err := gocv.IMDecode(got, gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	if dec.Cols() != 64 || dec.Rows() != 48 {
		t.Errorf("decoded %dx%d, want 64x48", dec.Cols(), dec.Rows())
	}
}
