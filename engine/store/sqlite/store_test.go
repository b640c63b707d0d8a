package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"anpr/engine/store"
	"anpr/engine/store/storetest"
	"anpr/internal/sqlitefile"
)

// The behaviour every store.Store must have.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		return openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{Now: now})
	})
}

func openTest(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s
}

var t0 = storetest.T0

func testReads(n int, vrm string) []store.Read {
	out := make([]store.Read, n)
	for i := range out {
		out[i] = store.Read{ID: fmt.Sprintf("%s-%04d", vrm, i), Camera: "CAM-1", VRM: vrm, Confidence: 0.8,
			Captured: t0.Add(time.Duration(i) * time.Minute), Lane: "1", Direction: "N"}
	}
	return out
}

func count(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.countReads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestReopenKeepsReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	s := openTest(t, path, Options{})
	reads := testReads(50, "RE12OPN")
	if _, err := s.AddReads(context.Background(), reads); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path, Options{})
	defer s.Close()
	got, err := s.SearchReads(context.Background(), store.Query{VRM: "RE12OPN"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, reads) {
		t.Errorf("after reopening got %d reads, want the %d stored, as stored", len(got), len(reads))
	}
	// Reopening applies no migration twice.
	var versions []int
	rows, err := s.r.Query(`SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		rows.Scan(&v)
		versions = append(versions, v)
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(versions, want) {
		t.Errorf("schema versions recorded = %v, want %v", versions, want)
	}
	if added, err := s.AddReads(context.Background(), reads); err != nil || added != 0 {
		t.Errorf("redelivering the reads after reopening: added %d, %v; want 0, nil", added, err)
	}
}

// A file made before the reversed-mark index (schema version 2) is brought
// up to date when opened: its reads are found by the end of their marks.
func TestOpenUpgradesVersion2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	old := sqlitefile.OpenPool(path, nil, true)
	if err := sqlitefile.Migrate(context.Background(), old, migrations[:2], t0); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO reads (`+readColumns+`) VALUES
		('r1', 'CAM-A', 'AB12CDE', 0.9, ?, '', '', '', '', ''),
		('r2', 'CAM-A', 'XY12CDE', 0.9, ?, '', '', '', '', ''),
		('r3', 'CAM-A', 'AB12CDF', 0.9, ?, '', '', '', '', '')`,
		t0.UnixNano(), t0.Add(time.Minute).UnixNano(), t0.Add(2*time.Minute).UnixNano()); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s := openTest(t, path, Options{})
	defer s.Close()
	got, err := s.SearchReads(context.Background(), store.Query{VRM: "*12CDE"})
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(got); !slices.Equal(ids, []string{"r1", "r2"}) {
		t.Errorf("search *12CDE after the upgrade found %v, want [r1 r2]", ids)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reads.db")
	s := openTest(t, path, Options{})
	if _, err := s.w.Exec(`INSERT INTO schema_version (version, applied) VALUES (99, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "version 99") {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a version 99 database: err = %v, want a refusal naming the version", err)
	}
}

// Every connection, writing or reading, must be in WAL mode with full
// syncs: an acknowledged batch must survive the machine going down.
func TestDurabilitySettings(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{})
	defer s.Close()
	for _, c := range []struct {
		name string
		q    func(string) (string, error)
	}{
		{"writer", func(p string) (v string, err error) { err = s.w.QueryRow("PRAGMA " + p).Scan(&v); return }},
		{"reader", func(p string) (v string, err error) { err = s.r.QueryRow("PRAGMA " + p).Scan(&v); return }},
	} {
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2"} {
			got, err := c.q(pragma)
			if err != nil || got != want {
				t.Errorf("%s connection: PRAGMA %s = %q, %v; want %q", c.name, pragma, got, err, want)
			}
		}
	}
	// Searches cannot write, whatever SQL reaches them.
	if _, err := s.r.Exec(`DELETE FROM reads`); err == nil {
		t.Error("a search connection deleted reads")
	}
}

// A file name with characters a URI gives meaning to opens the file of
// that name, not another.
func TestOpenOddPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reads ?mode=memory#1%20.db")
	s := openTest(t, path, Options{})
	if _, err := s.AddReads(context.Background(), testReads(3, "OD12PTH")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %q: %v", path, err)
	}
	s = openTest(t, path, Options{})
	defer s.Close()
	if n := count(t, s); n != 3 {
		t.Errorf("reopened %q holds %d reads, want 3", path, n)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open with no path succeeded")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "no", "such", "dir", "reads.db"), Options{}); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestMaxBatchOption(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{MaxBatch: 10})
	defer s.Close()
	if _, err := s.AddReads(context.Background(), testReads(11, "MA12XBA")); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("11 reads with MaxBatch 10: err = %v, want a refusal", err)
	}
	if added, err := s.AddReads(context.Background(), testReads(10, "MA12XBA")); err != nil || added != 10 {
		t.Errorf("10 reads with MaxBatch 10: %d, %v; want 10, nil", added, err)
	}
}

// Batches of every size around the INSERT statement's row count store
// every read once.
func TestInsertSizes(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{})
	defer s.Close()
	total := 0
	for i, n := range []int{1, insertRows - 1, insertRows, insertRows + 1, 3*insertRows + 5} {
		reads := testReads(n, "IN"+string(rune('A'+i))+"SIZE")
		added, err := s.AddReads(context.Background(), reads)
		if err != nil || added != n {
			t.Errorf("batch of %d: added %d, %v", n, added, err)
		}
		total += n
	}
	if got := count(t, s); got != total {
		t.Errorf("%d reads stored, want %d", got, total)
	}
}
