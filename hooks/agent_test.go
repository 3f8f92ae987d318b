package hooks_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

const eicLine = "aws --profile prod ec2-instance-connect ssh --instance-id i-0123456789abcdef0"

// env is one test's agent, state dir and settings.
type env struct {
	t      *testing.T
	agent  *testbed.Agent
	s      *hooks.Settings
	stderr *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return envWith(t, testbed.StartAgent(t))
}

// newStateEnv is newEnv with an in-process agent, for tests of eich's
// state and settings, where OpenSSH's agent adds nothing.
func newStateEnv(t *testing.T) *env {
	t.Helper()
	return envWith(t, testbed.StartKeyring(t))
}

func envWith(t *testing.T, a *testbed.Agent) *env {
	t.Helper()
	var stderr bytes.Buffer
	return &env{t: t, agent: a, stderr: &stderr, s: testSettings(t, a.Socket, &stderr)}
}

func (e *env) client() agent.ExtendedAgent {
	e.t.Helper()
	return e.clientAt(e.agent.Socket)
}

// clientAt dials the agent at socket for the rest of the test.
func (e *env) clientAt(socket string) agent.ExtendedAgent {
	e.t.Helper()
	return testbed.DialAgent(e.t, socket)
}

// addEIC adds an Ed25519 key with an empty comment, as ssh's
// AddKeysToAgent does with AWS CLI v2's key, and returns its fingerprint.
func (e *env) addEIC() string {
	e.t.Helper()
	priv, fp := testbed.NewKey(e.t)
	testbed.AddKey(e.t, e.agent.Socket, priv, "")
	return fp
}

// login is one EIC command as the hooks see it: pre, a key appears, post.
func (e *env) login(session string) string {
	e.t.Helper()
	if !hooks.Pre(e.s, session, eicLine) {
		e.t.Fatalf("pre did not take %q for an EIC line", eicLine)
	}
	fp := e.addEIC()
	hooks.Post(e.s, session, 0)
	return fp
}

// log reads the removal log through the parser eich log uses.
func (e *env) log() []state.Removal {
	e.t.Helper()
	rs, bad, err := hooks.Log(e.s)
	if err != nil || bad != 0 {
		e.t.Fatalf("removal log: %v (%d bad lines)", err, bad)
	}
	return rs
}

func (e *env) classes() map[string]string {
	e.t.Helper()
	keys, _, err := hooks.List(e.s)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		out[k.Fingerprint] = k.Class.String()
	}
	return out
}

func (e *env) requireUserKeys() {
	e.t.Helper()
	if !e.agent.HasUserKeys(e.t) {
		e.t.Fatalf("a user key was removed; agent now:\n%s", e.agent.Describe(e.t))
	}
}

func TestManyLoginsKeepRoomAndUserKeys(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 40; i++ {
		e.login("1000")
		if n := len(e.agent.Keys(t)); n > e.s.MaxAuthTries-1 {
			t.Fatalf("login %d: agent holds %d keys, the fresh key of the next login would be attempt %d > MaxAuthTries %d",
				i+1, n, n+1, e.s.MaxAuthTries)
		}
	}
	e.requireUserKeys()
	log := e.log()
	removed := 0
	for _, r := range log {
		if r.Outcome == state.Removed {
			removed++
		}
		if r.Class != "eic" && r.Class != "suspect" {
			t.Errorf("log shows a %s key removed: %+v", r.Class, r)
		}
	}
	if removed < 30 {
		t.Errorf("removal log has %d removals after 40 logins, want at least 30: %+v", removed, log)
	}
}

func TestPostRecordsOnlyKeysOfEICShape(t *testing.T) {
	e := newEnv(t)
	if !hooks.Pre(e.s, "77", eicLine) {
		t.Fatal("not taken for EIC")
	}
	eicFP := e.addEIC()
	// Meanwhile the user adds their own key in another terminal.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	if err := e.client().Add(agent.AddedKey{PrivateKey: priv, Comment: "/home/alice/.ssh/id_new"}); err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(priv.Public())
	hooks.Post(e.s, "77", 0)
	got := e.classes()
	if got[eicFP] != "eic" {
		t.Errorf("the key that appeared with EIC's shape is %q, want eic", got[eicFP])
	}
	if c := got[ssh.FingerprintSHA256(pub)]; c != "user" {
		t.Errorf("the user's key added during the command is %q, want user", c)
	}
}

