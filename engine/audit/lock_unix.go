//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package audit

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on the open log, so that two
// processes appending to one file cannot fork its chain. The kernel drops it
// when the file is closed or the process dies.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return fmt.Errorf("audit log %s is open for appending in another process (or by another Log in this one)", f.Name())
	}
	if err != nil {
		return fmt.Errorf("lock audit log %s: %w", f.Name(), err)
	}
	return nil
}
