package hotlist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// readAt is when the tests' reads are made unless a test says otherwise.
var readAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const csvHeader = "vrm,list,marker,priority,action,added,expires,owner_ref"

// csvOf is a CSV hotlist: the full header, then rows.
func csvOf(rows ...string) string {
	return csvHeader + "\n" + strings.Join(rows, "\n") + "\n"
}

func newHotlists(t *testing.T, opts Options) *Hotlists {
	t.Helper()
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mustLoad loads text as the named list and fails the test if it is refused.
func mustLoad(t *testing.T, h *Hotlists, name string, format Format, text string) LoadReport {
	t.Helper()
	rep, err := h.Load(context.Background(), name, strings.NewReader(text), format)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return rep
}

// reports collects the LoadReports given to Options.OnLoad.
type reports struct {
	mu   sync.Mutex
	seen []LoadReport
}

func (r *reports) onLoad(rep LoadReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, rep)
}

func (r *reports) all() []LoadReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]LoadReport(nil), r.seen...)
}

// sameEntry compares entries with time.Equal for the dates.
func sameEntry(a, b Entry) bool {
	return a.VRM == b.VRM && a.List == b.List && a.Marker == b.Marker && a.Priority == b.Priority &&
		a.Action == b.Action && a.Added.Equal(b.Added) && a.Expires.Equal(b.Expires) && a.OwnerRef == b.OwnerRef
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The same two entries written as an operator's feed might write them: marks
// with spaces and in lower case, names in another case, priority as a string
// in JSON, dates as days and RFC 3339 times.
var (
	allFieldsCSV = `owner_ref,vrm,list,marker,priority,action,added,expires
01/123456/25,ab12 cde,PNC,stolen,2,"Stop and check, seize if confirmed",2025-06-01,
DVLA-00000001,WX21ABC,dvla,No Tax,7,Record the sighting,2025-01-01T09:30:00Z,2026-09-01
`
	allFieldsJSON = `[
  {"vrm": "ab12 cde", "list": "PNC", "marker": "stolen", "priority": 2, "action": "Stop and check, seize if confirmed",
   "added": "2025-06-01", "owner_ref": "01/123456/25"},
  {"vrm": "WX21ABC", "list": "dvla", "marker": "No Tax", "priority": "7", "action": "Record the sighting",
   "added": "2025-01-01T09:30:00Z", "expires": "2026-09-01", "owner_ref": "DVLA-00000001"}
]`
	allFieldsJSONLines = `{"vrm": "ab12 cde", "list": "PNC", "marker": "stolen", "priority": 2, "action": "Stop and check, seize if confirmed", "added": "2025-06-01", "owner_ref": "01/123456/25"}
{"vrm": "WX21ABC", "list": "dvla", "marker": "No Tax", "priority": "7", "action": "Record the sighting", "added": "2025-01-01T09:30:00Z", "expires": "2026-09-01", "owner_ref": "DVLA-00000001"}
`
	allFieldsWant = []Entry{
		{VRM: "AB12CDE", List: "PNC", Marker: "stolen", Priority: 2, Action: "Stop and check, seize if confirmed",
			Added: day(2025, 6, 1), OwnerRef: "01/123456/25"},
		{VRM: "WX21ABC", List: "DVLA", Marker: "no-tax", Priority: 7, Action: "Record the sighting",
			Added: time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC), Expires: day(2026, 9, 1), OwnerRef: "DVLA-00000001"},
	}
)

