// Package stream serves simulated camera pictures over HTTP as MJPEG
// (multipart/x-mixed-replace JPEG frames), the way many IP cameras do, so the
// engine can read a virtual camera exactly as it reads a real one.
package stream

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"gocv.io/x/gocv"
)

// Boundary is the multipart boundary an MJPEGServer writes between frames.
const Boundary = "anprframe"

// MJPEGServer is an http.Handler that streams the frames given to Publish to
// any number of clients. Each client gets the latest frame: one that cannot
// keep up misses frames, and the publisher never waits for a client (a
// camera does not slow down for its viewers).
//
// The zero value is not usable; call NewMJPEGServer.
type MJPEGServer struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	latest  []byte
	closed  bool
	done    chan struct{}
}

// NewMJPEGServer returns a server with no frame yet; clients that connect
// before the first Publish wait for it.
func NewMJPEGServer() *MJPEGServer {
	return &MJPEGServer{clients: make(map[chan []byte]struct{}), done: make(chan struct{})}
}

// Publish sends one JPEG-encoded frame to every connected client and keeps it
// as the frame a new client sees first. It copies jpeg and returns at once.
func (s *MJPEGServer) Publish(jpeg []byte) {
	frame := append([]byte(nil), jpeg...)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.latest = frame
	for c := range s.clients {
		offerLatest(c, frame)
	}
}

// PublishMat encodes img as JPEG at quality (1 to 100) and publishes it.
func (s *MJPEGServer) PublishMat(img gocv.Mat, quality int) error {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return fmt.Errorf("encode frame as JPEG: %w", err)
	}
	defer buf.Close()
	s.Publish(buf.GetBytes())
	return nil
}

// Show publishes a frame at JPEG quality 90: the MJPEG server as a
// virtual camera's Sink.
func (s *MJPEGServer) Show(img gocv.Mat) error { return s.PublishMat(img, 90) }

// Clients returns how many clients are connected now.
func (s *MJPEGServer) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// Close ends every client's stream; later requests get 503 Service
// Unavailable and later frames are discarded. It does not close the
// http.Server the handler is mounted on.
func (s *MJPEGServer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
}

// ServeHTTP streams frames to one client until it goes away or the server is
// closed.
func (s *MJPEGServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	frames := make(chan []byte, 1)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "camera stopped", http.StatusServiceUnavailable)
		return
	}
	if s.latest != nil {
		frames <- s.latest
	}
	s.clients[frames] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, frames)
		s.mu.Unlock()
	}()

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "multipart/x-mixed-replace; boundary="+Boundary)
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("--" + Boundary + "\r\n")); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case frame := <-frames:
			if err := writePart(w, frame); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// writePart writes one frame and then the next boundary at once, so that a
// client that finds a part's end by its boundary (not its Content-Length)
// has the whole frame without waiting for the next one.
func writePart(w http.ResponseWriter, frame []byte) error {
	head := "Content-Type: image/jpeg\r\nContent-Length: " + strconv.Itoa(len(frame)) + "\r\n\r\n"
	if _, err := w.Write([]byte(head)); err != nil {
		return err
	}
	if _, err := w.Write(frame); err != nil {
		return err
	}
	_, err := w.Write([]byte("\r\n--" + Boundary + "\r\n"))
	return err
}

// offerLatest puts frame in a client's one-slot queue, replacing a frame the
// client has not taken yet. Only Publish sends, under s.mu, so the second
// send cannot block.
func offerLatest(c chan []byte, frame []byte) {
	select {
	case c <- frame:
		return
	default:
	}
	select {
	case <-c:
	default:
	}
	c <- frame
}