func TestKnownEICGoBeforeSuspects(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 2) // suspects: oldest, not in the ledger
	suspects := e.agent.Fingerprints(t)[2:]
	var known []string
	e.s.Mode = policy.Off // record without pruning
	for i := 0; i < 2; i++ {
		known = append(known, e.login("5"))
	}
	e.s.Mode = policy.Auto
	e.stderr.Reset()
	// 2 user + 2 suspects + 2 known = 6 ≥ limit−1: prune to 4.
	if !hooks.Pre(e.s, "5", eicLine) {
		t.Fatal("not taken for EIC")
	}
	have := map[string]bool{}
	for _, fp := range e.agent.Fingerprints(t) {
		have[fp] = true
	}
	for _, fp := range known {
		if have[fp] {
			t.Errorf("known EIC key %s survived while suspects were kept", fp)
		}
	}
	for _, fp := range suspects {
		if !have[fp] {
			t.Errorf("suspect %s removed although known EIC keys made enough room", fp)
		}
	}
	e.requireUserKeys()
	if !strings.Contains(e.stderr.String(), "eich: removed 2 stale EC2 Instance Connect keys (agent 6 → 4 of 6)") {
		t.Errorf("hook line: %q", e.stderr.String())
	}
}

func TestExpiredCertificateIsStale(t *testing.T) {
	e := newEnv(t)
	_, caKey, _ := ed25519.GenerateKey(rand.Reader)
	ca, _ := ssh.NewSignerFromKey(caKey)
	add := func(validBefore time.Time, comment string) string {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		pub, _ := ssh.NewPublicKey(priv.Public())
		cert := &ssh.Certificate{Key: pub, CertType: ssh.UserCert, KeyId: comment, ValidPrincipals: []string{"ec2-user"},
			ValidAfter: uint64(time.Now().Add(-2 * time.Hour).Unix()), ValidBefore: uint64(validBefore.Unix())}
		if err := cert.SignCert(rand.Reader, ca); err != nil {
			t.Fatal(err)
		}
		if err := e.client().Add(agent.AddedKey{PrivateKey: priv, Certificate: cert, Comment: comment}); err != nil {
			t.Fatalf("add certificate: %v", err)
		}
		return ssh.FingerprintSHA256(pub) // a certificate goes by its key's fingerprint, as in ssh-add -l
	}
	expired := add(time.Now().Add(-time.Hour), "step-ca expired")
	valid := add(time.Now().Add(time.Hour), "step-ca valid")
	got := e.classes()
	if got[expired] != "expired-cert" || got[valid] != "user" {
		t.Fatalf("classes: expired cert %q, valid cert %q; want expired-cert, user", got[expired], got[valid])
	}
	rep, err := hooks.Prune(e.s, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Removed) != 1 || rep.Removed[0].Fingerprint != expired {
		t.Fatalf("prune --all-stale removed %+v, want only the expired certificate", rep.Removed)
	}
	e.requireUserKeys()
}

func TestProtectedKeysAreNeverRemoved(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 6)
	all := e.agent.Fingerprints(t)
	if _, err := hooks.Protect(e.s, all[2:], false); err != nil {
		t.Fatal(err)
	}
	for _, allStale := range []bool{false, true} {
		if _, err := hooks.Prune(e.s, false, allStale); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.agent.Fingerprints(t); len(got) != len(all) {
		t.Fatalf("protected keys were removed: %d of %d left", len(got), len(all))
	}
	// Protection from the config file counts too.
	if _, err := hooks.Protect(e.s, all[2:], true); err != nil {
		t.Fatal(err)
	}
	e.s.Protect = all[2:]
	if rep, _ := hooks.Prune(e.s, false, true); len(rep.Removed) != 0 {
		t.Fatalf("keys protected in the config were removed: %+v", rep.Removed)
	}
	if _, err := hooks.Protect(e.s, []string{"SHA256:not-a-fingerprint"}, false); err == nil {
		t.Error("a malformed fingerprint was accepted")
	}
}

