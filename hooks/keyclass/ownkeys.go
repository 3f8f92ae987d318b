package keyclass

import (
	"io"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// Bounds on reading the user's public key files: a .pub file is one line
// of a few hundred bytes; ~/.ssh seldom holds more than a few dozen.
const (
	maxPubFile  = 16 << 10
	maxPubFiles = 256
)

// OwnPublicKeys returns the fingerprints of the public key files
// (*.pub) in dir, usually ~/.ssh: keys the user has on disk, which eich
// never takes for EIC's whatever their shape. Unreadable files are
// skipped; links are followed, as ssh follows them.
func OwnPublicKeys(dir string) map[string]bool {
	out := map[string]bool{}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.pub"))
	if len(paths) > maxPubFiles {
		paths = paths[:maxPubFiles]
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, maxPubFile))
		f.Close()
		if err != nil {
			continue
		}
		if pub, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
			out[ssh.FingerprintSHA256(pub)] = true
		}
	}
	return out
}
