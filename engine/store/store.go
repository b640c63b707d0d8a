package store

import (
	"context"
	"time"
)

// Store keeps reads. Implementations are safe for concurrent use.
type Store interface {
	// AddReads stores a batch of reads in one transaction: all of them or,
	// on any error, none. Reads whose ID is already stored (a redelivery)
	// are skipped; added counts the reads that were new. A batch that fails
	// CheckBatch is refused with its error before the store is touched.
	AddReads(ctx context.Context, reads []Read) (added int, err error)

	// SearchReads returns one page of the reads q asks for, in capture
	// order (then ID). A page shorter than the limit is the last.
	SearchReads(ctx context.Context, q Query) ([]Read, error)

	// DeleteReadsBefore deletes every read captured before t and returns
	// how many it deleted. It refuses a t after the store's clock's now.
	DeleteReadsBefore(ctx context.Context, t time.Time) (int64, error)

	Close() error
}
