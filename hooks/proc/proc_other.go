//go:build !linux && !darwin

package proc

import (
	"errors"
	"fmt"
	"runtime"
)

func parent(pid int) (int, error) {
	return 0, fmt.Errorf("process %d: reading another process's parent is not implemented on %s: %w", pid, runtime.GOOS, errors.ErrUnsupported)
}

func args(pid int) ([]string, error) {
	return nil, fmt.Errorf("process %d: reading another process's arguments is not implemented on %s: %w", pid, runtime.GOOS, errors.ErrUnsupported)
}
