package bounded

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// childMode says what the test binary does when Run starts it again as a
// child: "echo" copies its stdin to stderr; "hang" waits until the file
// named by releaseVar exists, as a child blocked on a stalled disk would
// wait for the disk.
const (
	modeVar    = "EICH_BOUNDED_TEST_MODE"
	parentVar  = "EICH_BOUNDED_TEST_PARENT"
	releaseVar = "EICH_BOUNDED_TEST_RELEASE"
)

func TestMain(m *testing.M) {
	if os.Getenv(parentVar) != "" {
		// A hook's parent: Run, then exit 0 if it returns.
		os.Unsetenv(parentVar)
		start := time.Now()
		Run(start, start.Add(time.Minute), nil, os.Stderr)
		os.Exit(0)
	}
	if _, _, ok := Child(); ok {
		switch os.Getenv(modeVar) {
		case "echo":
			io.Copy(os.Stderr, os.Stdin)
		case "interrupt":
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			time.Sleep(time.Minute)
		case "hang":
			for end := time.Now().Add(5 * time.Minute); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(os.Getenv(releaseVar)); err == nil {
					break
				}
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunRelaysTheChildsLine(t *testing.T) {
	t.Setenv(modeVar, "echo")
	var stderr bytes.Buffer
	start := time.Now()
	done, err := Run(start, start.Add(testbed.Scaled(30*time.Second)), []byte("eich: one line\n"), &stderr)
	if err != nil || !done {
		t.Fatalf("Run = %v, %v; want a child that ended in time", done, err)
	}
	if got := stderr.String(); got != "eich: one line\n" {
		t.Errorf("relayed %q, want the child's stdin back", got)
	}
}

func TestRunReturnsAtTheDeadline(t *testing.T) {
	release := filepath.Join(t.TempDir(), "release")
	t.Setenv(modeVar, "hang")
	t.Setenv(releaseVar, release)
	t.Cleanup(func() { os.WriteFile(release, nil, 0o600) })
	var stderr bytes.Buffer
	const budget = 300 * time.Millisecond
	start := time.Now()
	done, err := Run(start, start.Add(budget), nil, &stderr)
	took := time.Since(start)
	if err != nil || done {
		t.Fatalf("Run = %v, %v; want the deadline to end the wait", done, err)
	}
	if took < budget {
		t.Errorf("Run returned after %v, before its deadline (%v)", took, budget)
	}
	// A functional bound: the wait ends at the deadline, not when the
	// child does (five minutes).
	if limit := budget + testbed.Scaled(5*time.Second); took > limit {
		t.Errorf("Run returned after %v, want it by %v", took, limit)
	}
	if stderr.Len() != 0 {
		t.Errorf("a child that did not end had its output relayed: %q", stderr.String())
	}
}

// TestParentStopsWithAnInterruptedChild runs the test binary as a hook's
// parent whose child Ctrl-C stopped: the parent stops by SIGINT too,
// whatever reached it first, and does not exit 0 as if the work were done.
func TestParentStopsWithAnInterruptedChild(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), parentVar+"=1", modeVar+"=interrupt")
	err := cmd.Run()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("the parent ended with %v (%v), want stopped by SIGINT", cmd.ProcessState, err)
	}
}

func TestChildReadsAndClearsItsMark(t *testing.T) {
	start := time.Unix(1700000000, 123)
	t.Setenv(childVar, "1700000000000000123:4242")
	got, parent, ok := Child()
	if !ok || !got.Equal(start) || parent != 4242 {
		t.Errorf("Child() = %v, %d, %v; want %v, 4242, true", got, parent, ok, start)
	}
	if _, set := os.LookupEnv(childVar); set {
		t.Errorf("%s is still set: a program the child starts would take itself for a child", childVar)
	}
	for _, bad := range []string{"", "12", "x:1", "1:x", "1:2:3"} {
		t.Setenv(childVar, bad)
		if _, _, ok := Child(); ok {
			t.Errorf("Child() accepted %q", bad)
		}
	}
}

func TestReserveLeavesTheChildMostOfTheBudget(t *testing.T) {
	for budget, want := range map[time.Duration]time.Duration{
		100 * time.Millisecond: 10 * time.Millisecond,
		time.Second:            100 * time.Millisecond,
		10 * time.Second:       100 * time.Millisecond,
	} {
		if got := Reserve(budget); got != want {
			t.Errorf("Reserve(%v) = %v, want %v", budget, got, want)
		}
	}
}
