package sshargs

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// keygen writes a new key with ssh-keygen (OpenSSH's format, base64
// wrapped at 70 columns) to dir/name, mode 0400 as the AWS CLI leaves its
// key, and removes the .pub file beside it.
func keygen(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("no ssh-keygen:", err)
	}
	path := filepath.Join(dir, name)
	cmd := exec.Command("ssh-keygen", append([]string{"-q", "-f", path}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen %q: %v\n%s", args, err, out)
	}
	if err := os.Remove(path + ".pub"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	return path
}

// keygenFingerprint is the SHA256 fingerprint ssh-keygen -l gives the key
// file at path (with no .pub file beside it, from the private key).
func keygenFingerprint(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ssh-keygen", "-l", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen -lf %s: %v\n%s", path, err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || !strings.HasPrefix(fields[1], "SHA256:") {
		t.Fatalf("ssh-keygen -lf %s: %q", path, out)
	}
	return fields[1]
}

// oneLine writes the key file at path again with its base64 body on one
// line, as awscrt writes it, to a new file beside it.
func oneLine(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "-----BEGIN ") || !strings.HasPrefix(lines[len(lines)-1], "-----END ") {
		t.Fatalf("%s is not a wrapped PEM file:\n%s", path, data)
	}
	for _, l := range lines[1 : len(lines)-1] {
		if len(l) > 70 {
			t.Fatalf("%s: body line of %d columns, want at most 70", path, len(l))
		}
	}
	body := strings.Join(lines[1:len(lines)-1], "")
	one := lines[0] + "\n" + body + "\n" + lines[len(lines)-1] + "\n"
	out := path + "-one-line"
	if err := os.WriteFile(out, []byte(one), 0o400); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadIdentityAWSCLIKeys(t *testing.T) {
	dir := t.TempDir()
	// The AWS CLI's key: Ed25519, empty comment, no passphrase, in a
	// file called private-key.
	wrapped := keygen(t, dir, "private-key", "-t", "ed25519", "-N", "", "-C", "")
	single := oneLine(t, wrapped)
	want := keygenFingerprint(t, wrapped)
	if got := keygenFingerprint(t, single); got != want {
		t.Fatalf("ssh-keygen reads the one-line file as %s, the wrapped one as %s", got, want)
	}
	for _, path := range []string{wrapped, single} {
		pub, comment, err := ReadIdentity(path, MaxIdentityBytes)
		if err != nil {
			t.Fatalf("ReadIdentity(%s): %v", filepath.Base(path), err)
		}
		if got := ssh.FingerprintSHA256(pub); got != want || comment != "" || pub.Type() != ssh.KeyAlgoED25519 {
			t.Errorf("ReadIdentity(%s) = %s %s, comment %q; want %s, comment \"\"",
				filepath.Base(path), pub.Type(), got, comment, want)
		}
	}
}

func TestReadIdentityComments(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		comment string
	}{
		{"ed25519", []string{"-t", "ed25519", "-C", "me@laptop"}, "me@laptop"},
		{"ed25519-spaces", []string{"-t", "ed25519", "-C", "a comment with spaces"}, "a comment with spaces"},
		{"rsa", []string{"-t", "rsa", "-b", "2048", "-C", "rsa key"}, "rsa key"},
		{"ecdsa256", []string{"-t", "ecdsa", "-b", "256", "-C", "p256"}, "p256"},
		{"ecdsa521", []string{"-t", "ecdsa", "-b", "521", "-C", "p521"}, "p521"},
		// PEM keeps no comment.
		{"rsa-pem", []string{"-t", "rsa", "-b", "2048", "-m", "PEM", "-C", "lost"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := keygen(t, dir, tc.name, append([]string{"-N", ""}, tc.args...)...)
			want := keygenFingerprint(t, path)
			pub, comment, err := ReadIdentity(path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := ssh.FingerprintSHA256(pub); got != want || comment != tc.comment {
				t.Errorf("ReadIdentity = %s, %q; want %s, %q", got, comment, want, tc.comment)
			}
		})
	}
}

// refused checks that err is ReadIdentity's one-line refusal of path, and
// holds want.
func refused(t *testing.T, err error, path, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: read, want it refused (%s)", path, want)
	}
	msg := err.Error()
	t.Log(msg)
	if !strings.Contains(msg, path) || !strings.Contains(msg, want) || strings.ContainsAny(msg, "\n\r") {
		t.Errorf("%s: error %q, want one line naming the file and saying %q", path, msg, want)
	}
}

