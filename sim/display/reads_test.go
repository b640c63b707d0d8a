package display

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Reads come as the ingest API takes them (alone or batched), as its
// searches return them, as anpr watch prints passes, or as the API's CSV
// export.
func TestReadReads(t *testing.T) {
	in := `{"id":"a-1","camera":"cam-1","vrm":"ab12 cde","confidence":0.97,"captured":"2026-11-25T09:00:00.5Z"}
{"reads":[{"id":"a-2","camera":"cam-1","vrm":"XY70ABC","confidence":0.9,"captured":"2026-11-25T09:00:03Z"},
          {"id":"a-3","camera":"cam-1","vrm":"LM19PQR","confidence":0.8,"captured":"2026-11-25T10:00:06+01:00"}]}

{"camera":"watch-1","text":"GH65JKL","display":"GH65 JKL","confidence":0.88,"chars":[],"first_seen":"2026-11-25T09:00:09.1Z","last_seen":"2026-11-25T09:00:10Z","best_at":"2026-11-25T09:00:09.6Z","frames":12}
{"camera":"watch-1","text":"N123ABC","first_seen":"2026-11-25T09:00:12.3Z"}
[{"vrm":"ZZ99ZZZ","captured":"2026-11-25T09:00:30Z"}]
`
	reads, err := ReadReads(strings.NewReader(in), "reads.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Read{
		{Text: "AB12CDE", Captured: at(0.5), Camera: "cam-1", Confidence: 0.97, Line: 1},
		{Text: "XY70ABC", Captured: at(3), Camera: "cam-1", Confidence: 0.9, Line: 2},
		{Text: "LM19PQR", Captured: at(6), Camera: "cam-1", Confidence: 0.8, Line: 2},
		{Text: "GH65JKL", Captured: at(9.6), Camera: "watch-1", Confidence: 0.88, Line: 5},
		{Text: "N123ABC", Captured: at(12.3), Camera: "watch-1", Line: 6},
		{Text: "ZZ99ZZZ", Captured: at(30), Line: 7},
	}
	if len(reads) != len(want) {
		t.Fatalf("%d reads, want %d: %+v", len(reads), len(want), reads)
	}
	for i := range want {
		if reads[i] != want[i] {
			t.Errorf("read %d: %+v, want %+v", i, reads[i], want[i])
		}
	}

	csv := "id,captured,camera,district,vrm,confidence\r\na-1,2026-11-25T09:00:00.5Z,cam-1,North,AB12CDE,0.970\r\na-2,2026-11-25T09:00:03Z,cam-1,North,XY70ABC,0.900\r\n"
	reads, err = ReadReads(strings.NewReader(csv), "export.csv")
	if err != nil || len(reads) != 2 || reads[0] != (Read{Text: "AB12CDE", Captured: at(0.5), Camera: "cam-1", Confidence: 0.97, Line: 2}) || reads[1] != (Read{Text: "XY70ABC", Captured: at(3), Camera: "cam-1", Confidence: 0.9, Line: 3}) {
		t.Errorf("CSV: %+v, %v", reads, err)
	}
}

// Bad input is refused, naming the file and the line.
func TestBadReads(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"vrm":"AB12CDE","captured":"2026-11-25T09:00:00Z"}` + "\n" + `{"vrm":"AB12CDE","captured":` + "\n", "r.jsonl line 2: not JSON"},
		{"\n\n" + `{"vrm":"AB12CDE"}`, "r.jsonl line 3: read \"AB12CDE\" has no time"},
		{`{"vrm":"AB12CDE","captured":"yesterday"}`, "r.jsonl line 1: parsing time"},
		{`{"plate":"AB12CDE","shown_at":"2026-11-25T09:00:00Z"}`, "r.jsonl line 1: not a read"},
		{"id,captured,camera,vrm\nx,noon,c,AB12CDE\n", "r.jsonl line 2: captured \"noon\""},
	} {
		_, err := ReadReads(strings.NewReader(tc.in), "r.jsonl")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
}

// The truth log reads back as it was written.
func TestTruthRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewTruthWriter(&b)
	for _, s := range fiveShown() {
		s.ShownAt = s.ShownAt.In(time.FixedZone("BST", 3600))
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	if w.Written() != 5 || strings.Count(b.String(), "\n") != 5 || !strings.Contains(b.String(), `"shown_at":"2026-11-25T09:00:00Z"`) {
		t.Fatalf("truth log:\n%s", b.String())
	}
	got, err := ReadTruth(&b, "truth.jsonl")
	if err != nil || len(got) != 5 || !got[4].HiddenAt.Equal(at(14)) || got[2].Condition != "night-ir" {
		t.Errorf("read back %+v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{`{"seq":0,"plate":"AB12CDE","shown_at":"2026-11-25T09:00:00Z","hidden_at":"2026-11-25T09:00:02Z"}` + "\n{oops}\n", "truth.jsonl line 2: not JSON"},
		{`{"seq":0,"plate":"AB12CDE","shown_at":"2026-11-25T09:00:00Z"}`, "truth.jsonl line 1: item 0: no shown_at or hidden_at"},
		{`{"vrm":"AB12CDE"}`, "truth.jsonl line 1: not a truth line"},
	} {
		if _, err := ReadTruth(strings.NewReader(tc.in), "truth.jsonl"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
	}
}
