package state

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	protectName  = "protected"
	logName      = "removals.log"
	refusingName = "agents-refusing-removal"
	inflightDir  = "inflight"
	// MaxLogBytes is the size at which the removal log is rotated once.
	MaxLogBytes = 1 << 20
	// InFlightWindow is how long a started EIC command counts as about to
	// add a key: its pushed key is valid for 60 s.
	InFlightWindow = 90 * time.Second
	// inflightMaxAge drops registrations of commands that never finished.
	inflightMaxAge = 24 * time.Hour
)

// Protected reads the protect list: one fingerprint a line, # comments.
func (d *Dir) Protected() ([]string, error) {
	data, err := d.readPrivate(protectName)
	if err != nil {
		return nil, err
	}
	return ParseFingerprintList(data, d.file(protectName))
}

// ParseFingerprintList reads one fingerprint a line; blank lines and
// lines starting with # are skipped; anything else is an error.
func ParseFingerprintList(data []byte, name string) ([]string, error) {
	var fps []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !ValidFingerprint(line) {
			return nil, fmt.Errorf("%s:%d: not a SHA256 fingerprint: %.60q", name, i+1, line)
		}
		fps = append(fps, line)
	}
	return fps, nil
}

// SetProtected replaces the protect list. Hold the lock.
func (d *Dir) SetProtected(fps []string) error {
	sort.Strings(fps)
	var b bytes.Buffer
	b.WriteString("# eich protect list: these keys are never removed\n")
	prev := ""
	for _, fp := range fps {
		if fp != prev {
			b.WriteString(fp + "\n")
		}
		prev = fp
	}
	return d.writeAtomic(protectName, b.Bytes())
}

// Removal is one line of the removal log.
type Removal struct {
	Time        time.Time
	Fingerprint string
	Class       string
	Comment     string
	Reason      string
	Agent       string
}

// LogRemoval appends to the removal log, rotating it once it passes
// MaxLogBytes. Fields are quoted so that a comment cannot forge a line.
func (d *Dir) LogRemoval(r Removal) error {
	p := d.file(logName)
	if fi, err := os.Stat(p); err == nil && fi.Size() > MaxLogBytes {
		_ = os.Rename(p, p+".1")
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("removal log: %w", err)
	}
	line := fmt.Sprintf("%s removed %s class=%s comment=%s reason=%s agent=%s\n",
		r.Time.UTC().Format(time.RFC3339), r.Fingerprint, r.Class,
		strconv.Quote(r.Comment), strconv.Quote(r.Reason), strconv.Quote(r.Agent))
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("removal log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("removal log: %w", err)
	}
	return nil
}

// ReadLog returns the removal log text, oldest first.
func (d *Dir) ReadLog() ([]byte, error) {
	var out []byte
	for _, name := range []string{logName + ".1", logName} {
		data, err := d.readPrivate(name)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	return out, nil
}

// RefusingNoted records that the agent at socket refused (or faked) a
// removal, and reports whether it had been recorded before, so that the
// user is told once.
func (d *Dir) RefusingNoted(socket string) (seenBefore bool, err error) {
	data, err := d.readPrivate(refusingName)
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line == strconv.Quote(socket) {
			return true, nil
		}
	}
	data = append(data, strconv.Quote(socket)+"\n"...)
	return false, d.writeAtomic(refusingName, data)
}

// ValidSession reports whether s may name an in-flight registration:
// 1 to 64 of [A-Za-z0-9_.-], and not "." or "..". (A loop, not a regexp:
// this one and config's, compiled at start-up, cost every eich command 0.7
// of its 3.5 million start-up instructions; `{1,64}` compiles 64 copies.)
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
	Before  []string // fingerprints in the agent when it started
}

// StartInFlight registers session with the agent's fingerprints before
// the command. Hold the lock.
func (d *Dir) StartInFlight(r InFlight) error {
	if !ValidSession(r.Session) {
		return fmt.Errorf("bad session id %.70q", r.Session)
	}
	if err := os.MkdirAll(d.file(inflightDir), 0o700); err != nil {
		return fmt.Errorf("in-flight registry: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "started %d\n", r.Started.Unix())
	for _, fp := range r.Before {
		b.WriteString(fp + "\n")
	}
	// A hint for 90 s: no fsync, so an EIC command does not wait on the disk.
	return d.replace(filepath.Join(inflightDir, r.Session), b.Bytes(), false)
}

// FinishInFlight removes session's registration and returns it; ok is
// false when there was none (post without pre, or a stale one dropped).
func (d *Dir) FinishInFlight(session string) (r InFlight, ok bool, err error) {
	if !ValidSession(session) {
		return r, false, fmt.Errorf("bad session id %.70q", session)
	}
	name := filepath.Join(inflightDir, session)
	data, err := d.readPrivate(name)
	if err != nil || data == nil {
		return r, false, err
	}
	defer os.Remove(d.file(name))
	r, err = parseInFlight(session, data)
	if err != nil {
		return r, false, err
	}
	return r, true, nil
}

func parseInFlight(session string, data []byte) (InFlight, error) {
	r := InFlight{Session: session}
	sc := bufio.NewScanner(bytes.NewReader(data))
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			sec, err := strconv.ParseInt(strings.TrimPrefix(line, "started "), 10, 64)
			if !strings.HasPrefix(line, "started ") || err != nil {
				return r, fmt.Errorf("in-flight %s: bad first line", session)
			}
			r.Started = time.Unix(sec, 0)
			continue
		}
		if !ValidFingerprint(line) {
			return r, fmt.Errorf("in-flight %s: bad fingerprint", session)
		}
		r.Before = append(r.Before, line)
	}
	if first {
		return r, fmt.Errorf("in-flight %s: empty", session)
	}
	return r, nil
}

// CountInFlight returns how many EIC commands other than session started
// within InFlightWindow and are still running. Registrations older than a
// day, or whose shell (the session id is its pid) is gone, are dropped.
func (d *Dir) CountInFlight(session string, now time.Time) int {
	entries, err := os.ReadDir(d.file(inflightDir))
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if name == session || !ValidSession(name) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(fi.ModTime())
		if age > inflightMaxAge || shellGone(name) {
			_ = os.Remove(filepath.Join(d.file(inflightDir), name))
			continue
		}
		if age <= InFlightWindow {
			n++
		}
	}
	return n
}

// shellGone reports whether a session named by a pid has no process.
func shellGone(session string) bool {
	pid, err := strconv.Atoi(session)
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}
