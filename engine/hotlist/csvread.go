package hotlist

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// csvReader reads CSV records as encoding/csv does with a comma, no
// comments, strict quotes and any number of fields per record (the tests
// hold it to the same records, lines and errors), but hands out each
// record's fields as byte slices valid until the next call rather than as
// a new string per record: over a national list of ten million rows those
// strings were a fifth of a reload's time, and garbage for the collector.
type csvReader struct {
	r    *bufio.Reader
	line int // lines read so far

	long   []byte   // a line longer than r's buffer, put together
	record []byte   // the fields of a record, end to end
	ends   []int    // where each field ends in record
	fields [][]byte // the fields, slices of record
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// readLine reads a line, its \r\n made \n, as encoding/csv does; the line
// is valid until the next call.
func (c *csvReader) readLine() ([]byte, error) {
	line, err := c.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = c.r.ReadSlice('\n')
			c.long = append(c.long, line...)
		}
		line = c.long
	}
	if len(line) > 0 && err == io.EOF {
		err = nil
		// encoding/csv drops a \r before the end of the file.
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	c.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

// lengthNL is 1 if b ends in a newline, else 0.
func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// read returns the next record's fields and the line it starts on, or
// io.EOF after the last. A record that breaks the quoting rules comes back
// as a *csv.ParseError, the rest of its lines skipped.
func (c *csvReader) read() (fields [][]byte, startLine int, err error) {
	var line []byte
	var errRead error
	for errRead == nil { // empty lines are skipped
		line, errRead = c.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			continue
		}
		break
	}
	if errRead == io.EOF {
		return nil, 0, io.EOF
	}
	start := c.line
	if bytes.IndexByte(line, '"') < 0 {
		// Most lines quote nothing: their fields are cut from the line as
		// it lies in the reader's buffer.
		line = line[:len(line)-lengthNL(line)]
		c.fields = c.fields[:0]
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				c.fields = append(c.fields, line[:len(line):len(line)])
				return c.fields, start, errRead
			}
			c.fields = append(c.fields, line[:i:i])
			line = line[i+1:]
		}
	}
	c.record, c.ends = c.record[:0], c.ends[:0]
	col := 1 // of line's first byte, counted in bytes as encoding/csv does
	lineNo := c.line
fields:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &csv.ParseError{StartLine: start, Line: c.line, Column: col + j, Err: csv.ErrBareQuote}
				break fields
			}
			c.record = append(c.record, field...)
			c.ends = append(c.ends, len(c.record))
			if i < 0 {
				break fields
			}
			line = line[i+1:]
			col += i + 1
			continue
		}
		// A quoted field, which may run on over more lines.
		line = line[1:]
		col++
		for {
			if i := bytes.IndexByte(line, '"'); i >= 0 {
				c.record = append(c.record, line[:i]...)
				line = line[i+1:]
				col += i + 1
				switch {
				case len(line) > 0 && line[0] == '"': // "" is a quote
					c.record = append(c.record, '"')
					line = line[1:]
					col++
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					col++
					c.ends = append(c.ends, len(c.record))
					continue fields
				case lengthNL(line) == len(line):
					c.ends = append(c.ends, len(c.record))
					break fields
				default:
					err = &csv.ParseError{StartLine: start, Line: c.line, Column: col - 1, Err: csv.ErrQuote}
					break fields
				}
			} else if len(line) > 0 {
				c.record = append(c.record, line...)
				if errRead != nil {
					break fields
				}
				col += len(line)
				line, errRead = c.readLine()
				if len(line) > 0 {
					lineNo++
					col = 1
				}
				if errRead == io.EOF {
					errRead = nil
				}
			} else {
				if errRead == nil { // the file ended inside the quotes
					err = &csv.ParseError{StartLine: start, Line: lineNo, Column: col, Err: csv.ErrQuote}
					break fields
				}
				c.ends = append(c.ends, len(c.record))
				break fields
			}
		}
	}
	if err == nil {
		err = errRead
	}
	if err != nil {
		return nil, start, err
	}
	c.fields = c.fields[:0]
	prev := 0
	for _, end := range c.ends {
		c.fields = append(c.fields, c.record[prev:end:end])
		prev = end
	}
	return c.fields, start, nil
}
