package hooks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/internal/testbed"
)

// TestCertificateFingerprintIsSSHAdds adds a key with an expired
// certificate (made by ssh-keygen, added by ssh-add) to a real agent.
// eich must show the fingerprint `ssh-add -l` prints for the certificate,
// protecting that fingerprint must keep the certificate, and without the
// protection prune must remove the certificate alone and count it removed
// although its key, with the same fingerprint, stays.
func TestCertificateFingerprintIsSSHAdds(t *testing.T) {
	e := newEnv(t)
	sock := append(os.Environ(), "SSH_AUTH_SOCK="+e.agent.Socket)
	dir := t.TempDir()
	ca, id := filepath.Join(dir, "ca"), filepath.Join(dir, "id_cert")
	testbed.RunTool(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", ca)
	testbed.RunTool(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob@laptop", "-f", id)
	testbed.RunTool(t, nil, "ssh-keygen", "-q", "-s", ca, "-I", "bob", "-n", "bob", "-V", "20000101:20000102", id)
	testbed.RunTool(t, sock, "ssh-add", id) // adds the key and id_cert-cert.pub

	certFP := ""
	for _, line := range strings.Split(testbed.RunTool(t, sock, "ssh-add", "-l"), "\n") {
		if strings.HasSuffix(line, "(ED25519-CERT)") {
			certFP = strings.Fields(line)[1]
		}
	}
	if certFP == "" {
		t.Fatal("ssh-add -l lists no certificate")
	}
	cert := func() *hooks.Key {
		keys, _, err := hooks.List(e.s)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.Contains(k.Type, "-cert-") {
				return &k
			}
		}
		return nil
	}
	if c := cert(); c == nil || c.Fingerprint != certFP || c.Class != keyclass.ExpiredCert {
		t.Fatalf("eich list shows the certificate as %+v; want fingerprint %s (as ssh-add -l) and class expired-cert", c, certFP)
	}

	if _, err := hooks.Protect(e.s, []string{certFP}, false); err != nil {
		t.Fatal(err)
	}
	if c := cert(); c == nil || c.Class != keyclass.Protected {
		t.Fatalf("after eich protect %s the certificate is %+v, want protected", certFP, c)
	}
	if rep, err := hooks.Prune(e.s, false, true); err != nil || len(rep.Removed) != 0 || cert() == nil {
		t.Fatalf("prune --all-stale removed a protected certificate (report %+v, err %v)", rep, err)
	}

	if _, err := hooks.Protect(e.s, []string{certFP}, true); err != nil {
		t.Fatal(err)
	}
	rep, err := hooks.Prune(e.s, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Removed) != 1 || len(rep.Kept) != 0 || cert() != nil {
		t.Errorf("unprotected expired certificate: removed %d, kept %d, still listed: %v", len(rep.Removed), len(rep.Kept), cert() != nil)
	}
	if !strings.Contains(testbed.RunTool(t, sock, "ssh-add", "-l"), certFP+" bob@laptop (ED25519)") {
		t.Errorf("the certificate's key left the agent too:\n%s", e.agent.Describe(t))
	}
	e.requireUserKeys()
}
