// Package storetest checks that an implementation of store.Store does what
// the interface promises: every implementation runs the same suite, so that
// one can replace another. An implementation's tests call Run.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anpr/engine/store"
)

// Opener returns a new, empty store whose clock reads now(). Run closes it.
type Opener func(t *testing.T, now func() time.Time) store.Store

// T0 is the time the suite's reads start from; the suite's clock reads a
// year later.
var T0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

var clockNow = T0.AddDate(1, 0, 0)

// Run runs the suite against stores from open, each test on a store of its
// own.
func Run(t *testing.T, open Opener) {
	fresh := func(t *testing.T) store.Store {
		s := open(t, func() time.Time { return clockNow })
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		run  func(*testing.T, store.Store)
	}{
		{"Search", testSearch},
		{"SearchMatchesReference", testSearchMatchesReference},
		{"Paging", testPaging},
		{"Idempotent", testIdempotent},
		{"BadBatchStoresNothing", testBadBatch},
		{"BatchTooLarge", testBatchTooLarge},
		{"AbusiveSearchesRefused", testAbusiveSearches},
		{"SQLShapedInputIsLiteral", testSQLShapedInput},
		{"DeleteReadsBefore", testDeleteReadsBefore},
		{"ConcurrentAdds", testConcurrentAdds},
		{"CancelledAddStoresNothing", testCancelledAdd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, fresh(t)) })
	}
}

// read returns a valid read with the fields the suite varies.
func read(id, camera, vrm string, captured time.Time) store.Read {
	return store.Read{ID: id, Camera: camera, VRM: vrm, Confidence: 0.9, Captured: captured,
		Lane: "1", Direction: "N", Format: "current"}
}

func hours(h int) time.Time { return T0.Add(time.Duration(h) * time.Hour) }

// searchReads are the reads testSearch searches. r00 and r01 share a time,
// so their order rests on their IDs.
var searchReads = []store.Read{
	read("r01", "CAM-A", "AB12CDE", hours(0)),
	read("r00", "CAM-B", "AB12CDE", hours(0)),
	read("r02", "CAM-B", "AB12CDE", hours(1)),
	read("r03", "CAM-A", "AB12CDF", hours(2)),
	read("r04", "CAM-C", "AB13CDE", hours(3)),
	read("r05", "CAM-A", "XY12CDE", hours(4)),
	read("r06", "CAM-B", "A123BCD", hours(5)),
	read("r07", "CAM-A", "AB12CD", hours(6)),
	read("r08", "CAM-C", "ZAB12CDE", hours(7)),
	read("r09", "CAM-A", "AB12CDE", hours(24)),
}

func testSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	if added, err := s.AddReads(ctx, searchReads); err != nil || added != len(searchReads) {
		t.Fatalf("AddReads = %d, %v; want %d, nil", added, err, len(searchReads))
	}
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"exact", store.Query{VRM: "AB12CDE"}, ids("r00 r01 r02 r09")},
		{"exact, normalised first", store.Query{VRM: "ab12 cde"}, ids("r00 r01 r02 r09")},
		{"exact, shorter mark is not a prefix match", store.Query{VRM: "AB12CD"}, ids("r07")},
		{"exact, no reads", store.Query{VRM: "AB99ZZZ"}, nil},
		{"? is exactly one character", store.Query{VRM: "AB12CD?"}, ids("r00 r01 r02 r03 r09")},
		{"* is any run, none included", store.Query{VRM: "AB12CD*"}, ids("r00 r01 r02 r03 r07 r09")},
		{"? in the middle", store.Query{VRM: "AB1?CDE"}, ids("r00 r01 r02 r04 r09")},
		{"leading *", store.Query{VRM: "*12CDE"}, ids("r00 r01 r02 r05 r08 r09")},
		{"leading ?", store.Query{VRM: "?B12CDE"}, ids("r00 r01 r02 r09")},
		{"* in the middle", store.Query{VRM: "A*CDE"}, ids("r00 r01 r02 r04 r09")},
		{"time range: from inclusive, to exclusive", store.Query{From: hours(1), To: hours(24)}, ids("r02 r03 r04 r05 r06 r07 r08")},
		{"exact in a time range", store.Query{VRM: "AB12CDE", From: hours(1), To: hours(24)}, ids("r02")},
		{"from only", store.Query{VRM: "AB12CDE", From: hours(1)}, ids("r02 r09")},
		{"to only", store.Query{VRM: "AB12CDE", To: hours(1)}, ids("r00 r01")},
		{"one camera", store.Query{Cameras: []string{"CAM-A"}}, ids("r01 r03 r05 r07 r09")},
		{"two cameras", store.Query{Cameras: []string{"CAM-C", "CAM-B", "CAM-C"}}, ids("r00 r02 r04 r06 r08")},
		{"unknown camera", store.Query{Cameras: []string{"CAM-Z"}}, nil},
		{"pattern and camera", store.Query{VRM: "AB12CD*", Cameras: []string{"CAM-A"}}, ids("r01 r03 r07 r09")},
		{"leading * and camera", store.Query{VRM: "*12CDE", Cameras: []string{"CAM-C"}}, ids("r08")},
		{"everything at once", store.Query{VRM: "AB1?CD*", Cameras: []string{"CAM-A", "CAM-C"}, From: hours(0), To: hours(7)}, ids("r01 r03 r04 r07")},
		{"limit", store.Query{Cameras: []string{"CAM-A"}, Limit: 2}, ids("r01 r03")},
		{"after a cursor", store.Query{Cameras: []string{"CAM-A"}, After: store.CursorOf(searchReads[3])}, ids("r05 r07 r09")},
		{"after a cursor on a tied time", store.Query{VRM: "AB12CDE", After: store.CursorOf(searchReads[1])}, ids("r01 r02 r09")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SearchReads(ctx, tt.q)
			if err != nil {
				t.Fatalf("SearchReads(%+v): %v", tt.q, err)
			}
			if !slices.Equal(idsOf(got), tt.want) {
				t.Errorf("SearchReads(%+v) = %v, want %v", tt.q, idsOf(got), tt.want)
			}
		})
	}

	// A read comes back as it went in, its time in UTC.
	in := store.Read{
		ID:          "full",
		Camera:      "CAM-F",
		VRM:         "FU11AAA",
		Confidence:  0.73,
		Captured:    time.Date(2026, 6, 1, 12, 30, 0, 123456789, time.FixedZone("BST", 3600)),
		Lane:        "2",
		Direction:   "southbound",
		Format:      "current",
		PatchRef:    "20261130-" + strings.Repeat("ab", 32),
		OverviewRef: "20261130-" + strings.Repeat("0f", 32),
	}
	if _, err := s.AddReads(ctx, []store.Read{in}); err != nil {
		t.Fatal(err)
	}
	got, err := s.SearchReads(ctx, store.Query{VRM: "FU11AAA"})
	if err != nil || len(got) != 1 {
		t.Fatalf("SearchReads(FU11AAA) = %v, %v; want the one read", got, err)
	}
	want := in
	want.Captured = in.Captured.UTC()
	if got[0] != want || got[0].Captured.Location() != time.UTC {
		t.Errorf("read came back as %+v, want %+v", got[0], want)
	}
}

