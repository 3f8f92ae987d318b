package hooks_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/output"
	"github.com/eich-dev/eich/internal/testbed"
)

// fakeAgent serves the agent protocol on a socket with a chosen fault.
// It is for fault injection only; real behaviour is proven against
// OpenSSH's ssh-agent in agent_test.go.
func fakeAgent(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	return testbed.ServeUnix(t, serve)
}

// keyring is an in-memory agent whose Remove can refuse or lie.
type keyring struct {
	agent.Agent
	removal string // "", "refuse" or "lie"
}

func (k *keyring) Remove(key ssh.PublicKey) error {
	switch k.removal {
	case "refuse":
		return errors.New("refused")
	case "lie":
		return nil
	}
	return k.Agent.Remove(key)
}

func fakeKeyring(t *testing.T, removal string, users, stale int) (string, *keyring) {
	t.Helper()
	kr := &keyring{Agent: agent.NewKeyring(), removal: removal}
	for i := 0; i < users+stale; i++ {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		comment := ""
		if i < users {
			comment = "alice@laptop"
		}
		if err := kr.Add(agent.AddedKey{PrivateKey: priv, Comment: comment}); err != nil {
			t.Fatal(err)
		}
	}
	return fakeAgent(t, func(c net.Conn) { agent.ServeAgent(kr, c) }), kr
}

func faultSettings(t *testing.T, sock string) (*hooks.Settings, *bytes.Buffer) {
	var stderr bytes.Buffer
	s := testSettings(t, sock, &stderr)
	s.AgentTimeout, s.LockWait = 200*time.Millisecond, time.Second
	return s, &stderr
}

// preWithin runs the pre hook and checks that it takes the line as EIC,
// ends within bound and prints at most one line.
func preWithin(t *testing.T, s *hooks.Settings, stderr *bytes.Buffer, bound time.Duration) string {
	t.Helper()
	start := time.Now()
	if !hooks.Pre(s, "4242", eicLine) {
		t.Fatal("an EIC line was not taken for one")
	}
	if took := time.Since(start); took > bound {
		t.Errorf("pre took %v, more than %v", took, bound)
	}
	out := stderr.String()
	if strings.Count(out, "\n") > 1 {
		t.Errorf("more than one line: %q", out)
	}
	stderr.Reset()
	return out
}

func TestAgentFaultsCostAtMostTheDeadline(t *testing.T) {
	cases := map[string]func(net.Conn){
		"accepts and never answers": func(c net.Conn) { io.Copy(io.Discard, c) },
		"answers garbage": func(c net.Conn) {
			buf := make([]byte, 512)
			for {
				if _, err := c.Read(buf); err != nil {
					return
				}
				c.Write([]byte{0, 0, 0, 5, 0xff, 1, 2, 3, 4})
			}
		},
		"closes mid-reply": func(c net.Conn) {
			c.Read(make([]byte, 512))
			c.Write([]byte{0, 0, 0, 100, 12, 0, 0})
		},
		"answers a huge length": func(c net.Conn) {
			c.Read(make([]byte, 512))
			c.Write([]byte{0x7f, 0xff, 0xff, 0xff})
			io.Copy(io.Discard, c)
		},
	}
	for name, serve := range cases {
		t.Run(name, func(t *testing.T) {
			s, stderr := faultSettings(t, fakeAgent(t, serve))
			// A functional bound: the deadline must cut the call; 10× margin.
			out := preWithin(t, s, stderr, 10*s.AgentTimeout)
			if !strings.HasPrefix(out, "eich: ") || !strings.HasSuffix(out, "not pruning\n") {
				t.Errorf("want one line saying eich is not pruning, got %q", out)
			}
			c, err := hooks.Status(s, true)
			if err != nil && !strings.Contains(err.Error(), "ssh-agent") {
				t.Errorf("status error does not name the agent: %v", err)
			}
			if name == "accepts and never answers" && (c == nil || c.Format(hooks.DefaultStatusFormat) != "keys ?") {
				t.Errorf("status of a silent agent: %+v, want keys ?", c)
			}
		})
	}
}

func TestNoAgentIsQuietForHooksAndClearForList(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "file")
	os.WriteFile(regular, []byte("x"), 0o600)
	deadSock := filepath.Join(testbed.ShortTempDir(t, "eich-dead"), "s")
	l, err := net.Listen("unix", deadSock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	for name, sock := range map[string]string{
		"unset": "", "dangling": filepath.Join(dir, "nope"), "regular file": regular,
		"directory": dir, "socket with no listener": deadSock,
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("SSH_AUTH_SOCK", sock)
			s, stderr := faultSettings(t, "")
			if out := preWithin(t, s, stderr, 5*time.Second); out != "" {
				t.Errorf("hook printed %q with no agent", out)
			}
			hooks.Post(s, "4242", 0)
			if stderr.Len() != 0 {
				t.Errorf("post printed %q with no agent", stderr.String())
			}
			if c, err := hooks.Status(s, true); c != nil || err != nil {
				t.Errorf("status with no agent: %+v, %v; want nothing", c, err)
			}
			if _, _, err := hooks.List(s); err == nil || !strings.Contains(err.Error(), "no ssh-agent") {
				t.Errorf("list with no agent: %v; want a clear error", err)
			}
		})
	}
}

func TestAgentThatKeepsKeysIsReportedOnce(t *testing.T) {
	for _, removal := range []string{"refuse", "lie"} {
		t.Run(removal, func(t *testing.T) {
			sock, kr := fakeKeyring(t, removal, 2, 6)
			s, stderr := faultSettings(t, sock)
			first := preWithin(t, s, stderr, 5*time.Second)
			if !strings.Contains(first, "did not remove") || !strings.Contains(first, "eich ssh-config") {
				t.Errorf("first pre: want the agent reported with the fix, got %q", first)
			}
			second := preWithin(t, s, stderr, 5*time.Second)
			if strings.Contains(second, "did not remove") {
				t.Errorf("the refusing agent was reported twice: %q", second)
			}
			keys, _ := kr.List()
			if len(keys) != 8 {
				t.Fatalf("keyring changed: %d keys", len(keys))
			}
			log, _, _ := hooks.Log(s)
			for _, r := range log {
				if r.Outcome != state.Kept {
					t.Errorf("a removal that did not happen is logged as %q: %+v", r.Outcome, r)
				}
			}
			if len(log) != 8 {
				t.Errorf("%d intents logged, want 8: the 4 stale keys each pre asked for", len(log))
			}
		})
	}
}

func TestDoctorProbesRemoval(t *testing.T) {
	for removal, want := range map[string]string{
		"":       "removal: works",
		"lie":    "said it removed a probe key but kept it",
		"refuse": "refused to remove a probe key",
	} {
		sock, kr := fakeKeyring(t, removal, 2, 0)
		s, _ := faultSettings(t, sock)
		var out bytes.Buffer
		report, err := hooks.Doctor(s, "10.1.2.3")
		if err != nil {
			t.Fatal(err)
		}
		output.New(&out, false).Doctor(report)
		if !strings.Contains(out.String(), want) {
			t.Errorf("agent removal %q: doctor does not say %q:\n%s", removal, want, out.String())
		}
		for _, line := range []string{"limit: MaxAuthTries 6", "keys: 2 (user 2", "Host 10.1.*.*", "IdentitiesOnly yes"} {
			if !strings.Contains(out.String(), line) {
				t.Errorf("doctor output lacks %q:\n%s", line, out.String())
			}
		}
		if keys, _ := kr.List(); removal == "" && len(keys) != 2 {
			t.Errorf("doctor left its probe key behind: %d keys", len(keys))
		}
	}
}
