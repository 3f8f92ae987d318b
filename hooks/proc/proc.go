// Package proc reads two facts about another process: its parent's process
// ID and its argument list.
//
// On Linux it reads them from procfs: the parent from the fourth field of
// /proc/PID/stat, the arguments from /proc/PID/cmdline (NUL-separated, read
// with a bound). On Darwin it asks the kernel with sysctl: the parent from
// the kinfo_proc record of kern.proc.pid, the arguments from
// kern.procargs2 (CTL_KERN, KERN_PROCARGS2, pid), whose layout is an int32
// argc in host byte order, the executable path, NUL padding, argc
// NUL-terminated arguments and then the environment. Other systems get an
// error that wraps errors.ErrUnsupported.
//
// A process ID names a process only while it lives: the answers are about
// whatever process holds the ID when they are read. A process that has
// gone, one the caller may not inspect, or one whose record cannot be
// parsed gives an error, never a partial answer.
package proc

import (
	"errors"
	"fmt"
)

// ErrNoProcess is wrapped by the errors for a process ID that names no
// process (any more).
var ErrNoProcess = errors.New("no such process")

// maxArgsBytes bounds the argument list Args reads (256 KiB). Command lines
// longer than that are refused rather than cut short: a cut list could
// hide an option that follows the cut.
const maxArgsBytes = 256 << 10

// Parent returns the process ID of pid's parent. It is 0 for a process
// without one (pid 1 on Linux, the kernel's processes).
func Parent(pid int) (int, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("process %d: not a valid process ID", pid)
	}
	return parent(pid)
}

// Args returns pid's argument list, argv[0] first, as the process was
// started (on Linux, as it reads now if the process rewrote it). An empty
// list is an error: a kernel thread or a process on its way out.
func Args(pid int) ([]string, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("process %d: not a valid process ID", pid)
	}
	return args(pid)
}
