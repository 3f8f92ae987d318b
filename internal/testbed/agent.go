package testbed

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// UserKeyComments are the comments of the two user keys every test agent
// starts with.
var UserKeyComments = []string{"alice@laptop", "alice@work"}

// Agent is a running OpenSSH ssh-agent.
type Agent struct {
	Socket           string
	UserFingerprints []string // SHA256 fingerprints of the two user keys
}

// StartAgent starts `ssh-agent -D -a SOCK`, adds two user keys with
// comments (through ssh-add, as a user would), and stops it when the test
// ends.
func StartAgent(t testing.TB) *Agent {
	t.Helper()
	agentPath, add, keygen := Tool(t, "ssh-agent"), Tool(t, "ssh-add"), Tool(t, "ssh-keygen")
	dir := ShortTempDir(t, "eich-agent")
	a := &Agent{Socket: filepath.Join(dir, "agent.sock")}
	cmd := exec.Command(agentPath, "-D", "-a", a.Socket)
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ssh-agent: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	WaitFor(t, 10*time.Second, "ssh-agent's socket", func() bool {
		c, err := net.Dial("unix", a.Socket)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, log.String)
	env := append(os.Environ(), "SSH_AUTH_SOCK="+a.Socket)
	for i, comment := range UserKeyComments {
		key := filepath.Join(dir, fmt.Sprintf("id_user%d", i+1))
		run(t, nil, keygen, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key)
		run(t, env, add, key)
		fp := run(t, nil, keygen, "-l", "-E", "sha256", "-f", key+".pub")
		a.UserFingerprints = append(a.UserFingerprints, strings.Fields(fp)[1])
	}
	return a
}

// Keys lists the agent's keys, oldest first.
func (a *Agent) Keys(t testing.TB) []*agent.Key {
	t.Helper()
	conn, err := net.Dial("unix", a.Socket)
	if err != nil {
		t.Fatalf("dial agent: %v", err)
	}
	defer conn.Close()
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		t.Fatalf("list agent keys: %v", err)
	}
	return keys
}

// Fingerprints lists the SHA256 fingerprints of the agent's keys.
func (a *Agent) Fingerprints(t testing.TB) []string {
	t.Helper()
	var fps []string
	for _, k := range a.Keys(t) {
		fps = append(fps, ssh.FingerprintSHA256(k))
	}
	return fps
}

// Describe lists the agent's keys for failure messages.
func (a *Agent) Describe(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for i, k := range a.Keys(t) {
		fmt.Fprintf(&b, "  %d. %s %s %q\n", i+1, k.Format, ssh.FingerprintSHA256(k), k.Comment)
	}
	return b.String()
}

// AddStale adds n throw-away Ed25519 keys with empty comments, as EIC logins
// leave behind.
func (a *Agent) AddStale(t testing.TB, n int) {
	t.Helper()
	for range n {
		priv, _ := NewKey(t)
		AddKey(t, a.Socket, priv, "")
	}
}

// NewKey makes an Ed25519 key and returns it with its SHA256 fingerprint.
func NewKey(t testing.TB) (ed25519.PrivateKey, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return priv, ssh.FingerprintSHA256(pub)
}

// FakeFingerprint returns a well-formed SHA256 fingerprint, distinct for
// each i and the same on every run, of no real key: for ledgers and
// benchmarks that need many fingerprints and no keys.
func FakeFingerprint(i int) string {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(i))
	sum := sha256.Sum256(buf[:])
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// AddKey adds priv with comment to the agent at socket, as ssh does with
// AddKeysToAgent (the comment empty) or ssh-add (the file name).
func AddKey(t testing.TB, socket string, priv ed25519.PrivateKey, comment string) {
	t.Helper()
	if err := DialAgent(t, socket).Add(agent.AddedKey{PrivateKey: priv, Comment: comment}); err != nil {
		t.Fatalf("add key to %s: %v", socket, err)
	}
}

// HasUserKeys reports whether both user keys are still in the agent.
func (a *Agent) HasUserKeys(t testing.TB) bool {
	t.Helper()
	have := map[string]bool{}
	for _, fp := range a.Fingerprints(t) {
		have[fp] = true
	}
	for _, fp := range a.UserFingerprints {
		if !have[fp] {
			return false
		}
	}
	return true
}

// StartKeyring serves an in-process agent (golang.org/x/crypto's
// agent.NewKeyring) on a new socket, with the same two user keys as
// StartAgent. It lists keys oldest first and removes them as OpenSSH's
// agent does; tests whose point is eich's state, not the agent, use it to
// save starting ssh-agent. What depends on the agent itself (locking,
// ssh-add, certificates, the logins) runs against StartAgent.
func StartKeyring(t testing.TB) *Agent {
	t.Helper()
	kr := agent.NewKeyring()
	a := &Agent{Socket: ServeUnix(t, func(c net.Conn) { _ = agent.ServeAgent(kr, c) })}
	for _, comment := range UserKeyComments {
		priv, fp := NewKey(t)
		AddKey(t, a.Socket, priv, comment)
		a.UserFingerprints = append(a.UserFingerprints, fp)
	}
	return a
}
