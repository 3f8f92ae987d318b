package testbed

import (
	"bytes"
	_ "embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SSHDPath is the sshd the tests run; sshd must be started by absolute path.
const SSHDPath = "/usr/sbin/sshd"

// sshdConfig is the sshd_config StartSSHD writes, with @NAME@
// placeholders; scripts/demo.sh fills in the same file.
//
//go:embed sshd_config.in
var sshdConfig string

// MaxAuthTries is the sshd limit the test bed uses (OpenSSH's default, and
// Amazon Linux 2023's).
const MaxAuthTries = 6

// SSHD is a running OpenSSH server on 127.0.0.1.
type SSHD struct {
	Port           int
	User           string // the user logins are for: the current user
	AuthorizedKeys string // the only authorized_keys file; empty at start
	HostKeyPub     string // "ssh-ed25519 AAAA…"
	log            *lockedBuffer
}

// lockedBuffer collects sshd's log from its goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartSSHD starts sshd -D -e on a free port of 127.0.0.1 with its own host
// key, MaxAuthTries 6 and an empty authorized_keys file; it is stopped when
// the test ends, and its log is printed if the test failed.
//
// A login's remote command runs through the login shell of the user
// running the tests, which would read that user's rc files (bash reads
// ~/.bashrc for a command sshd runs, and a heavy one, such as a pyenv
// set-up, costs seconds a login). Where sshd can (OpenSSH 8.7 and later),
// its sessions get an empty HOME of their own instead; it never runs a
// ~/.ssh/rc.
func StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	if _, err := os.Stat(SSHDPath); err != nil {
		t.Fatalf("end-to-end tests need %s (apt-get install openssh-server): %v", SSHDPath, err)
	}
	keygen := Tool(t, "ssh-keygen")
	u, err := user.Current()
	if err != nil {
		t.Fatalf("current user: %v", err)
	}
	if os.Geteuid() == 0 {
		// sshd running as root wants its privilege separation directory,
		// which the Debian service would create.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatalf("sshd privilege separation dir: %v", err)
		}
	}
	dir := t.TempDir()
	hostKey := filepath.Join(dir, "host_ed25519")
	run(t, nil, keygen, "-q", "-t", "ed25519", "-N", "", "-C", "eich-testbed-host", "-f", hostKey)
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatalf("host key: %v", err)
	}
	s := &SSHD{
		User:           u.Username,
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
		HostKeyPub:     strings.Join(strings.Fields(string(pub))[:2], " "),
	}
	if err := os.WriteFile(s.AuthorizedKeys, nil, 0o600); err != nil {
		t.Fatalf("authorized_keys: %v", err)
	}
	version := openSSHVersion(Tool(t, "ssh"))
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if lastErr = s.start(t, dir, hostKey, version); lastErr == nil {
			return s
		}
	}
	t.Fatalf("start sshd: %v", lastErr)
	return nil
}

// start tries one free port; version is OpenSSH's (major, minor), for the
// options that depend on it.
func (s *SSHD) start(t testing.TB, dir, hostKey string, version [2]int) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "sshd_config")
	conf := strings.NewReplacer(
		"@PORT@", strconv.Itoa(port),
		"@HOST_KEY@", hostKey,
		"@AUTHORIZED_KEYS@", s.AuthorizedKeys,
		"@MAX_AUTH_TRIES@", strconv.Itoa(MaxAuthTries),
		"@USER@", s.User,
	).Replace(sshdConfig)
	if atLeast(version, 8, 7) {
		home := filepath.Join(dir, "session-home")
		if err := os.MkdirAll(home, 0o700); err != nil {
			return fmt.Errorf("session home: %w", err)
		}
		conf += "SetEnv HOME=" + home + "\nPermitUserRC no\n"
	}
	if atLeast(version, 9, 8) {
		// OpenSSH 9.8+ would refuse 127.0.0.1 for a while after the
		// failed logins these tests provoke on purpose.
		conf += "PerSourcePenalties no\n"
	}
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("sshd config: %w", err)
	}
	log := &lockedBuffer{}
	cmd := exec.Command(SSHDPath, "-D", "-e", "-f", cfg)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", SSHDPath, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), "Server listening on") {
		select {
		case <-exited:
			return fmt.Errorf("sshd exited at start: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return fmt.Errorf("sshd did not start listening within 10s: %s", log.String())
		}
		time.Sleep(pollInterval)
	}
	s.Port, s.log = port, log
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd log:\n%s", log.String())
		}
	})
	return nil
}

// Log returns what sshd has logged so far.
func (s *SSHD) Log() string { return s.log.String() }

// KnownHostsLine is the known_hosts entry for this server.
func (s *SSHD) KnownHostsLine() string {
	return fmt.Sprintf("[127.0.0.1]:%d %s\n", s.Port, s.HostKeyPub)
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// openSSHVersion returns the installed OpenSSH's major and minor version,
// judged by `ssh -V` (which comes from the same release as sshd on the
// distributions the tests run on); {0, 0} when it does not say.
func openSSHVersion(ssh string) [2]int {
	out, _ := exec.Command(ssh, "-V").CombinedOutput()
	var v [2]int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "OpenSSH_%d.%d", &v[0], &v[1]); err != nil {
		return [2]int{}
	}
	return v
}

// atLeast reports whether version is major.minor or later.
func atLeast(version [2]int, major, minor int) bool {
	return version[0] > major || version[0] == major && version[1] >= minor
}