// promptly runs read and fails the test if it does not return within a
// bound far beyond what a refusal takes, so that a read that blocks is a
// failure rather than a hung test.
func promptly(t *testing.T, read func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- read() }()
	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		t.Fatal("still blocked after 20s")
		return nil
	}
}

func TestReadIdentityRefuses(t *testing.T) {
	dir := t.TempDir()
	key := keygen(t, dir, "private-key", "-t", "ed25519", "-N", "", "-C", "")

	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse")
	if f, err := os.Create(sparse); err != nil {
		t.Fatal(err)
	} else {
		err = f.Truncate(1 << 30)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(key, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nothing"), dangling); err != nil {
		t.Fatal(err)
	}
	linked := keygen(t, dir, "linked", "-t", "ed25519", "-N", "", "-C", "")
	second := filepath.Join(dir, "second-name")
	if err := os.Link(linked, second); err != nil {
		t.Fatal(err)
	}
	protected := keygen(t, dir, "protected", "-t", "ed25519", "-N", "secret", "-C", "")
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("not a key\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	newline := filepath.Join(dir, "new\nline")
	if err := os.WriteFile(newline, []byte("x"), 0o400); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		path, want string
	}{
		{fifo, "a named pipe, not a regular file"},
		{"/dev/zero", "a character device, not a regular file"},
		{"/dev/tty", ""}, // a terminal if there is one; never made the controlling one
		{dir, "a directory, not a regular file"},
		{link, "a symbolic link"},
		{dangling, "a symbolic link"},
		{sparse, "1073741824 bytes, larger than the 65536"},
		{linked, "has 2 hard links"},
		{second, "has 2 hard links"},
		{protected, "protected by a passphrase"},
		{garbage, "ssh: no key found"},
		{empty, "ssh: no key found"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		err := promptly(t, func() error {
			_, _, err := ReadIdentity(tc.path, MaxIdentityBytes)
			return err
		})
		refused(t, err, tc.path, tc.want)
	}
	if _, _, err := ReadIdentity(filepath.Join(dir, "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	// A path that holds a line break still gives one line.
	_, _, err := ReadIdentity(newline, 0)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), `new\x0aline`) {
		t.Errorf("file with a line break in its name: %q", err)
	}
	// The limit is the caller's.
	refused(t, func() error { _, _, err := ReadIdentity(key, 100); return err }(), key, "larger than the 100")
}

func TestReadIdentityOtherOwner(t *testing.T) {
	path := "/etc/passwd"
	if os.Geteuid() == 0 {
		dir := t.TempDir()
		path = keygen(t, dir, "private-key", "-t", "ed25519", "-N", "", "-C", "")
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	} else {
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil || int(st.Uid) == os.Geteuid() {
			t.Skip("no file of another user's to read")
		}
	}
	_, _, err := ReadIdentity(path, MaxIdentityBytes)
	refused(t, err, path, "owned by uid")
}

func FuzzComment(f *testing.F) {
	dir := f.TempDir()
	for _, tc := range [][]string{
		{"-t", "ed25519", "-C", ""},
		{"-t", "ed25519", "-C", "me@laptop"},
		{"-t", "ecdsa", "-C", "p256"},
	} {
		if _, err := exec.LookPath("ssh-keygen"); err != nil {
			break
		}
		path := filepath.Join(dir, "key")
		os.Remove(path)
		os.Remove(path + ".pub")
		if out, err := exec.Command("ssh-keygen", append([]string{"-q", "-N", "", "-f", path}, tc...)...).CombinedOutput(); err != nil {
			f.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := comment(data)
		if _, err := ssh.ParseRawPrivateKey(data); err != nil && c != "" && !strings.Contains(string(data), "OPENSSH") {
			t.Fatalf("comment %q from a file that is no openssh-key-v1 key", c)
		}
	})
}