func TestModes(t *testing.T) {
	t.Run("off warns and removes nothing", func(t *testing.T) {
		e := newEnv(t)
		e.s.Mode = policy.Off
		e.agent.AddStale(t, 6)
		hooks.Pre(e.s, "9", eicLine)
		if n := len(e.agent.Keys(t)); n != 8 {
			t.Fatalf("mode off removed keys: %d left", n)
		}
		if !strings.Contains(e.stderr.String(), "will likely fail") || strings.Count(e.stderr.String(), "\n") != 1 {
			t.Errorf("want one warning line, got %q", e.stderr.String())
		}
	})
	t.Run("always removes every known EIC key after the command", func(t *testing.T) {
		e := newEnv(t)
		e.s.Mode = policy.Always
		for i := 0; i < 3; i++ {
			e.login("9")
			if n := len(e.agent.Keys(t)); n != 2 {
				t.Fatalf("after login %d the agent holds %d keys, want the 2 user keys", i+1, n)
			}
		}
		e.requireUserKeys()
	})
	t.Run("hardened limits", func(t *testing.T) {
		for _, limit := range []int{3, 4} {
			e := newEnv(t)
			e.s.MaxAuthTries = limit
			e.agent.AddStale(t, 5)
			hooks.Pre(e.s, "9", eicLine)
			n := len(e.agent.Keys(t))
			if n > limit-1 {
				t.Errorf("limit %d: %d keys left, the fresh key would be tried too late", limit, n)
			}
			e.requireUserKeys()
		}
	})
}

func TestUserKeysAloneOverTheLimitSayWhy(t *testing.T) {
	e := newEnv(t)
	e.s.MaxAuthTries = 2
	e.agent.AddStale(t, 1)
	hooks.Pre(e.s, "9", eicLine)
	e.requireUserKeys()
	if out := e.stderr.String(); !strings.Contains(out, "will likely fail") || !strings.Contains(out, "IdentitiesOnly") {
		t.Errorf("want the one-line warning with the fix, got %q", out)
	}
}

func TestInFlightCommandsPruneDeeper(t *testing.T) {
	e := newEnv(t)
	// Three other shells started EIC commands a moment ago.
	e.agent.AddStale(t, 4)
	for _, session := range []string{"a", "b", "c"} {
		hooks.Pre(e.s, session, eicLine)
	}
	// limit 6, three in flight besides us: room for 6−1−3 = 2 keys.
	hooks.Pre(e.s, "mine", eicLine)
	if n := len(e.agent.Keys(t)); n > 2 {
		t.Errorf("with 3 EIC commands in flight %d keys are left; want at most 2", n)
	}
	e.requireUserKeys()
}

