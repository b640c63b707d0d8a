package hotlist

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"anpr/engine/vrm"
)

// One row per listed mark, of a low priority unless the test says otherwise.
func listOf(t *testing.T, opts Options, rows ...string) *Hotlists {
	t.Helper()
	h := newHotlists(t, opts)
	mustLoad(t, h, "national", CSV, csvOf(rows...))
	return h
}

func TestMatchExact(t *testing.T) {
	h := listOf(t, Options{}, "AB12CDE,PNC,stolen,2,Stop and check,,,01/1/26", "AB12CDE,DVLA,no-tax,8,,,,", "K1NGS,local,intelligence,5,,,,")
	tests := []struct {
		read    string
		markers []string
	}{
		{"AB12CDE", []string{"stolen", "no-tax"}},
		{"ab12 cde", []string{"stolen", "no-tax"}},
		{"AB12-CDE", []string{"stolen", "no-tax"}},
		{"K1NGS", []string{"intelligence"}},
		{"AB12CD", nil},
		{"AB12CDEF", nil},
		{"ZZ99ZZZ", nil},
		{"", nil},
		{"AB12CD€", nil},
		{"AB12CDEFGHJ", nil},
	}
	for _, tt := range tests {
		hits := h.Match(tt.read, readAt)
		var markers []string
		for _, hit := range hits {
			markers = append(markers, hit.Marker)
			if hit.Kind != Exact || len(hit.Evidence) != 0 || hit.Read != vrm.Normalise(tt.read) || hit.VRM != hit.Read {
				t.Errorf("%q: hit %+v, want an exact hit without evidence", tt.read, hit)
			}
		}
		if !reflect.DeepEqual(markers, tt.markers) {
			t.Errorf("%q: hit markers %v, want %v", tt.read, markers, tt.markers)
		}
	}
}

// A read that differs from a listed mark only where the confusion model says
// readers mistake one character for another hits, saying so and where.
func TestMatchConfusion(t *testing.T) {
	model := vrm.DefaultConfusions()
	tests := []struct {
		name, listed, read string
		position           int
	}{
		{"8 read for B", "AB12CDE", "A812CDE", 2},
		{"B read for 8", "A812CDE", "AB12CDE", 2},
		{"0 read for O", "OU13RXF", "0U13RXF", 1},
		{"O read for 0", "LO10ABC", "LO1OABC", 4},
		{"I read for 1", "K1NGS", "KINGS", 2},
		{"1 read for I", "KINGS", "K1NGS", 2},
		{"S read for 5", "SM15XYZ", "SM1SXYZ", 4},
		{"5 read for S", "AB12CDS", "AB12CD5", 7},
		{"Z read for 2", "WX21ABC", "WXZ1ABC", 3},
		{"2 read for Z", "AZ21KLM", "A221KLM", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := listOf(t, Options{}, tt.listed+",PNC,stolen,2,,,,")
			hits := h.Match(tt.read, readAt)
			if len(hits) != 1 {
				t.Fatalf("%d hits, want 1: %+v", len(hits), hits)
			}
			hit := hits[0]
			read, listed := tt.read[tt.position-1:tt.position], tt.listed[tt.position-1:tt.position]
			want := []Difference{{Position: tt.position, Read: read, Listed: listed, Weight: model.Weight(rune(listed[0]), rune(read[0]))}}
			if hit.Kind != Confusion || hit.VRM != tt.listed || hit.Read != tt.read || !reflect.DeepEqual(hit.Evidence, want) {
				t.Errorf("hit %s %s read %s evidence %+v; want a confusion match with %s, evidence %+v", hit.Kind, hit.VRM, hit.Read, hit.Evidence, tt.listed, want)
			}
			if want[0].Weight <= 0 {
				t.Errorf("the model gives %s/%s no weight", read, listed)
			}
			explain := hit.Explain()
			for _, part := range []string{"confusion match with " + tt.listed, "read " + read + " where the list has " + listed} {
				if !strings.Contains(explain, part) {
					t.Errorf("Explain %q does not say %q", explain, part)
				}
			}
		})
	}
}

