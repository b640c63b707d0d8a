//go:build !linux

package hotlist

// adviseHugePages does nothing where there is no madvise(MADV_HUGEPAGE).
func adviseHugePages[T any](s []T) {}
