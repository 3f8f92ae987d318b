package hooks_test

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// pre runs the pre hook on line and fails unless it is taken as EIC.
func (e *env) pre(session, line string) {
	e.t.Helper()
	if !hooks.Pre(e.s, session, line) {
		e.t.Fatalf("pre did not take %q for an EIC line", line)
	}
}

// TestAttributionIsExact: a key becomes eic only when it is certain
// that the EIC command added it; in every doubtful case it stays a
// suspect, so eich never records a user's key as a throw-away one.
func TestAttributionIsExact(t *testing.T) {
	t.Run("one command, one key", func(t *testing.T) {
		e := newEnv(t)
		fp := e.login("1")
		if c := e.classes()[fp]; c != "eic" {
			t.Errorf("the login's key is %s, want eic", c)
		}
	})
	t.Run("a key of the same shape added in another terminal meanwhile", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		eic := e.addEIC()
		users := e.addEIC() // the user's own empty-comment key, by ssh's AddKeysToAgent
		hooks.Post(e.s, "1", 0)
		for _, fp := range []string{eic, users} {
			if c := e.classes()[fp]; c != "suspect" {
				t.Errorf("%s is %s, want suspect: two newcomers for one command", fp, c)
			}
		}
	})
	t.Run("the user's own key file", func(t *testing.T) {
		e := newEnv(t)
		priv, fp := testbed.NewKey(t)
		pub, _ := ssh.NewPublicKey(priv.Public())
		os.MkdirAll(filepath.Join(e.s.Home, ".ssh"), 0o700)
		os.WriteFile(filepath.Join(e.s.Home, ".ssh", "id_ed25519.pub"), ssh.MarshalAuthorizedKey(pub), 0o644)
		e.pre("1", eicLine)
		testbed.AddKey(t, e.s.Socket, priv, "") // the login failed; the user's ssh added their key
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[fp]; c != "suspect" {
			t.Errorf("the user's key with a .pub in ~/.ssh is %s, want suspect", c)
		}
	})
	t.Run("--private-key-file", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine+" --private-key-file /home/alice/.ssh/eic_key")
		fp := e.addEIC() // ssh added the user's own key file
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[fp]; c != "suspect" {
			t.Errorf("the key of --private-key-file is %s, want suspect", c)
		}
	})
	t.Run("agent locked at pre", func(t *testing.T) {
		e := newEnv(t)
		before := e.addEIC() // shaped like EIC's, there before the command
		if err := e.client().Lock([]byte("pw")); err != nil {
			t.Fatal(err)
		}
		e.pre("1", eicLine) // a locked agent lists no keys
		if err := e.client().Unlock([]byte("pw")); err != nil {
			t.Fatal(err)
		}
		fresh := e.addEIC()
		hooks.Post(e.s, "1", 0)
		for _, fp := range []string{before, fresh} {
			if c := e.classes()[fp]; c != "suspect" {
				t.Errorf("%s is %s after a pre that saw a locked agent, want suspect", fp, c)
			}
		}
	})
	t.Run("SSH_AUTH_SOCK changed between pre and post", func(t *testing.T) {
		for _, mode := range []policy.Mode{policy.Auto, policy.Always} {
			e := newEnv(t)
			e.s.Mode = mode
			e.pre("1", eicLine)
			other := testbed.StartAgent(t)
			other.AddStale(t, 2)
			e.s.Socket = other.Socket
			priv, fp := testbed.NewKey(t)
			testbed.AddKey(t, other.Socket, priv, "")
			hooks.Post(e.s, "1", 0)
			if c := e.classes()[fp]; c != "suspect" {
				t.Errorf("mode %s: a key of the agent the shell moved to is %s, want suspect", mode, c)
			}
			if n := len(other.Keys(t)); n != 5 {
				t.Errorf("mode %s: post removed keys from the agent the shell moved to: %d of 5 left", mode, n)
			}
		}
	})
	t.Run("a ledger key re-added with a comment", func(t *testing.T) {
		e := newEnv(t)
		priv, fp := testbed.NewKey(t)
		e.pre("1", eicLine)
		testbed.AddKey(t, e.s.Socket, priv, "")
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[fp]; c != "eic" {
			t.Fatalf("the login's key is %s, want eic", c)
		}
		pub, _ := ssh.NewPublicKey(priv.Public())
		if err := e.client().Remove(pub); err != nil {
			t.Fatal(err)
		}
		testbed.AddKey(t, e.s.Socket, priv, "/home/alice/.ssh/work") // as ssh-add FILE names it
		if c := e.classes()[fp]; c != "user" {
			t.Errorf("a ledger key re-added with a comment is %s, want user", c)
		}
	})
	t.Run("overlapping commands in two shells", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		e.pre("2", eicLine)
		a, b := e.addEIC(), e.addEIC()
		hooks.Post(e.s, "1", 0)
		hooks.Post(e.s, "2", 0)
		if c := e.classes(); c[a] != "suspect" || c[b] != "suspect" {
			t.Errorf("%s %s, want both suspect: either key may be either command's", c[a], c[b])
		}
	})
	t.Run("overlapping commands and the user's own key from a third shell", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		a := e.addEIC()
		e.pre("2", eicLine)
		own := e.addEIC() // the user's ssh -o AddKeysToAgent=yes -i OWNKEY elsewhere
		hooks.Post(e.s, "1", 0)
		b := e.addEIC()
		hooks.Post(e.s, "2", 0)
		for _, fp := range []string{a, own, b} {
			if c := e.classes()[fp]; c != "suspect" {
				t.Errorf("%s is %s, want suspect", fp, c)
			}
		}
	})
	t.Run("a login that adds no key (the ssh-config block) and the user's own key meanwhile", func(t *testing.T) {
		e := newEnv(t)
		e.s.SSHConfig = writeSSHConfig(t, e.s.Home, shells.SSHConfig())
		e.pre("1", eicLine)
		own := e.addEIC()
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[own]; c != "suspect" {
			t.Errorf("the user's key is %s, want suspect: EIC logins add no key with this config", c)
		}
	})
	for _, conf := range []string{"AddKeysToAgent 60s", "AddKeysToAgent confirm", "AddKeysToAgent no"} {
		t.Run("a login under "+conf+" and the user's own key meanwhile", func(t *testing.T) {
			e := newEnv(t)
			e.s.SSHConfig = writeSSHConfig(t, e.s.Home, "Host *\n    "+conf+"\n")
			e.pre("1", eicLine)
			own := e.addEIC()
			hooks.Post(e.s, "1", 0)
			if c := e.classes()[own]; c != "suspect" {
				t.Errorf("the user's key is %s, want suspect", c)
			}
		})
	}
	t.Run("a failed login and the user's own key meanwhile", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		own := e.addEIC()
		hooks.Post(e.s, "1", 255) // ssh's status when it could not log in
		if c := e.classes()[own]; c != "suspect" {
			t.Errorf("the user's key is %s after a failed login, want suspect", c)
		}
	})
	t.Run("the agent restarted at the same socket path", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		restarted := testbed.StartAgent(t)
		priv, fp := testbed.NewKey(t)
		testbed.AddKey(t, restarted.Socket, priv, "")
		if err := os.Rename(restarted.Socket, e.agent.Socket); err != nil {
			t.Fatal(err)
		}
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[fp]; c != "suspect" {
			t.Errorf("a key of the agent now at the socket's path is %s, want suspect", c)
		}
	})
	t.Run("the user's own private key file, no .pub beside it", func(t *testing.T) {
		e := newEnv(t)
		dir := filepath.Join(e.s.Home, ".ssh")
		os.MkdirAll(dir, 0o700)
		file := filepath.Join(dir, "id_ed25519")
		testbed.RunTool(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file)
		os.Remove(file + ".pub")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ssh.ParseRawPrivateKey(data)
		if err != nil {
			t.Fatal(err)
		}
		priv := *raw.(*ed25519.PrivateKey)
		pub, _ := ssh.NewPublicKey(priv.Public())
		e.pre("1", eicLine)
		testbed.AddKey(t, e.agent.Socket, priv, "") // as ssh's AddKeysToAgent adds it: the file's empty comment
		hooks.Post(e.s, "1", 0)
		if c := e.classes()[ssh.FingerprintSHA256(pub)]; c != "suspect" {
			t.Errorf("the key of ~/.ssh/id_ed25519 is %s, want suspect", c)
		}
	})
	t.Run("overlapping with a command that brings its own key", func(t *testing.T) {
		e := newEnv(t)
		e.pre("1", eicLine)
		e.pre("2", eicLine+" --private-key-file /home/alice/.ssh/eic_key")
		a, own := e.addEIC(), e.addEIC()
		hooks.Post(e.s, "1", 0)
		hooks.Post(e.s, "2", 0)
		if c := e.classes(); c[a] != "suspect" || c[own] != "suspect" {
			t.Errorf("%s %s, want both suspect: one key-generating command, two newcomers", c[a], c[own])
		}
	})
}