// testSearchMatchesReference compares the store's answers to many random
// searches with Search.Match applied to every read, paging through each
// answer. The reads are built from few characters and times so that
// patterns match often and times tie.
func testSearchMatchesReference(t *testing.T, s store.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	const chars = "AB12"
	cameras := []string{"C1", "C2", "C3", "C4", "C5"}
	var all []store.Read
	for i := range 1500 {
		n := 3 + rng.IntN(5)
		b := make([]byte, n)
		for j := range b {
			b[j] = chars[rng.IntN(len(chars))]
		}
		all = append(all, read(fmt.Sprintf("id-%04d", rng.IntN(1e4)*1e4+i), cameras[rng.IntN(len(cameras))],
			string(b), T0.Add(time.Duration(rng.IntN(100))*time.Minute)))
	}
	for b := range slices.Chunk(all, 100) {
		if _, err := s.AddReads(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(all, func(a, b store.Read) int { return compareCursors(store.CursorOf(a), store.CursorOf(b)) })

	checked := 0
	for checked < 200 {
		q := randomQuery(rng, chars, cameras)
		search, err := q.Check()
		if err != nil {
			continue // a random pattern that breaks the rules
		}
		var want []string
		for _, r := range all {
			if search.Match(r) {
				want = append(want, r.ID)
			}
		}
		got := pageAll(t, s, q)
		if !slices.Equal(got, want) {
			t.Fatalf("query %+v (limit %d a page): got %d reads %v, want %d %v", q, q.Limit, len(got), got, len(want), want)
		}
		checked++
	}
}

func randomQuery(rng *rand.Rand, chars string, cameras []string) store.Query {
	var q store.Query
	if rng.IntN(4) > 0 {
		n := 1 + rng.IntN(8)
		b := make([]byte, n)
		for j := range b {
			switch k := rng.IntN(10); {
			case k < 2:
				b[j] = '*'
			case k < 4:
				b[j] = '?'
			default:
				b[j] = chars[rng.IntN(len(chars))]
			}
		}
		q.VRM = string(b)
	}
	if rng.IntN(2) == 0 {
		q.From = T0.Add(time.Duration(rng.IntN(100)) * time.Minute)
	}
	if rng.IntN(2) == 0 {
		q.To = T0.Add(time.Duration(1+rng.IntN(100)) * time.Minute)
	}
	for _, c := range cameras {
		if rng.IntN(4) == 0 {
			q.Cameras = append(q.Cameras, c)
		}
	}
	q.Limit = 1 + rng.IntN(40)
	return q
}

// pageAll follows q's pages to the end and returns the IDs found, checking
// each page's length and order.
func pageAll(t *testing.T, s store.Store, q store.Query) []string {
	t.Helper()
	var out []string
	var last *store.Read
	limit := q.Limit
	if limit == 0 {
		limit = store.DefaultLimit
	}
	for {
		page, err := s.SearchReads(context.Background(), q)
		if err != nil {
			t.Fatalf("SearchReads(%+v): %v", q, err)
		}
		if len(page) > limit {
			t.Fatalf("SearchReads(%+v) returned %d reads, over the limit", q, len(page))
		}
		for i := range page {
			if last != nil && !store.CursorOf(*last).Before(store.CursorOf(page[i])) {
				t.Fatalf("SearchReads(%+v): read %q comes after %q, out of order", q, page[i].ID, last.ID)
			}
			last = &page[i]
			out = append(out, page[i].ID)
		}
		if len(page) < limit {
			return out
		}
		q.After = store.CursorOf(page[len(page)-1])
	}
}

func testPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	var reads []store.Read
	for i := range 25 {
		// Three reads a second: pages break inside ties too.
		reads = append(reads, read(fmt.Sprintf("p%02d", i), "CAM-P", "PG12ABC", T0.Add(time.Duration(i/3)*time.Second)))
	}
	if _, err := s.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 2, 3, 4, 7, 24, 25, 26} {
		got := pageAll(t, s, store.Query{VRM: "PG12ABC", Limit: limit})
		if !slices.Equal(got, idsOf(reads)) {
			t.Errorf("paging by %d: got %v, want %v", limit, got, idsOf(reads))
		}
	}
}

func testIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	var batch []store.Read
	for i := range 10 {
		batch = append(batch, read(fmt.Sprintf("dup-%d", i), "CAM-D", "DU12PLE", hours(i)))
	}
	steps := []struct {
		name  string
		batch []store.Read
		added int
		total int
	}{
		{"first delivery", batch, 10, 10},
		{"the same batch again", batch, 0, 10},
		{"half old, half new", append(slices.Clone(batch[5:]), read("dup-10", "CAM-D", "DU12PLE", hours(10))), 1, 11},
		{"an ID twice in one batch", []store.Read{read("dup-11", "CAM-D", "DU12PLE", hours(11)), read("dup-11", "CAM-D", "DU12PLE", hours(11))}, 1, 12},
		{"a stored ID with other contents keeps the first", []store.Read{read("dup-0", "CAM-X", "DU12PLE", hours(30))}, 0, 12},
	}
	for _, st := range steps {
		added, err := s.AddReads(ctx, st.batch)
		if err != nil {
			t.Fatalf("%s: AddReads: %v", st.name, err)
		}
		if added != st.added {
			t.Errorf("%s: added %d, want %d", st.name, added, st.added)
		}
		got, err := s.SearchReads(ctx, store.Query{VRM: "DU12PLE"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != st.total {
			t.Errorf("%s: %d reads stored, want %d", st.name, len(got), st.total)
		}
		if len(got) > 0 && (got[0].ID != "dup-0" || got[0].Camera != "CAM-D") {
			t.Errorf("%s: first read is %+v, want dup-0 from CAM-D as first stored", st.name, got[0])
		}
	}
}

func testBadBatch(t *testing.T, s store.Store) {
	ctx := context.Background()
	good := func(i int) store.Read { return read(fmt.Sprintf("bb-%d", i), "CAM-B", "BA12TCH", hours(i)) }
	bad := []struct {
		name   string
		change func(*store.Read)
		say    string // what the error must mention
	}{
		{"lower-case VRM", func(r *store.Read) { r.VRM = "ab12cde" }, "vrm"},
		{"VRM with a space", func(r *store.Read) { r.VRM = "AB12 CDE" }, "vrm"},
		{"VRM with a quote", func(r *store.Read) { r.VRM = "AB12'--" }, "vrm"},
		{"VRM with %", func(r *store.Read) { r.VRM = "AB%" }, "vrm"},
		{"VRM with a wildcard", func(r *store.Read) { r.VRM = "AB12*" }, "vrm"},
		{"VRM too long", func(r *store.Read) { r.VRM = "ABCDEFGHIJK" }, "vrm"},
		{"empty VRM", func(r *store.Read) { r.VRM = "" }, "vrm"},
		{"empty camera", func(r *store.Read) { r.Camera = "" }, "camera"},
		{"camera with a newline", func(r *store.Read) { r.Camera = "CAM\nB" }, "camera"},
		{"empty ID", func(r *store.Read) { r.ID = "" }, "id"},
		{"ID too long", func(r *store.Read) { r.ID = strings.Repeat("x", store.MaxIDLen+1) }, "id"},
		{"zero time", func(r *store.Read) { r.Captured = time.Time{} }, "captured"},
		{"time before 1970", func(r *store.Read) { r.Captured = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }, "captured"},
		{"confidence over 1", func(r *store.Read) { r.Confidence = 1.5 }, "confidence"},
		{"confidence NaN", func(r *store.Read) { r.Confidence = math.NaN() }, "confidence"},
		{"patch ref with a path", func(r *store.Read) { r.PatchRef = "../../etc/passwd" }, "patch ref"},
		{"invalid UTF-8 lane", func(r *store.Read) { r.Lane = "\xff" }, "lane"},
	}
	for _, b := range bad {
		for _, at := range []int{0, 3} {
			t.Run(fmt.Sprintf("%s at %d", b.name, at), func(t *testing.T) {
				batch := []store.Read{good(0), good(1), good(2), good(3), good(4)}
				b.change(&batch[at])
				added, err := s.AddReads(ctx, batch)
				if err == nil {
					t.Fatalf("AddReads accepted a batch with a %s", b.name)
				}
				if added != 0 {
					t.Errorf("added = %d, want 0", added)
				}
				var be *store.BatchError
				if !errors.As(err, &be) || be.Index != at {
					t.Errorf("error %q does not name index %d", err, at)
				}
				if !errors.Is(err, store.ErrInvalid) {
					t.Errorf("error %q does not wrap ErrInvalid", err)
				}
				if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("read %d ", at)) || !strings.Contains(msg, b.say) {
					t.Errorf("error %q should name read %d and %q", msg, at, b.say)
				}
				if n := len(searchAll(t, s)); n != 0 {
					t.Errorf("%d reads stored from a refused batch, want 0", n)
				}
			})
		}
	}
}

