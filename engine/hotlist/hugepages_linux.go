package hotlist

import (
	"syscall"
	"unsafe"
)

// adviseHugePages asks the kernel to back the memory of s with huge pages
// (2 MiB) where it covers whole ones, best effort; s should not have been
// written yet, as pages already touched stay small. An index of millions
// of entries then costs the processor a few hundred translations of its
// addresses rather than a hundred thousand, which would miss its
// translation cache on nearly every lookup; and filling it costs a page
// fault per huge page rather than per 4 KiB. Where transparent huge pages
// are off, the kernel ignores the advice; where they are on for all
// memory, it changes nothing. The address range keeps the advice when the
// runtime later reuses it for other objects, which do no worse for it.
func adviseHugePages[T any](s []T) {
	const huge = 2 << 20
	if cap(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	size := uintptr(cap(s)) * unsafe.Sizeof(s[0])
	skip := -uintptr(p) & (huge - 1) // to the first huge page boundary
	if size < skip+huge {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, skip)), (size-skip)&^(huge-1))
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
