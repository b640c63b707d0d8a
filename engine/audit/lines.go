package audit

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxLine bounds the memory one line can take. Entries are a few hundred
// bytes; anything near this is not one of ours.
const maxLine = 1 << 20

// line is one line of a log file.
type line struct {
	n        int    // 1-based
	text     []byte // without the newline; nil when tooLong
	complete bool   // ended with a newline (false only for the last line)
	tooLong  bool   // longer than maxLine; its text is dropped
}

// eachLine calls fn with every line of r in order, stopping at fn's first
// error. A last line with no newline is passed with complete false.
func eachLine(r io.Reader, fn func(line) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	n := 0
	for {
		l := line{}
		buf = buf[:0]
		for {
			chunk, err := br.ReadSlice('\n')
			if !l.tooLong {
				if len(buf)+len(chunk) > maxLine+1 {
					l.tooLong = true
					buf = buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err == io.EOF {
				if len(chunk) == 0 && len(buf) == 0 && !l.tooLong {
					return nil // clean end after a newline (or an empty file)
				}
				break
			}
			if err != nil {
				return err
			}
			l.complete = true
			break
		}
		n++
		l.n = n
		if !l.tooLong {
			l.text = bytes.TrimSuffix(buf, []byte{'\n'})
		}
		if err := fn(l); err != nil {
			return err
		}
		if !l.complete {
			return nil
		}
	}
}
