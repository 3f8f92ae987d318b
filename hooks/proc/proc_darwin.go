package proc

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

func parent(pid int) (int, error) {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		// The kernel answers an unknown pid with an empty record, which
		// SysctlKinfoProc reports as EIO.
		if errors.Is(err, unix.EIO) || errors.Is(err, unix.ESRCH) {
			return 0, fmt.Errorf("process %d: %w", pid, ErrNoProcess)
		}
		return 0, fmt.Errorf("process %d: sysctl kern.proc.pid: %w", pid, err)
	}
	if int(kp.Proc.P_pid) != pid {
		return 0, fmt.Errorf("process %d: sysctl kern.proc.pid answered for process %d", pid, kp.Proc.P_pid)
	}
	return int(kp.Eproc.Ppid), nil
}

func args(pid int) ([]string, error) {
	buf, err := unix.SysctlRaw("kern.procargs2", pid)
	if err != nil {
		// EINVAL stands both for a process that is gone and for one the
		// caller may not inspect; the process table tells them apart.
		if _, perr := parent(pid); errors.Is(perr, ErrNoProcess) {
			return nil, perr
		}
		return nil, fmt.Errorf("process %d: sysctl kern.procargs2: %w", pid, err)
	}
	_, list, err := parseProcArgs2(buf)
	if err != nil {
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("process %d: empty argument list", pid)
	}
	return list, nil
}
