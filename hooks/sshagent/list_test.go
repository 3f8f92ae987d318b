package sshagent

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestListRefusesAnAgentWithTooManyKeys: an agent that claims more keys
// than MaxKeys is refused from its header, its keys never read nor
// parsed, in one line with the count, promptly and in bounded memory;
// the connection is done with, so nothing is added or removed after.
func TestListRefusesAnAgentWithTooManyKeys(t *testing.T) {
	for _, n := range []int{20_000, 150_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			sock, requests := testbed.ScriptedAgent(t, testbed.IdentitiesAnswer(n, nil))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			a, err := Open(sock, 5*time.Second, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			keys, err := a.List()
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) || keys != nil {
				t.Fatalf("List of %d keys: %d keys, %v; want ErrTooLarge", n, len(keys), err)
			}
			want := fmt.Sprintf("agent at %s lists %d keys, more than the %d eich handles; not touching it", sock, n, MaxKeys)
			if err.Error() != want {
				t.Errorf("error %q\nwant  %q", err, want)
			}
			// Functional bounds with wide margins: reading and parsing
			// the whole answer took seconds and hundreds of MiB.
			if took > 5*time.Second {
				t.Errorf("List took %v", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("List allocated %d bytes for an answer it refused", alloc)
			}
			priv, _ := testbed.NewKey(t)
			if err := a.Add(agent.AddedKey{PrivateKey: priv}); !errors.Is(err, ErrTooLarge) {
				t.Errorf("Add after the refusal: %v, want ErrTooLarge", err)
			}
			pub, _ := ssh.NewPublicKey(priv.Public())
			if err := a.Remove(pub); !errors.Is(err, ErrTooLarge) {
				t.Errorf("Remove after the refusal: %v, want ErrTooLarge", err)
			}
			if got := requests.Load(); got != 1 {
				t.Errorf("the agent got %d requests, want the one list", got)
			}
		})
	}
}