// Every field of a row comes back on a hit, whatever the file's format.
func TestLoadKeepsEveryField(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		text   string
	}{
		{"CSV, columns in any order", CSV, allFieldsCSV},
		{"CSV with a byte order mark", CSV, "\uFEFF" + allFieldsCSV},
		{"JSON array", JSON, allFieldsJSON},
		{"JSON Lines", JSON, allFieldsJSONLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHotlists(t, Options{})
			rep := mustLoad(t, h, "national", tt.format, tt.text)
			if rep.Accepted != 2 || rep.RejectedRows != 0 || rep.Refused || rep.Version != 1 {
				t.Errorf("report %+v, want 2 accepted, none rejected, version 1", rep)
			}
			for _, want := range allFieldsWant {
				hits := h.Match(want.VRM, readAt)
				if len(hits) != 1 {
					t.Fatalf("%s: %d hits, want 1: %+v", want.VRM, len(hits), hits)
				}
				got := hits[0]
				if !sameEntry(got.Entry, want) {
					t.Errorf("%s: entry\n got %+v\nwant %+v", want.VRM, got.Entry, want)
				}
				if got.Kind != Exact || len(got.Evidence) != 0 || got.Hotlist != "national" || got.Version != 1 || got.Read != want.VRM {
					t.Errorf("%s: hit %+v, want an exact hit on national version 1", want.VRM, got)
				}
			}
		})
	}
}

// LoadFile tells the format by the extension and names the file in rejected
// rows; a file of no known format, or none, is refused and reported.
func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := ",PNC,stolen,2,,,,"
	tests := []struct {
		name, file, text string
		refused          bool
	}{
		{"csv", "list.csv", csvOf("AB12CDE,PNC,stolen,2,,,,", "CD34EFG,PNC,stolen,2,,,,", "EF56GHI,PNC,stolen,2,,,,", "GH78IJK,PNC,stolen,2,,,,", bad), false},
		{"json", "list.json", allFieldsJSON, false},
		{"jsonl", "list.jsonl", allFieldsJSONLines, false},
		{"ndjson", "list.NDJSON", allFieldsJSONLines, false},
		{"unknown extension", "list.txt", allFieldsCSV, true},
		{"missing file", "none.csv", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got reports
			h := newHotlists(t, Options{OnLoad: got.onLoad})
			path := filepath.Join(dir, tt.file)
			if tt.name != "missing file" {
				path = write(tt.file, tt.text)
			}
			rep, err := h.LoadFile(context.Background(), "national", path)
			if (err != nil) != tt.refused || rep.Refused != tt.refused {
				t.Fatalf("err %v, report %+v; want refused %v", err, rep, tt.refused)
			}
			if rep.File != path || rep.List != "national" {
				t.Errorf("report names list %q file %q, want national and %s", rep.List, rep.File, path)
			}
			if tt.refused {
				if !strings.Contains(rep.Reason, filepath.Base(path)) {
					t.Errorf("reason %q does not name the file", rep.Reason)
				}
			} else if len(h.Match("AB12CDE", readAt)) != 1 {
				t.Error("AB12CDE does not hit after the load")
			}
			for _, row := range rep.Rejected {
				if row.File != path || row.Line != 6 {
					t.Errorf("rejected row %v, want %s line 6", row, path)
				}
			}
			if reps := got.all(); len(reps) != 1 || reps[0].Refused != tt.refused {
				t.Errorf("OnLoad got %+v, want this load's report", reps)
			}
		})
	}
}

