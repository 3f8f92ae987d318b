// Package keyclass sorts the keys of an ssh-agent into the classes of
// eich's design: keys it knows came from EC2 Instance Connect, expired
// certificates, suspects shaped like throw-away keys, and the user's own.
//
// Only the first three are ever removed, and suspects only when the known
// ones are not enough. Classification reads public data only: the key
// blob, its comment, the ledger and the protect list. Classify gives one
// key's class from those Facts; Fingerprint names a key as `ssh-add -l`
// does, a certificate by the key it certifies.
package keyclass

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Class is what eich makes of one agent key.
type Class int

const (
	User        Class = iota // the user's own: never removed
	Protected                // on the protect list: never removed
	EIC                      // in the ledger (appeared while an EIC command ran) and still of EIC's shape
	ExpiredCert              // an OpenSSH certificate past its ValidBefore
	Suspect                  // shaped like a throw-away key, not in the ledger
)

var classNames = [...]string{"user", "protected", "eic", "expired-cert", "suspect"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}

// MarshalText gives the class's name, so that JSON shows "eic", not 2.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Stale reports whether keys of this class may be removed at all.
func (c Class) Stale() bool { return c == EIC || c == ExpiredCert || c == Suspect }

// Facts are what the classifier needs to know beyond the key itself.
type Facts struct {
	Known     func(fingerprint string) bool // in the ledger as an EIC key
	Protected func(fingerprint string) bool
	Now       time.Time
	// Exists reports whether a file exists; nil means os.Lstat.
	Exists func(path string) bool
	// TempDirs are the prefixes under which a vanished key file makes a
	// key suspect; nil means TempDirs("").
	TempDirs []string
}

// Fingerprint is the SHA256 fingerprint as `ssh-add -l` prints it: for a
// certificate, that of the key it certifies. So a certificate shares its
// key's fingerprint, as in ssh-add's listing, and protecting the
// fingerprint the user sees there protects both.
func Fingerprint(k *agent.Key) string {
	if isCertFormat(k.Format) {
		if pub, err := ssh.ParsePublicKey(k.Blob); err == nil {
			if cert, ok := pub.(*ssh.Certificate); ok {
				return ssh.FingerprintSHA256(cert.Key)
			}
		}
	}
	return ssh.FingerprintSHA256(k)
}

func isCertFormat(format string) bool {
	return strings.Contains(format, "-cert-v01@openssh.com")
}

// Classify returns the class of k. Protection wins over everything.
func Classify(k *agent.Key, f Facts) Class {
	fp := Fingerprint(k)
	switch {
	case f.Protected != nil && f.Protected(fp):
		return Protected
	case f.Known != nil && f.Known(fp) && HasEICShape(k):
		return EIC // a ledger key re-added with a comment is not EIC's any more
	case IsExpiredCert(k, f.Now):
		return ExpiredCert
	case IsThrowAwayShape(k, f):
		return Suspect
	}
	return User
}

// IsExpiredCert reports whether k is an OpenSSH certificate whose
// ValidBefore has passed.
func IsExpiredCert(k *agent.Key, now time.Time) bool {
	if !isCertFormat(k.Format) {
		return false
	}
	pub, err := ssh.ParsePublicKey(k.Blob)
	if err != nil {
		return false
	}
	cert, ok := pub.(*ssh.Certificate)
	if !ok || cert.ValidBefore == ssh.CertTimeInfinity {
		return false
	}
	return now.Unix() >= 0 && uint64(now.Unix()) >= cert.ValidBefore
}

// IsThrowAwayShape reports whether k looks like a key EIC tooling leaves
// behind: an Ed25519 key with an empty comment (AWS CLI v2 via
// AddKeysToAgent), or a key whose comment is the path of a file under a
// temp dir that no longer exists (the legacy mssh tool).
func IsThrowAwayShape(k *agent.Key, f Facts) bool {
	return HasEICShape(k) || isVanishedTempFile(k.Comment, f)
}

// HasEICShape reports whether k has the shape of AWS CLI v2's keys as
// ssh's AddKeysToAgent adds them: Ed25519 with an empty comment.
func HasEICShape(k *agent.Key) bool {
	return k.Format == ssh.KeyAlgoED25519 && strings.TrimSpace(k.Comment) == ""
}

func isVanishedTempFile(comment string, f Facts) bool {
	if !filepath.IsAbs(comment) || strings.ContainsAny(comment, "\n\x00") {
		return false
	}
	clean := filepath.Clean(comment)
	dirs := f.TempDirs
	if dirs == nil {
		dirs = TempDirs("")
	}
	under := false
	for _, d := range dirs {
		if d != "" && d != "/" && strings.HasPrefix(clean, filepath.Clean(d)+"/") {
			under = true
			break
		}
	}
	if !under {
		return false
	}
	exists := f.Exists
	if exists == nil {
		exists = func(p string) bool { _, err := os.Lstat(p); return err == nil }
	}
	return !exists(clean)
}

// TempDirs are the temp dirs of Linux and macOS, plus tmpdir ($TMPDIR)
// when it is set.
func TempDirs(tmpdir string) []string {
	dirs := []string{"/tmp", "/var/tmp", "/private/tmp", "/var/folders", "/private/var/folders"}
	if tmpdir != "" {
		dirs = append(dirs, tmpdir)
	}
	return dirs
}