// Every pair of characters the model holds is a confusion match at every
// position of a mark, and every other pair is none.
func TestMatchConfusionEveryPairEveryPosition(t *testing.T) {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const base = "K3WX9YJ" // characters the model confuses with none
	model := vrm.DefaultConfusions()
	h := newHotlists(t, Options{})
	for p := range len(base) {
		for _, listed := range []byte(chars) {
			mark := base[:p] + string(listed) + base[p+1:]
			mustLoad(t, h, "national", CSV, csvOf(mark+",PNC,stolen,2,,,,"))
			for _, read := range []byte(chars) {
				if read == listed {
					continue
				}
				hits := h.Match(base[:p]+string(read)+base[p+1:], readAt)
				if !model.Confusable(rune(listed), rune(read)) {
					if len(hits) != 0 {
						t.Errorf("%c read for %c at position %d hits, yet the model does not pair them", read, listed, p+1)
					}
					continue
				}
				if len(hits) != 1 || hits[0].Kind != Confusion || len(hits[0].Evidence) != 1 || hits[0].Evidence[0].Position != p+1 {
					t.Errorf("%c read for %c at position %d: hits %+v, want a confusion hit there", read, listed, p+1, hits)
				}
			}
		}
	}
}

// Confusion matching follows the model and its limits: characters the model
// does not pair, more places than allowed or a different length do not hit.
func TestMatchConfusionLimits(t *testing.T) {
	onlyEightB, err := vrm.LoadConfusions(strings.NewReader("8 B\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opts   Options
		listed string
		read   string
		want   int // places the hit differs at; -1 for no hit
	}{
		{"not a confusion", Options{}, "AB12CDE", "AX12CDE", -1},
		{"two places, one allowed", Options{}, "AB12CDE", "A812C0E", -1},
		{"two places, two allowed", Options{MaxConfusions: 2}, "AB12CDE", "A812C0E", 2},
		{"three places, two allowed", Options{MaxConfusions: 2}, "AB12CDE", "A8I2C0E", -1},
		// 1/I, I/T and T/7 put 1 and 7 in one class, but readers do not
		// read 7 for 1: the model's own pairs decide.
		{"joined only through a third character", Options{}, "AB17CDE", "AB11CDE", -1},
		{"confusion and a character missing", Options{}, "AB12CDE", "A812CD", -1},
		{"pair the model holds", Options{Confusions: onlyEightB}, "AB12CDE", "A812CDE", 1},
		{"pair the model lacks", Options{Confusions: onlyEightB}, "OU13RXF", "0U13RXF", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := listOf(t, tt.opts, tt.listed+",PNC,stolen,2,,,,")
			hits := h.Match(tt.read, readAt)
			switch {
			case tt.want < 0 && len(hits) != 0:
				t.Errorf("hits %+v, want none", hits)
			case tt.want >= 0 && (len(hits) != 1 || hits[0].Kind != Confusion || len(hits[0].Evidence) != tt.want):
				t.Errorf("hits %+v, want one confusion hit differing at %d places", hits, tt.want)
			}
		})
	}
}

