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

func benchKey(b *testing.B, pub any, comment string) *agent.Key {
	b.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	return &agent.Key{Format: k.Type(), Blob: k.Marshal(), Comment: comment}
}

func BenchmarkClassify(b *testing.B) {
	now := time.Unix(1_800_000_000, 0)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaPriv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ca, _ := ssh.NewSignerFromKey(edPriv)
	rsaPub, _ := ssh.NewPublicKey(&rsaPriv.PublicKey)
	c := &ssh.Certificate{Key: rsaPub, CertType: ssh.UserCert, ValidPrincipals: []string{"ec2-user"}, ValidBefore: uint64(now.Unix() - 60)}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		b.Fatal(err)
	}
	cert := &agent.Key{Format: c.Type(), Blob: c.Marshal(), Comment: "vault"}
	known := map[string]bool{}
	eic := benchKey(b, edPub, "")
	known[Fingerprint(eic)] = true
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	tmp := b.TempDir() // exists; a comment under it names a file that does not

	facts := Facts{
		Known:     func(fp string) bool { return known[fp] },
		Protected: func(string) bool { return false },
		Now:       now,
		TempDirs:  []string{tmp},
	}
	cases := []struct {
		name string
		key  *agent.Key
		want Class
	}{
		{"user-ed25519", benchKey(b, otherPub, "alice@laptop"), User},
		{"user-rsa", benchKey(b, &rsaPriv.PublicKey, "alice@work"), User},
		{"eic-known", eic, EIC},
		{"suspect-empty-comment", benchKey(b, otherPub, ""), Suspect},
		{"suspect-vanished-file", benchKey(b, &rsaPriv.PublicKey, tmp+"/tmpabc/private-key"), Suspect},
		{"expired-cert", cert, ExpiredCert},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			if got := Classify(tc.key, facts); got != tc.want {
				b.Fatalf("Classify = %v, want %v", got, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Classify(tc.key, facts)
			}
		})
	}
}

func BenchmarkFingerprint(b *testing.B) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k := benchKey(b, pub, "")
	b.ReportAllocs()
	for b.Loop() {
		Fingerprint(k)
	}
}
