package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

// TestFrozenStateDisk freezes the file system that holds eich's state (a
// loop-mounted ext4, frozen with fsfreeze: every write to it waits, in
// uninterruptible sleep, until it thaws) and runs the real `eich hook
// pre` for an EIC line whose agent needs pruning, then `eich hook post`.
// Each returns within its budget (with a margin for a loaded machine)
// and says one line; no key leaves the agent, not while the disk is
// frozen and not after it thaws and the hook's child wakes, its budget
// long spent. It needs root and loop devices, and is skipped without
// them.
func TestFrozenStateDisk(t *testing.T) {
	t.Parallel()
	bins := built(t)
	disk := loopDisk(t)
	a := testbed.StartAgent(t)
	a.AddStale(t, 6)
	before := a.Fingerprints(t)
	const budget = time.Second
	env := testbed.PrivateEnv(t, "SSH_AUTH_SOCK="+a.Socket, "XDG_STATE_HOME="+disk.dir,
		"EICH_HOOK_BUDGET="+budget.String(), "EICH_AGENT_TIMEOUT=10s")
	hook := func(stdin string, args ...string) (status int, stderr string, took time.Duration) {
		t.Helper()
		cmd := exec.Command(bins.Eich, append([]string{"hook"}, args...)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		start := time.Now()
		err := cmd.Run()
		took = time.Since(start)
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("eich hook %s: %v", args[0], err)
		}
		return cmd.ProcessState.ExitCode(), errOut.String(), took
	}

	// The state as an earlier login left it: dir, lock file, ledger.
	if status, out, _ := hook("", "post", "--session", "1", "--status", "0"); status != 0 || out != "" {
		t.Fatalf("hook post before the freeze: status %d, %q", status, out)
	}
	if _, err := os.Stat(filepath.Join(disk.dir, "eich", "lock")); err != nil {
		t.Fatalf("no state after hook post: %v", err)
	}

	disk.freeze(t)
	// A functional bound: what the hook must not exceed is its budget;
	// the margin is for starting two processes on a loaded machine.
	limit := budget + testbed.Scaled(3*time.Second)
	status, out, took := hook("aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0", "pre", "--session", "2")
	if status != 0 {
		t.Errorf("hook pre exited %d for an EIC line, want 0", status)
	}
	if took > limit {
		t.Errorf("hook pre held the command %v with the state's disk frozen (budget %v)", took, budget)
	}
	if !strings.Contains(out, "hook budget (1s) spent before eich finished writing its state") || strings.Count(out, "\n") != 1 {
		t.Errorf("hook pre said %q, want one line saying the budget was spent on the state", out)
	}
	_, out, took = hook("", "post", "--session", "2", "--status", "0")
	if took > limit {
		t.Errorf("hook post held the shell %v with the state's disk frozen (budget %v)", took, budget)
	}
	if strings.Count(out, "\n") > 1 {
		t.Errorf("hook post said more than one line: %q", out)
	}
	if now := a.Fingerprints(t); !slices.Equal(now, before) {
		t.Errorf("keys left the agent while the disk was frozen: %d before, %d now", len(before), len(now))
	}

	// The children wake when the disk thaws; pre's holds the state lock
	// until it ends.
	disk.thaw(t)
	lock := filepath.Join(disk.dir, "eich", "lock")
	testbed.WaitFor(t, 30*time.Second, "the hooks' children to end after the thaw", func() bool {
		f, err := os.Open(lock)
		if err != nil {
			return false
		}
		defer f.Close()
		return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
	}, nil)
	if now := a.Fingerprints(t); !slices.Equal(now, before) {
		t.Errorf("keys left the agent after the thaw, past the budget: %d before, %d now", len(before), len(now))
	}
	d, err := state.Open(filepath.Join(disk.dir, "eich"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rs, bad, err := d.Removals()
	if err != nil || bad > 0 {
		t.Fatalf("removal log: %v (%d unreadable lines)", err, bad)
	}
	for _, r := range rs {
		if r.Outcome == state.Removed {
			t.Errorf("the log says %s was removed", r.Fingerprint)
		}
	}
}

// frozenDisk is a small ext4 file system on a loop device that a test can
// freeze and thaw.
type frozenDisk struct{ dir string }

// loopDisk mounts a fresh one at a temporary dir, thawed and unmounted
// when the test ends. Where the machine cannot (not root, no loop
// devices, a container that may not mount) the test is skipped, saying
// why; once the disk is there, any failure fails it.
func loopDisk(t *testing.T) *frozenDisk {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount and freeze a loop device")
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("no loop devices on this machine")
	}
	img := filepath.Join(t.TempDir(), "state.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 32<<20); err != nil {
		t.Fatal(err)
	}
	d := &frozenDisk{dir: t.TempDir()}
	for _, cmd := range [][]string{{"mkfs.ext4", "-q", "-F", img}, {"mount", "-o", "loop", img, d.dir}} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			t.Skipf("this machine cannot make a loop-mounted file system: %s: %v\n%s", cmd[0], err, out)
		}
	}
	t.Cleanup(func() {
		exec.Command("fsfreeze", "-u", d.dir).Run()
		// Lazily: a hook's child may still have a file open on it.
		exec.Command("umount", "-l", d.dir).Run()
	})
	if err := os.Chmod(d.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *frozenDisk) freeze(t *testing.T) { mustRun(t, "fsfreeze", "-f", d.dir) }
func (d *frozenDisk) thaw(t *testing.T)   { mustRun(t, "fsfreeze", "-u", d.dir) }

func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
