package testbed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Tmux is a detached tmux server on a private socket running one
// interactive shell in a pane.
type Tmux struct {
	t    testing.TB
	tmux string
	sock string
	env  []string
}

// StartTmux starts argv (an interactive shell) in a new detached tmux
// session with exactly env as its environment, on a private socket; the
// server is killed when the test ends, and the pane is logged if the test
// failed.
func StartTmux(t testing.TB, env []string, argv ...string) *Tmux {
	t.Helper()
	m := &Tmux{t: t, tmux: Tool(t, "tmux"), env: env}
	dir := ShortTempDir(t, "eich-tmux")
	m.sock = filepath.Join(dir, "sock")
	conf := filepath.Join(dir, "tmux.conf")
	// A big scrollback for capture, and a dead pane stays for diagnosis.
	if err := os.WriteFile(conf, []byte("set -g history-limit 100000\nset -g remain-on-exit on\nset -g default-terminal screen\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-S", m.sock, "-f", conf, "new-session", "-d", "-x", "160", "-y", "50", "--"}, argv...)
	cmd := exec.Command(m.tmux, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	pid := 0
	if out, err := m.tmuxCmd("display-message", "-p", "#{pane_pid}"); err == nil {
		pid, _ = strconv.Atoi(strings.TrimSpace(out))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tmux pane (%s):\n%s", strings.Join(argv, " "), m.Capture())
		}
		exec.Command(m.tmux, "-S", m.sock, "kill-server").Run()
		// The shell writes its history as it exits: wait for it, so the
		// test's temp dirs can be removed.
		if pid > 0 {
			deadline := time.Now().Add(10 * time.Second)
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(pollInterval)
			}
		}
	})
	return m
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil // no /proc (not Linux)
	}
	// pid (comm) STATE …; comm may contain spaces and parentheses.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// tmuxCmd runs a tmux client command against this server.
func (m *Tmux) tmuxCmd(args ...string) (string, error) {
	cmd := exec.Command(m.tmux, append([]string{"-S", m.sock}, args...)...)
	cmd.Env = m.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Type types line as a user would and presses Enter.
func (m *Tmux) Type(line string) {
	m.t.Helper()
	if out, err := m.tmuxCmd("send-keys", "-l", "--", line); err != nil {
		m.t.Fatalf("tmux send-keys %q: %v\n%s", line, err, out)
	}
	if out, err := m.tmuxCmd("send-keys", "Enter"); err != nil {
		m.t.Fatalf("tmux send-keys Enter: %v\n%s", err, out)
	}
}

// Capture returns the pane's whole scrollback, wrapped lines joined, with
// trailing blank lines removed.
func (m *Tmux) Capture() string {
	out, err := m.tmuxCmd("capture-pane", "-p", "-J", "-S", "-")
	if err != nil {
		return "(capture-pane failed: " + err.Error() + ": " + out + ")"
	}
	return strings.TrimRight(out, "\n ")
}

// WaitFor polls cond with the pane as diagnosis.
func (m *Tmux) WaitFor(timeout time.Duration, what string, cond func() bool) {
	m.t.Helper()
	WaitFor(m.t, timeout, what, cond, func() string { return "pane:\n" + m.Capture() })
}

// Keys sends tmux key names (such as "C-u", "Tab", "Enter") as keystrokes.
func (m *Tmux) Keys(keys ...string) {
	m.t.Helper()
	if out, err := m.tmuxCmd(append([]string{"send-keys"}, keys...)...); err != nil {
		m.t.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

// PanePID returns the pid of the process running in the pane (the shell).
func (m *Tmux) PanePID() int {
	m.t.Helper()
	out, err := m.tmuxCmd("display-message", "-p", "#{pane_pid}")
	if err != nil {
		m.t.Fatalf("tmux pane pid: %v\n%s", err, out)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		m.t.Fatalf("tmux pane pid %q: %v", out, err)
	}
	return pid
}

// Paste pastes data into the pane as one paste, as a terminal does when
// the user pastes: through a tmux buffer (so any bytes, of any length, get
// there unchanged: line feeds stay line feeds), inside bracketed-paste
// codes when the shell asked for them (zsh, bash ≥ 5.1 and fish do), so
// pasted line feeds go into the command line instead of running it. It
// does not press Enter.
func (m *Tmux) Paste(data []byte) {
	m.t.Helper()
	cmd := exec.Command(m.tmux, "-S", m.sock, "load-buffer", "-b", "eich-paste", "-")
	cmd.Env = m.env
	cmd.Stdin = strings.NewReader(string(data))
	if out, err := cmd.CombinedOutput(); err != nil {
		m.t.Fatalf("tmux load-buffer (%d bytes): %v\n%s", len(data), err, out)
	}
	if out, err := m.tmuxCmd("paste-buffer", "-p", "-r", "-d", "-b", "eich-paste"); err != nil {
		m.t.Fatalf("tmux paste-buffer: %v\n%s", err, out)
	}
}