func testBatchTooLarge(t *testing.T, s store.Store) {
	batch := make([]store.Read, store.DefaultMaxBatch+1)
	for i := range batch {
		batch[i] = read(fmt.Sprintf("big-%d", i), "CAM-L", "LA12RGE", hours(0))
	}
	_, err := s.AddReads(context.Background(), batch)
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("AddReads of %d reads: err = %v, want a refusal over the limit", len(batch), err)
	}
	if n := len(searchAll(t, s)); n != 0 {
		t.Errorf("%d reads stored from a refused batch, want 0", n)
	}
}

func testAbusiveSearches(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.AddReads(ctx, searchReads); err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name string
		q    store.Query
	}{
		{"nothing to restrict by", store.Query{}},
		{"only a limit", store.Query{Limit: 10}},
		{"match everything", store.Query{VRM: "*"}},
		{"one fixed character", store.Query{VRM: "A*"}},
		{"two fixed characters", store.Query{VRM: "AB*"}},
		{"two fixed among many wildcards", store.Query{VRM: "A??????B"}},
		{"all ?", store.Query{VRM: "???????"}},
		{"too long", store.Query{VRM: "AB12CDE*XYZ"}},
		{"too long, no wildcards", store.Query{VRM: "ABCDEFGHIJK"}},
		{"LIKE %", store.Query{VRM: "AB%"}},
		{"LIKE % with fixed characters", store.Query{VRM: "AB12%"}},
		{"LIKE _", store.Query{VRM: "AB1_CDE"}},
		{"quote", store.Query{VRM: "AB12'"}},
		{"always true", store.Query{VRM: "' OR '1'='1"}},
		{"drop table", store.Query{VRM: "AB'; DROP TABLE reads;--"}},
		{"comment", store.Query{VRM: "AB12CDE;--"}},
		{"backslash", store.Query{VRM: `AB12\`}},
		{"NUL", store.Query{VRM: "AB12\x00CDE"}},
		{"negative limit", store.Query{VRM: "AB12CDE", Limit: -1}},
		{"limit too high", store.Query{VRM: "AB12CDE", Limit: store.MaxLimit + 1}},
		{"empty range", store.Query{VRM: "AB12CDE", From: hours(2), To: hours(2)}},
		{"backwards range", store.Query{VRM: "AB12CDE", From: hours(3), To: hours(2)}},
		{"empty camera", store.Query{Cameras: []string{"CAM-A", ""}}},
		{"too many cameras", store.Query{Cameras: slices.Repeat([]string{"CAM-A"}, store.MaxCameras+1)}},
		{"cursor without an ID", store.Query{VRM: "AB12CDE", After: store.Cursor{Captured: hours(1)}}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SearchReads(ctx, tt.q)
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SearchReads(%+v) = %d reads, %v; want a refusal wrapping ErrInvalid", tt.q, len(got), err)
			}
		})
	}
	if n := len(searchAll(t, s)); n != len(searchReads) {
		t.Errorf("after the refused searches %d reads are stored, want %d", n, len(searchReads))
	}
}

func testSQLShapedInput(t *testing.T, s store.Store) {
	ctx := context.Background()
	odd := []store.Read{
		read(`q'1`, `CAM'; DROP TABLE reads;--`, "SQ12LAA", hours(0)),
		read(`q%_2`, `CAM%`, "SQ12LAB", hours(1)),
		read(`q"3\`, `CAM_A`, "SQ12LAC", hours(2)),
		read("q4", "CAMXA", "SQ12LAD", hours(3)),
	}
	if _, err := s.AddReads(ctx, odd); err != nil {
		t.Fatalf("AddReads of reads with quotes and LIKE characters in text fields: %v", err)
	}
	tests := []struct {
		cameras []string
		want    []string
	}{
		{[]string{`CAM'; DROP TABLE reads;--`}, []string{`q'1`}},
		{[]string{`CAM%`}, []string{`q%_2`}},  // % is not a wildcard here
		{[]string{`CAM_A`}, []string{`q"3\`}}, // nor is _: CAMXA does not match
		{[]string{`' OR '1'='1`}, nil},
		{[]string{`CAM' OR camera LIKE '%`}, nil},
	}
	for _, tt := range tests {
		got, err := s.SearchReads(ctx, store.Query{Cameras: tt.cameras})
		if err != nil {
			t.Errorf("SearchReads(cameras %q): %v", tt.cameras, err)
			continue
		}
		if !slices.Equal(idsOf(got), tt.want) {
			t.Errorf("SearchReads(cameras %q) = %v, want %v", tt.cameras, idsOf(got), tt.want)
		}
	}
	// A cursor whose ID holds quotes pages on literally.
	got, err := s.SearchReads(ctx, store.Query{VRM: "SQ12LA?", After: store.CursorOf(odd[0])})
	if err != nil || !slices.Equal(idsOf(got), idsOf(odd[1:])) {
		t.Errorf("SearchReads after %q = %v, %v; want %v", odd[0].ID, idsOf(got), err, idsOf(odd[1:]))
	}
	if n := len(searchAll(t, s)); n != len(odd) {
		t.Errorf("%d reads stored, want %d", n, len(odd))
	}
}

func testDeleteReadsBefore(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.AddReads(ctx, searchReads); err != nil {
		t.Fatal(err)
	}
	for _, cutoff := range []time.Time{{}, clockNow.Add(time.Second)} {
		if _, err := s.DeleteReadsBefore(ctx, cutoff); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("DeleteReadsBefore(%v) = %v, want a refusal", cutoff, err)
		}
	}
	if n := len(searchAll(t, s)); n != len(searchReads) {
		t.Fatalf("%d reads left after refused deletions, want %d", n, len(searchReads))
	}
	// hours(3) itself stays: only reads captured before the cutoff go.
	n, err := s.DeleteReadsBefore(ctx, hours(3))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("DeleteReadsBefore deleted %d, want 4", n)
	}
	if got, want := idsOf(searchAll(t, s)), ids("r04 r05 r06 r07 r08 r09"); !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
	if n, err := s.DeleteReadsBefore(ctx, hours(3)); err != nil || n != 0 {
		t.Errorf("deleting again = %d, %v; want 0, nil", n, err)
	}
}

// testConcurrentAdds has writers deliver overlapping batches at once, as
// redeliveries from several consumers would: each read is stored once and
// the added counts sum to the reads stored.
func testConcurrentAdds(t *testing.T, s store.Store) {
	const writers, batches, size = 6, 8, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				batch := make([]store.Read, size)
				for i := range batch {
					// Writers 2k and 2k+1 deliver the same reads.
					n := (w/2)*batches*size + b*size + i
					batch[i] = read(fmt.Sprintf("c-%05d", n), fmt.Sprintf("CAM-%d", w), "CO12NCY", T0.Add(time.Duration(n)*time.Second))
				}
				added, err := s.AddReads(context.Background(), batch)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				total += added
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := (writers / 2) * batches * size
	got := searchAll(t, s)
	if len(got) != want || total != want {
		t.Errorf("stored %d reads, added counts sum to %d; want %d each", len(got), total, want)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.ID] {
			t.Errorf("read %s stored twice", r.ID)
		}
		seen[r.ID] = true
	}
}

func testCancelledAdd(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if added, err := s.AddReads(ctx, searchReads); err == nil || added != 0 {
		t.Errorf("AddReads with a cancelled context = %d, %v; want 0 and an error", added, err)
	}
	if n := len(searchAll(t, s)); n != 0 {
		t.Errorf("%d reads stored by a cancelled AddReads, want 0", n)
	}
}

// searchAll returns every stored read, paging through them.
func searchAll(t *testing.T, s store.Store) []store.Read {
	t.Helper()
	var out []store.Read
	q := store.Query{From: time.Unix(0, 0), Limit: store.MaxLimit}
	for {
		page, err := s.SearchReads(context.Background(), q)
		if err != nil {
			t.Fatalf("list all reads: %v", err)
		}
		out = append(out, page...)
		if len(page) < q.Limit {
			return out
		}
		q.After = store.CursorOf(page[len(page)-1])
	}
}

func compareCursors(a, b store.Cursor) int {
	switch {
	case a.Before(b):
		return -1
	case b.Before(a):
		return 1
	}
	return 0
}

func ids(s string) []string { return strings.Fields(s) }

func idsOf(reads []store.Read) []string {
	var out []string
	for _, r := range reads {
		out = append(out, r.ID)
	}
	return out
}
