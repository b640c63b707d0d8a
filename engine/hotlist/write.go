package hotlist

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVWriter writes entries as a CSV hotlist that Load reads back.
type CSVWriter struct {
	w      *csv.Writer
	header bool
	row    [numColumns]string
}

// NewCSVWriter returns a writer to w; call Flush when done.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w)}
}

// Write writes one entry, after the header row the first time.
func (c *CSVWriter) Write(e Entry) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(columnNames[:]); err != nil {
			return err
		}
	}
	c.row = [numColumns]string{e.VRM, e.List, e.Marker, strconv.Itoa(e.Priority), e.Action, formatTime(e.Added), formatTime(e.Expires), e.OwnerRef}
	return c.w.Write(c.row[:])
}

// Flush writes out what is buffered and returns any error so far.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// formatTime writes a day as YYYY-MM-DD and any other time as RFC 3339.
func formatTime(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Equal(t.UTC().Truncate(24 * time.Hour)):
		return t.UTC().Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}