// One-edit matches are made for entries of Options.OneEditPriority or more
// urgent only, and never for the others.
func TestMatchOneEditOnlyHighPriority(t *testing.T) {
	rows := []string{
		"FA12RMS,PNC,firearms,1,,,,",
		"MP34ERS,PNC,missing-person,2,,,,",
		"ST56LEN,PNC,stolen,3,,,,",
	}
	tests := []struct {
		name            string
		oneEditPriority int
		read            string
		want            string // listed mark hit; "" for none
		diff            Difference
	}{
		{"substituted, priority 1", 1, "FA12RMX", "FA12RMS", Difference{Position: 7, Read: "X", Listed: "S"}},
		{"missing, priority 1", 1, "FA2RMS", "FA12RMS", Difference{Position: 3, Listed: "1"}},
		{"extra, priority 1", 1, "FA12RMSX", "FA12RMS", Difference{Position: 8, Read: "X"}},
		{"extra at the start, priority 1", 1, "XFA12RMS", "FA12RMS", Difference{Position: 1, Read: "X"}},
		{"missing the last, priority 1", 1, "FA12RM", "FA12RMS", Difference{Position: 7, Listed: "S"}},
		{"substituted, priority 2, only 1 on", 1, "MP34ERX", "", Difference{}},
		{"substituted, priority 3, only 1 on", 1, "ST56LEX", "", Difference{}},
		{"substituted, priority 2, 2 on", 2, "MP34ERX", "MP34ERS", Difference{Position: 7, Read: "X", Listed: "S"}},
		{"substituted, priority 3, 2 on", 2, "ST56LEX", "", Difference{}},
		{"missing, priority 3, 3 on", 3, "ST56EN", "ST56LEN", Difference{Position: 5, Listed: "L"}},
		{"substituted, priority 1, off", 0, "FA12RMX", "", Difference{}},
		{"two edits, priority 1", 1, "FA12RXX", "", Difference{}},
		{"swapped neighbours, priority 1", 1, "FA21RMS", "", Difference{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := listOf(t, Options{OneEditPriority: tt.oneEditPriority}, rows...)
			hits := h.Match(tt.read, readAt)
			if tt.want == "" {
				if len(hits) != 0 {
					t.Errorf("hits %+v, want none", hits)
				}
				return
			}
			if len(hits) != 1 {
				t.Fatalf("%d hits, want 1: %+v", len(hits), hits)
			}
			hit := hits[0]
			if hit.Kind != OneEdit || hit.VRM != tt.want || !reflect.DeepEqual(hit.Evidence, []Difference{tt.diff}) {
				t.Errorf("hit %s on %s, evidence %+v; want one-edit on %s, evidence %+v", hit.Kind, hit.VRM, hit.Evidence, tt.want, tt.diff)
			}
			if !strings.Contains(hit.Explain(), "one-edit match with "+tt.want) {
				t.Errorf("Explain: %s", hit.Explain())
			}
		})
	}
	if infos := listOf(t, Options{OneEditPriority: 2}, rows...).Lists(); infos[0].OneEditEntries != 2 {
		t.Errorf("Lists says %d entries are matched one edit away, want 2", infos[0].OneEditEntries)
	}
}

// Each hit is reported once, by its strongest evidence, and hits come
// strongest first: exact, then confusion, then one edit.
func TestMatchOrdersHitsByEvidence(t *testing.T) {
	h := listOf(t, Options{OneEditPriority: 1, MaxConfusions: 2},
		"AB12CDE,PNC,firearms,1,,,,", // exact
		"A812CDE,PNC,firearms,1,,,,", // confusion at one place, and one edit
		"A812C0E,PNC,stolen,2,,,,",   // confusion at two places
		"AB12CDX,PNC,firearms,1,,,,", // one edit
		"AB12CDY,PNC,stolen,2,,,,",   // one edit, but not urgent enough
	)
	var got []string
	for _, hit := range h.Match("AB12CDE", readAt) {
		got = append(got, hit.VRM+" "+hit.Kind.String())
	}
	want := []string{"AB12CDE exact", "A812CDE confusion", "A812C0E confusion", "AB12CDX one-edit"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hits %v, want %v", got, want)
	}
}

// An alert's JSON names the kind of match in words.
func TestHitJSON(t *testing.T) {
	h := listOf(t, Options{}, "AB12CDE,PNC,stolen,2,Stop,2025-06-01,,01/1/26")
	data, err := json.Marshal(h.Match("A812CDE", readAt)[0])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got["kind"] != "confusion" || got["vrm"] != "AB12CDE" || got["read"] != "A812CDE" || got["hotlist"] != "national" || got["owner_ref"] != "01/1/26" {
		t.Errorf("JSON %s", data)
	}
	if _, ok := got["expires"]; ok {
		t.Errorf("JSON has an expiry for an entry that never expires: %s", data)
	}
}

// Matching a read that hits nothing, the common case, allocates nothing.
func TestMatchMissAllocatesNothing(t *testing.T) {
	h := listOf(t, Options{OneEditPriority: 1}, "AB12CDE,PNC,firearms,1,,,,", "CD34EFG,PNC,stolen,3,,,,")
	var hits []Hit
	allocs := testing.AllocsPerRun(100, func() {
		hits = h.AppendMatches(hits[:0], "ZZ99ZZZ", readAt)
	})
	if allocs != 0 || len(hits) != 0 {
		t.Errorf("%v allocations, %d hits; want none", allocs, len(hits))
	}
}

