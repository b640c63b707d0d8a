package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// One entry appended and made durable: the log fsyncs the entry, then writes,
// fsyncs and renames the head and fsyncs the directory, so the disk's sync
// latency sets the figure.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "audit.jsonl"), testKey, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := sample(0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}

// Verifying a log of 10,000 entries.
func BenchmarkVerify10k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	writeChain(b, path, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if rep, err := Verify(path, testKey); err != nil || !rep.OK {
			b.Fatal(rep, err)
		}
	}
}

// writeChain writes a valid log of n sample entries and its head in one go,
// without Append's syncs, which would make setting up a large log slow.
func writeChain(b *testing.B, path string, n int) {
	var buf []byte
	prev, clock := Genesis, stepClock(t0)
	for i := range n {
		e := sample(i)
		e.Seq, e.Time, e.Prev = uint64(i+1), clock(), prev
		e.Hash = entryHash(testKey, &e)
		line, err := json.Marshal(&e)
		if err != nil {
			b.Fatal(err)
		}
		buf = append(append(buf, line...), '\n')
		prev = e.Hash
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := writeHead(headPath(path), newHead(testKey, uint64(n), prev), nil); err != nil {
		b.Fatal(err)
	}
}
