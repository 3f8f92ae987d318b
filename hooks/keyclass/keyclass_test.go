package keyclass

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func agentKey(t *testing.T, pub ssh.PublicKey, comment string) *agent.Key {
	t.Helper()
	return &agent.Key{Format: pub.Type(), Blob: pub.Marshal(), Comment: comment}
}

func TestClassify(t *testing.T) {
	now := time.Now()
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	ed, _ := ssh.NewPublicKey(edPub)
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 1024)
	rs, _ := ssh.NewPublicKey(&rsaPriv.PublicKey)
	ca, _ := ssh.NewSignerFromKey(edPriv)
	cert := func(before uint64) ssh.PublicKey {
		c := &ssh.Certificate{Key: rs, CertType: ssh.UserCert, ValidPrincipals: []string{"ec2-user"}, ValidBefore: before}
		if err := c.SignCert(rand.Reader, ca); err != nil {
			t.Fatal(err)
		}
		return c
	}
	existing := map[string]bool{"/tmp/tmpkeep/private-key": true}
	facts := func(known, protected bool) Facts {
		return Facts{
			Known:     func(string) bool { return known },
			Protected: func(string) bool { return protected },
			Now:       now,
			Exists:    func(p string) bool { return existing[p] },
			TempDirs:  []string{"/tmp", "/var/folders"},
		}
	}
	cases := []struct {
		name             string
		key              *agent.Key
		known, protected bool
		want             Class
	}{
		{"ed25519, empty comment", agentKey(t, ed, ""), false, false, Suspect},
		{"ed25519, blank comment", agentKey(t, ed, "  "), false, false, Suspect},
		{"ed25519 with a comment", agentKey(t, ed, "alice@laptop"), false, false, User},
		{"known EIC", agentKey(t, ed, ""), true, false, EIC},
		{"known EIC re-added with a comment", agentKey(t, ed, "x"), true, false, User},
		{"known, but not of EIC's shape", agentKey(t, rs, ""), true, false, User},
		{"protected beats known", agentKey(t, ed, ""), true, true, Protected},
		{"protected suspect", agentKey(t, ed, ""), false, true, Protected},
		{"rsa, vanished temp file (mssh)", agentKey(t, rs, "/tmp/tmpab12cd/identity"), false, false, Suspect},
		{"rsa, vanished macOS temp file", agentKey(t, rs, "/var/folders/x_/abc/T/tmp1/identity"), false, false, Suspect},
		{"rsa, temp file still there", agentKey(t, rs, "/tmp/tmpkeep/private-key"), false, false, User},
		{"rsa, home path gone", agentKey(t, rs, "/home/alice/.ssh/old"), false, false, User},
		{"rsa, relative path", agentKey(t, rs, "tmp/x"), false, false, User},
		{"rsa, escaping temp dir", agentKey(t, rs, "/tmp/../home/alice/id"), false, false, User},
		{"rsa, no comment", agentKey(t, rs, ""), false, false, User},
		{"expired certificate", agentKey(t, cert(uint64(now.Add(-time.Minute).Unix())), "step"), false, false, ExpiredCert},
		{"valid certificate", agentKey(t, cert(uint64(now.Add(time.Hour).Unix())), "step"), false, false, User},
		{"certificate forever", agentKey(t, cert(ssh.CertTimeInfinity), "step"), false, false, User},
		{"protected expired certificate", agentKey(t, cert(1), "step"), false, true, Protected},
	}
	for _, c := range cases {
		if got := Classify(c.key, facts(c.known, c.protected)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

func TestOnlyStaleClassesAreStale(t *testing.T) {
	for c, want := range map[Class]bool{User: false, Protected: false, EIC: true, ExpiredCert: true, Suspect: true} {
		if c.Stale() != want {
			t.Errorf("%s.Stale() = %v", c, !want)
		}
	}
}