func TestLockedAgentListsNothingAndRemovesNothing(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 6)
	if err := e.client().Lock([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	counts, err := hooks.Status(e.s, true)
	if err != nil || counts == nil || counts.Keys != 0 {
		t.Fatalf("status of a locked agent: %+v, %v", counts, err)
	}
	hooks.Pre(e.s, "9", eicLine)
	if err := e.client().Unlock([]byte("pw")); err != nil {
		t.Fatal(err)
	}
	if n := len(e.agent.Keys(t)); n != 8 {
		t.Fatalf("keys removed from a locked agent: %d left", n)
	}
}

func TestStatusAndListWriteNoState(t *testing.T) {
	e := newStateEnv(t)
	e.agent.AddStale(t, 3)
	counts, err := hooks.Status(e.s, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts.Format(hooks.DefaultStatusFormat); got != "keys 5/6 ·3 stale" {
		t.Errorf("status = %q, want %q", got, "keys 5/6 ·3 stale")
	}
	e.s.Mode = policy.Off // record logins without pruning
	for i := 0; i < 2; i++ {
		e.login("8")
	}
	full, _ := hooks.Status(e.s, true)
	quick, _ := hooks.Status(e.s, false)
	if full.Stale != 5 || full.EIC != 2 || quick.Stale != full.Stale || quick.Keys != full.Keys {
		t.Errorf("status with the ledger %+v, without %+v: want the same stale count (5, 2 of them eic)", full, quick)
	}
	os.RemoveAll(e.s.StateDir)
	if _, _, err := hooks.List(e.s); err != nil {
		t.Fatal(err)
	}
	if _, err := hooks.Prune(e.s, true, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.s.StateDir); !os.IsNotExist(err) {
		t.Errorf("status, list or a dry run created %s (%v)", e.s.StateDir, err)
	}
	if n := len(e.agent.Keys(t)); n != 7 {
		t.Errorf("a dry run removed keys: %d of 7 left", n)
	}
}

func TestStateFileModes(t *testing.T) {
	e := newStateEnv(t)
	e.agent.AddStale(t, 6)
	e.login("42")
	if _, err := hooks.Protect(e.s, e.agent.Fingerprints(t)[:1], false); err != nil {
		t.Fatal(err)
	}
	err := filepath.Walk(e.s.StateDir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", path, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ledger", "removals.log", "protected"} {
		if _, err := os.Stat(filepath.Join(e.s.StateDir, name)); err != nil {
			t.Errorf("expected state file: %v", err)
		}
	}
}

func TestCorruptLedgerIsSetAsideWithOneLine(t *testing.T) {
	e := newStateEnv(t)
	e.login("7")
	ledger := filepath.Join(e.s.StateDir, "ledger")
	data, _ := os.ReadFile(ledger)
	os.WriteFile(ledger, data[:len(data)/2], 0o600) // truncated
	e.agent.AddStale(t, 6)
	e.stderr.Reset()
	hooks.Pre(e.s, "7", eicLine)
	out := e.stderr.String()
	if strings.Count(out, "\n") != 1 {
		t.Errorf("want exactly one line, got %q", out)
	}
	aside, _ := filepath.Glob(ledger + ".bad*")
	if len(aside) != 1 {
		t.Errorf("corrupt ledger not set aside: %v", aside)
	}
	if n := len(e.agent.Keys(t)); n > e.s.MaxAuthTries-1 {
		t.Errorf("after setting the ledger aside eich did not prune: %d keys", n)
	}
	e.requireUserKeys()
	// Corrupt at every run, as a ledger eich could not read back was:
	// still one copy set aside, the latest.
	for i := range 3 {
		junk := []byte("eich-ledger 1\nrun " + strconv.Itoa(i) + "\n")
		os.WriteFile(ledger, junk, 0o600)
		hooks.Pre(e.s, strconv.Itoa(8+i), eicLine)
		aside, _ = filepath.Glob(ledger + ".bad*")
		if len(aside) != 1 {
			t.Fatalf("after %d more corrupt runs, copies set aside: %v", i+1, aside)
		}
		if got, _ := os.ReadFile(aside[0]); !bytes.Equal(got, junk) {
			t.Errorf("%s holds %q, want the latest corrupt ledger %q", aside[0], got, junk)
		}
	}
}

func TestUntrustedStateRemovesNothing(t *testing.T) {
	e := newStateEnv(t)
	e.login("7")
	os.Chmod(filepath.Join(e.s.StateDir, "ledger"), 0o644)
	e.agent.AddStale(t, 6)
	e.stderr.Reset()
	hooks.Pre(e.s, "7", eicLine)
	if n := len(e.agent.Keys(t)); n != 9 {
		t.Errorf("removed keys on the strength of an untrusted ledger: %d of 9 left", n)
	}
	if out := e.stderr.String(); !strings.Contains(out, "not removing") || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line saying why nothing was removed, got %q", out)
	}
}

func TestStateDirThatCannotBeCreated(t *testing.T) {
	e := newStateEnv(t)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	e.s.StateDir = filepath.Join(blocker, "eich") // parent is a file
	e.agent.AddStale(t, 6)
	hooks.Pre(e.s, "7", eicLine)
	if n := len(e.agent.Keys(t)); n != 8 {
		t.Errorf("removed keys without state: %d of 8 left", n)
	}
	if out := e.stderr.String(); strings.Count(out, "\n") != 1 {
		t.Errorf("want one line, got %q", out)
	}
}

// mountTmpfs mounts a private tmpfs of size (mount's size=) for the
// test, which needs root, and unmounts it when the test ends.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	return mnt
}

