package testbed

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Bed is one test's world: its own sshd and agent, an isolated HOME and XDG
// dirs, a bin dir with the aws stand-in and its own copy of eich, and an
// ssh config with AddKeysToAgent yes.
type Bed struct {
	SSHD  *SSHD
	Agent *Agent

	Root      string
	Home      string
	ZDotDir   string // zsh's ZDOTDIR
	XDGConfig string
	XDGState  string
	XDGData   string
	XDGCache  string
	Tmp       string // TMPDIR: where the stand-in makes its key dirs
	Bin       string // first on PATH: aws, eich and ssh
	Eich      string // Bin/eich, this bed's own copy
	SSHConfig string // the ssh config: Bin/ssh and the stand-in pass it with -F
	AWSLog    string // FAKEAWS_LOG
}

// RemoteOutput is what the remote command of every stand-in login prints.
const RemoteOutput = "eich-remote-login-ok"

// NewBed starts an sshd and an agent and lays out the isolated dirs.
func NewBed(t testing.TB, bins *Binaries) *Bed {
	t.Helper()
	b := &Bed{SSHD: StartSSHD(t), Agent: StartAgent(t), Root: t.TempDir()}
	for _, d := range []struct {
		p    *string
		name string
	}{
		{&b.Home, "home"}, {&b.ZDotDir, "home/zdotdir"}, {&b.XDGConfig, "home/.config"},
		{&b.XDGState, "home/.local/state"}, {&b.XDGData, "home/.local/share"},
		{&b.XDGCache, "home/.cache"}, {&b.Tmp, "tmp"}, {&b.Bin, "bin"},
	} {
		*d.p = filepath.Join(b.Root, d.name)
		if err := os.MkdirAll(*d.p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	b.Eich = filepath.Join(b.Bin, "eich")
	if err := copyFile(bins.Eich, b.Eich); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bins.AWS, filepath.Join(b.Bin, "aws")); err != nil {
		t.Fatal(err)
	}
	b.AWSLog = filepath.Join(b.Root, "aws.log")
	if err := os.MkdirAll(filepath.Join(b.Home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	b.SSHConfig = filepath.Join(b.Home, ".ssh", "config")
	// ssh reads ~/.ssh/config from the passwd entry, not $HOME: an ssh
	// first on the bed's PATH reads the bed's config instead, for every
	// ssh run inside the bed (eich's `ssh -G` too). It execs, so the
	// process tree is the real one.
	wrapper := fmt.Sprintf("#!/bin/sh\nexec %s -F %s \"$@\"\n", Tool(t, "ssh"), b.SSHConfig)
	if err := os.WriteFile(filepath.Join(b.Bin, "ssh"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.Home, ".ssh", "known_hosts"), []byte(b.SSHD.KnownHostsLine()), 0o600); err != nil {
		t.Fatal(err)
	}
	b.WriteSSHConfig(t, "")
	return b
}

// WriteSSHConfig writes the test ssh config with top (such as the block
// `eich ssh-config` prints) at its top.
func (b *Bed) WriteSSHConfig(t testing.TB, top string) {
	t.Helper()
	conf := top + fmt.Sprintf(`Host *
    AddKeysToAgent yes
    StrictHostKeyChecking yes
    UserKnownHostsFile %s
    GlobalKnownHostsFile /dev/null
    ControlMaster no
    LogLevel INFO
`, filepath.Join(b.Home, ".ssh", "known_hosts"))
	if err := os.WriteFile(b.SSHConfig, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Env is the environment for shells and commands in this bed: the
// isolated dirs, the bed's agent, PATH with Bin first, the stand-in's
// settings, then extra ("NAME=value") entries.
func (b *Bed) Env(extra ...string) []string {
	env := []string{
		"HOME=" + b.Home,
		"ZDOTDIR=" + b.ZDotDir,
		"XDG_CONFIG_HOME=" + b.XDGConfig,
		"XDG_STATE_HOME=" + b.XDGState,
		"XDG_DATA_HOME=" + b.XDGData,
		"XDG_CACHE_HOME=" + b.XDGCache,
		"TMPDIR=" + b.Tmp,
		"PATH=" + b.Bin + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		"SSH_AUTH_SOCK=" + b.Agent.Socket,
		"SHELL=/bin/sh",
		"LANG=C.UTF-8",
		"TERM=xterm-256color",
		"USER=" + b.SSHD.User,
		"LOGNAME=" + b.SSHD.User,
		"FAKEAWS_PORT=" + fmt.Sprint(b.SSHD.Port),
		"FAKEAWS_AUTHORIZED_KEYS=" + b.SSHD.AuthorizedKeys,
		"FAKEAWS_USER=" + b.SSHD.User,
		"FAKEAWS_SSH_CONFIG=" + b.SSHConfig,
		"FAKEAWS_REMOTE_COMMAND=echo " + RemoteOutput,
		"FAKEAWS_LOG=" + b.AWSLog,
	}
	if budget := Scaled(time.Second); budget != time.Second {
		// A loaded machine: eich's hook budget (default 1s) and its
		// deadline for each agent call (default 500ms) are scaled like
		// the tests' own waits, so that a slow start is not a failed
		// prune, nor a slow answer from the agent a "keys ?".
		env = append(env, "EICH_HOOK_BUDGET="+budget.String(), "EICH_AGENT_TIMEOUT="+Scaled(500*time.Millisecond).String())
	}
	return append(env, extra...)
}

// AWSRun is one run of the stand-in, from its log.
type AWSRun struct {
	Status  int
	EichEIC string // EICH_EIC as the stand-in saw it
	Line    string
}

// AWSRuns reads the stand-in's log.
func (b *Bed) AWSRuns(t testing.TB) []AWSRun {
	t.Helper()
	var runs []AWSRun
	for _, line := range ReadLines(t, b.AWSLog) {
		r := AWSRun{Line: line}
		if _, err := fmt.Sscanf(r.Line, "run status=%d eich_eic=", &r.Status); err != nil {
			t.Fatalf("stand-in log line %q: %v", r.Line, err)
		}
		if _, v, ok := strings.Cut(r.Line, " eich_eic="); ok {
			r.EichEIC, _, _ = strings.Cut(v, " ")
		}
		runs = append(runs, r)
	}
	return runs
}

// LeftoverKeyDirs lists the stand-in's temp dirs still in Tmp (each run
// must remove its own).
func (b *Bed) LeftoverKeyDirs(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(b.Tmp, "tmp*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyFile copies an executable.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	return out.Close()
}