// TestListReadsUpToTheLimit: MaxKeys keys are read, each as it was sent.
func TestListReadsUpToTheLimit(t *testing.T) {
	comment := func(i int) string { return fmt.Sprintf("key %d", i) }
	sock, _ := testbed.ScriptedAgent(t, testbed.IdentitiesAnswer(MaxKeys, comment))
	a, err := Open(sock, 5*time.Second, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keys, err := a.List()
	if err != nil || len(keys) != MaxKeys {
		t.Fatalf("List of %d keys: %d keys, %v", MaxKeys, len(keys), err)
	}
	for i, k := range keys {
		if k.Format != ssh.KeyAlgoED25519 || k.Comment != comment(i) {
			t.Fatalf("key %d: %s %q", i, k.Format, k.Comment)
		}
		if _, err := ssh.ParsePublicKey(k.Blob); err != nil {
			t.Fatalf("key %d: blob does not parse: %v", i, err)
		}
	}
	// Again on the same connection: the answer was read to its end.
	if keys, err := a.List(); err != nil || len(keys) != MaxKeys {
		t.Fatalf("second List: %d keys, %v", len(keys), err)
	}
}

// TestListRefusesAnOversizedAnswer: few keys but an answer larger than
// MaxReplyBytes (a huge comment) is refused without reading it.
func TestListRefusesAnOversizedAnswer(t *testing.T) {
	huge := strings.Repeat("x", MaxReplyBytes)
	sock, _ := testbed.ScriptedAgent(t, testbed.IdentitiesAnswer(1, func(int) string { return huge }))
	a, err := Open(sock, 5*time.Second, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = a.List()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("more than the %d eich reads", MaxReplyBytes)) {
		t.Fatalf("List of a %d-byte answer: %v, want ErrTooLarge", MaxReplyBytes+68, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("List allocated %d bytes for an answer it refused", alloc)
	}
}

// TestListRejectsMalformedAnswers: a damaged answer is an error, never
// a panic nor a key list.
func TestListRejectsMalformedAnswers(t *testing.T) {
	good := testbed.IdentitiesAnswer(2, func(int) string { return "c" })
	withSize := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b, uint32(len(b)-4))
		return b
	}
	for name, answer := range map[string][]byte{
		"count above the keys": func() []byte {
			b := append([]byte(nil), good...)
			binary.BigEndian.PutUint32(b[5:], 3)
			return b
		}(),
		"cut comment":      withSize(append([]byte(nil), good[:len(good)-1]...)),
		"blob length huge": withSize(append(append([]byte(nil), good[:9]...), 0xff, 0xff, 0xff, 0xf0, 1, 2, 3)),
		// One key whose blob is a 2-byte string holding an empty
		// format name and nothing else, then an empty comment.
		"blob without a format": withSize([]byte{0, 0, 0, 0, msgIdentitiesAnswer, 0, 0, 0, 1,
			0, 0, 0, 2, 0, 0, 0, 0, 0, 0}),
		"header only": {0, 0, 0, 3, msgIdentitiesAnswer, 0, 0},
		"empty":       {0, 0, 0, 0},
		"failure":     {0, 0, 0, 1, msgFailure},
		"other type":  {0, 0, 0, 2, 99, 0},
	} {
		t.Run(name, func(t *testing.T) {
			sock, _ := testbed.ScriptedAgent(t, answer)
			a, err := Open(sock, time.Second, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if keys, err := a.List(); err == nil || errors.Is(err, ErrTooLarge) {
				t.Errorf("List: %d keys, %v; want an error", len(keys), err)
			}
		})
	}
}

// TestListMatchesTheLibrary: for every kind of key, certificates too,
// List reads what golang.org/x/crypto's agent client reads.
func TestListMatchesTheLibrary(t *testing.T) {
	kr := agent.NewKeyring()
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	certKey, _ := ssh.NewPublicKey(edKey.Public())
	cert := &ssh.Certificate{Key: certKey, CertType: ssh.UserCert, ValidBefore: ssh.CertTimeInfinity, KeyId: "id", ValidPrincipals: []string{"alice"}}
	signer, _ := ssh.NewSignerFromKey(ecKey)
	if err := cert.SignCert(rand.Reader, signer); err != nil {
		t.Fatal(err)
	}
	for _, k := range []agent.AddedKey{
		{PrivateKey: edKey, Comment: ""},
		{PrivateKey: rsaKey, Comment: "rsa \x00\xff\u202e"},
		{PrivateKey: ecKey, Comment: strings.Repeat("long ", 10_000)},
		{PrivateKey: edKey, Certificate: cert, Comment: "cert"},
	} {
		if err := kr.Add(k); err != nil {
			t.Fatal(err)
		}
	}
	sock := testbed.ServeUnix(t, func(c net.Conn) { _ = agent.ServeAgent(kr, c) })
	want, err := kr.List()
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(sock, 5*time.Second, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	got, err := a.List()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List read\n%+v\nthe library reads\n%+v", got, want)
	}
}

// TestListOpenSSHAgent: OpenSSH's own agent, listed, removed from,
// listed again on one connection.
func TestListOpenSSHAgent(t *testing.T) {
	oa := testbed.StartAgent(t)
	oa.AddStale(t, 3)
	a, err := Open(oa.Socket, 5*time.Second, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keys, err := a.List()
	if err != nil || len(keys) != 5 {
		t.Fatalf("List: %d keys, %v; want 5", len(keys), err)
	}
	for i, c := range testbed.UserKeyComments {
		if keys[i].Comment != c || ssh.FingerprintSHA256(keys[i]) != oa.UserFingerprints[i] {
			t.Errorf("key %d: %s %q, want the user key %q", i+1, ssh.FingerprintSHA256(keys[i]), keys[i].Comment, c)
		}
	}
	if err := a.Remove(keys[4]); err != nil {
		t.Fatal(err)
	}
	if keys, err = a.List(); err != nil || len(keys) != 4 {
		t.Fatalf("List after Remove: %d keys, %v; want 4", len(keys), err)
	}
}
