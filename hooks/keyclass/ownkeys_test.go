package keyclass

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// keygen makes a key with OpenSSH's ssh-keygen at path (path.pub beside
// it) and returns its fingerprint, from the .pub file.
func keygen(t *testing.T, path string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("no ssh-keygen")
	}
	cmd := exec.Command(bin, append([]string{"-q", "-f", path}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen %v: %v: %s", args, err, out)
	}
	data, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(pub)
}

// ownKeysPromptly is OwnPublicKeys, failing the test unless it returns
// within a generous bound: a read of a FIFO that blocks never returns.
func ownKeysPromptly(t *testing.T, dir string) map[string]bool {
	t.Helper()
	done := make(chan map[string]bool, 1)
	go func() { done <- OwnPublicKeys(dir) }()
	select {
	case own := <-done:
		return own
	case <-time.After(5 * time.Second):
		t.Fatal("OwnPublicKeys still blocked after 5s")
		return nil
	}
}

// rewrap writes a PEM file's base64 body at width columns (0: one line),
// as the AWS CLI's two ways of writing its key file do.
func rewrap(t *testing.T, data []byte, width int) []byte {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("not PEM")
	}
	body := base64.StdEncoding.EncodeToString(block.Bytes)
	var b bytes.Buffer
	b.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for width > 0 && len(body) > width {
		b.WriteString(body[:width] + "\n")
		body = body[width:]
	}
	b.WriteString(body + "\n-----END OPENSSH PRIVATE KEY-----\n")
	return b.Bytes()
}

// The public half of a private key file counts as the user's own, with
// no .pub beside it and whether or not a passphrase protects it.
func TestOwnPublicKeysReadsPrivateKeyFiles(t *testing.T) {
	dir := t.TempDir()
	plain := keygen(t, filepath.Join(dir, "id_ed25519"), "-t", "ed25519", "-N", "", "-C", "")
	secret := keygen(t, filepath.Join(dir, "id_work"), "-t", "ed25519", "-N", "secret", "-C", "")
	rsa := keygen(t, filepath.Join(dir, "id_rsa"), "-t", "rsa", "-b", "2048", "-N", "secret", "-C", "me@host")
	withPub := keygen(t, filepath.Join(dir, "id_ecdsa"), "-t", "ecdsa", "-N", "", "-C", "")
	for _, name := range []string{"id_ed25519", "id_work", "id_rsa"} {
		os.Remove(filepath.Join(dir, name+".pub"))
	}
	os.Remove(filepath.Join(dir, "id_ecdsa")) // a .pub alone still counts
	// The AWS CLI's two layouts of the same format: base64 at 70
	// columns, and on one line.
	other := t.TempDir()
	awsKey := keygen(t, filepath.Join(other, "k"), "-t", "ed25519", "-N", "", "-C", "")
	data, _ := os.ReadFile(filepath.Join(other, "k"))
	os.WriteFile(filepath.Join(dir, "wrapped-70"), rewrap(t, data, 70), 0o600)
	other2 := t.TempDir()
	awsKey2 := keygen(t, filepath.Join(other2, "k"), "-t", "ed25519", "-N", "", "-C", "")
	data, _ = os.ReadFile(filepath.Join(other2, "k"))
	os.WriteFile(filepath.Join(dir, "one-line"), rewrap(t, data, 0), 0o600)
	// Files that are no keys.
	os.WriteFile(filepath.Join(dir, "config"), []byte("Host *\n  AddKeysToAgent yes\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "known_hosts"), bytes.Repeat([]byte("x"), 64<<10), 0o600)

	own := ownKeysPromptly(t, dir)
	for name, fp := range map[string]string{"unencrypted private key": plain, "passphrase-protected private key": secret,
		"passphrase-protected RSA key": rsa, "a .pub alone": withPub, "base64 at 70 columns": awsKey, "base64 on one line": awsKey2} {
		if !own[fp] {
			t.Errorf("%s (%s) not among the user's keys", name, fp)
		}
	}
	if len(own) != 6 {
		t.Errorf("%d keys found, want 6: %v", len(own), own)
	}
}

// The header is read as ssh-keygen reads it: the fingerprint is the one
// ssh-keygen -l prints for the private key file itself.
func TestPrivateKeyHeaderMatchesSSHKeygen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "id")
	want := keygen(t, p, "-t", "ed25519", "-N", "secret", "-C", "")
	os.Remove(p + ".pub")
	out, err := exec.Command("ssh-keygen", "-l", "-E", "sha256", "-f", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("ssh-keygen -l: %s, %v; want %s", out, err, want)
	}
	data, _ := os.ReadFile(p)
	pubs := privateKeyPublics(data)
	if len(pubs) != 1 || ssh.FingerprintSHA256(pubs[0]) != want {
		t.Errorf("got %v, want one key %s", pubs, want)
	}
}

