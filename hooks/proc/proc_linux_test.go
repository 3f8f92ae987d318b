package proc

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// startSleep starts sleep with args after argv[0]; the test ends it.
// It returns once the child's argument list can be read: cmd.Start
// returns when execve has passed the point of no return, a moment before
// the kernel has set up the new image's arguments, when
// /proc/PID/cmdline is still empty.
func startSleep(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep:", err)
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline")
		if err == nil && len(data) > 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("sleep's argument list still unreadable after 10s: %q, %v", data, err)
		}
	}
	return cmd
}

func TestChild(t *testing.T) {
	cmd := startSleep(t, "30")
	args, err := Args(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if want := cmd.Args; !slices.Equal(args, want) {
		t.Errorf("Args = %q, want %q", args, want)
	}
	ppid, err := Parent(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if ppid != os.Getpid() {
		t.Errorf("Parent = %d, want %d", ppid, os.Getpid())
	}
}

// TestHelperProcess is the child of TestOddChild: it waits for its stdin
// to close.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("EICH_PROC_HELPER") != "1" {
		t.Skip("run by TestOddChild")
	}
	os.Stdout.WriteString("ready\n")
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// TestOddChild reads a child whose arguments hold spaces, parentheses and
// empty strings, and whose command name (the comm field of its stat line)
// holds ") S 1 (": the parent is found after the last ')'.
func TestOddChild(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	link := filepath.Join(t.TempDir(), "a) S 1 (b")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "-test.run=^TestHelperProcess$", "--", "two words", "", "(x) y)", "")
	cmd.Env = append(os.Environ(), "EICH_PROC_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	// The child says it runs: its arguments are in place.
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	args, err := Args(cmd.Process.Pid)
	if err != nil || !slices.Equal(args, cmd.Args) {
		t.Errorf("Args = %q, %v; want %q", args, err, cmd.Args)
	}
	ppid, err := Parent(cmd.Process.Pid)
	if err != nil || ppid != os.Getpid() {
		t.Errorf("Parent = %d, %v; want %d", ppid, err, os.Getpid())
	}
}

func TestSelf(t *testing.T) {
	ppid, err := Parent(os.Getpid())
	if err != nil || ppid != os.Getppid() {
		t.Errorf("Parent(self) = %d, %v; want %d", ppid, err, os.Getppid())
	}
	args, err := Args(os.Getpid())
	if err != nil || !slices.Equal(args, os.Args) {
		t.Errorf("Args(self) = %q, %v; want %q", args, err, os.Args)
	}
}

func TestVanished(t *testing.T) {
	cmd := startSleep(t, "30")
	pid := cmd.Process.Pid
	cmd.Process.Kill()
	cmd.Wait() // reaped: the pid names nothing until it is reused
	if ppid, err := Parent(pid); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Parent(gone) = %d, %v; want ErrNoProcess", ppid, err)
	}
	if args, err := Args(pid); !errors.Is(err, ErrNoProcess) {
		t.Errorf("Args(gone) = %q, %v; want ErrNoProcess", args, err)
	}
	for _, pid := range []int{0, -1} {
		if _, err := Parent(pid); err == nil {
			t.Errorf("Parent(%d) gave no error", pid)
		}
		if _, err := Args(pid); err == nil {
			t.Errorf("Args(%d) gave no error", pid)
		}
	}
}

func TestZombie(t *testing.T) {
	cmd := startSleep(t, "30")
	pid := cmd.Process.Pid
	cmd.Process.Kill()
	// Not reaped: a zombie has a parent and no argument list. WNOWAIT
	// waits for it to become one and leaves it so.
	var info unix.Siginfo
	if err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if ppid, err := Parent(pid); err != nil || ppid != os.Getpid() {
		t.Errorf("Parent(zombie) = %d, %v; want %d", ppid, err, os.Getpid())
	}
	if args, err := Args(pid); err == nil {
		t.Errorf("Args(zombie) = %q, want an error", args)
	}
}

func TestInit(t *testing.T) {
	// pid 1 may belong to another user, or live in another pid namespace:
	// whatever the answer, it is one, not a panic.
	args, err := Args(1)
	t.Logf("Args(1) = %q, %v", args, err)
	if err == nil && len(args) == 0 {
		t.Error("Args(1) gave an empty list and no error")
	}
	ppid, err := Parent(1)
	t.Logf("Parent(1) = %d, %v", ppid, err)
	if err == nil && ppid != 0 {
		t.Errorf("Parent(1) = %d, want 0", ppid)
	}
}

func TestParseStatPPid(t *testing.T) {
	for _, tc := range []struct {
		line string
		want int
	}{
		{"4242 (ssh) S 4241 4242 4000 34816 4242 4194560 ...", 4241},
		{"4242 (a) b) (c) R 17 4242", 17},
		{"4242 (x ) 99 ) S 1 2", 1},
		{"1 (systemd) S 0 1 1 0 -1", 0},
		{"7 () S 3 ", 3},
	} {
		got, err := parseStatPPid([]byte(tc.line))
		if err != nil || got != tc.want {
			t.Errorf("parseStatPPid(%q) = %d, %v; want %d", tc.line, got, err, tc.want)
		}
	}
	for _, line := range []string{"", "4242 ssh S 4241", "4242 (ssh) S", "4242 (ssh)", "4242 (ssh) S x", "4242 (ssh) S -3"} {
		if got, err := parseStatPPid([]byte(line)); err == nil {
			t.Errorf("parseStatPPid(%q) = %d, want an error", line, got)
		}
	}
}

func TestSplitCmdline(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []string
	}{
		{"", nil},
		{"\x00", []string{""}},
		{"ssh\x00-v\x00host\x00", []string{"ssh", "-v", "host"}},
		{"ssh\x00\x00host\x00", []string{"ssh", "", "host"}},
		{"ssh\x00host\x00\x00", []string{"ssh", "host", ""}},
		{"rewritten title", []string{"rewritten title"}},
	} {
		if got := splitCmdline([]byte(tc.data)); !slices.Equal(got, tc.want) {
			t.Errorf("splitCmdline(%q) = %q, want %q", tc.data, got, tc.want)
		}
	}
}