// TestLoginWithAnotherAgent: `SSH_AUTH_SOCK=B aws …` logs in with agent
// B, so pre prunes B and post records B's new key; the shell's agent is
// left alone.
func TestLoginWithAnotherAgent(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 4)
	other := testbed.StartAgent(t)
	other.AddStale(t, 4)
	e.pre("1", "SSH_AUTH_SOCK="+other.Socket+" "+eicLine)
	if n := len(other.Keys(t)); n != 4 {
		t.Errorf("the login's agent has %d keys after pre, want 4 (pruned to limit-2)", n)
	}
	if n := len(e.agent.Keys(t)); n != 6 {
		t.Errorf("the shell's agent has %d keys after pre, want its 6 untouched", n)
	}
	priv, fp := testbed.NewKey(t)
	testbed.AddKey(t, other.Socket, priv, "")
	hooks.Post(e.s, "1", 0)
	e.s.Socket = other.Socket
	if c := e.classes()[fp]; c != "eic" {
		t.Errorf("the login's key in its agent is %s, want eic", c)
	}

	e.s.Socket = e.agent.Socket
	e.stderr.Reset()
	e.pre("2", `SSH_AUTH_SOCK="$HOME/agent" `+eicLine)
	if out := e.stderr.String(); !strings.Contains(out, "does not expand") || strings.Count(out, "\n") != 1 {
		t.Errorf("a socket the shell would expand: want one line saying so, got %q", out)
	}
	if n := len(e.agent.Keys(t)); n != 6 {
		t.Errorf("the shell's agent was pruned for a login that uses another: %d of 6 left", n)
	}
}

