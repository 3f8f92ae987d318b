package hooks

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/settings"
	"github.com/eich-dev/eich/internal/testbed"
)

// The guard reads real processes: these tests build small process chains
// from the test binary itself, each process with the argument list it
// should show (`aws … ec2-instance-connect ssh …` above `ssh … -i FILE`).
// A process started with EICH_GUARD_CHAIN set acts in init, before the
// testing package reads its flags (which the arguments are not): it says
// its depth and pid, starts the rest of the chain, and waits until its
// stdin closes.
func init() {
	chain, ok := os.LookupEnv("EICH_GUARD_CHAIN")
	if !ok {
		return
	}
	depth, _ := strconv.Atoi(os.Getenv("EICH_GUARD_DEPTH"))
	fmt.Printf("%d %d\n", depth, os.Getpid())
	if chain != "" {
		levels := strings.Split(chain, "\x1e")
		self, _ := os.Executable() // os.Args[0] is the argument list's
		child := exec.Command(self)
		child.Args = strings.Split(levels[0], "\x1f")
		child.Env = append(os.Environ(), "EICH_GUARD_CHAIN="+strings.Join(levels[1:], "\x1e"), fmt.Sprintf("EICH_GUARD_DEPTH=%d", depth+1))
		child.Stdout = os.Stdout
		in, _ := child.StdinPipe()
		if err := child.Start(); err != nil {
			os.Exit(3)
		}
		defer func() { in.Close(); child.Wait() }()
	}
	io.Copy(io.Discard, os.Stdin) // until the parent closes it
	os.Exit(0)
}

// processChain starts a chain of processes, each the child of the one
// before, with the argument lists given, and returns their pids; they end
// with the test.
func processChain(t *testing.T, argvs ...[]string) []int {
	t.Helper()
	var rest []string
	for _, a := range argvs[1:] {
		rest = append(rest, strings.Join(a, "\x1f"))
	}
	cmd := exec.Command(os.Args[0])
	cmd.Args = argvs[0]
	cmd.Env = append(os.Environ(), "EICH_GUARD_CHAIN="+strings.Join(rest, "\x1e"), "EICH_GUARD_DEPTH=0")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	pids := make([]int, len(argvs))
	r := bufio.NewReader(out)
	for range argvs {
		var depth, pid int
		line, err := r.ReadString('\n')
		if _, serr := fmt.Sscanf(line, "%d %d", &depth, &pid); err != nil || serr != nil || depth >= len(pids) {
			t.Fatalf("the process chain said %q: %v", line, err)
		}
		pids[depth] = pid
	}
	return pids
}

const eicStarter = "aws\x1fec2-instance-connect\x1fssh\x1f--instance-id\x1fi-0123456789abcdef0"

func TestFindEICLogin(t *testing.T) {
	key := "/tmp/tmpab12cd34/private-key"
	awsSSH := []string{"ssh", "-o", "ServerAliveInterval=5", "-p", "22", "-i", key, "ec2-user@10.1.2.3"}
	cases := []struct {
		name           string
		starter, child []string
		want           bool
	}{
		{"the AWS CLI's ssh", strings.Split(eicStarter, "\x1f"), awsSSH, true},
		{"the AWS CLI under pip's python", []string{"/usr/bin/python3", "-s", "/usr/local/bin/aws", "ec2-instance-connect", "ssh", "--instance-id", "i-1"}, awsSSH, true},
		{"an aws that is a shell script", []string{"/bin/sh", "/home/alice/bin/aws", "ec2-instance-connect", "ssh"}, awsSSH, true},
		{"ssh -G from the AWS CLI", strings.Split(eicStarter, "\x1f"), []string{"ssh", "-G", "-i", key, "h"}, false},
		{"no identity file", strings.Split(eicStarter, "\x1f"), []string{"ssh", "-p", "22", "ec2-user@10.1.2.3"}, false},
		{"git fetch's ssh", []string{"git", "fetch", "origin"}, []string{"ssh", "-i", key, "git@github.com", "git-upload-pack 'x'"}, false},
		{"the words in another program's arguments", []string{"git", "commit", "-m", "aws ec2-instance-connect ssh"}, awsSSH, false},
		{"python running code, not a script", []string{"python3", "-c", "aws ec2-instance-connect ssh"}, awsSSH, false},
		{"not ssh", strings.Split(eicStarter, "\x1f"), []string{"scp", "-i", key, "a", "b:"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sshPID := processChain(t, c.starter, c.child)[1]
			g, ok := findEICLogin(sshPID, nil)
			if ok != c.want {
				t.Fatalf("findEICLogin = %v, want %v", ok, c.want)
			}
			if ok && (g.identity != key || g.sshPID != sshPID || !g.login.GeneratesKey) {
				t.Errorf("found %+v, want the key %s of ssh %d", g, key, sshPID)
			}
		})
	}
	t.Run("the user's own key file", func(t *testing.T) {
		starter := append(strings.Split(eicStarter, "\x1f"), "--private-key-file", "/home/alice/.ssh/id_ed25519")
		sshPID := processChain(t, starter, awsSSH)[1]
		if g, ok := findEICLogin(sshPID, nil); !ok || g.login.GeneratesKey {
			t.Errorf("found %+v, %v; want an EIC login that brings its own key", g, ok)
		}
	})
	t.Run("through the shell that runs Match exec", func(t *testing.T) {
		pids := processChain(t, strings.Split(eicStarter, "\x1f"), awsSSH, []string{"fish", "-c", "eich guard"})
		if g, ok := findEICLogin(pids[2], nil); !ok || g.sshPID != pids[1] {
			t.Errorf("from the shell: %+v, %v; want the ssh %d", g, ok, pids[1])
		}
	})
	t.Run("too far from ssh", func(t *testing.T) {
		pids := processChain(t, strings.Split(eicStarter, "\x1f"), awsSSH, []string{"fish", "-c", "x"}, []string{"sh", "-c", "eich guard"})
		if _, ok := findEICLogin(pids[3], nil); ok {
			t.Error("an ssh two shells up was taken for the guard's")
		}
	})
	t.Run("a process that is gone", func(t *testing.T) {
		cmd := exec.Command("true")
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		if _, ok := findEICLogin(cmd.Process.Pid, nil); ok {
			t.Error("a vanished pid was taken for an EIC login")
		}
	})
}