// Bad rows are rejected, each with its file, line and reason, and the good
// rows around them load.
func TestLoadRejectsBadRows(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		text   string
		good   []string
		bad    []RowError // File is the list name for Load from a reader
	}{
		{
			name:   "CSV",
			format: CSV,
			text: csvOf(
				"AB12CDE,PNC,stolen,2,,,,",                                   // 2
				",PNC,stolen,2,,,,",                                          // 3
				"AB12-CD£,PNC,stolen,2,,,,",                                  // 4
				"ABCDEFGHJ,PNC,stolen,2,,,,",                                 // 5
				"CD34EFG,FBI,stolen,2,,,,",                                   // 6
				"CD34EFG,,stolen,2,,,,",                                      // 7
				"CD34EFG,PNC,stolen goods,2,,,,",                             // 8
				"CD34EFG,PNC,,2,,,,",                                         // 9
				"CD34EFG,PNC,stolen,0,,,,",                                   // 10
				"CD34EFG,PNC,stolen,10,,,,",                                  // 11
				"CD34EFG,PNC,stolen,,,,,",                                    // 12
				"CD34EFG,PNC,stolen,2,,2025-02-30,,",                         // 13
				"CD34EFG,PNC,stolen,2,,,next week,",                          // 14
				"CD34EFG,PNC,stolen,2,,2025-06-01,2025-05-01,",               // 15
				"CD34EFG,PNC,stolen,2,,,,"+strings.Repeat("x", 256),          // 16
				"CD34EFG,PNC,stolen,2,"+strings.Repeat("y", 1001)+",,,",      // 17
				"CD34EFG,PNC,stolen,2",                                       // 18
				`CD34EFG,PNC,st"olen,2,,,,`,                                  // 19
				"EF56GHI,insurance,Missing_Person,1,,1899-12-31,,",           // 20
				"EF56GHI,insurance,no-insurance,6,,2025-01-01,2027-01-01,ok", // 21
			),
			good: []string{"AB12CDE", "EF56GHI"},
			bad: []RowError{
				{Line: 3, Reason: "vrm is empty"},
				{Line: 4, Reason: `vrm "AB12-CD£" has a character other than A-Z and 0-9`},
				{Line: 5, Reason: `vrm "ABCDEFGHJ" is longer than 8 characters`},
				{Line: 6, Reason: `unknown list "FBI"`},
				{Line: 7, Reason: "list is empty"},
				{Line: 8, Reason: `unknown marker "stolen goods"`},
				{Line: 9, Reason: "marker is empty"},
				{Line: 10, Reason: `priority "0" is not a whole number from 1 (most urgent) to 9`},
				{Line: 11, Reason: `priority "10"`},
				{Line: 12, Reason: `priority ""`},
				{Line: 13, Reason: `added "2025-02-30" is not a date`},
				{Line: 14, Reason: `expires "next week" is not a date`},
				{Line: 15, Reason: "expires 2025-05-01 is before added 2025-06-01"},
				{Line: 16, Reason: "owner_ref is longer than 255 bytes"},
				{Line: 17, Reason: "action is longer than 1000 bytes"},
				{Line: 18, Reason: "4 fields where the header has 8"},
				{Line: 19, Reason: `bare " in non-quoted-field`},
				{Line: 20, Reason: `added "1899-12-31" is out of range`},
			},
		},
		{
			name:   "JSON",
			format: JSON,
			text: `[
  {"vrm": "AB12CDE", "list": "PNC", "marker": "stolen", "priority": 2},
  {"vrm": "CD34EFG", "list": "PNC", "marker": "stolen", "priority": 2, "expiry": "2026-01-01"},
  {"vrm": "CD34EFG", "list": "PNC", "marker": "stolen"},
  {"vrm": 1234, "list": "PNC", "marker": "stolen", "priority": 2},
  "CD34EFG",
  {
    "vrm": "CD34EFG", "list": "PNC",
    "marker": "stolen", "priority": 1.5
  },
  {
    "vrm": "EF56GHI", "list": "local",
    "marker": "intelligence", "priority": 5
  }
]`,
			good: []string{"AB12CDE", "EF56GHI"},
			bad: []RowError{
				{Line: 3, Reason: `unknown field "expiry"`},
				{Line: 4, Reason: `priority ""`},
				{Line: 5, Reason: "cannot unmarshal number"},
				{Line: 6, Reason: "cannot unmarshal string"},
				{Line: 7, Reason: `priority "1.5"`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got reports
			// Most rows here are bad: never refuse, to see each reason.
			h := newHotlists(t, Options{MaxBadShare: 1, OnLoad: got.onLoad})
			rep := mustLoad(t, h, "national", tt.format, tt.text)
			if rep.Refused || rep.Accepted != len(tt.good) || rep.RejectedRows != len(tt.bad) {
				t.Errorf("report: refused %v, %d accepted, %d rejected; want %d and %d", rep.Refused, rep.Accepted, rep.RejectedRows, len(tt.good), len(tt.bad))
			}
			for i, want := range tt.bad {
				if i >= len(rep.Rejected) {
					t.Errorf("line %d (%s) was not rejected", want.Line, want.Reason)
					continue
				}
				row := rep.Rejected[i]
				if row.File != "national" || row.Line != want.Line || !strings.Contains(row.Reason, want.Reason) {
					t.Errorf("rejected %v, want national:%d: ...%s...", row, want.Line, want.Reason)
				}
			}
			for _, mark := range tt.good {
				if len(h.Match(mark, readAt)) != 1 {
					t.Errorf("good row %s does not hit", mark)
				}
			}
			if hits := h.Match("CD34EFG", readAt); len(hits) != 0 {
				t.Errorf("CD34EFG, on bad rows only, hits: %+v", hits)
			}
			if reps := got.all(); len(reps) != 1 || reps[0].RejectedRows != len(tt.bad) {
				t.Errorf("OnLoad got %+v, want the one report", reps)
			}
		})
	}
}

