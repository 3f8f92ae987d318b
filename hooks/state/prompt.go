package state

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The prompt segment: every eich run that lists an agent leaves the short
// text `eich status` would print in a file named after that agent's
// socket, so that a shell hook can show it without starting a process:
// it checks the file's time at each prompt and reads it only when it
// changed. Each hooked shell keeps a marker file, seen-PID, which it
// truncates just before it reads a prompt file: a prompt file that is not
// older than the marker may have changed since.

// promptPrefix starts the name of every prompt file; seenPrefix the name
// of every shell's marker.
const (
	promptPrefix = "prompt-"
	seenPrefix   = "seen-"
)

// PromptName is the file name of the segment for the agent at socket:
// "prompt-" and the socket's path with each '/' written as '%', a name a
// shell builds with its own string substitution. It is empty for a socket
// that cannot name a file.
func PromptName(socket string) string {
	name := promptPrefix + strings.ReplaceAll(socket, "/", "%")
	if socket == "" || len(name) > 255 || strings.ContainsAny(socket, "\x00\n") {
		return ""
	}
	return name
}

// WritePrompt leaves text as the segment for the agent at socket. The
// file is replaced only when the text changed, so that a shell's check of
// its time sees real changes only; it is a hint, written without fsync.
// After the rename the file's time is set to now: a shell that made its
// marker after the new file was written but read the file before the
// rename then still finds the file not older than its marker, and reads
// it again. A rewrite also removes the markers of shells that are gone.
func (d *Dir) WritePrompt(socket, text string) error {
	name := PromptName(socket)
	if name == "" {
		return nil
	}
	data := []byte(text + "\n")
	if old, err := d.readPrivateMax(name, 4096); err == nil && string(old) == string(data) {
		return nil
	}
	if err := replaceIn(d.fd, d.Path, name, data, false); err != nil {
		return err
	}
	now := unix.NsecToTimespec(time.Now().UnixNano())
	_ = unix.UtimesNanoAt(d.fd, name, []unix.Timespec{now, now}, unix.AT_SYMLINK_NOFOLLOW) // on failure the write's time is close enough
	d.removeGoneMarkers()
	return nil
}

// removeGoneMarkers deletes the marker files of shells that are gone:
// regular files named seen-PID that the user owns and whose PID has no
// process. Links and anything else are left alone.
func (d *Dir) removeGoneMarkers() {
	dir, err := openIn(d.fd, d.Path, ".", unix.O_RDONLY|unix.O_DIRECTORY, true)
	if err != nil {
		return
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return
	}
	for _, name := range names {
		pid, ok := markerPID(name)
		if !ok || !pidGone(pid) {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil ||
			st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
			continue
		}
		_ = unix.Unlinkat(int(dir.Fd()), name, 0)
	}
}

// markerPID returns the pid in a marker's name, seen-PID (decimal digits,
// no sign or leading zero).
func markerPID(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, seenPrefix)
	if !ok || digits == "" || len(digits) > 10 || digits[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// pidGone reports whether no process has pid.
func pidGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
