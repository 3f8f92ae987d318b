package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

// TestStoppedMidPruneLogsEveryKeyThatLeft stops the real `eich hook pre`
// at each agent request of a prune in turn (the agent's list, each
// removal, the list that checks them), by SIGKILL and by Ctrl-C's SIGINT
// to its process group (the hook and the child that does its work),
// once before the request reaches the real ssh-agent and once after. Each
// time, every key that left the agent is in the removal log, and no user
// key left.
func TestStoppedMidPruneLogsEveryKeyThatLeft(t *testing.T) {
	t.Parallel()
	bins := built(t)
	// 2 user keys and 6 stale ones: pre lists (request 1), removes 4
	// (2 to 5) and lists again (6).
	const requests = 6
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		for _, delivered := range []bool{false, true} {
			for n := 1; n <= requests; n++ {
				name := fmt.Sprintf("%v/request%d/delivered=%v", sig, n, delivered)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					stopAtRequest(t, bins.Eich, sig, n, delivered)
				})
			}
		}
	}
}

func stopAtRequest(t *testing.T, eich string, sig syscall.Signal, n int, delivered bool) {
	a := testbed.StartAgent(t)
	a.AddStale(t, 6)
	before := a.Fingerprints(t)
	var pid atomic.Int64
	started, stopped := make(chan struct{}), make(chan struct{})
	proxy := testbed.StartAgentProxy(t, a.Socket, func(i int, _ byte) bool {
		if i != n {
			return true
		}
		<-started      // pid is set
		close(stopped) // before the signal, so that Wait never returns first
		// To the process group, as Ctrl-C: the hook and its child.
		syscall.Kill(-int(pid.Load()), sig)
		return delivered
	})
	stateHome := t.TempDir()
	cmd := exec.Command(eich, "hook", "pre", "--session", "4242")
	cmd.Env = testbed.PrivateEnv(t, "SSH_AUTH_SOCK="+proxy, "XDG_STATE_HOME="+stateHome,
		"EICH_HOOK_BUDGET=20s", "EICH_AGENT_TIMEOUT=10s")
	cmd.Stdin = strings.NewReader("aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid.Store(int64(cmd.Process.Pid))
	close(started)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(testbed.Scaled(60 * time.Second)):
		cmd.Process.Kill()
		t.Fatalf("eich never ended; it was to be stopped at request %d", n)
	}
	select {
	case <-stopped:
	default:
		t.Fatalf("eich ended (%v) before its request %d", err, n)
	}
	if err == nil {
		t.Fatalf("eich exited 0 though it was sent %v", sig)
	}

	left := a.Fingerprints(t)
	logged := map[string]bool{}
	d, err := state.Open(filepath.Join(stateHome, "eich"), false)
	if err == nil {
		defer d.Close()
		rs, bad, err := d.Removals()
		if err != nil || bad > 0 {
			t.Fatalf("removal log: %v (%d unreadable lines)", err, bad)
		}
		for _, r := range rs {
			logged[r.Fingerprint] = true
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, fp := range before {
		if slices.Contains(left, fp) {
			continue
		}
		if slices.Contains(a.UserFingerprints, fp) {
			t.Errorf("a user key left the agent: %s", fp)
		}
		if !logged[fp] {
			t.Errorf("%s left the agent and is not in the removal log", fp)
		}
	}
}
