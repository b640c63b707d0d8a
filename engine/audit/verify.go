package audit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"time"
)

// Kind names a sort of problem Verify finds.
type Kind string

const (
	KindAltered     Kind = "altered"      // an entry's hash does not match its contents under the key
	KindMissing     Kind = "missing"      // entry numbers skipped: lines removed
	KindOutOfOrder  Kind = "out-of-order" // an entry after one with a higher number: lines moved
	KindDuplicate   Kind = "duplicate"    // an entry number seen twice: a line copied
	KindBrokenChain Kind = "broken-chain" // an entry's prev is not its predecessor's hash
	KindTruncated   Kind = "truncated"    // the log ends before the entry its head file records
	KindHead        Kind = "head"         // the head file is missing, altered or disagrees with the log
	KindEdited      Kind = "edited"       // an entry that verifies but whose text is not as written
	KindBadJSON     Kind = "bad-json"     // a line that is not an audit entry
	KindPartialLine Kind = "partial-line" // a last line with no newline: an append cut short
	KindWrongKey    Kind = "wrong-key"    // nothing verifies under the key
)

// Problem is one thing wrong with a log, at the line where it shows.
type Problem struct {
	Line    int    `json:"line"`
	Seq     uint64 `json:"seq,omitempty"` // the entry concerned, when there is one
	Kind    Kind   `json:"kind"`
	Message string `json:"message"` // names the entry and line, for people
}

// Report is what Verify found.
type Report struct {
	Path     string    `json:"path"`
	Entries  int       `json:"entries"` // lines that parse as entries, intact or not
	First    time.Time `json:"first,omitzero"`
	Last     time.Time `json:"last,omitzero"`
	LastSeq  uint64    `json:"last_seq"`        // the highest entry number in the log
	HeadSeq  uint64    `json:"head_seq"`        // what the head file records as the last entry
	HeadOK   bool      `json:"head_ok"`         // the head file was there and verified
	OK       bool      `json:"ok"`              // no problems
	Problems []Problem `json:"problems"`        // in line order; one change to the file can cause more than one
	Notes    []string  `json:"notes,omitempty"` // observations that are not problems
}

// Verify reads the whole log at path and its head file and reports every
// problem it finds, each naming the entry and line: entries altered or
// edited, missing, out of order, repeated or not chained to their
// predecessor, entries cut off the end, lines that are not entries, a last
// line cut short. The error is for failing to read, not for what was read.
//
// Verify reads what is on disk at the time. Run against a log being
// appended to, its last line or head may be caught mid-update.
func Verify(path string, key []byte) (Report, error) {
	if err := checkKey(key); err != nil {
		return Report{}, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if h, herr := readHead(headPath(path), key); herr == nil && h.Seq > 0 {
			r := Report{Path: path, HeadSeq: h.Seq, HeadOK: true}
			r.add(Problem{Line: 0, Seq: 1, Kind: KindTruncated,
				Message: fmt.Sprintf("log file %s is missing but its head file records %d entries", path, h.Seq)})
			return r.done(), nil
		}
	}
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	defer f.Close()
	return verify(f, path, key)
}

// record is what verify keeps of each entry: enough to check numbering and
// chaining once the whole file has been read.
type record struct {
	seq       uint64
	line      int
	hash      string
	prev      string
	intact    bool // its hash verifies
	duplicate bool // a later copy of an entry number already seen
	altered   int  // index of its KindAltered problem, or -1
}