// TestHookBudgetBoundsTheRun: with many stale keys and an agent that is
// slow to remove each, the hook stops asking when its budget is spent,
// logs what it did not get to, says so in one line, and returns.
func TestHookBudgetBoundsTheRun(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 40)
	e.s.Socket = testbed.StartAgentProxy(t, e.agent.Socket, func(_ int, kind byte) bool {
		if kind == testbed.AgentRemoveIdentity {
			time.Sleep(450 * time.Millisecond) // the fault: a slow agent
		}
		return true
	})
	e.s.HookBudget, e.s.AgentTimeout = time.Second, 2*time.Second
	start := time.Now()
	e.s.Start = start
	e.pre("1", eicLine)
	took := time.Since(start)
	// A functional bound with a wide margin: 38 removals would take 17 s.
	if took > 4*time.Second {
		t.Errorf("pre held the command %v with a 1s budget", took)
	}
	if out := e.stderr.String(); !strings.Contains(out, "budget") || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line about the budget, got %q", out)
	}
	left := map[string]bool{}
	for _, fp := range e.agent.Fingerprints(t) {
		left[fp] = true
	}
	outcomes := map[state.Outcome]int{}
	for _, r := range e.log() {
		outcomes[r.Outcome]++
		if left[r.Fingerprint] == (r.Outcome == state.Removed) {
			t.Errorf("%s logged %q but is %s the agent", r.Fingerprint, r.Outcome, map[bool]string{true: "in", false: "gone from"}[left[r.Fingerprint]])
		}
	}
	if outcomes[state.Removed] == 0 || outcomes[state.NotAsked] == 0 {
		t.Errorf("outcomes %v: want some removed and the rest logged as not asked", outcomes)
	}
	e.requireUserKeys()
}

// TestEveryKeyThatLeftIsLogged: an agent that answers the list after a
// removal too late (the budget is spent) leaves the outcome unconfirmed,
// and still every key that left the agent is in the log.
func TestEveryKeyThatLeftIsLogged(t *testing.T) {
	e := newEnv(t)
	e.agent.AddStale(t, 6)
	var lists atomic.Int32
	e.s.Socket = testbed.StartAgentProxy(t, e.agent.Socket, func(_ int, kind byte) bool {
		// The list after the removals is never answered.
		return kind != testbed.AgentRequestIdentities || lists.Add(1) == 1
	})
	e.s.HookBudget, e.s.AgentTimeout = time.Second, 700*time.Millisecond
	e.pre("1", eicLine)
	logged := map[string]state.Outcome{}
	for _, r := range e.log() {
		logged[r.Fingerprint] = r.Outcome
	}
	if len(logged) == 0 {
		t.Fatal("nothing logged")
	}
	for _, fp := range e.agent.Fingerprints(t) {
		if _, ok := logged[fp]; ok {
			t.Errorf("%s is logged, and the agent removed it, yet it is still there", fp)
		}
	}
	if n := len(e.agent.Keys(t)); n != 8-len(logged) {
		t.Errorf("%d keys left of 8, but %d logged: a key left the agent unlogged", n, len(logged))
	}
	for fp, o := range logged {
		if o != state.Unsure {
			t.Errorf("%s: outcome %q, want unconfirmed (the agent never listed again)", fp, o)
		}
	}
}

// TestSettingsProblemInAHook: the hook runs on the defaults, says why in
// one line, and removes nothing.
func TestSettingsProblemInAHook(t *testing.T) {
	e := newStateEnv(t)
	e.agent.AddStale(t, 6)
	e.s.Problem = errors.New("/home/alice/.config/eich/config is owned by uid 1001, not you")
	e.pre("1", eicLine)
	if n := len(e.agent.Keys(t)); n != 8 {
		t.Errorf("removed keys with settings it could not resolve: %d of 8 left", n)
	}
	if out := e.stderr.String(); !strings.Contains(out, "owned by uid 1001") || strings.Count(out, "\n") != 1 {
		t.Errorf("want one line naming the problem, got %q", out)
	}
}
