package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

// This file is the machinery of the load tests (soak_test.go,
// concurrency_test.go): a driver that types EIC logins into several hooked
// shells at once, one login a line, each the moment the shell is ready for
// it, and verifies every login; and readers for eich's state files.

// drivePoll is how often the driver looks at the logs. A poll interval,
// not a synchronisation: every step waits for a condition.
const drivePoll = 10 * time.Millisecond

// tail reads a file that others append lines to, a complete line at a time.
type tail struct {
	path string
	off  int64
	part []byte
}

// next returns the complete lines appended since the last call.
func (tl *tail) next(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(tl.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var lines []string
	for {
		n, err := f.ReadAt(buf, tl.off)
		tl.off += int64(n)
		tl.part = append(tl.part, buf[:n]...)
		for {
			i := bytes.IndexByte(tl.part, '\n')
			if i < 0 {
				break
			}
			lines = append(lines, string(tl.part[:i]))
			tl.part = tl.part[i+1:]
		}
		if err != nil || n == 0 {
			return lines
		}
	}
}

// loginSeq is one hooked shell typing n EIC logins, one line each.
type loginSeq struct {
	name   string
	sh     *testbed.Shell
	n      int
	line   func(i int) string // the i-th line typed (0-based)
	id     func(i int) string // the instance id the i-th run must get
	awsLog string             // this shell's FAKEAWS_LOG
	remote string             // the file the remote command appends a line to
	// gate, when set, holds back each login until it returns true (for a
	// start barrier or a staggered start); it gets the login's index.
	gate func(i int) bool
	// check, when set, runs after each verified login with the number of
	// logins done.
	check func(done int)

	aws, rem *tail
	done     int
	typed    bool
	typedAt  time.Time
	remotes  int
}

// remoteEnv is the environment entry that sets the stand-in's remote
// command to one that also appends a line to file: what proves each login
// got in and ran its command.
func remoteEnv(file string) string {
	return fmt.Sprintf("FAKEAWS_REMOTE_COMMAND=echo %s; echo ok >> '%s'", testbed.RemoteOutput, file)
}

// driveLogins runs the sequences side by side until every login is done.
// Each login is typed as soon as its shell's previous one has finished
// (the stand-in has exited; ssh reads the terminal until then) and its
// gate allows; each is verified: the stand-in ran exactly once, with the
// right instance id, EICH_EIC=1 and status 0, and the remote command ran.
//
// tick, when not nil, runs at every poll (for a start barrier).
func driveLogins(t *testing.T, tick func(), seqs ...*loginSeq) {
	t.Helper()
	for _, s := range seqs {
		s.aws, s.rem = &tail{path: s.awsLog}, &tail{path: s.remote}
	}
	// Like every other wait, scaled for a loaded machine.
	timeout := testbed.Scaled(testbed.CommandTimeout)
	for {
		if tick != nil {
			tick()
		}
		busy := false
		for _, s := range seqs {
			if s.done == s.n {
				continue
			}
			busy = true
			if !s.typed {
				if s.gate != nil && !s.gate(s.done) {
					continue
				}
				s.sh.Tmux.Type(s.line(s.done))
				s.typed, s.typedAt = true, time.Now()
				continue
			}
			s.remotes += len(s.rem.next(t))
			runs := s.aws.next(t)
			switch {
			case len(runs) > 1:
				t.Fatalf("%s: login %d (%q) ran the stand-in %d times:\n%s", s.name, s.done+1, s.line(s.done), len(runs), strings.Join(runs, "\n"))
			case len(runs) == 1:
				s.verify(t, runs[0])
				s.done++
				s.typed = false
				if s.check != nil {
					s.check(s.done)
				}
			case time.Since(s.typedAt) > timeout:
				t.Fatalf("%s: login %d (%q) did not finish within %v; pane:\n%s", s.name, s.done+1, s.line(s.done), timeout, lastLines(s.sh.Tmux.Capture(), 40))
			}
		}
		if !busy {
			return
		}
		time.Sleep(drivePoll)
	}
}

// verify checks one stand-in log line for login s.done.
func (s *loginSeq) verify(t *testing.T, run string) {
	t.Helper()
	i := s.done
	if !strings.HasPrefix(run, "run status=0 eich_eic=1 ") {
		t.Fatalf("%s: login %d (%q) failed or was not hooked: %s\npane:\n%s", s.name, i+1, s.line(i), run, lastLines(s.sh.Tmux.Capture(), 40))
	}
	if id := s.id(i); !strings.Contains(run, `"`+id+`"`) {
		t.Fatalf("%s: login %d (%q) ran with the wrong arguments (want instance id %s): %s", s.name, i+1, s.line(i), id, run)
	}
	// The remote command ran before ssh (and so the stand-in) exited.
	s.remotes += len(s.rem.next(t))
	if s.remotes != i+1 {
		t.Fatalf("%s: after login %d the remote command has run %d times, want %d", s.name, i+1, s.remotes, i+1)
	}
}

// lastLines returns the last n lines of text.
func lastLines(text string, n int) string {
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stateDir is the bed's eich state dir.
func stateDir(b *testbed.Bed) string { return filepath.Join(b.XDGState, "eich") }

// readLedger reads and decodes the bed's ledger with eich's own decoder
// (a torn or half-written file fails to decode: it has a count trailer),
// and returns it with the file's size.
func readLedger(t *testing.T, b *testbed.Bed) (*state.Ledger, int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(stateDir(b), "ledger"))
	if err != nil {
		t.Fatalf("read the ledger: %v", err)
	}
	l, err := state.DecodeLedger(data)
	if err != nil {
		t.Fatalf("the ledger does not decode (%d bytes): %v", len(data), err)
	}
	return l, len(data)
}

// maxLedgerBytes is the largest ledger eich can write: a header, at most
// state.MaxEntries lines of at most `SHA256:<43> seen <20 digits> <20
// digits>`, and the trailer `end <count>`.
const maxLedgerBytes = len("eich-ledger 1\n") + state.MaxEntries*(7+43+len(" seen ")+20+1+20+1) + len("end ") + 20 + 1

// readRemovals reads the bed's removal log through eich's own parser and
// returns the keys that left the agent. An intent with no outcome, or a
// line the parser cannot read, fails the test: neither happens unless
// eich was stopped mid-prune.
func readRemovals(t *testing.T, b *testbed.Bed) []state.Removal {
	t.Helper()
	d, err := state.Open(stateDir(b), false)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	all, bad, err := d.Removals()
	if err != nil || bad > 0 {
		t.Fatalf("removal log: %v (%d unreadable lines)", err, bad)
	}
	var out []state.Removal
	for _, r := range all {
		switch r.Outcome {
		case state.Removed:
			out = append(out, r)
		case state.Kept:
		default:
			t.Fatalf("removal log: %s has outcome %q", r.Fingerprint, r.Outcome)
		}
	}
	return out
}

// inFlightOthers returns the number of other EIC commands in flight that
// a removal's reason names ("…, 2 other EIC commands in flight"), or -1.
func inFlightOthers(reason string) int {
	var n int
	i := strings.LastIndex(reason, ", ")
	if i < 0 {
		return -1
	}
	if _, err := fmt.Sscanf(reason[i+2:], "%d other EIC commands in flight", &n); err != nil {
		return -1
	}
	return n
}

// checkRunsEnded fails the test unless every eich the wrapper started has
// ended, each within bound, and no process of the bed's eich binary is
// left. It waits (up to bound) for runs still going: a shell's last post
// may still be running.
func checkRunsEnded(t *testing.T, b *testbed.Bed, rl *testbed.RunLog, bound time.Duration) []testbed.EichRun {
	t.Helper()
	var runs []testbed.EichRun
	testbed.WaitFor(t, bound, "every eich run to end", func() bool {
		runs = rl.Runs(t)
		for _, r := range runs {
			if !r.Ended() {
				return false
			}
		}
		return len(eichProcesses(t, b)) == 0
	}, func() string {
		var open []string
		for _, r := range runs {
			if !r.Ended() {
				open = append(open, fmt.Sprintf("pid %d since %v: %s", r.PID, time.Since(r.Start).Round(time.Millisecond), r.Args))
			}
		}
		return fmt.Sprintf("runs still going: %q; eich processes: %v", open, eichProcesses(t, b))
	})
	for _, r := range runs {
		if d := r.End.Sub(r.Start); d > bound {
			t.Errorf("eich %s (pid %d) took %v, more than the bound %v", r.Args, r.PID, d, bound)
		}
	}
	return runs
}

// eichProcesses lists the pids of running processes whose executable is
// the bed's real eich (the wrapped binary).
func eichProcesses(t *testing.T, b *testbed.Bed) []int {
	t.Helper()
	real := b.Eich + ".real"
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("list processes: %v", err)
	}
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil || fmt.Sprint(pid) != e.Name() {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == real {
			pids = append(pids, pid)
		}
	}
	return pids
}
