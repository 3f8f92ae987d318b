package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/bounded"
	"github.com/eich-dev/eich/internal/testbed"
)

// loadDefault is the number of logins each shell of TestConcurrentLogins
// types unless EICH_LOAD says otherwise: twice what MaxAuthTries 6 lets
// through without eich, and six same-instant rounds.
const loadDefault = 12

// runBound is the functional bound on one eich run in these tests: far
// above the hook budget (1s), far below "forever"; scaled for a loaded
// machine by EICH_TEST_SCALE.
var runBound = testbed.Scaled(30 * time.Second)

// concShell is one of TestConcurrentLogins' shells.
type concShell struct {
	name  string // zsh, bash, fish, bash2
	kind  string // the shell
	sh    *testbed.Shell
	pid   int
	sshd  *testbed.SSHD
	seq   *loginSeq
	ready func(i int) string // barrier: the file the shell touches when waiting for round i
}

// TestConcurrentLogins: four hooked
// shells, one agent, one state dir, each shell logging in to its own
// instance (its own sshd and authorized_keys; the stand-in pushes each
// shell's keys to that instance only, which then refuses every other key),
// n logins each: 12, or EICH_LOAD. The load run, 100 logins per shell:
//
//	EICH_LOAD=100 go test -count=1 -timeout 60m -run 'TestConcurrentLogins$' ./internal/e2e/
//
// The shells are zsh, bash, fish and a second bash: every hook
// implementation (zsh and fish hook per line, bash per simple command
// through its DEBUG trap) shares the state with the others at once, and
// bash, the most involved of the three, twice.
//
//   - staggered: each shell starts as soon as the one before it has a
//     login in flight (its `hook pre` registered it), so one shell's pre
//     runs while the others' logins are adding keys; then each types its
//     logins as fast as it can.
//   - same-instant: n rounds, each started when all four shells have
//     finished the round before. In even rounds every shell's line first
//     waits for a start file the test creates once all four are waiting,
//     so the four logins (and bash's two `hook pre`s, which run after the
//     wait) start at the same instant; in odd rounds the four lines are
//     typed back to back, so all four `hook pre`s race for the lock.
//
// Every login succeeds; both user keys are in the agent after each; the
// ledger decodes after each (it is replaced atomically under the lock);
// nothing ever removes a user key; every eich run ends, each within
// runBound; no in-flight registration is left; and in both variants some
// `hook pre` pruned while other EIC commands were in flight (the policy's
// k, from the removal log's reasons), which is what the test is for.
func TestConcurrentLogins(t *testing.T) {
	n := countVar(t, "EICH_LOAD", loadDefault, 4)
	eachCase(t, []string{"staggered", "same-instant"}, func(t *testing.T, variant string, b *testbed.Bed) {
		kinds := []string{"zsh", "bash", "fish", "bash"}
		var cs []*concShell
		for i, kind := range kinds {
			c := &concShell{name: kind, kind: kind, sshd: b.SSHD}
			if i > 0 {
				c.sshd = b.AddInstance(t)
			}
			if slices.Contains(kinds[:i], kind) {
				c.name = fmt.Sprintf("%s%d", kind, i)
			}
			cs = append(cs, c)
		}
		for _, c := range cs {
			awsLog := filepath.Join(b.Root, "aws-"+c.name+".log")
			remote := filepath.Join(b.Root, "remote-"+c.name+".log")
			env := append(testbed.InstanceEnv(c.sshd), "FAKEAWS_LOG="+awsLog, remoteEnv(remote))
			rc := []string{testbed.InitLine(c.kind)}
			if c.name == c.kind {
				c.sh = testbed.StartShell(t, b, c.kind, rc, env...)
			} else {
				c.sh = testbed.StartShellTagged(t, b, c.kind, c.name, rc, env...)
			}
			c.pid = c.sh.Tmux.PanePID()
			name := c.name
			c.seq = &loginSeq{
				name: name, sh: c.sh, n: n, awsLog: awsLog, remote: remote,
				id:   func(i int) string { return fmt.Sprintf("i-%s-%d", name, i) },
				line: func(i int) string { return fmt.Sprintf("aws ec2-instance-connect ssh --instance-id i-%s-%d", name, i) },
			}
		}
		rl := b.WrapEichRuns(t)
		seqs := make([]*loginSeq, len(cs))
		for i, c := range cs {
			seqs[i] = c.seq
			c.seq.check = func(done int) {
				if !b.Agent.HasUserKeys(t) {
					t.Fatalf("%s: after login %d a user key is gone; agent:\n%s", c.name, done, b.Agent.Describe(t))
				}
				readLedger(t, b) // fails the test if it does not decode
			}
		}

		var tick func()
		switch variant {
		case "staggered":
			for i := 1; i < len(cs); i++ {
				prev := filepath.Join(stateDir(b), "inflight", strconv.Itoa(cs[i-1].pid))
				started := false
				cs[i].seq.gate = func(int) bool {
					if !started {
						_, err := os.Stat(prev)
						started = err == nil
					}
					return started
				}
			}
		case "same-instant":
			tick = sameInstant(t, b, cs, n)
		}
		start := time.Now()
		driveLogins(t, tick, seqs...)
		t.Logf("%d logins in each of %d shells in %v", n, len(cs), time.Since(start).Round(time.Millisecond))

		for _, c := range cs {
			if st := c.sh.Run("false"); st != 1 {
				t.Errorf("%s: after the logins, $? of `false` is %d, want 1", c.name, st)
			}
		}
		runs := checkRunsEnded(t, b, rl, runBound)
		for _, c := range cs {
			var kinds []string
			for _, r := range runs {
				if strings.Contains(r.Args, " --session "+strconv.Itoa(c.pid)+" ") || strings.HasSuffix(r.Args, " --session "+strconv.Itoa(c.pid)) {
					if r.Status != 0 {
						t.Errorf("%s: eich %s exited %d", c.name, r.Args, r.Status)
					}
					kinds = append(kinds, strings.Fields(r.Args)[1])
				}
			}
			want := strings.TrimSpace(strings.Repeat("pre post ", n))
			if got := strings.Join(kinds, " "); got != want {
				t.Errorf("%s: eich ran %d times (%.80s…), want a pre and a post per login", c.name, len(kinds), got)
			}
		}
		if left, _ := os.ReadDir(filepath.Join(stateDir(b), "inflight")); len(left) > 0 {
			t.Errorf("in-flight registrations left after every command ended: %v", left)
		}
		if !b.Agent.HasUserKeys(t) {
			t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
		}
		l, size := readLedger(t, b)
		for _, fp := range b.Agent.UserFingerprints {
			if e := l.Entries[fp]; e == nil || e.EIC {
				t.Errorf("user key %s in the ledger: %+v, want it seen and not EIC", fp, e)
			}
		}
		k := map[int]int{}
		classes := map[string]int{}
		for _, r := range readRemovals(t, b) {
			if slices.Contains(b.Agent.UserFingerprints, r.Fingerprint) || (r.Class != "eic" && r.Class != "suspect") {
				t.Errorf("removed %+v: only EIC keys (recorded or not yet) may go", r)
			}
			k[inFlightOthers(r.Reason)]++
			classes[r.Class]++
		}
		t.Logf("removals by class %v, by other EIC commands in flight %v; ledger %d entries, %d bytes; agent now:\n%s", classes, k, len(l.Entries), size, b.Agent.Describe(t))
		if k[1]+k[2]+k[3] == 0 {
			t.Errorf("no `hook pre` pruned while another EIC command was in flight (removals by in-flight count: %v): the test did not overlap the logins", k)
		}
		if left := b.LeftoverKeyDirs(t); len(left) > 0 {
			t.Errorf("key dirs left behind: %q", left)
		}
	})
}

