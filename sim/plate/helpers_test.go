package plate

import (
	"sync"
	"testing"
)

var (
	sharedRenderer    *Renderer
	sharedRendererErr error
	sharedOnce        sync.Once
)

// testRenderer builds one Renderer for all tests (building it parses fonts).
func testRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	sharedOnce.Do(func() { sharedRenderer, sharedRendererErr = NewRenderer() })
	if sharedRendererErr != nil {
		tb.Fatal(sharedRendererErr)
	}
	return sharedRenderer
}