func TestCommandLine(t *testing.T) {
	cases := []struct {
		argv []string
		want string
	}{
		{[]string{"aws", "ec2-instance-connect", "ssh"}, "aws ec2-instance-connect ssh"},
		{[]string{"/usr/bin/python3.11", "-W", "ignore", "-s", "/usr/bin/aws", "--debug"}, "/usr/bin/aws --debug"},
		{[]string{"aws", "$(touch x)", "a'b", ""}, `aws '$(touch x)' 'a'\''b' ''`},
		{[]string{"python3", "-m", "awscli"}, ""},
		{[]string{"bash", "-c", "aws ec2-instance-connect ssh"}, ""},
	}
	for _, c := range cases {
		if got := commandLine(c.argv); got != c.want {
			t.Errorf("commandLine(%q) = %q, want %q", c.argv, got, c.want)
		}
	}
	// Whatever the arguments hold, the line says the same words.
	hostile := []string{"aws", "ec2-instance-connect", "ssh", "--instance-id", "i-1;rm -rf ~", "`id`", "\n"}
	if _, ok := cmdline.Inspect(commandLine(hostile), nil); !ok {
		t.Error("quoted arguments hid the EIC login")
	}
}

// TestGuardRefusesHostileKeyFiles: a key file the guard must not read
// (a FIFO, a device, a link, a huge file, another's) costs one line within
// the budget, marks nothing, and the agent is still pruned.
func TestGuardRefusesHostileKeyFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	f, _ := os.Create(huge)
	f.Truncate(1 << 30)
	f.Close()
	link := filepath.Join(dir, "link")
	os.Symlink(huge, link)
	for _, path := range []string{fifo, "/dev/zero", huge, link, filepath.Join(dir, "missing")} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			a := testbed.StartAgent(t)
			a.AddStale(t, 4)
			var stderr strings.Builder
			s := &Settings{Settings: settings.Defaults(), Stderr: &stderr, Start: time.Now()}
			s.Environment = settings.Environment{Socket: a.Socket, StateDir: filepath.Join(t.TempDir(), "eich"), Home: t.TempDir()}
			g := guardedLogin{sshPID: os.Getpid(), identity: path, login: cmdline.Login{GeneratesKey: true}}
			done := make(chan string, 1)
			go func() { done <- guardRun(s, g) }()
			var line string
			select {
			case line = <-done:
			case <-time.After(3 * s.HookBudget):
				t.Fatalf("the guard did not return within three hook budgets")
			}
			if !strings.Contains(line, path) || !strings.Contains(line, "not recorded") && !strings.Contains(line, "removed") {
				t.Errorf("the guard said %q; want a line naming %s", line, path)
			}
			if n := len(a.Keys(t)); n != 4 {
				t.Errorf("the agent has %d keys after the guard, want 4 (pruned to limit - 2)", n)
			}
			ss := openSession(s, readState, false)
			defer ss.close()
			for fp, e := range ss.ledger.Entries {
				if e.EIC {
					t.Errorf("the ledger marks %s", fp)
				}
			}
		})
	}
}
