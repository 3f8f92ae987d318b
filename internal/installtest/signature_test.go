package installtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// pinnedKeyLine is install.sh's one line that pins the release key.
var pinnedKeyLine = regexp.MustCompile(`(?m)^RELEASE_KEY='[^'\n]*'$`)

// installPinned runs a copy of install.sh, outside a checkout, whose
// pinned release key is pub instead of the real one: the test signs with
// a throw-away key, and nothing but a changed copy of the script trusts
// it.
func (e *env) installPinned(pub string, args ...string) result {
	e.t.Helper()
	return e.run("/bin/sh", append([]string{e.pinnedCopy(pub), "--bin-dir", e.binDir}, args...)...)
}

// pinnedCopy writes that copy of install.sh, pinning pub, and returns
// its path.
func (e *env) pinnedCopy(pub string) string {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "install.sh"))
	if err != nil {
		e.t.Fatal(err)
	}
	if n := len(pinnedKeyLine.FindAll(data, -1)); n != 1 {
		e.t.Fatalf("install.sh has %d lines RELEASE_KEY='…', want one", n)
	}
	pinned := pinnedKeyLine.ReplaceAllLiteral(data, []byte("RELEASE_KEY='"+pub+"'"))
	script := filepath.Join(e.t.TempDir(), "install.sh")
	if err := os.WriteFile(script, pinned, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return script
}

