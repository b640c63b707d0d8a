package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/store"
	"anpr/engine/store/storetest"

	"github.com/jackc/pgx/v5"
)

// These tests need a PostgreSQL server: the one ANPR_TEST_POSTGRES names,
// or by default one on this machine with a database "test". Where there
// is none they skip, saying so. Each test works in a schema of its own,
// dropped when it ends.
const defaultTestDB = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testDB(t testing.TB) string {
	t.Helper()
	url := os.Getenv("ANPR_TEST_POSTGRES")
	if url == "" {
		url = defaultTestDB
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Skipf("PostgreSQL not reachable (set ANPR_TEST_POSTGRES to a test database to run this test): %v", err)
	}
	c.Close(ctx)
	return url
}

// freshSchema returns the name of a schema no other test uses, dropped
// with everything in it when the test ends.
func freshSchema(t testing.TB, url string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "anpr_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return schema
}

// openTest opens a store in a fresh schema. The caller closes it.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	url := testDB(t)
	if opts.Schema == "" {
		opts.Schema = freshSchema(t, url)
	}
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// The behaviour every store.Store must have.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return openTest(t, Options{Now: now})
	})
}

var t0 = storetest.T0

func testReads(n int, vrm string, step time.Duration) []store.Read {
	out := make([]store.Read, n)
	for i := range out {
		out[i] = store.Read{ID: fmt.Sprintf("%s-%05d", vrm, i), Camera: "CAM-1", VRM: vrm, Confidence: 0.8,
			Captured: t0.Add(time.Duration(i) * step), Lane: "1", Direction: "N"}
	}
	return out
}

// dayTables returns the day tables attached to reads, oldest first.
func dayTables(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	tables, err := listDayTables(context.Background(), s.pool, s.opts.Schema)
	for _, tb := range tables {
		if tb.attached {
			out = append(out, tb.name)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, s *Store, table string) int64 {
	t.Helper()
	var n int64
	err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDayTablesMadeForTheDaysABatchTouches(t *testing.T) {
	now := t0.Add(36 * time.Hour) // 2026-03-03 21:00
	s := openTest(t, Options{Now: func() time.Time { return now }})
	defer s.Close()
	ctx := context.Background()
	if tables := dayTables(t, s); len(tables) != 0 {
		t.Fatalf("a new store has day tables %v", tables)
	}
	// 2026-03-02 09:00 to 2026-03-03 09:00: two days, the second today,
	// so tomorrow's table is made ready too.
	if _, err := s.AddReads(ctx, testReads(3, "DA12YSS", 12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := []string{"reads_20260302", "reads_20260303", "reads_20260304"}
	if got := dayTables(t, s); !slices.Equal(got, want) {
		t.Errorf("day tables = %v, want %v", got, want)
	}
	// A read years back gets a table of its own, and nothing else does.
	old := testReads(1, "OL12DER", 0)
	old[0].Captured = time.Date(2019, 7, 1, 23, 59, 59, 999999999, time.UTC)
	if _, err := s.AddReads(ctx, old); err != nil {
		t.Fatal(err)
	}
	want = append([]string{"reads_20190701"}, want...)
	if got := dayTables(t, s); !slices.Equal(got, want) {
		t.Errorf("day tables = %v, want %v", got, want)
	}
	if n := count(t, s, "reads_20190701"); n != 1 {
		t.Errorf("reads_20190701 holds %d reads, want 1", n)
	}
	// A second store on the same schema (another writer process) finds
	// the tables there.
	s2 := openTest(t, Options{Schema: s.opts.Schema, Now: s.opts.Now})
	defer s2.Close()
	if added, err := s2.AddReads(ctx, testReads(3, "DA12YSS", 12*time.Hour)); err != nil || added != 0 {
		t.Errorf("redelivery through a second store: added %d, %v; want 0, nil", added, err)
	}
}

func TestReopenKeepsReads(t *testing.T) {
	s := openTest(t, Options{})
	reads := testReads(50, "RE12OPN", time.Hour)
	ctx := context.Background()
	if _, err := s.AddReads(ctx, reads); err != nil {
		t.Fatal(err)
	}
	schema := s.opts.Schema
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, Options{Schema: schema})
	defer s.Close()
	got, err := s.SearchReads(ctx, store.Query{VRM: "RE12OPN"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, reads) {
		t.Errorf("after reopening got %d reads, want the %d stored, as stored", len(got), len(reads))
	}
	var versions []int
	rows, _ := s.pool.Query(ctx, `SELECT version FROM schema_version ORDER BY version`)
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if want := []int{1, 2, 3}; !slices.Equal(versions, want) {
		t.Errorf("schema versions recorded = %v, %v; want %v", versions, err, want)
	}
	if added, err := s.AddReads(ctx, reads); err != nil || added != 0 {
		t.Errorf("redelivering the reads after reopening: added %d, %v; want 0, nil", added, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTest(t, Options{})
	schema := s.opts.Schema
	_, err := s.pool.Exec(context.Background(), `INSERT INTO schema_version VALUES (99, 0)`)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(context.Background(), testDB(t), Options{Schema: schema}); err == nil {
		s.Close()
		t.Error("Open accepted a schema from a newer program")
	}
}

func TestOpenReportsBadConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, url := range []string{
		"postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=1",
		"postgres://%zz",
	} {
		s, err := Open(ctx, url, Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "secret") || strings.Contains(msg, "%zz") {
			t.Errorf("Open(%q) error %q shows the connection string", url, msg)
		}
	}
}

// A search that knows only the end of a mark reads the reversed-mark
// index of each day's table, not the whole table.
func TestSearchByEndUsesIndex(t *testing.T) {
	s := openTest(t, Options{})
	defer s.Close()
	ctx := context.Background()
	reads := testReads(5000, "", time.Second)
	for i := range reads {
		reads[i].VRM = fmt.Sprintf("AB%02dC%02d", i%97, i%89)
	}
	for from := 0; from < len(reads); from += 1000 {
		if _, err := s.AddReads(ctx, reads[from:from+1000]); err != nil {
			t.Fatal(err)
		}
	}
	exec(t, s, `ANALYZE reads`)
	search, err := store.Query{VRM: "*12C34"}.Check()
	if err != nil {
		t.Fatal(err)
	}
	text, args := searchSQL(search)
	joined := explain(t, s, text, args)
	if !strings.Contains(joined, "reverse_captured") || strings.Contains(joined, "Seq Scan") {
		t.Errorf("search *12C34: want the reversed-mark index, not a scan; plan:\n%s", joined)
	}
	got, err := s.SearchReads(ctx, store.Query{VRM: "*12C34"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if !strings.HasSuffix(r.VRM, "12C34") {
			t.Errorf("search *12C34 found %s", r.VRM)
		}
	}
	if len(got) == 0 {
		t.Error("search *12C34 found nothing")
	}
}

// explain returns PostgreSQL's plan for the query, one line a step.
func explain(t *testing.T, s *Store, text string, args []any) string {
	t.Helper()
	rows, err := s.pool.Query(context.Background(), `EXPLAIN `+text, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	return strings.Join(plan, "\n")
}