func verify(r io.Reader, path string, key []byte) (Report, error) {
	rep := Report{Path: path}
	var recs []record
	var lines int
	err := eachLine(r, func(l line) error {
		lines = l.n
		if !l.complete {
			rep.add(Problem{Line: l.n, Kind: KindPartialLine,
				Message: fmt.Sprintf("line %d is incomplete (%d bytes, no newline): an append cut short, probably by a crash, or bytes added to the end", l.n, len(l.text))})
			return nil
		}
		e, err := decodeEntry(l)
		if err != nil {
			rep.add(Problem{Line: l.n, Kind: KindBadJSON, Message: fmt.Sprintf("line %d is %v", l.n, err)})
			return nil
		}
		rep.Entries++
		if rep.Entries == 1 {
			rep.First = e.Time
		}
		rep.Last = e.Time
		rep.LastSeq = max(rep.LastSeq, e.Seq)
		intact := sameHash(e.Hash, entryHash(key, &e))
		recs = append(recs, record{seq: e.Seq, line: l.n, hash: e.Hash, prev: e.Prev, intact: intact, altered: -1})
		// The hash covers what the line decodes to, not its bytes; a line
		// with, say, a key given twice decodes one way here and may read
		// another way to a person or another tool. The log writes each entry
		// exactly as encoding/json does, so anything else has been edited.
		if !intact {
			return nil // reported once the whole file is read
		}
		if canon, err := json.Marshal(&e); err != nil || !bytes.Equal(canon, l.text) {
			rep.add(Problem{Line: l.n, Seq: e.Seq, Kind: KindEdited,
				Message: fmt.Sprintf("entry %d (line %d) edited: it verifies, but its text is not as the log wrote it (a key given twice, a key re-spelt, spacing?)", e.Seq, l.n)})
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("audit verify %s: %w", path, err)
	}

	h, herr := readHead(headPath(path), key)
	if herr == nil {
		rep.HeadSeq, rep.HeadOK = h.Seq, true
	}
	if len(recs) > 0 && herr != nil && !slices.ContainsFunc(recs, func(r record) bool { return r.intact }) {
		// Listing every line as altered would bury the likelier answer.
		head := "nor does the head file"
		if errors.Is(herr, fs.ErrNotExist) {
			head = "and the head file is missing"
		}
		rep.add(Problem{Line: recs[0].line, Seq: recs[0].seq, Kind: KindWrongKey,
			Message: fmt.Sprintf("no entry (of %d) verifies with this key, %s: the wrong key, or the whole log rewritten", len(recs), head)})
		return rep.done(), nil
	}
	for i := range recs {
		if !recs[i].intact {
			recs[i].altered = rep.add(Problem{Line: recs[i].line, Seq: recs[i].seq, Kind: KindAltered,
				Message: fmt.Sprintf("entry %d (line %d) altered: its hash does not match its contents under this key", recs[i].seq, recs[i].line)})
		}
	}
	bySeq := checkNumbering(&rep, recs)
	checkChain(&rep, recs, bySeq)
	checkHead(&rep, recs, bySeq, h, herr, path, lines)
	return rep.done(), nil
}

// checkNumbering reports repeated, out-of-order and missing entry numbers,
// and returns the indices of the entries, first copies only, by number.
func checkNumbering(rep *Report, recs []record) []int {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return recs[order[a]].seq < recs[order[b]].seq })
	bySeq := order[:0:0]
	for _, i := range order {
		if n := len(bySeq); n > 0 && recs[bySeq[n-1]].seq == recs[i].seq {
			first := recs[bySeq[n-1]]
			recs[i].duplicate = true
			rep.add(Problem{Line: recs[i].line, Seq: recs[i].seq, Kind: KindDuplicate,
				Message: fmt.Sprintf("entry %d (line %d) repeats the entry at line %d", recs[i].seq, recs[i].line, first.line)})
			continue
		}
		bySeq = append(bySeq, i)
	}

	// The entries in their right places are the longest run of rising
	// numbers through the file; the rest have been moved. A swap of two
	// entries names one or both of them, a move names the moved entry.
	var file []int
	for i := range recs {
		if !recs[i].duplicate {
			file = append(file, i)
		}
	}
	inPlace := longestRising(recs, file)
	pos := make(map[int]int, len(bySeq)) // index in recs -> position in bySeq
	for p, i := range bySeq {
		pos[i] = p
	}
	for _, i := range file {
		if inPlace[i] {
			continue
		}
		p := pos[i]
		var msg string
		if p > 0 {
			before := recs[bySeq[p-1]]
			msg = fmt.Sprintf("entry %d (line %d) out of order: it belongs after entry %d (line %d)", recs[i].seq, recs[i].line, before.seq, before.line)
		} else {
			after := recs[bySeq[p+1]]
			msg = fmt.Sprintf("entry %d (line %d) out of order: it belongs before entry %d (line %d)", recs[i].seq, recs[i].line, after.seq, after.line)
		}
		rep.add(Problem{Line: recs[i].line, Seq: recs[i].seq, Kind: KindOutOfOrder, Message: msg})
	}

	next := uint64(1)
	for p, i := range bySeq {
		s := recs[i].seq
		if s > next {
			what := fmt.Sprintf("entry %d", next)
			if s-next > 1 {
				what = fmt.Sprintf("entries %d to %d", next, s-1)
			}
			where := fmt.Sprintf("before line %d", recs[i].line)
			if p > 0 {
				where = fmt.Sprintf("between lines %d and %d", recs[bySeq[p-1]].line, recs[i].line)
			}
			rep.add(Problem{Line: recs[i].line, Seq: next, Kind: KindMissing, Message: what + " missing " + where})
		}
		next = max(next, s+1)
	}
	return bySeq
}

// longestRising marks the entries, of those at idx (in file order), that
// make up a longest strictly rising run of entry numbers.
func longestRising(recs []record, idx []int) map[int]bool {
	tails := []int{}              // tails[k]: position in idx ending the best run of length k+1
	back := make([]int, len(idx)) // back[j]: position before j in its run, or -1
	for j, i := range idx {
		k := sort.Search(len(tails), func(k int) bool { return recs[idx[tails[k]]].seq >= recs[i].seq })
		back[j] = -1
		if k > 0 {
			back[j] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, j)
		} else {
			tails[k] = j
		}
	}
	in := make(map[int]bool, len(idx))
	if len(tails) > 0 {
		for j := tails[len(tails)-1]; j >= 0; j = back[j] {
			in[idx[j]] = true
		}
	}
	return in
}