// A report lists the first MaxReportedRows rejected rows and counts them all.
func TestLoadReportsRejectedRowsUpToALimit(t *testing.T) {
	rows := make([]string, 0, MaxReportedRows+11)
	for range MaxReportedRows + 10 {
		rows = append(rows, "AB12CDE,PNC,stolen,12,,,,")
	}
	rows = append(rows, "AB12CDE,PNC,stolen,2,,,,")
	h := newHotlists(t, Options{MaxBadShare: 1})
	rep := mustLoad(t, h, "national", CSV, csvOf(rows...))
	if rep.RejectedRows != MaxReportedRows+10 || len(rep.Rejected) != MaxReportedRows || rep.Accepted != 1 {
		t.Errorf("%d rejected, %d listed, %d accepted; want %d, %d, 1", rep.RejectedRows, len(rep.Rejected), rep.Accepted, MaxReportedRows+10, MaxReportedRows)
	}
}

// A file mostly bad, or unusable, is refused whole: the version in force
// stays, and OnLoad hears of the refusal as of the load before it.
func TestLoadRefusesMostlyBadFile(t *testing.T) {
	oneGoodTwoBad := csvOf("NEW1ABC,PNC,stolen,2,,,,", "NEW2ABC,PNC,stolen,12,,,,", "NEW3ABC,PNC,robbed,2,,,,")
	tests := []struct {
		name        string
		maxBadShare float64
		format      Format
		text        string
		refused     bool
		reason      string
	}{
		{"two thirds bad, default share", 0, CSV, oneGoodTwoBad, true, "2 of 3 rows bad"},
		{"two thirds bad, half allowed", 0.5, CSV, oneGoodTwoBad, true, "more than the 50% allowed"},
		{"two thirds bad, 70% allowed", 0.7, CSV, oneGoodTwoBad, false, ""},
		{"every row bad, never refuse", 1, CSV, csvOf("NEW2ABC,PNC,stolen,12,,,,"), false, ""},
		{"one in five bad, default share", 0, CSV, csvOf("NEW1ABC,PNC,stolen,2,,,,", "NEW2ABC,PNC,stolen,2,,,,",
			"NEW3ABC,PNC,stolen,2,,,,", "NEW4ABC,PNC,stolen,2,,,,", "NEW5ABC,PNC,stolen,0,,,,"), false, ""},
		{"misspelt column", 1, CSV, "vrm,list,marker,priority,expiry\nNEW1ABC,PNC,stolen,2,2026-01-01\n", true, `unknown column "expiry"`},
		{"no priority column", 1, CSV, "vrm,list,marker\nNEW1ABC,PNC,stolen\n", true, "no priority column"},
		{"column twice", 1, CSV, "vrm,list,marker,priority,VRM\nNEW1ABC,PNC,stolen,2,NEW1ABC\n", true, `column "vrm" given twice`},
		{"empty CSV", 1, CSV, "", true, "empty file"},
		{"quote left open", 1, CSV, csvOf(`NEW1ABC,PNC,"stolen,2,,,,`, "NEW2ABC,PNC,stolen,2,,,,"), true, "line 2"},
		{"empty JSON", 1, JSON, " \n", true, "empty file"},
		{"JSON not objects", 1, JSON, `"NEW1ABC"`, true, "not a JSON array of objects"},
		{"JSON cut short", 1, JSON, "[\n{\"vrm\": \"NEW1ABC\", \"list\": \"PNC\", \"marker\": \"stolen\", \"priority\": 2},\n{\"vrm\": \"NEW2", true, "line 3"},
		{"JSON text after the list", 1, JSON, `[{"vrm": "NEW1ABC", "list": "PNC", "marker": "stolen", "priority": 2}] x`, true, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got reports
			h := newHotlists(t, Options{MaxBadShare: tt.maxBadShare, OnLoad: got.onLoad})
			mustLoad(t, h, "national", CSV, csvOf("OLD1ABC,PNC,stolen,2,,,,"))
			rep, err := h.Load(context.Background(), "national", strings.NewReader(tt.text), tt.format)
			if (err != nil) != tt.refused || rep.Refused != tt.refused {
				t.Fatalf("err %v, report %+v; want refused %v", err, rep, tt.refused)
			}
			reps := got.all()
			if len(reps) != 2 || reps[1].Refused != tt.refused || reps[1].Reason != rep.Reason {
				t.Fatalf("OnLoad got %+v, want the first load's report then this one", reps)
			}
			oldHits := h.Match("OLD1ABC", readAt)
			if !tt.refused {
				if len(oldHits) != 0 || rep.Version != 2 {
					t.Errorf("accepted as version %d, yet the old version's mark hits %d times", rep.Version, len(oldHits))
				}
				return
			}
			if !strings.Contains(rep.Reason, tt.reason) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("reason %q, error %q; want them to say %q", rep.Reason, err, tt.reason)
			}
			if !strings.Contains(err.Error(), "version 1 stays in force") {
				t.Errorf("error %q does not say which version stays", err)
			}
			if rep.Version != 1 || rep.Accepted != 0 {
				t.Errorf("refused report: version %d, %d accepted; want 1 and 0", rep.Version, rep.Accepted)
			}
			if len(oldHits) != 1 || oldHits[0].Version != 1 {
				t.Errorf("the version in force was dropped: OLD1ABC hits %+v", oldHits)
			}
			if hits := h.Match("NEW1ABC", readAt); len(hits) != 0 {
				t.Errorf("a row of the refused file hits: %+v", hits)
			}
		})
	}
}

