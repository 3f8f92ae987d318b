package keyclass

import (
	"bytes"
	"encoding/binary"
	"encoding/pem"
	"io/fs"
	"sort"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/safefile"
)

// Bounds on reading the user's key files: a .pub file is one line of a
// few hundred bytes, an OpenSSH private key file a few KiB (16384-bit RSA
// stays under 13 KiB); ~/.ssh seldom holds more than a few dozen files.
const (
	maxKeyFile   = 16 << 10
	maxKeyFiles  = 256  // files opened
	maxDirNames  = 4096 // names looked at
	maxFileKeys  = 16   // public keys in one private key file (OpenSSH writes 1)
	privateBegin = "-----BEGIN OPENSSH PRIVATE KEY-----"
	privateMagic = "openssh-key-v1\x00"
)

// OwnPublicKeys returns the fingerprints of the keys the user has on disk
// in dir, usually ~/.ssh, which eich never takes for EIC's whatever their
// shape: each public key file (*.pub), and the public half of each
// OpenSSH private key file, read from the file's unencrypted header
// without a passphrase (so id_ed25519 counts with no id_ed25519.pub
// beside it). Links are followed, as ssh follows them; anything that is
// not a regular file (a named pipe, a device) is skipped without
// blocking, and so is any file larger than a key file. Unreadable files
// are skipped.
func OwnPublicKeys(dir string) map[string]bool {
	out := map[string]bool{}
	d, err := safefile.Open(dir, safefile.Spec{Flags: unix.O_RDONLY, Follow: true, Dir: true})
	if err != nil {
		return out
	}
	defer d.Close()
	entries, _ := d.ReadDir(maxDirNames)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		// The entry's type is a hint that saves an open; safefile checks
		// what is opened.
		if t := e.Type(); t.IsRegular() || t&fs.ModeSymlink != 0 {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) > maxKeyFiles {
		names = names[:maxKeyFiles]
	}
	for _, name := range names {
		f, err := safefile.OpenAt(int(d.Fd()), dir, name, safefile.Spec{Flags: unix.O_RDONLY, Follow: true, Max: maxKeyFile})
		if err != nil {
			continue
		}
		data, err := f.ReadAll()
		f.Close()
		if err != nil {
			continue
		}
		if strings.HasSuffix(name, ".pub") {
			if pub, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
				out[ssh.FingerprintSHA256(pub)] = true
			}
			continue
		}
		for _, pub := range privateKeyPublics(data) {
			out[ssh.FingerprintSHA256(pub)] = true
		}
	}
	return out
}

// privateKeyPublics returns the public keys an OpenSSH private key
// file (PEM "OPENSSH PRIVATE KEY", openssh-key-v1) names in its header,
// which is never encrypted: the magic "openssh-key-v1\0", the cipher,
// KDF and KDF options, the number of keys, then each public key blob. It
// decrypts nothing and asks for no passphrase. It returns nil for
// anything else.
func privateKeyPublics(data []byte) []ssh.PublicKey {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(privateBegin)) {
		return nil
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "OPENSSH PRIVATE KEY" {
		return nil
	}
	b, ok := bytes.CutPrefix(block.Bytes, []byte(privateMagic))
	if !ok {
		return nil
	}
	for range 3 { // cipher name, KDF name, KDF options
		if _, b, ok = sshString(b); !ok {
			return nil
		}
	}
	if len(b) < 4 {
		return nil
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if n < 1 || n > maxFileKeys {
		return nil
	}
	var pubs []ssh.PublicKey
	for range n {
		var blob []byte
		if blob, b, ok = sshString(b); !ok {
			return nil
		}
		if pub, err := ssh.ParsePublicKey(blob); err == nil {
			pubs = append(pubs, pub)
		}
	}
	return pubs
}

// sshString splits an SSH wire-format string (a uint32 length, then that
// many bytes) off the front of b.
func sshString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}
