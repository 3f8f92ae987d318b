package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// maxStatBytes bounds the read of /proc/PID/stat, a line of a few hundred
// bytes whose comm field is at most 64.
const maxStatBytes = 4 << 10

func parent(pid int) (int, error) {
	data, err := readProc(pid, "stat", maxStatBytes)
	if err != nil {
		return 0, err
	}
	ppid, err := parseStatPPid(data)
	if err != nil {
		return 0, fmt.Errorf("process %d: /proc/%d/stat: %w", pid, pid, err)
	}
	return ppid, nil
}

// parseStatPPid reads the parent's ID out of a /proc/PID/stat line:
// "pid (comm) state ppid …". The comm field may hold spaces and
// parentheses of its own, so the fields are counted from its last ')'.
func parseStatPPid(data []byte) (int, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return 0, errors.New("no ')' closing the command name")
	}
	fields := bytes.Fields(data[end+1:])
	if len(fields) < 2 {
		return 0, errors.New("no parent field")
	}
	ppid, err := strconv.Atoi(string(fields[1]))
	if err != nil || ppid < 0 {
		return 0, fmt.Errorf("parent field %q is not a process ID", fields[1])
	}
	return ppid, nil
}

func args(pid int) ([]string, error) {
	data, err := readProc(pid, "cmdline", maxArgsBytes)
	if err != nil {
		return nil, err
	}
	list := splitCmdline(data)
	if len(list) == 0 {
		return nil, fmt.Errorf("process %d: empty argument list (a kernel thread or an exiting process)", pid)
	}
	return list, nil
}

// splitCmdline splits the contents of /proc/PID/cmdline: arguments each
// ended by a NUL. A process that rewrote its argument area may leave the
// last one unterminated; it is kept as it is.
func splitCmdline(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	data = bytes.TrimSuffix(data, []byte{0})
	parts := bytes.Split(data, []byte{0})
	list := make([]string, len(parts))
	for i, p := range parts {
		list[i] = string(p)
	}
	return list
}

// readProc reads /proc/PID/NAME, at most limit bytes; a longer file is an
// error. The open does not block and follows no link.
func readProc(pid int, name string, limit int) ([]byte, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/" + name
	fd, err := openRetry(path)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
			return nil, fmt.Errorf("process %d: %w", pid, ErrNoProcess)
		}
		return nil, fmt.Errorf("process %d: %w", pid, &os.PathError{Op: "open", Path: path, Err: err})
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, min(limit+1, 4<<10))
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return nil, fmt.Errorf("process %d: %s is longer than %d bytes", pid, path, limit)
			}
			grown := make([]byte, len(buf), min(2*cap(buf), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if errors.Is(err, unix.ESRCH) {
				return nil, fmt.Errorf("process %d: %w", pid, ErrNoProcess)
			}
			return nil, fmt.Errorf("process %d: %w", pid, &os.PathError{Op: "read", Path: path, Err: err})
		}
		if n == 0 {
			break
		}
		buf = buf[:len(buf)+n]
	}
	if len(buf) > limit {
		return nil, fmt.Errorf("process %d: %s is longer than %d bytes", pid, path, limit)
	}
	return buf, nil
}

func openRetry(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
