package testbed

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tracer records the process-creating system calls of a process and its
// descendants with strace (.ci/run installs it).
type Tracer struct {
	out  string
	cmd  *exec.Cmd
	done chan struct{}
}

// TraceForks attaches `strace -f` to pid, recording clone, clone3, fork and
// vfork; it waits until the tracer is attached. Stop ends it.
func TraceForks(t testing.TB, pid int) *Tracer {
	t.Helper()
	tr := &Tracer{out: filepath.Join(t.TempDir(), "strace.out"), done: make(chan struct{})}
	tr.cmd = exec.Command(Tool(t, "strace"), "-f", "-qq", "-e", "trace=clone,clone3,fork,vfork", "-o", tr.out, "-p", itoa(pid))
	var log lockedBuffer
	tr.cmd.Stdout, tr.cmd.Stderr = &log, &log
	if err := tr.cmd.Start(); err != nil {
		t.Fatalf("start strace: %v", err)
	}
	go func() { tr.cmd.Wait(); close(tr.done) }()
	t.Cleanup(func() { tr.cmd.Process.Kill(); <-tr.done })
	WaitFor(t, 10*time.Second, "strace to attach", func() bool {
		status, _ := os.ReadFile("/proc/" + itoa(pid) + "/status")
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "TracerPid:"); ok {
				return strings.TrimSpace(v) != "0"
			}
		}
		return false
	}, log.String)
	return tr
}

// Stop detaches strace and returns the process-creating calls it recorded
// (threads are left out), one a line.
func (tr *Tracer) Stop(t testing.TB) []string {
	t.Helper()
	tr.cmd.Process.Signal(os.Interrupt)
	select {
	case <-tr.done:
	case <-time.After(10 * time.Second):
		tr.cmd.Process.Kill()
		<-tr.done
	}
	data, err := os.ReadFile(tr.out)
	if err != nil {
		t.Fatalf("strace output: %v", err)
	}
	var calls []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		// A clone with CLONE_THREAD is a thread (fish runs a thread pool
		// for highlighting and autosuggestions), not a process.
		if l != "" && !strings.Contains(l, "CLONE_THREAD") {
			calls = append(calls, l)
		}
	}
	return calls
}

func itoa(n int) string { return strconv.Itoa(n) }
