package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

var (
	errStalled     = errors.New("stream stalled")
	errEndOfStream = errors.New("server ended the stream")
)

// mjpegSession reads one connection to an MJPEG stream: a
// multipart/x-mixed-replace response whose parts are JPEG pictures, with or
// without Content-Length. It is parsed here rather than by OpenCV so that a
// lost connection, an HTTP error or a bad frame is seen and handled.
func (s *src) mjpegSession(ctx context.Context, rawURL, name string) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(s.opts.Stall, func() { cancel(errStalled) })
	defer stall.Stop()
	lost := func(n int, err error) (int, error) {
		if errors.Is(context.Cause(ctx), errStalled) {
			err = fmt.Errorf("nothing received for %v", s.opts.Stall)
		}
		return n, err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return lost(0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %s", resp.Status)
	}
	ctype := resp.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ctype)
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		return 0, fmt.Errorf("Content-Type %q is not an MJPEG stream (multipart/x-mixed-replace)", ctype)
	}
	body := bufio.NewReader(resp.Body)
	boundary := streamBoundary(body, params["boundary"])
	if boundary == "" {
		return 0, errors.New("MJPEG stream has no multipart boundary")
	}
	parts := &partReader{body: body, delim: []byte("--" + boundary), maxBytes: s.opts.MaxBytes}
	s.connected.Store(true)
	s.opts.Logger.Info("source: connected", "source", name)

	n := 0
	for {
		data, err := parts.next()
		if err != nil {
			if !errors.Is(err, errEndOfStream) {
				err = fmt.Errorf("stream lost: %w", err)
			}
			return lost(n, err)
		}
		captured := s.opts.Clock()
		stall.Reset(s.opts.Stall)
		if data == nil {
			s.badPart(name, fmt.Errorf("frame over the %d-byte limit", s.opts.MaxBytes))
			continue
		}
		img, err := decodeImage(data, s.opts.MaxPixels)
		if err != nil {
			s.badPart(name, err)
			continue
		}
		s.send(ctx, Frame{Image: img, Captured: captured, Name: fmt.Sprintf("%s#%d", name, s.seq)})
		n++
	}
}

// badPart counts a stream part that is not a usable picture. It is not sent
// on: a consumer can do nothing with it, and the stream goes on.
func (s *src) badPart(name string, err error) {
	s.fail(err)
	s.opts.Logger.Warn("source: bad MJPEG frame skipped", "source", name, "err", err)
}

// streamBoundary returns the boundary the stream really uses. Some cameras
// declare boundary="--frame" and then write "--frame" lines, not
// "----frame"; the first delimiter line in the body settles it.
func streamBoundary(body *bufio.Reader, declared string) string {
	for size := 64; size <= 1024; size *= 2 {
		buf, err := body.Peek(size)
		line := bytes.TrimLeft(buf, "\r\n")
		if !bytes.HasPrefix(line, []byte("--")) {
			if len(line) >= 2 {
				return declared // not a delimiter: leave it to the multipart reader
			}
		} else if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return strings.TrimSpace(string(line[2:i]))
		}
		if err != nil {
			break
		}
	}
	return declared
}

// partReader splits a multipart/x-mixed-replace body into part bodies. It
// is written here rather than taken from mime/multipart because that reader
// ignores Content-Length, so it cannot hand over a frame until the next
// frame's delimiter arrives: one frame late, and a wrong capture time. A part
// without Content-Length still has to wait for the next delimiter.
type partReader struct {
	body     *bufio.Reader
	delim    []byte // "--" and the boundary
	maxBytes int64
	atDelim  bool // the delimiter before the next part is already read
	ended    bool // the closing delimiter has been read
}

// next returns the next part's body, or nil for a part over maxBytes, which
// is skipped. An error means the stream is unusable from here on.
func (p *partReader) next() ([]byte, error) {
	if p.ended {
		return nil, errEndOfStream
	}
	if !p.atDelim {
		if err := p.skipToDelimiter(); err != nil {
			return nil, err
		}
	}
	p.atDelim = false
	header, err := textproto.NewReader(p.body).ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("part header: %w", err)
	}
	size, err := strconv.ParseInt(strings.TrimSpace(header.Get("Content-Length")), 10, 64)
	if err != nil || size < 0 {
		return p.readToDelimiter()
	}
	if size > p.maxBytes {
		if _, err := p.body.Discard(int(min(size, math.MaxInt))); err != nil {
			return nil, err
		}
		return nil, nil
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(p.body, data); err != nil {
		return nil, err
	}
	return data, nil
}

// skipToDelimiter reads up to and including the next delimiter line. Lines
// before it (the CRLF ending the last part, or the rest of a part whose
// Content-Length was short) are dropped.
func (p *partReader) skipToDelimiter() error {
	atLineStart := true
	for {
		line, err := p.body.ReadSlice('\n')
		if atLineStart && len(line) > 0 {
			if end, ok := p.delimiter(line); ok {
				if end {
					return errEndOfStream
				}
				return nil
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			atLineStart = false
		case err != nil:
			return err
		default:
			atLineStart = true
		}
	}
}

// readToDelimiter returns the bytes before the next delimiter line, which it
// reads too, or nil if there are more than maxBytes of them.
func (p *partReader) readToDelimiter() ([]byte, error) {
	var data []byte
	tooBig := false
	atLineStart := true
	for {
		line, err := p.body.ReadSlice('\n')
		if atLineStart && len(line) > 0 {
			if end, ok := p.delimiter(line); ok {
				p.atDelim, p.ended = true, end
				if tooBig {
					return nil, nil
				}
				// The line break before the delimiter belongs to it.
				data = bytes.TrimSuffix(data, []byte("\n"))
				return bytes.TrimSuffix(data, []byte("\r")), nil
			}
		}
		if !tooBig && int64(len(data)+len(line)) > p.maxBytes+2 {
			tooBig, data = true, nil
		}
		if !tooBig {
			data = append(data, line...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			atLineStart = false
		case err != nil:
			return nil, err
		default:
			atLineStart = true
		}
	}
}

// delimiter says whether line is a delimiter line and, if so, whether it is
// the closing one.
func (p *partReader) delimiter(line []byte) (end, ok bool) {
	rest, found := bytes.CutPrefix(line, p.delim)
	if !found {
		return false, false
	}
	rest = bytes.TrimRight(rest, " \t\r\n")
	switch string(rest) {
	case "":
		return false, true
	case "--":
		return true, true
	}
	return false, false
}