// TestReadOnlyStateRemovesNothing: a state file system remounted
// read-only is said as what it is, in one line, not as untrusted state,
// and nothing is removed that could not be logged.
func TestReadOnlyStateRemovesNothing(t *testing.T) {
	e := newStateEnv(t)
	mnt := mountTmpfs(t, "1m")
	e.s.StateDir = filepath.Join(mnt, "eich")
	e.login("3")
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v %s", err, out)
	}
	e.agent.AddStale(t, 6)
	e.stderr.Reset()
	hooks.Pre(e.s, "3", eicLine)
	if n := len(e.agent.Keys(t)); n != 9 {
		t.Errorf("removed keys it could not log: %d of 9 left", n)
	}
	if out := e.stderr.String(); !strings.Contains(out, "read-only file system") || strings.Contains(out, "untrusted") || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line naming the read-only file system, got %q", out)
	}
}

func TestFullDiskRemovesNothing(t *testing.T) {
	e := newStateEnv(t)
	mnt := mountTmpfs(t, "256k") // small, to fill
	e.s.StateDir = filepath.Join(mnt, "eich")
	e.login("3")
	filler, _ := os.Create(filepath.Join(mnt, "filler"))
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	filler.Close()
	e.agent.AddStale(t, 6)
	e.stderr.Reset()
	hooks.Pre(e.s, "3", eicLine)
	if n := len(e.agent.Keys(t)); n != 9 {
		t.Errorf("removed keys it could not log: %d of 9 left", n)
	}
	if out := e.stderr.String(); !strings.Contains(out, "no space left") || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line naming the full disk, got %q", out)
	}
	os.Remove(filepath.Join(mnt, "filler"))
	e.stderr.Reset()
	hooks.Pre(e.s, "3", eicLine)
	if n := len(e.agent.Keys(t)); n > e.s.MaxAuthTries-1 {
		t.Errorf("with space again eich did not prune: %d keys", n)
	}
	e.requireUserKeys()
}

// TestPromptSegmentFollowsTheAgent: every run that lists the agent leaves
// `eich status`'s text in the agent's prompt file, rewritten only when it
// changes.
func TestPromptSegmentFollowsTheAgent(t *testing.T) {
	e := newStateEnv(t)
	file := filepath.Join(e.s.StateDir, state.PromptName(e.agent.Socket))
	segment := func() string {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("prompt file: %v", err)
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	status := func() string {
		t.Helper()
		c, err := hooks.Status(e.s, false)
		if err != nil {
			t.Fatal(err)
		}
		return c.Format(hooks.DefaultStatusFormat)
	}
	e.agent.AddStale(t, 4)
	e.login("1") // pre prunes 6 keys to 4, post sees the login's key: 5
	if got, want := segment(), "keys 5/6 ·3 stale"; got != want {
		t.Errorf("after a login the segment is %q, want %q", got, want)
	}
	e.agent.AddStale(t, 1) // by hand: the file cannot know
	if got, want := status(), "keys 6/6 ·4 stale"; got != want {
		t.Fatalf("status = %q, want %q", got, want)
	}
	if got := segment(); got != "keys 6/6 ·4 stale" {
		t.Errorf("status did not refresh the segment: %q", got)
	}
	before, _ := os.Stat(file)
	status()
	if after, _ := os.Stat(file); !after.ModTime().Equal(before.ModTime()) || !os.SameFile(before, after) {
		t.Error("an unchanged segment was rewritten")
	}
}
