package state

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/keyclass"
)

// The in-flight registry has one file per running EIC command, named by
// its shell's session id (the shell's pid), written by `hook pre` and
// taken by `hook post`. The finished list keeps when recent EIC commands
// ended, so that post can tell whether another EIC command on the same
// agent ran while its own did (see Finish).
const (
	inflightDir  = "inflight"
	finishedName = "finished"
	// InFlightWindow is how long a started EIC command counts as about to
	// add a key: its pushed key is valid for 60 s.
	InFlightWindow = 90 * time.Second
	// inflightMaxAge drops registrations of commands that never finished.
	inflightMaxAge = 24 * time.Hour
	// maxFinished bounds the finished list.
	maxFinished = 256
	// maxInFlightFile bounds one registration: the agent's fingerprints
	// and two socket paths.
	maxInFlightFile = 1 << 20
)

// ValidSession reports whether s may name an in-flight registration:
// 1 to 64 of [A-Za-z0-9_.-], and not "." or "..". (A loop, not a regexp
// compiled at start-up.)
func ValidSession(s string) bool {
	if len(s) < 1 || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// InFlight is a running EIC command, registered by `hook pre`.
type InFlight struct {
	Session string
	Started time.Time
	// ShellAgent is SSH_AUTH_SOCK in the shell; LoginAgent is the agent
	// the login uses (another one when the line sets SSH_AUTH_SOCK).
	ShellAgent, LoginAgent string
	// Listed says pre listed LoginAgent and saw keys, so Before is the
	// agent as it was. An empty list may be a locked agent, so it does
	// not count.
	Listed bool
	// GeneratesKey says the command makes a throw-away key (not
	// `--private-key-file`).
	GeneratesKey bool
	// AgentID names the socket file LoginAgent was when pre listed it
	// (its device and inode): an agent restarted at the same path has a
	// new one.
	AgentID string
	Before  []string // fingerprints in LoginAgent when it started
}

// inflight opens (creating when asked) the registry directory, checked as
// the state dir is.
func (d *Dir) inflight(create bool) (*os.File, error) {
	if create {
		if err := unix.Mkdirat(d.fd, inflightDir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("in-flight registry: %w", err)
		}
	}
	return openIn(d.fd, d.Path, inflightDir, unix.O_RDONLY|unix.O_DIRECTORY, true)
}

// StartInFlight registers a command. Hold the lock.
func (d *Dir) StartInFlight(r InFlight) error {
	if !ValidSession(r.Session) {
		return fmt.Errorf("bad session id %.70q", r.Session)
	}
	dir, err := d.inflight(true)
	if err != nil {
		return err
	}
	defer dir.Close()
	var b bytes.Buffer
	fmt.Fprintf(&b, "started %d listed=%t generates=%t agent-id=%s\n", r.Started.UnixNano(), r.Listed, r.GeneratesKey, agentIDField(r.AgentID))
	fmt.Fprintf(&b, "shell-agent %s\nlogin-agent %s\n", strconv.QuoteToASCII(r.ShellAgent), strconv.QuoteToASCII(r.LoginAgent))
	for _, fp := range r.Before {
		b.WriteString(fp + "\n")
	}
	// A hint for a minute or two: no fsync, so an EIC command does not
	// wait on the disk.
	return replaceIn(int(dir.Fd()), dir.Name(), r.Session, b.Bytes(), false)
}

// FinishInFlight removes session's registration and returns it; ok is
// false when there was none (post without pre, a stale one dropped, or
// one it could not read).
func (d *Dir) FinishInFlight(session string) (r InFlight, ok bool, err error) {
	if !ValidSession(session) {
		return r, false, fmt.Errorf("bad session id %.70q", session)
	}
	dir, err := d.inflight(false)
	if errors.Is(err, os.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	defer dir.Close()
	r, err = readInFlight(dir, session)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return r, false, nil
	case errors.Is(err, ErrUntrusted):
		return r, false, err
	}
	_ = unix.Unlinkat(int(dir.Fd()), session, 0) // read or unreadable: done with
	// One eich cannot read (an older eich's format, a torn write) proves
	// nothing: as if there were none.
	return r, err == nil, nil
}

func readInFlight(dir *os.File, session string) (InFlight, error) {
	f, err := openIn(int(dir.Fd()), dir.Name(), session, unix.O_RDONLY, false)
	if err != nil {
		return InFlight{}, err
	}
	defer f.Close()
	data, err := readCapped(f, maxInFlightFile)
	if err != nil {
		return InFlight{}, err
	}
	return parseInFlight(session, data)
}

func parseInFlight(session string, data []byte) (InFlight, error) {
	r := InFlight{Session: session}
	bad := func(what string) (InFlight, error) {
		return r, fmt.Errorf("in-flight %s: bad %s", session, what)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		switch n {
		case 0:
			var nanos int64
			var id string
			if _, err := fmt.Sscanf(line, "started %d listed=%t generates=%t agent-id=%s", &nanos, &r.Listed, &r.GeneratesKey, &id); err != nil {
				return bad("first line")
			}
			r.Started = time.Unix(0, nanos)
			if id != "-" {
				r.AgentID = id
			}
		case 1, 2:
			name, quoted, _ := strings.Cut(line, " ")
			sock, err := strconv.Unquote(quoted)
			if err != nil || name != [...]string{"shell-agent", "login-agent"}[n-1] {
				return bad(name)
			}
			if n == 1 {
				r.ShellAgent = sock
			} else {
				r.LoginAgent = sock
			}
		default:
			if !keyclass.ValidFingerprint(line) {
				return bad("fingerprint")
			}
			r.Before = append(r.Before, line)
		}
	}
	if r.Started.IsZero() {
		return bad("first line")
	}
	return r, sc.Err()
}

// CountInFlight returns how many EIC commands other than session's, using
// the agent at socket, started within InFlightWindow and are still
// running. It drops registrations older than a day or whose shell (the
// session id is its pid) is gone; it deletes only regular files of its
// own name format that the user owns. A registration it cannot read
// counts, as the cautious guess.
func (d *Dir) CountInFlight(session, socket string, now time.Time) int {
	dir, err := d.inflight(false)
	if err != nil {
		return 0
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return 0
	}
	n := 0
	for _, name := range names {
		if name == session || !ValidSession(name) {
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil ||
			checkStat(&st, name, false) != nil {
			continue // not ours: neither counted nor deleted
		}
		r, err := readInFlight(dir, name)
		started := r.Started
		if err != nil { // unreadable: its age from the file's time
			fi, serr := os.Lstat(dir.Name() + "/" + name)
			if serr != nil {
				continue
			}
			started = fi.ModTime()
		}
		age := now.Sub(started)
		if age > inflightMaxAge || shellGone(name) {
			_ = unix.Unlinkat(int(dir.Fd()), name, 0)
			continue
		}
		if age <= InFlightWindow && (err != nil || r.LoginAgent == socket) {
			n++
		}
	}
	return n
}

// shellGone reports whether a session named by a pid has no process.
func shellGone(session string) bool {
	pid, err := strconv.Atoi(session)
	return err == nil && pid > 0 && pidGone(pid)
}

// Finish records that the command r registered has ended, and reports
// whether another EIC command on the same agent overlapped it: one that
// ended after r started, or one still registered that started less than
// InFlightWindow before r or later (a registration it cannot read counts,
// as the cautious guess). Call it after FinishInFlight took r's own
// registration, and hold the lock.
func (d *Dir) Finish(r InFlight, now time.Time) (overlapped bool, err error) {
	data, err := d.readPrivateMax(finishedName, maxFinished*4096)
	if err != nil {
		return true, err
	}
	var keep []string
	for _, line := range strings.Split(string(data), "\n") {
		nanosText, rest, _ := strings.Cut(line, " ")
		_, quoted, _ := strings.Cut(rest, " ")
		nanos, err1 := strconv.ParseInt(nanosText, 10, 64)
		sock, err2 := strconv.Unquote(quoted)
		if err1 != nil || err2 != nil {
			continue
		}
		ended := time.Unix(0, nanos)
		if now.Sub(ended) > inflightMaxAge {
			continue
		}
		keep = append(keep, line)
		if sock == r.LoginAgent && !ended.Before(r.Started) {
			overlapped = true
		}
	}
	if d.runningSince(r.LoginAgent, r.Started.Add(-InFlightWindow)) {
		overlapped = true
	}
	// The second field said whether the command generates a key; eich
	// versions that counted finished commands read it.
	generates := "0"
	if r.GeneratesKey {
		generates = "1"
	}
	keep = append(keep, fmt.Sprintf("%d %s %s", now.UnixNano(), generates, strconv.QuoteToASCII(r.LoginAgent)))
	if len(keep) > maxFinished {
		keep = keep[len(keep)-maxFinished:]
	}
	return overlapped, replaceIn(d.fd, d.Path, finishedName, []byte(strings.Join(keep, "\n")+"\n"), false)
}

// runningSince reports whether a registration for the agent at socket
// that started at or after since is in the registry (or one that cannot
// be read).
func (d *Dir) runningSince(socket string, since time.Time) bool {
	dir, err := d.inflight(false)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return true
	}
	for _, name := range names {
		if !ValidSession(name) || strings.HasPrefix(name, ".") { // "." starts a file being replaced
			continue
		}
		r, err := readInFlight(dir, name)
		if err != nil || r.LoginAgent == socket && !r.Started.Before(since) {
			return true
		}
	}
	return false
}

// agentIDField writes an agent id as one field: "-" for none.
func agentIDField(id string) string {
	if id == "" || strings.ContainsAny(id, " \n") {
		return "-"
	}
	return id
}

// pidGone reports whether no process has pid.
func pidGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
