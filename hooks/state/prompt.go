package state

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// The prompt segment: every eich run that lists an agent leaves the short
// text `eich status` would print in a file named after that agent's
// socket, so that a shell hook can show it without starting a process.
// Each hooked shell keeps a marker file, seen-PID, which it creates just
// before it reads a prompt file; whenever a prompt file changes, eich
// removes every marker. A shell whose marker is still there has read
// since the last change: its test at each prompt is one existence check.
// (Creating before reading and removing after writing leave no gap: a
// shell that read the old text made its marker before the write, so the
// removal after the write finds it.)

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
// file is replaced only when the text changed, and then every shell's
// marker is removed, so that each reads it at its next prompt; it is a
// hint, written without fsync.
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
	d.removeMarkers()
	return nil
}

// removeMarkers deletes the shells' marker files: regular files named
// seen-PID that the user owns. Links and anything else are left alone.
func (d *Dir) removeMarkers() {
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
		if !isMarker(name) {
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

// isMarker reports whether name is a marker's, seen-PID (decimal digits,
// no sign or leading zero).
func isMarker(name string) bool {
	digits, ok := strings.CutPrefix(name, seenPrefix)
	if !ok || digits == "" || len(digits) > 10 || digits[0] == '0' {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
