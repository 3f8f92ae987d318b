package sshargs

import (
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/safefile"
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
// is 0 or less, MaxIdentityBytes): it opens path through safefile
// (without blocking and without following a link, so a FIFO or a device
// costs nothing), checks the open descriptor, and reads at most maxBytes.
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
	f, err := safefile.Open(path, safefile.Spec{Flags: unix.O_RDONLY, Max: maxBytes})
	if err != nil {
		return nil, "", refuse(path, "%w", unwrapPath(err))
	}
	defer f.Close()
	if euid := os.Geteuid(); f.Stat.Uid != uint32(euid) {
		return nil, "", refuse(path, "owned by uid %d, not by %d", f.Stat.Uid, euid)
	}
	if f.Stat.Nlink != 1 {
		return nil, "", refuse(path, "has %d hard links, not 1", f.Stat.Nlink)
	}
	data, err := f.ReadAll()
	if err != nil {
		return nil, "", refuse(path, "%w", unwrapPath(err))
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

// unwrapPath drops the path from safefile's error, which refuse names.
func unwrapPath(err error) error {
	var e *safefile.Error
	if errors.As(err, &e) {
		if e.What != "" {
			return errors.New(e.What)
		}
		return e.Err
	}
	return err
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
