package sshargs

import (
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/safetext"
)

// MaxIdentityBytes is the size ReadIdentity allows when it is given no
// limit: an Ed25519 key file is about 400 bytes, a 16384-bit RSA one
// about 12 KiB.
const MaxIdentityBytes = 64 << 10

// ReadIdentity reads the unencrypted private key file at path and returns
// its public key and its comment.
//
// It reads only a regular file, not a link to one, owned by the
// effective user, with one link and at most maxBytes bytes (if maxBytes
// is 0 or less, MaxIdentityBytes). It checks what path names before it
// opens it, so that it opens no FIFO or device; opens it without
// following a link and without blocking; checks the open file again and
// that it is the one it checked; and reads at most maxBytes+1 bytes.
// Anything else, a key protected by a passphrase, or a file that does not
// parse is refused with a one-line error that names the file.
//
// The key may be in the openssh-key-v1 format, its base64 body wrapped at
// 70 columns (ssh-keygen, Python's cryptography) or on one line (awscrt),
// or in a PEM format x/crypto/ssh reads. The comment is read from an
// openssh-key-v1 file's private section (x/crypto/ssh parses it but does
// not return it); it is "" for PEM formats, which keep none.
func ReadIdentity(path string, maxBytes int64) (ssh.PublicKey, string, error) {
	if maxBytes <= 0 {
		maxBytes = MaxIdentityBytes
	}
	var named unix.Stat_t
	if err := retry(func() error { return unix.Lstat(path, &named) }); err != nil {
		return nil, "", refuse(path, "%w", err)
	}
	if err := check(&named, maxBytes); err != nil {
		return nil, "", refuse(path, "%w", err)
	}
	fd, opened, err := openIdentity(path, maxBytes)
	if err != nil {
		return nil, "", err
	}
	defer unix.Close(fd)
	if opened.Dev != named.Dev || opened.Ino != named.Ino {
		return nil, "", refuse(path, "replaced while being opened")
	}
	data, err := readAtMost(fd, opened.Size, maxBytes)
	if err != nil {
		return nil, "", refuse(path, "%w", err)
	}
	key, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		var protected *ssh.PassphraseMissingError
		if errors.As(err, &protected) {
			return nil, "", refuse(path, "protected by a passphrase")
		}
		return nil, "", refuse(path, "%w", err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, "", refuse(path, "%w", err)
	}
	return signer.PublicKey(), comment(data), nil
}

// openIdentity opens path read-only, without blocking, following no link
// and taking no controlling terminal, and checks the open file. It
// returns the descriptor and what fstat says of it.
func openIdentity(path string, maxBytes int64) (int, *unix.Stat_t, error) {
	var fd int
	err := retry(func() (err error) {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EMLINK) {
			return -1, nil, refuse(path, "not a regular file but a symbolic link")
		}
		return -1, nil, refuse(path, "open: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, nil, refuse(path, "fstat: %w", err)
	}
	if err := check(&st, maxBytes); err != nil {
		unix.Close(fd)
		return -1, nil, refuse(path, "%w", err)
	}
	return fd, &st, nil
}

// check refuses what is not a small regular file of the effective user's
// with one link.
func check(st *unix.Stat_t, maxBytes int64) error {
	if kind := uint32(st.Mode) & unix.S_IFMT; kind != unix.S_IFREG {
		return fmt.Errorf("not a regular file but %s", kindName(kind))
	}
	if euid := os.Geteuid(); st.Uid != uint32(euid) {
		return fmt.Errorf("owned by uid %d, not by %d", st.Uid, euid)
	}
	if st.Nlink != 1 {
		return fmt.Errorf("has %d hard links, not 1", st.Nlink)
	}
	if st.Size > maxBytes {
		return fmt.Errorf("%d bytes, more than %d", st.Size, maxBytes)
	}
	return nil
}

func kindName(kind uint32) string {
	switch kind {
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFSOCK:
		return "a socket"
	}
	return fmt.Sprintf("of type %#o", kind)
}

// readAtMost reads fd to its end, expecting size bytes; more than limit
// bytes is an error.
func readAtMost(fd int, size, limit int64) ([]byte, error) {
	buf := make([]byte, 0, min(max(size, 0), limit)+1)
	for {
		if int64(len(buf)) > limit {
			return nil, fmt.Errorf("grew past %d bytes", limit)
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(int64(len(buf)), limit+1-int64(len(buf)))))
		}
		end := min(int64(cap(buf)), limit+1)
		n, err := unix.Read(fd, buf[len(buf):end])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

func retry(call func() error) error {
	for {
		if err := call(); err != unix.EINTR {
			return err
		}
	}
}

// refuse is ReadIdentity's error: "identity file PATH: why", on one line
// whatever the path holds.
func refuse(path, format string, args ...any) error {
	return fmt.Errorf("identity file %s: "+format, append([]any{safetext.Line(path)}, args...)...)
}

// comment returns the comment of an unencrypted openssh-key-v1 key, ""
// when data is not one or holds a key type whose fields it does not know.
// The layout (PROTOCOL.key): "openssh-key-v1\0", the cipher, KDF and KDF
// options as strings, a uint32 count of keys, each public key as a
// string, then the private section as a string: two uint32 check values,
// then per key its type, its private fields and its comment, then
// padding.
func comment(data []byte) string {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "OPENSSH PRIVATE KEY" {
		return ""
	}
	r := &reader{b: block.Bytes}
	const magic = "openssh-key-v1\x00"
	if string(r.bytes(len(magic))) != magic {
		return ""
	}
	cipher := r.string()
	r.string() // KDF
	r.string() // KDF options
	if string(cipher) != "none" || r.uint32() != 1 {
		return ""
	}
	r.string() // public key
	priv := &reader{b: r.string()}
	if r.failed() {
		return ""
	}
	priv.uint32() // check values
	priv.uint32()
	var fields int
	switch string(priv.string()) {
	case ssh.KeyAlgoED25519:
		fields = 2 // public, private
	case ssh.KeyAlgoRSA:
		fields = 6 // n, e, d, iqmp, p, q
	case ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521:
		fields = 3 // curve, public point, private scalar
	default:
		return ""
	}
	for range fields {
		priv.string()
	}
	c := priv.string()
	if priv.failed() {
		return ""
	}
	return string(c)
}

// reader reads the uint32s and length-prefixed strings of the SSH wire
// format; once a read runs past the end, every read gives zero values
// and failed reports true.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) bytes(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) uint32() uint32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

func (r *reader) string() []byte {
	n := r.uint32()
	if r.bad || uint64(n) > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	return r.bytes(int(n))
}

func (r *reader) failed() bool { return r.bad }
