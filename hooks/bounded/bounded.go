// Package bounded runs a hook's work in a child process that the hook
// waits for only until its budget ends.
//
// A write, fsync or rename on a file system that stalls (frozen with
// fsfreeze, a disk that stopped answering, a hung network mount) puts the
// thread that makes it into uninterruptible sleep. No deadline reaches
// that thread, and a process with such a thread cannot exit: the shell
// that waits for `eich hook pre` would wait for the disk. So the hook
// commands start the same program again as a child that does the work,
// and wait for it until the budget's end; when the budget ends first, the
// hook says so in one line and returns, and the child finishes (or stays
// asleep) on its own. The child keeps its own deadline, a little before
// the parent's, and removes no key once it has passed.
//
// The child reads the command line the parent read from its stdin, and
// writes its one line to a pipe that the parent copies to its stderr,
// never to the terminal itself: a child that wakes late stays silent. It
// shares the parent's process group, so Ctrl-C stops both, and the parent
// of a child stopped so stops by the same signal.
package bounded

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childVar marks the child and tells it when the hook started and which
// process started the hook: "START_UNIX_NANO:PARENT_PID".
const childVar = "EICH_HOOK_CHILD"

// maxLine bounds what the parent copies from the child: the hooks say one
// line.
const maxLine = 4 << 10

// Child reports whether this process is a bounded child and, if so, when
// its parent started and its parent's parent (the process that ran the
// hook). It takes the mark out of the environment, so that a program the
// child starts (ssh -G, which may run `eich guard`) is not a child.
func Child() (start time.Time, parent int, ok bool) {
	v, set := os.LookupEnv(childVar)
	if !set {
		return time.Time{}, 0, false
	}
	os.Unsetenv(childVar)
	nanos, ppid, found := strings.Cut(v, ":")
	n, err1 := strconv.ParseInt(nanos, 10, 64)
	p, err2 := strconv.Atoi(ppid)
	if !found || err1 != nil || err2 != nil {
		return time.Time{}, 0, false
	}
	return time.Unix(0, n), p, true
}

// Reserve is how much earlier than its parent a child's budget ends,
// which leaves the child the time to say its line and exit.
func Reserve(budget time.Duration) time.Duration {
	return min(budget/10, 100*time.Millisecond)
}

// Run starts this program again as a child with the same arguments,
// stdin as its standard input and start as the hook's start, copies what
// it writes on stderr to stderr, and waits for it until deadline. It
// reports whether the child ended in time. An error means no child could
// be started: the caller then does the work itself.
func Run(start, deadline time.Time, stdin []byte, stderr io.Writer) (bool, error) {
	self, err := executable()
	if err != nil {
		return false, fmt.Errorf("find eich's own binary: %w", err)
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), childVar+"="+strconv.FormatInt(start.UnixNano(), 10)+":"+strconv.Itoa(os.Getppid()))
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.StderrPipe()
	if err != nil {
		return false, err
	}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("start eich's hook child: %w", err)
	}
	var line []byte
	read := make(chan struct{})
	go func() {
		line, _ = io.ReadAll(io.LimitReader(out, maxLine))
		io.Copy(io.Discard, out)
		close(read)
	}()
	exited := make(chan struct{})
	go func() {
		<-read // Wait closes the pipe: read it to the end first
		cmd.Wait()
		close(exited)
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-exited:
		stderr.Write(line)
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			stopLike(ws.Signal())
		}
		return true, nil
	case <-timer.C:
		return false, nil
	}
}

// stopLike ends this process by sig when the child was stopped by a
// signal that stops a command: Ctrl-C reaches both processes, and the
// parent, which waits for the child, may see it end before its own signal
// is handled; it must not then return as if the work were done (the shell
// would run the line the user interrupted). A child that crashed or was
// killed alone leaves the parent to return, and the command to run.
func stopLike(sig syscall.Signal) {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP:
		signal.Reset(sig)
		syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Second) // the signal ends the process before this does
		os.Exit(128 + int(sig))
	}
}

// executable is the path that starts this program again: on Linux the
// running binary itself, even when its file was replaced or removed since
// (an upgrade while a shell has the hook loaded).
func executable() (string, error) {
	if runtime.GOOS == "linux" {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}