// A FIFO, a link to a FIFO and a link to a device among the key files are
// skipped without blocking; the real keys are still found.
func TestOwnPublicKeysSkipsWhatIsNoFile(t *testing.T) {
	dir := t.TempDir()
	fp := keygen(t, filepath.Join(dir, "id_ed25519"), "-t", "ed25519", "-N", "", "-C", "")
	elsewhere := filepath.Join(t.TempDir(), "fifo")
	for _, p := range []string{filepath.Join(dir, "a.pub"), filepath.Join(dir, "id_a"), elsewhere} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(elsewhere, filepath.Join(dir, "b.pub"))
	os.Symlink(elsewhere, filepath.Join(dir, "id_b"))
	os.Symlink("/dev/zero", filepath.Join(dir, "c.pub"))
	os.Symlink("/nonexistent", filepath.Join(dir, "d.pub"))
	os.Mkdir(filepath.Join(dir, "sockets"), 0o700)
	own := ownKeysPromptly(t, dir)
	if !own[fp] || len(own) != 1 {
		t.Errorf("got %v, want only %s", own, fp)
	}
	// ~/.ssh itself a FIFO.
	if own := ownKeysPromptly(t, elsewhere); len(own) != 0 {
		t.Errorf("a FIFO as the key dir: %v", own)
	}
}

// A private key file larger than any key file is not read, and a header
// that is damaged or claims absurd counts yields nothing.
func TestPrivateKeyHeaderBounds(t *testing.T) {
	dir := t.TempDir()
	fp := keygen(t, filepath.Join(dir, "id_ed25519"), "-t", "ed25519", "-N", "", "-C", "")
	os.Remove(filepath.Join(dir, "id_ed25519.pub"))
	data, _ := os.ReadFile(filepath.Join(dir, "id_ed25519"))
	padded := append(bytes.Clone(data), bytes.Repeat([]byte("\n"), maxKeyFile)...)
	os.WriteFile(filepath.Join(dir, "id_ed25519"), padded, 0o600)
	if own := ownKeysPromptly(t, dir); own[fp] {
		t.Error("a private key file over the size bound was read")
	}

	block, _ := pem.Decode(data)
	body := block.Bytes
	header := func(count uint32, blobs ...[]byte) []byte {
		var b bytes.Buffer
		b.WriteString(privateMagic)
		for _, s := range []string{"none", "none", ""} {
			binary.Write(&b, binary.BigEndian, uint32(len(s)))
			b.WriteString(s)
		}
		binary.Write(&b, binary.BigEndian, count)
		for _, blob := range blobs {
			binary.Write(&b, binary.BigEndian, uint32(len(blob)))
			b.Write(blob)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: b.Bytes()})
	}
	pub := privateKeyPublics(data)[0].Marshal()
	for name, text := range map[string][]byte{
		"truncated":             pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: body[:40]}),
		"wrong magic":           pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: append([]byte("openssh-key-v2\x00"), body[15:]...)}),
		"no keys":               header(0),
		"absurd count":          header(1<<32-1, pub),
		"count beyond the keys": header(2, pub),
		"length past the end":   header(1, append([]byte{0xff, 0xff, 0xff, 0xff}, pub...)),
		"not a key blob":        header(1, []byte("junk")),
		"another PEM type":      pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: body}),
	} {
		if pubs := privateKeyPublics(text); len(pubs) != 0 {
			t.Errorf("%s: got %d keys, want none", name, len(pubs))
		}
	}
	if pubs := privateKeyPublics(header(1, pub)); len(pubs) != 1 {
		t.Errorf("a well-formed header built here: %d keys, want 1", len(pubs))
	}
}