// Against a list of thousands, matching finds exactly the entries that
// checking the read against every entry in turn finds: none is lost to the
// index's blocks and signatures, none found twice.
func TestMatchAgreesWithCheckingEveryEntry(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var entries []Entry
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for i := range 10_000 {
		e := SyntheticEntry(rng, readAt)
		if i%50 == 0 {
			e.Priority = 1 // enough entries for one-edit matching to be tried often
		}
		if i%7 == 0 { // owner references too long to keep in the record
			e.OwnerRef = fmt.Sprintf("%s-%0*d", e.OwnerRef, i%240, i)
		}
		entries = append(entries, e)
		w.Write(e)
	}
	for _, marker := range DefaultMarkers() { // one mark on many rows: more than a block's lanes
		e := Entry{VRM: "AB12CDE", List: "PNC", Marker: marker, Priority: 1 + len(entries)%9, OwnerRef: marker}
		entries = append(entries, e, e)
		w.Write(e)
		w.Write(e)
	}
	w.Flush()
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	model := vrm.DefaultConfusions()
	reads := []string{"AB12CDE", "A812CDE", "AB12CD", "XAB12CDE"}
	for range 1000 {
		mark := entries[rng.IntN(len(entries))].VRM
		i := rng.IntN(len(mark))
		c := string(chars[rng.IntN(len(chars))])
		alt := mark
		if a := confusedWith(model, mark[i]); a != 0 {
			alt = mark[:i] + string(a) + mark[i+1:]
		}
		reads = append(reads, mark, alt, mark[:i]+c+mark[i+1:], mark[:i]+mark[i+1:], mark[:i]+c+mark[i:],
			vrm.GenerateMix(rng, readAt).Text)
	}

	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"two confusions", Options{OneEditPriority: 2, MaxConfusions: 2}},
		{"one confusion", Options{OneEditPriority: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHotlists(t, tt.opts)
			mustLoad(t, h, "national", CSV, buf.String())
			opts := h.opts
			cls := h.cls

			want := func(read string) []string {
				rk, ok := packKey(vrm.Normalise(read))
				if !ok {
					return nil
				}
				var out []string
				for _, e := range entries {
					ek, _ := packKey(e.VRM)
					var kind MatchKind
					ndiff := 0
					switch {
					case ek == rk:
						kind = Exact
					case ek.len() == rk.len():
						confused := true
						for i := range rk.len() {
							r, l := codeOf[rk.at(i)], codeOf[ek.at(i)]
							if r != l {
								ndiff++
								confused = confused && cls.direct[r]&(1<<l) != 0
							}
						}
						if confused && ndiff <= opts.MaxConfusions {
							kind = Confusion
							break
						}
						fallthrough
					default:
						if _, ok := oneEdit(rk, ek); ok && e.Priority <= opts.OneEditPriority {
							kind, ndiff = OneEdit, 1
						}
					}
					if kind != 0 && (e.Expires.IsZero() || readAt.Before(e.Expires)) {
						out = append(out, fmt.Sprintf("%s %v %d %s %s %s", e.VRM, kind, ndiff, e.List, e.Marker, e.OwnerRef))
					}
				}
				slices.Sort(out)
				return out
			}
			got := func(read string) []string {
				var out []string
				for _, hit := range h.Match(read, readAt) {
					out = append(out, fmt.Sprintf("%s %v %d %s %s %s", hit.VRM, hit.Kind, len(hit.Evidence), hit.List, hit.Marker, hit.OwnerRef))
				}
				slices.Sort(out)
				return out
			}
			hits := 0
			for _, read := range reads {
				g, w := got(read), want(read)
				if !slices.Equal(g, w) {
					t.Fatalf("read %s:\n got %q\nwant %q", read, g, w)
				}
				hits += len(g)
			}
			t.Logf("%d reads, %d hits", len(reads), hits)
		})
	}
}
