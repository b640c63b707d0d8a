package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"anpr/engine/store"
)

// Every search runs off an index, never a scan of the table: on a year of
// reads a scan takes seconds, an index range milliseconds. The plan is
// SQLite's own account (EXPLAIN QUERY PLAN) of the query searchSQL writes.
func TestSearchPlans(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "reads.db"), Options{})
	defer s.Close()
	tests := []struct {
		q    store.Query
		uses string // the index the plan must name
	}{
		{store.Query{VRM: "AB12CDE"}, "reads_vrm_captured (vrm=?"},
		{store.Query{VRM: "AB12CDE", From: t0, To: t0.Add(day)}, "reads_vrm_captured (vrm=? AND captured>? AND captured<?)"},
		{store.Query{VRM: "AB12CDE", After: store.Cursor{Captured: t0, ID: "x"}}, "reads_vrm_captured (vrm=? AND captured>?)"},
		{store.Query{VRM: "AB12*"}, "reads_vrm_captured (vrm>? AND vrm<?)"},
		{store.Query{VRM: "AB1?CDE", Cameras: []string{"C1"}}, "reads_vrm_captured (vrm>? AND vrm<?)"},
		{store.Query{VRM: "*12CDE"}, "reads_vrm_reversed_captured (vrm_reversed>? AND vrm_reversed<?)"},
		{store.Query{VRM: "?B12CDE", Cameras: []string{"C1", "C2"}}, "reads_vrm_reversed_captured (vrm_reversed>? AND vrm_reversed<?)"},
		{store.Query{VRM: "*12C*"}, "reads_vrm_captured"},
		{store.Query{VRM: "*12C*", Cameras: []string{"C1", "C2"}}, "reads_camera_captured (camera=?)"},
		{store.Query{VRM: "*AB*E", Cameras: []string{"C1", "C2"}}, "reads_camera_captured (camera=?)"},
		{store.Query{Cameras: []string{"C1"}, From: t0}, "reads_camera_captured (camera=? AND captured>?)"},
		{store.Query{From: t0, To: t0.Add(day)}, "reads_captured (captured>? AND captured<?)"},
	}
	for _, tt := range tests {
		search, err := tt.q.Check()
		if err != nil {
			t.Fatal(err)
		}
		text, args := searchSQL(segment{table: "reads", sealed: true}, search)
		plan := queryPlan(t, s, text, args...)
		all := strings.Join(plan, "; ")
		if !strings.Contains(all, tt.uses) {
			t.Errorf("search %+v\nplan: %s\nwant it to use %s", tt.q, all, tt.uses)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN reads") && !strings.Contains(step, "INDEX") {
				t.Errorf("search %+v scans the table: %s", tt.q, all)
			}
		}
	}
}

// queryPlan is SQLite's account of how it would run a query: one line a step.
func queryPlan(t *testing.T, s *Store, text string, args ...any) []string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+text, args...)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