// throwAwayKey makes an Ed25519 key pair for one test and returns the
// private key's file and the public key's line.
func throwAwayKey(t *testing.T) (string, string) {
	t.Helper()
	key := filepath.Join(t.TempDir(), "release-key")
	out, err := exec.Command(testbed.Tool(t, "ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "throw-away", "-f", key).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return key, strings.TrimSpace(string(pub))
}

// signChecksums signs dir/checksums.txt with key as a release does
// (.goreleaser.yaml's signs: ssh-keygen -Y sign -n file), replacing
// dir/checksums.txt.sig.
func signChecksums(t *testing.T, key, dir string) {
	t.Helper()
	file := filepath.Join(dir, "checksums.txt")
	os.Remove(file + ".sig")
	out, err := exec.Command(testbed.Tool(t, "ssh-keygen"), "-Y", "sign", "-n", "file", "-f", key, file).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
}

// trojanArchive rewrites dir/name as an archive whose eich is a script
// that still answers --version as the real one does, every other member
// kept, and writes a checksums.txt that matches it: a release changed by
// someone who can replace files but not sign.
func trojanArchive(t *testing.T, dir, name string) {
	t.Helper()
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	tr := tar.NewReader(zr)
	replaced := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "eich" {
			body = []byte(fmt.Sprintf("#!/bin/sh\necho 'eich version %s (%s)'\n", testVersion, testCommit))
			h.Size = int64(len(body))
			replaced = true
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if !replaced {
		t.Fatalf("%s holds no eich", name)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(out.Bytes())
	sums, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^[0-9a-f]{64}  ` + regexp.QuoteMeta(name) + `$`)
	if !line.Match(sums) {
		t.Fatalf("checksums.txt has no line for %s", name)
	}
	sums = line.ReplaceAllLiteral(sums, []byte(hex.EncodeToString(sum[:])+"  "+name))
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), sums, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSignedRelease: the snapshot's checksums.txt signed with a
// throw-away key as a release signs it, installed by an install.sh that
// pins that key. The untouched release installs, and says its signature
// was checked. A trojaned archive with a checksums.txt made to match is
// refused, whether the old signature stays or the one who changed it
// signs anew with another key; so is the real release key's install.sh
// facing the throw-away signature. Nothing is installed then. An
// ssh-keygen older than OpenSSH 8.1, which cannot check, leaves the
// SHA-256 check alone, with a warning; a --base-url release without a
// signature too. --verify-release checks by hand and installs nothing.
func TestSignedRelease(t *testing.T) {
	setup(t)
	testbed.Tool(t, "curl")
	key, pub := throwAwayKey(t)
	otherKey, _ := throwAwayKey(t)
	signed := t.TempDir()
	copyDir(t, distDir, signed)
	signChecksums(t, key, signed)

	t.Run("signed", func(t *testing.T) {
		e := newEnv(t, "bash")
		r := e.mustOK(e.installPinned(pub, "--base-url", baseURL(signed), "--no-modify-rc"), "signed install")
		if !strings.Contains(r.stdout, "verified checksums.txt (signed by the eich release key)") ||
			!strings.Contains(r.stdout, "verified "+archiveName) {
			t.Errorf("want the signature and the checksum reported as checked:\n%s", r)
		}
		if strings.Contains(r.stderr, "SHA-256 only") {
			t.Errorf("a signed release was checked by its SHA-256 only:\n%s", r)
		}
		if v := e.version(); !stampedWith(v, testVersion, testCommit) {
			t.Errorf("installed eich --version = %q", v)
		}
	})

	refused := func(t *testing.T, dir, pinned string) {
		t.Helper()
		e := newEnv(t, "zsh")
		var r result
		if pinned == "" {
			r = e.installCopy("--base-url", baseURL(dir), "--modify-rc")
		} else {
			r = e.installPinned(pinned, "--base-url", baseURL(dir), "--modify-rc")
		}
		if r.code == 0 {
			t.Fatalf("the release was accepted:\n%s", r)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		last := lines[len(lines)-1]
		if !strings.HasPrefix(last, "install.sh: error: ") || !strings.Contains(last, "is not the eich release key's signature over checksums.txt") {
			t.Errorf("want the signature named as the reason, got:\n%s", r)
		}
		if strings.Contains(r.stdout, "verified") {
			t.Errorf("something was reported verified:\n%s", r)
		}
		if _, err := os.Stat(e.binDir); !os.IsNotExist(err) {
			t.Errorf("bin dir was created: %v %v", err, e.binFiles())
		}
		if _, err := os.Stat(e.rcFile("zsh")); !os.IsNotExist(err) {
			t.Errorf(".zshrc was written")
		}
	}
	t.Run("trojaned, old signature", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, signed, dir)
		trojanArchive(t, dir, archiveName)
		refused(t, dir, pub)
	})
	t.Run("trojaned, signed with another key", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, signed, dir)
		trojanArchive(t, dir, archiveName)
		signChecksums(t, otherKey, dir)
		refused(t, dir, pub)
	})
	t.Run("the real key pinned", func(t *testing.T) {
		refused(t, signed, "")
	})

	t.Run("--verify-release", func(t *testing.T) {
		// The check by hand: the pinned key's signature passes, a
		// trojaned checksums.txt or another key's pin does not, and
		// nothing is installed or written either way.
		e := newEnv(t, "bash")
		trojaned := t.TempDir()
		copyDir(t, signed, trojaned)
		trojanArchive(t, trojaned, archiveName)
		check := func(script, dir string) result {
			return e.run("/bin/sh", script, "--verify-release",
				filepath.Join(dir, "checksums.txt"), filepath.Join(dir, "checksums.txt.sig"))
		}
		pinned := e.pinnedCopy(pub)
		if r := check(pinned, signed); r.code != 0 || !strings.Contains(r.stdout, "is the eich release key's signature over") {
			t.Errorf("the signed checksums.txt: want exit 0 and a line saying so\n%s", r)
		}
		if r := check(pinned, trojaned); r.code != 1 || !strings.Contains(r.stderr, "is not the eich release key's") {
			t.Errorf("the trojaned checksums.txt: want exit 1 and the reason\n%s", r)
		}
		if r := check(filepath.Join(repoRoot, "install.sh"), signed); r.code != 1 {
			t.Errorf("the real key pinned: want exit 1\n%s", r)
		}
		if entries, err := os.ReadDir(e.home); err != nil || len(entries) != 0 {
			t.Errorf("--verify-release wrote into HOME: %v %v", entries, err)
		}
		if files := e.binFiles(); len(files) != 0 {
			t.Errorf("--verify-release installed %v", files)
		}
	})

	t.Run("ssh-keygen too old to check", func(t *testing.T) {
		// OpenSSH 8.0's ssh-keygen has no -Y: it names the option and
		// prints its usage.
		fake := t.TempDir()
		old := "#!/bin/sh\necho 'ssh-keygen: unknown option -- Y' >&2\necho 'usage: ssh-keygen [-q] [-b bits] [-C comment] [-f output_keyfile]' >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(fake, "ssh-keygen"), []byte(old), 0o755); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, "bash")
		for i, kv := range e.vars {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				e.vars[i] = "PATH=" + fake + string(os.PathListSeparator) + v
			}
		}
		r := e.mustOK(e.installPinned(pub, "--base-url", baseURL(signed), "--no-modify-rc"), "install with an old ssh-keygen")
		if !strings.Contains(r.stderr, "older than OpenSSH 8.1") || !strings.Contains(r.stdout, "verified "+archiveName) {
			t.Errorf("want a warning that the signature was not checked, and the checksum checked:\n%s", r)
		}
		if strings.Contains(r.stdout, "verified checksums.txt") {
			t.Errorf("the signature is reported checked:\n%s", r)
		}
	})

	t.Run("no signature from --base-url", func(t *testing.T) {
		dir := t.TempDir()
		copyDir(t, signed, dir)
		if err := os.Remove(filepath.Join(dir, "checksums.txt.sig")); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, "bash")
		r := e.mustOK(e.installPinned(pub, "--base-url", baseURL(dir), "--no-modify-rc"), "unsigned install")
		if !strings.Contains(r.stderr, "has no checksums.txt.sig") || !strings.Contains(r.stdout, "verified "+archiveName) {
			t.Errorf("want a warning for the missing signature, and the checksum checked:\n%s", r)
		}
	})
}
