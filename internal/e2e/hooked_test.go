package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// wrappers returns rc lines defining, in shell's syntax, an alias and a
// function that wrap `aws ec2-instance-connect ssh` (eicalias, eicfn).
func wrappers(shell string) []string {
	if shell == "fish" {
		return []string{
			"alias eicalias 'aws --region eu-west-1 ec2-instance-connect ssh --instance-id'",
			"function eicfn; aws ec2-instance-connect ssh --instance-id $argv[1]; end",
		}
	}
	return []string{
		"alias eicalias='aws --region eu-west-1 ec2-instance-connect ssh --instance-id'",
		`eicfn() { aws ec2-instance-connect ssh --instance-id "$1"; }`,
	}
}

// eicLine returns the i-th EIC command line of the rotation: as users type
// them, alone and in compound lines, with global options before the
// service, env prefixes, `command`, a full path, a pipe, an alias, a
// function, and a leading space (kept out of the history); wantLastArg is what $_ must be after it ("" = not checked).
func eicLine(b *testbed.Bed, shell string, i int) (line, wantLastArg string) {
	id := fmt.Sprintf("i-%017d", i)
	switch i % 8 {
	case 0:
		if i%16 == 8 {
			// A leading space: kept out of the history (HISTCONTROL,
			// HIST_IGNORE_SPACE, fish's private lines) but still hooked.
			return " aws ec2-instance-connect ssh --instance-id " + id, id
		}
		return "aws ec2-instance-connect ssh --instance-id " + id, id
	case 1:
		return "true && aws ec2-instance-connect ssh --instance-id " + id + "; echo compound-done", "compound-done"
	case 2:
		return "aws --profile p ec2-instance-connect ssh --instance-id " + id, id
	case 3:
		return "AWS_PROFILE=p command aws --region eu-west-1 ec2-instance-connect ssh --instance-id " + id, id
	case 4:
		return filepath.Join(b.Bin, "aws") + " ec2-instance-connect ssh --os-user ec2-user --instance-id " + id, id
	case 5:
		return "echo piped | aws ec2-instance-connect ssh --instance-id " + id + " | cat", ""
	case 6:
		return "eicalias " + id, ""
	default:
		return "eicfn " + id, ""
	}
}

// ordinaryLines are typed between the EIC logins; none may start eich.
var ordinaryLines = []string{
	"ls / >/dev/null",
	"echo ordinary command",
	"cd /tmp; cd -",
	"false || true",
	"printf '%s\\n' hello | cat",
	"echo ec2 instance connect docs",
}

// TestHookedLogins, in each shell: with the hook loaded as the README
// says, 16 EIC logins in a row (eicLine's rotation once through, well past
// what MaxAuthTries 6 lets through without eich) succeed, each with
// EICH_EIC=1 in its environment and exactly one `eich hook pre` and one
// `eich hook post`; the user's two keys are still in the agent at the end;
// ordinary commands (each of ordinaryLines) start no eich process; $? (and
// $_ in zsh and bash) are what the user expects.
func TestHookedLogins(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		rc := wrappers(shell)
		switch shell {
		case "bash":
			rc = append(rc, "HISTCONTROL=ignoreboth")
		case "zsh":
			rc = append(rc, "setopt HIST_IGNORE_SPACE")
		}
		if shell == "bash" {
			// bash cannot see into functions without forking: the user
			// names the wrapper in eich's config (docs/shells.md).
			writeConfig(t, b, "extra_command = eicfn\n")
		}
		rc = append(rc, testbed.InitLine(shell))
		sh := testbed.StartShell(t, b, shell, rc)
		w := b.WrapEich(t)

		const logins = 16
		for i := 0; i < logins; i++ {
			line, wantLastArg := eicLine(b, shell, i)
			res := hookedLogin(t, b, sh, w, line)
			if res.Status != 0 {
				t.Fatalf("login %d (%q): the line's status is %d, want 0", i+1, line, res.Status)
			}
			if wantLastArg != "" && shell != "fish" && res.LastArg != wantLastArg {
				t.Errorf("after %q, $_ is %q, want %q", line, res.LastArg, wantLastArg)
			}
			if i%3 == 0 {
				ordinary := ordinaryLines[(i/3)%len(ordinaryLines)]
				if got := w.StartsDuring(t, func() { sh.Run(ordinary) }); len(got) > 0 {
					t.Errorf("ordinary command %q started eich: %q", ordinary, got)
				}
			}
		}
		if st := sh.Run("false"); st != 1 {
			t.Errorf("after `false`, $? is %d, want 1", st)
		}
		// An EIC command that fails: its status must reach the user.
		var st int
		got := w.StartsDuring(t, func() { st = sh.Run("aws ec2-instance-connect ssh --region eu-west-1") })
		if st != 252 {
			t.Errorf("after a failing EIC command, $? is %d, want the stand-in's 252", st)
		}
		if !preThenPost(got) {
			t.Errorf("failing EIC command started eich as %q, want hook pre and hook post", got)
		}
		if !b.Agent.HasUserKeys(t) {
			t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
		}
		if left := b.LeftoverKeyDirs(t); len(left) > 0 {
			t.Errorf("key dirs left behind: %q", left)
		}
		t.Logf("%s: %d logins, agent now:\n%s", shell, logins, b.Agent.Describe(t))
	})
}

// writeConfig writes eich's config file in the bed.
func writeConfig(t *testing.T, b *testbed.Bed, text string) {
	t.Helper()
	dir := filepath.Join(b.XDGConfig, "eich")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTwoLoginsOnOneLine: a line with two EIC logins. Both succeed with
// EICH_EIC=1. zsh and fish hook the line once; bash hooks each simple
// command, closing the first with a `hook post` before the second `hook
// pre`, so the ledger sees each login's key.
func TestTwoLoginsOnOneLine(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)})
		w := b.WrapEich(t)
		runs, _, _ := sh.RunEICs("aws ec2-instance-connect ssh --instance-id i-a; aws --region r ec2-instance-connect ssh --instance-id i-b", 2)
		for i, r := range runs {
			if r.Status != 0 || r.EichEIC != "1" {
				t.Errorf("login %d: status %d, EICH_EIC=%q; want 0 and 1", i+1, r.Status, r.EichEIC)
			}
		}
		want := "pre post"
		if shell == "bash" {
			want = "pre post pre post"
		}
		// The last post runs after the line's own output: wait for it.
		kindsOf := func() string { return kinds(w.Starts(t)) }
		testbed.WaitFor(t, 10*time.Second, "the hook's eich runs", func() bool {
			return len(strings.Fields(kindsOf())) >= len(strings.Fields(want))
		}, kindsOf)
		if got := kindsOf(); got != want {
			t.Errorf("eich started as %q, want %q", got, want)
		}
	})
}