// A load cancelled through its context is refused like a broken file.
func TestLoadCancelled(t *testing.T) {
	h := newHotlists(t, Options{})
	mustLoad(t, h, "national", CSV, csvOf("OLD1ABC,PNC,stolen,2,,,,"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := h.Load(ctx, "national", strings.NewReader(csvOf("NEW1ABC,PNC,stolen,2,,,,")), CSV)
	if !errors.Is(err, context.Canceled) || !rep.Refused {
		t.Fatalf("err %v, refused %v; want a refusal for the cancelled context", err, rep.Refused)
	}
	if len(h.Match("OLD1ABC", readAt)) != 1 || len(h.Match("NEW1ABC", readAt)) != 0 {
		t.Error("a cancelled load changed the list in force")
	}
}

// Lists load side by side under their names; a read hits on all of them, and
// reloading one leaves the others as they are.
func TestSeveralLists(t *testing.T) {
	h := newHotlists(t, Options{})
	mustLoad(t, h, "pnc", CSV, csvOf("AB12CDE,PNC,stolen,2,,,,", "CD34EFG,PNC,firearms,1,,,,"))
	mustLoad(t, h, "mid", CSV, csvOf("AB12CDE,insurance,no-insurance,6,,,,", "XY99ZZZ,insurance,no-insurance,6,,,,"))
	mustLoad(t, h, "local", JSON, `{"vrm": "AB12CDE", "list": "local", "marker": "intelligence", "priority": 5}`)

	hits := h.Match("AB12CDE", readAt)
	var got []string
	for _, hit := range hits {
		got = append(got, fmt.Sprintf("%s/%s/%d", hit.Hotlist, hit.Marker, hit.Priority))
	}
	if want := "pnc/stolen/2 local/intelligence/5 mid/no-insurance/6"; strings.Join(got, " ") != want {
		t.Errorf("hits %v, want %s (most urgent first)", got, want)
	}

	mustLoad(t, h, "mid", CSV, csvOf("XY99ZZZ,insurance,no-insurance,6,,,,"))
	hits = h.Match("AB12CDE", readAt)
	if len(hits) != 2 || hits[0].Hotlist != "pnc" || hits[1].Hotlist != "local" {
		t.Errorf("after reloading mid without AB12CDE: hits %+v, want pnc and local only", hits)
	}
	infos := h.Lists()
	var summary []string
	for _, info := range infos {
		summary = append(summary, fmt.Sprintf("%s v%d %d", info.Name, info.Version, info.Entries))
	}
	if want := "local v1 1, mid v2 1, pnc v1 2"; strings.Join(summary, ", ") != want {
		t.Errorf("Lists: %v, want %s", summary, want)
	}
}

// A reload replaces the version in force whole: marks only on the old version
// stop hitting and hits name the new version.
func TestReloadReplacesVersion(t *testing.T) {
	h := newHotlists(t, Options{})
	mustLoad(t, h, "national", CSV, csvOf("AB12CDE,PNC,stolen,2,,,,", "CD34EFG,PNC,stolen,2,,,,"))
	rep := mustLoad(t, h, "national", CSV, csvOf("CD34EFG,PNC,wanted,3,,,,", "EF56GHI,PNC,stolen,2,,,,"))
	if rep.Version != 2 {
		t.Errorf("reload is version %d, want 2", rep.Version)
	}
	if hits := h.Match("AB12CDE", readAt); len(hits) != 0 {
		t.Errorf("a mark only on version 1 still hits: %+v", hits)
	}
	for _, mark := range []string{"CD34EFG", "EF56GHI"} {
		hits := h.Match(mark, readAt)
		if len(hits) != 1 || hits[0].Version != 2 {
			t.Errorf("%s: hits %+v, want one on version 2", mark, hits)
		}
	}
	if hits := h.Match("CD34EFG", readAt); len(hits) == 1 && hits[0].Marker != "wanted" {
		t.Errorf("CD34EFG has version 1's marker %s", hits[0].Marker)
	}
}

// Matching goes on while lists reload, and every match sees one whole
// version: the mark on every version hits exactly once, with that version's
// marker, and versions only go forward. Run with -race.
func TestMatchDuringReload(t *testing.T) {
	const reloads, entries, matchers = 20, 2000, 3
	// Odd versions list A000000... and the shared mark as stolen, even ones
	// B000000... and the shared mark as wanted.
	version := func(odd bool) string {
		prefix, marker := "B", "wanted"
		if odd {
			prefix, marker = "A", "stolen"
		}
		rows := []string{"SH4RED1,PNC," + marker + ",2,,,,"}
		for i := range entries {
			rows = append(rows, fmt.Sprintf("%s%06d,PNC,%s,2,,,,", prefix, i, marker))
		}
		return csvOf(rows...)
	}
	texts := [2]string{version(false), version(true)}
	h := newHotlists(t, Options{})
	mustLoad(t, h, "national", CSV, texts[1])

	done := make(chan struct{})
	stop := sync.OnceFunc(func() { close(done) })
	defer stop() // also when a load fails the test
	errs := make(chan error, matchers)
	var wg, started sync.WaitGroup
	for m := range matchers {
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			var once sync.Once
			defer once.Do(started.Done)
			var last uint64
			for i := 0; ; i++ {
				if i == 1 {
					once.Do(started.Done)
				}
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				hits := h.Match("SH4RED1", readAt)
				if len(hits) != 1 {
					errs <- fmt.Errorf("matcher %d: shared mark hits %d times: %+v", m, len(hits), hits)
					return
				}
				hit := hits[0]
				if wantMarker := map[bool]string{true: "stolen", false: "wanted"}[hit.Version%2 == 1]; hit.Marker != wantMarker {
					errs <- fmt.Errorf("matcher %d: version %d has marker %s, want %s: a mix of versions", m, hit.Version, hit.Marker, wantMarker)
					return
				}
				if hit.Version < last {
					errs <- fmt.Errorf("matcher %d: version went back from %d to %d", m, last, hit.Version)
					return
				}
				last = hit.Version
				// A mark of one version only hits on that version.
				mine := fmt.Sprintf("A%06d", i%entries)
				for _, hit := range h.Match(mine, readAt) {
					if hit.Version%2 != 1 {
						errs <- fmt.Errorf("matcher %d: %s hit on even version %d", m, mine, hit.Version)
						return
					}
				}
			}
		}()
	}
	started.Wait() // every matcher is matching before the reloads begin
	for v := 2; v <= reloads; v++ {
		if rep := mustLoad(t, h, "national", CSV, texts[v%2]); rep.Version != uint64(v) {
			t.Errorf("load %d made version %d", v, rep.Version)
		}
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// Entries expired when a read is made never alert, by any kind of match;
// entries yet to expire do. Expiry times are floored to the minute, so an
// entry stops alerting up to 59 seconds early, never late.
func TestExpiredEntriesNeverAlert(t *testing.T) {
	h := newHotlists(t, Options{OneEditPriority: 1})
	mustLoad(t, h, "national", CSV, csvOf(
		"AB12CDE,PNC,stolen,2,,2026-01-01,2026-03-01,",   // expires at midnight UTC
		"CD34EFG,PNC,firearms,1,,,2026-03-01T12:00:30Z,", // expires mid-day, seconds given
		"EF56GHI,PNC,stolen,2,,,,",                       // never expires
		"GH78JKL,PNC,stolen,2,,2027-01-01,,",             // added in the future: alerts once loaded
		// Expiries the index's blocks do not hold to the day.
		"JK90LMN,PNC,stolen,2,,,1999-12-31T23:59:00Z,",
		"LM01NOP,PNC,stolen,2,,,2100-06-01,",
	))
	tests := []struct {
		read string
		at   time.Time
		want int
	}{
		{"AB12CDE", time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC), 1},
		{"AB12CDE", time.Date(2026, 3, 1, 0, 30, 0, 0, time.FixedZone("BST", 3600)), 1}, // 23:30 UTC the day before
		{"AB12CDE", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 0},
		{"AB12CDE", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"A812CDE", time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC), 1}, // a confusion of the mark
		{"A812CDE", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 0},    // of the mark expired
		{"CD34EFG", time.Date(2026, 3, 1, 11, 59, 59, 0, time.UTC), 1},
		{"CD34EFG", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), 0},
		{"CD34EFG", time.Date(2026, 3, 1, 12, 0, 31, 0, time.UTC), 0},
		{"CD34EFX", time.Date(2026, 3, 1, 12, 0, 31, 0, time.UTC), 0}, // one edit from an expired mark
		{"CD34EFX", time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC), 1},
		{"EF56GHI", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"GH78JKL", readAt, 1},
		{"JK90LMN", time.Date(1999, 12, 31, 23, 58, 0, 0, time.UTC), 1},
		{"JK90LMN", time.Date(1999, 12, 31, 23, 59, 0, 0, time.UTC), 0},
		{"JK90LMN", readAt, 0},
		{"LM01NOP", time.Date(2100, 5, 31, 0, 0, 0, 0, time.UTC), 1},
		{"LM01NOP", time.Date(2100, 6, 1, 0, 0, 0, 0, time.UTC), 0},
		{"LM01NOP", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), 1},
	}
	for _, tt := range tests {
		if hits := h.Match(tt.read, tt.at); len(hits) != tt.want {
			t.Errorf("%s at %v: %d hits, want %d: %+v", tt.read, tt.at, len(hits), tt.want, hits)
		}
	}
}