// checkChain checks each entry's prev against the hash of the entry numbered
// one below it, wherever in the file that is.
func checkChain(rep *Report, recs []record, bySeq []int) {
	for p, i := range bySeq {
		cur := recs[i]
		if !cur.intact || cur.seq == 0 {
			continue // its prev is part of what was altered
		}
		if cur.seq == 1 {
			if cur.prev != Genesis {
				rep.add(Problem{Line: cur.line, Seq: 1, Kind: KindBrokenChain,
					Message: fmt.Sprintf("entry 1 (line %d) does not start a chain: its prev is not the genesis value", cur.line)})
			}
			continue
		}
		if p == 0 || recs[bySeq[p-1]].seq != cur.seq-1 {
			continue // its predecessor is missing, reported above
		}
		pred := recs[bySeq[p-1]]
		if sameHash(cur.prev, pred.hash) {
			continue
		}
		if pred.altered >= 0 {
			rep.Problems[pred.altered].Message += fmt.Sprintf("; its stored hash was replaced too (entry %d, line %d, holds the hash it had)", cur.seq, cur.line)
			continue
		}
		rep.add(Problem{Line: cur.line, Seq: cur.seq, Kind: KindBrokenChain,
			Message: fmt.Sprintf("entry %d (line %d) does not follow entry %d (line %d): its prev is not that entry's hash, though both verify; spliced from another log under the same key?", cur.seq, cur.line, pred.seq, pred.line)})
	}
}

// checkHead compares the log's end with its head file.
func checkHead(rep *Report, recs []record, bySeq []int, h head, herr error, path string, lines int) {
	hp := headPath(path)
	switch {
	case errors.Is(herr, fs.ErrNotExist):
		if len(recs) > 0 {
			rep.add(Problem{Line: lines, Kind: KindHead,
				Message: fmt.Sprintf("head file %s is missing: there is no telling whether entries were cut off the end", hp)})
		} else {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the log is empty and has no head file %s", hp))
		}
		return
	case herr != nil:
		rep.add(Problem{Line: lines, Kind: KindHead, Message: herr.Error()})
		return
	}
	// The head's own entry, wherever it is, and anything numbered past it.
	var at *record
	var beyond []record
	for _, i := range bySeq {
		switch r := recs[i]; {
		case r.seq == h.Seq:
			at = &recs[i]
		case r.seq > h.Seq && r.intact:
			beyond = append(beyond, r)
		}
	}
	switch {
	case h.Seq == 0:
	case at != nil && sameHash(at.hash, h.Hash):
	case at != nil && at.altered >= 0:
		rep.Problems[at.altered].Message += "; its stored hash was replaced too (the head file holds the hash it had)"
	case at != nil:
		rep.add(Problem{Line: at.line, Seq: at.seq, Kind: KindHead,
			Message: fmt.Sprintf("entry %d (line %d) is not the entry the head file records as number %d, though it verifies: replaced?", at.seq, at.line, h.Seq)})
	case rep.LastSeq < h.Seq:
		lastLine := 0
		if len(bySeq) > 0 {
			lastLine = recs[bySeq[len(bySeq)-1]].line
		}
		what := fmt.Sprintf("entry %d was", h.Seq)
		if h.Seq-rep.LastSeq > 1 {
			what = fmt.Sprintf("entries %d to %d were", rep.LastSeq+1, h.Seq)
		}
		msg := fmt.Sprintf("the log ends at entry %d (line %d) but its head file records %d entries: %s cut off the end", rep.LastSeq, lastLine, h.Seq, what)
		if rep.LastSeq == 0 {
			msg = fmt.Sprintf("the log has no entries but its head file records %d: %s cut off", h.Seq, what)
		}
		rep.add(Problem{Line: lastLine, Seq: rep.LastSeq + 1, Kind: KindTruncated, Message: msg})
	}
	switch {
	case len(beyond) == 0:
	case len(beyond) == 1 && beyond[0].seq == h.Seq+1 && sameHash(beyond[0].prev, h.Hash):
		rep.Notes = append(rep.Notes, fmt.Sprintf("the head file is one entry behind the log (entry %d, line %d): the writer stopped between the entry and the head update; reopening the log brings the head up to date", beyond[0].seq, beyond[0].line))
	default:
		b := beyond[0]
		rep.add(Problem{Line: b.line, Seq: b.seq, Kind: KindHead,
			Message: fmt.Sprintf("entry %d (line %d) and %d more are past the head file's last entry %d: added without the head being updated", b.seq, b.line, len(beyond)-1, h.Seq)})
	}
}

// add appends p and returns its index.
func (r *Report) add(p Problem) int {
	r.Problems = append(r.Problems, p)
	return len(r.Problems) - 1
}

// done puts the problems in line order and sets OK.
func (r *Report) done() Report {
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	r.OK = len(r.Problems) == 0
	return *r
}
