package keyclass_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/keyclass"
)

// exampleKey is the agent's view of an Ed25519 key made from seed byte b,
// with comment.
func exampleKey(b byte, comment string) *agent.Key {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = b
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
	if err != nil {
		panic(err)
	}
	return &agent.Key{Format: pub.Type(), Blob: pub.Marshal(), Comment: comment}
}

// An agent as eich finds it: the user's key, a key the ledger saw appear
// while an EIC command ran, a throw-away key it never saw, one the legacy
// mssh tool added from a temp file that is gone, one the user protected,
// and a certificate that expired an hour ago. Only eic, expired-cert and
// suspect are ever removed.
func ExampleClassify() {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	user, known, unseen, mssh, protected := exampleKey(1, "alice@laptop"),
		exampleKey(2, ""), exampleKey(3, ""), exampleKey(4, "/tmp/tmpq1w2e3/id_ed25519"), exampleKey(5, "")

	// A certificate for the user's key, valid until an hour ago.
	userPub, _ := ssh.ParsePublicKey(user.Blob)
	cert := &ssh.Certificate{Key: userPub, CertType: ssh.UserCert, ValidPrincipals: []string{"alice"}, ValidBefore: uint64(now.Add(-time.Hour).Unix())}
	ca, _ := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		panic(err)
	}
	expired := &agent.Key{Format: cert.Type(), Blob: cert.Marshal(), Comment: "alice@ca"}

	facts := keyclass.Facts{
		Known:     func(fp string) bool { return fp == keyclass.Fingerprint(known) },
		Protected: func(fp string) bool { return fp == keyclass.Fingerprint(protected) },
		Now:       now,
		Exists:    func(path string) bool { return false }, // the mssh key's file is gone
	}
	for _, k := range []*agent.Key{user, known, unseen, mssh, protected, expired} {
		c := keyclass.Classify(k, facts)
		fmt.Printf("%-12s removable: %-5v %q\n", c, c.Stale(), k.Comment)
	}
	// Output:
	// user         removable: false "alice@laptop"
	// eic          removable: true  ""
	// suspect      removable: true  ""
	// suspect      removable: true  "/tmp/tmpq1w2e3/id_ed25519"
	// protected    removable: false ""
	// expired-cert removable: true  "alice@ca"
}