// Days are reckoned without package time; they must agree with it, leap
// years and month ends included.
func TestParseDayAgreesWithTime(t *testing.T) {
	for d := day(1899, 12, 1); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		text := d.Format(time.DateOnly)
		days, ok := parseDay([]byte(text))
		if !ok {
			t.Fatalf("%s not parsed", text)
		}
		want := (d.Unix() - epoch1900) / 86400
		if int64(days) != want {
			t.Fatalf("%s: %d days since 1900, want %d", text, days, want)
		}
	}
	for _, text := range []string{"2025-02-29", "2024-02-30", "1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "2025-1-01x", "20x5-01-01"} {
		if _, ok := parseDay([]byte(text)); ok {
			t.Errorf("%s parsed", text)
		}
	}
	if days, ok := parseDay([]byte("2000-02-29")); !ok || days != 36583 {
		t.Errorf("2000-02-29: %d, %v", days, ok)
	}
}

// Every row keeps its own dates, however many different ones a list has.
func TestLoadKeepsEveryDate(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHeader + "\n")
	first := day(1990, 1, 1)
	const rows = 3000
	for i := range rows {
		added := first.AddDate(0, 0, 7*i)
		fmt.Fprintf(&b, "D%06d,PNC,stolen,2,,%s,%s,\n", i, added.Format(time.DateOnly), added.AddDate(0, 0, 1+i%400).Format(time.DateOnly))
	}
	h := newHotlists(t, Options{})
	mustLoad(t, h, "national", CSV, b.String())
	for i := range rows {
		added := first.AddDate(0, 0, 7*i)
		hits := h.Match(fmt.Sprintf("D%06d", i), added)
		if len(hits) != 1 || !hits[0].Added.Equal(added) || !hits[0].Expires.Equal(added.AddDate(0, 0, 1+i%400)) {
			t.Fatalf("row %d: %+v", i, hits)
		}
	}
}

// A list large enough that the index keeps its records in many chunks
// still finds every row, with its own fields.
func TestLoadKeepsEveryRowOfALargeList(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 300,000 rows")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	var marks []string
	for i := range 300_000 {
		e := SyntheticEntry(rng, readAt)
		e.Expires = time.Time{}
		e.OwnerRef = strconv.Itoa(i)
		marks = append(marks, e.VRM)
		w.Write(e)
	}
	w.Flush()
	h := newHotlists(t, Options{})
	rep := mustLoad(t, h, "national", CSV, buf.String())
	if rep.Accepted != len(marks) {
		t.Fatalf("%d accepted, want %d", rep.Accepted, len(marks))
	}
	var hits []Hit
	for i, mark := range marks {
		hits = h.AppendMatches(hits[:0], mark, readAt)
		if !slices.ContainsFunc(hits, func(h Hit) bool { return h.Kind == Exact && h.OwnerRef == strconv.Itoa(i) }) {
			t.Fatalf("row %d (%s) does not hit: %+v", i, mark, hits)
		}
	}
}