// sameInstant sets up the same-instant variant: each shell's gate holds
// its i-th line back until every shell has finished round i−1; in even
// rounds the line waits (after touching its ready file) for the file go-i,
// which the returned tick creates once all four ready files of round i
// exist; odd rounds are plain logins, typed into the four shells in one
// pass of the driver.
func sameInstant(t *testing.T, b *testbed.Bed, cs []*concShell, rounds int) func() {
	dir := filepath.Join(b.Root, "barrier")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	goFile := func(i int) string { return filepath.Join(dir, fmt.Sprintf("go-%d", i)) }
	for _, c := range cs {
		name, kind := c.name, c.kind
		c.ready = func(i int) string { return filepath.Join(dir, fmt.Sprintf("ready-%s-%d", name, i)) }
		ready := c.ready
		c.seq.line = func(i int) string {
			if i%2 == 1 {
				return fmt.Sprintf("aws ec2-instance-connect ssh --instance-id i-%s-%d", name, i)
			}
			wait := fmt.Sprintf("until [ -e %s ]; do sleep 0.01; done", goFile(i))
			if kind == "fish" {
				wait = fmt.Sprintf("while not test -e %s; sleep 0.01; end", goFile(i))
			}
			return fmt.Sprintf("touch %s; %s; aws ec2-instance-connect ssh --instance-id i-%s-%d", ready(i), wait, name, i)
		}
		c.seq.gate = func(i int) bool {
			for _, o := range cs {
				if o.seq.done < i {
					return false
				}
			}
			return true
		}
	}
	round := 0
	return func() {
		for round < rounds {
			if round%2 == 1 {
				round++
				continue
			}
			for _, c := range cs {
				if _, err := os.Stat(c.ready(round)); err != nil {
					return
				}
			}
			if err := os.WriteFile(goFile(round), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			round++
		}
	}
}

// TestLockHeldBoundedWait: while another process holds eich's state lock
// for longer than the hook's budget (default 1s, less than the default
// lock wait of 2s), an EIC command typed in a hooked shell still runs: its
// `hook pre` gives up when the budget is spent, says in one line that the
// state is locked, and the login goes ahead (EICH_EIC=1, status 0). The
// pre ends within the budget plus a generous margin, and no eich is left.
func TestLockHeldBoundedWait(t *testing.T) {
	// The hook budget cuts the lock wait (2s, eich's default): 1s, or
	// what the bed scaled it to for a loaded machine.
	lockWait := min(testbed.Scaled(time.Second), 2*time.Second)
	// The hook's child, which waits for the lock, keeps the end of the
	// budget for the hook that waits for it (hooks/bounded).
	childWait := lockWait - bounded.Reserve(lockWait)
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		remote := filepath.Join(b.Root, "remote.log")
		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)}, remoteEnv(remote))
		rl := b.WrapEichRuns(t)

		if err := os.MkdirAll(stateDir(b), 0o700); err != nil {
			t.Fatal(err)
		}
		lock, err := os.OpenFile(filepath.Join(stateDir(b), "lock"), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Fatalf("take eich's lock: %v", err)
		}
		held := true
		release := func() {
			if held {
				syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
				held = false
			}
		}
		defer release()

		typed := time.Now()
		sh.Tmux.Type("aws ec2-instance-connect ssh --instance-id i-locked")
		// The remote command runs once `hook pre` has let the login go.
		sh.Tmux.WaitFor(lockWait+runBound, "the login to run while the lock is held", func() bool {
			data, _ := os.ReadFile(remote)
			return len(data) > 0
		})
		waited := time.Since(typed)
		// Release before the command ends, so that `hook post` is not
		// held up too: the line checked below is the pre's.
		release()
		sh.Tmux.WaitFor(testbed.CommandTimeout, "the stand-in to finish", func() bool { return len(b.AWSRuns(t)) == 1 })
		if st := sh.Run("false"); st != 1 {
			t.Errorf("after the login, $? of `false` is %d, want 1", st)
		}
		if r := b.AWSRuns(t)[0]; r.Status != 0 || r.EichEIC != "1" {
			t.Errorf("the login with the lock held: status %d, EICH_EIC=%q; want 0 and 1", r.Status, r.EichEIC)
		}
		if waited < childWait {
			t.Errorf("the login ran %v after it was typed, before the budget (%v) was spent: did pre not wait?", waited, childWait)
		}
		runs := checkRunsEnded(t, b, rl, runBound)
		if len(runs) != 2 || !strings.HasPrefix(runs[0].Args, "hook pre ") || !strings.HasPrefix(runs[1].Args, "hook post ") {
			t.Fatalf("eich runs %+v, want a pre and a post", runs)
		}
		if d := runs[0].End.Sub(runs[0].Start); d < childWait || d > lockWait+runBound {
			t.Errorf("hook pre took %v with the lock held; want its child's budget %v, plus a margin of at most %v", d, childWait, runBound)
		}
		var ours []string
		for _, l := range strings.Split(sh.Tmux.Capture(), "\n") {
			if strings.HasPrefix(l, "eich: ") {
				ours = append(ours, l)
			}
		}
		if len(ours) != 1 || !strings.Contains(ours[0], "locked") {
			t.Errorf("eich printed %q; want one line saying the state is locked", ours)
		}
		t.Logf("%s: pre took %v; it said %q", shell, runs[0].End.Sub(runs[0].Start).Round(time.Millisecond), ours)
	})
}
