// Package store keeps the reads the engine makes — what a camera saw, when,
// and references to its plate patch and overview images — behind one small
// interface, [Store], so that the embedded SQLite file (package
// anpr/engine/store/sqlite) and a scaled-out database can take each other's
// place.
//
// The package holds what every implementation shares: the [Read] and
// [Query] types, the checks that refuse bad input before it reaches a
// database ([CheckBatch], [Query.Check]), the VRM search [Pattern], the
// order results come back in, and [Images], the content-addressed files the
// image references name.
//
// Every check says what was wrong and where, and wraps [ErrInvalid], so a
// caller can tell input it should fix from a store that failed. A batch
// with one bad read is refused whole: [BatchError] names the read by its
// index in the batch.
//
// Searches are bounded: a VRM pattern ("AB12*", "?B12CDE") holds at least
// [MinFixed] fixed characters and at most [MaxPatternLen] characters in
// all, and a search returns at most [MaxLimit] reads a page. A pattern with
// a fixed start ([Pattern.Prefix]) or a fixed end ([Pattern.Suffix]) is a
// range of an index; one fixed only in the middle ("*12C*") is checked
// against every stored mark, the one search that grows with the store.
// Results come in capture order (then ID, compared byte by byte); the next
// page starts after the [Cursor] of the last read of this one.
//
// Ingest is idempotent on [Read.ID]: a read delivered twice is stored once,
// as first delivered.
package store
