package hotlist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// csvOutcome is what one read of a CSV reader gave: a record and the line
// it starts on, or an error.
type csvOutcome struct {
	fields []string
	line   int
	err    string
}

// readAllStd reads text with encoding/csv set as csvReader claims to read.
func readAllStd(r io.Reader) []csvOutcome {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var out []csvOutcome
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, csvOutcome{err: describeCSVError(err)})
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return out
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		out = append(out, csvOutcome{fields: rec, line: line})
	}
}

func readAllOurs(r io.Reader) []csvOutcome {
	cr := newCSVReader(r)
	var out []csvOutcome
	for {
		rec, line, err := cr.read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, csvOutcome{err: describeCSVError(err)})
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return out
			}
			continue
		}
		fields := make([]string, len(rec))
		for i, f := range rec {
			fields[i] = string(f)
		}
		out = append(out, csvOutcome{fields: fields, line: line})
	}
}

func describeCSVError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("start %d line %d column %d: %v", pe.StartLine, pe.Line, pe.Column, pe.Err)
	}
	return err.Error()
}

func sameOutcomes(a, b []csvOutcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].err != b[i].err || a[i].line != b[i].line || strings.Join(a[i].fields, "\x00") != strings.Join(b[i].fields, "\x00") ||
			len(a[i].fields) != len(b[i].fields) {
			return false
		}
	}
	return true
}

var csvReaderCases = []string{
	"",
	"\n",
	"a,b,c\n",
	"a,b,c",
	"a,b,c\r\n1,2,3\r\n",
	"a,b,c\r",
	"a,b\r\nc\rd,e\n",
	"\n\na,b\n\n\nc,d\n",
	"\r\n\r\na\r\n",
	",,\n,\n",
	`"a","b,c","d""e"` + "\n",
	`"a` + "\n" + `b",c` + "\n" + "d,e\n",
	`"a` + "\r\n" + `b",c` + "\r\n",
	`a,"b` + "\n\n" + `c"` + "\n",
	`a,b"c,d` + "\n" + "e,f\n",
	`a,"b"c,d` + "\n" + "e,f\n",
	`a,"b` + "\n" + "c,d\n",
	`a,"b`,
	`a,"b"`,
	`a,""` + "\n",
	`"",""` + "\n",
	`"a""` + "\n" + `""b"` + "\n",
	"a,\"b\nc\" ,d\n",
	"\uFEFFvrm,list\nAB12CDE,PNC\n",
	"é,\xff,ü\n",
	"a\n\"b\n",
	"a,b\n" + strings.Repeat("x", 70_000) + ",y\n" + `"` + strings.Repeat("z", 70_000) + `"` + "\nc,d\n",
	"\"" + strings.Repeat("q\n", 5) + "\",1\n2,3",
}

// csvReader reads what encoding/csv reads: the same records starting on
// the same lines, and the same errors at the same places.
func TestCSVReaderAgreesWithEncodingCSV(t *testing.T) {
	for _, text := range csvReaderCases {
		want := readAllStd(strings.NewReader(text))
		for _, r := range []io.Reader{strings.NewReader(text), iotest.OneByteReader(strings.NewReader(text))} {
			if got := readAllOurs(r); !sameOutcomes(got, want) {
				t.Errorf("%q:\n got %+v\nwant %+v", truncate(text), got, want)
			}
		}
	}
}

// The same for short texts drawn at random from the pieces that matter:
// quotes, commas, line ends and a character of two bytes.
func TestCSVReaderAgreesOnRandomTexts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "b", ",", `"`, "\n", "\r", "\r\n", `""`, "é"}
	for range 20_000 {
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := b.String()
		want := readAllStd(strings.NewReader(text))
		if got := readAllOurs(strings.NewReader(text)); !sameOutcomes(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", text, got, want)
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	for _, text := range csvReaderCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		want := readAllStd(strings.NewReader(text))
		if got := readAllOurs(strings.NewReader(text)); !sameOutcomes(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", truncate(text), got, want)
		}
	})
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
