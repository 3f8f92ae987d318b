package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestUserKeyAddedDuringEICCommand proves that a key the user adds by
// hand in another terminal while an EIC command runs is not recorded as
// an EIC key, in each shell. The first login's remote
// command holds it open until the test says go; meanwhile a second
// terminal (a plain bash in its own tmux, same agent) runs ssh-add for two
// Ed25519 key files: one with a comment, one whose file has an empty
// comment (ssh-add then uses the file name, unlike ssh's AddKeysToAgent,
// which is how EIC keys get their empty comment). After the login's
// `hook post` both are class "user" in `eich list --json` and "seen", not
// EIC, in the ledger, while the login's own key is "eic"; eight more
// logins, each of which prunes, remove neither, nor the two first user
// keys.
func TestUserKeyAddedDuringEICCommand(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		keygen := testbed.Tool(t, "ssh-keygen")
		var handKeys, handFPs []string
		for _, k := range []struct{ name, comment string }{{"id_hand", "alice@hand"}, {"id_hand_nocomment", ""}} {
			p := filepath.Join(b.Home, ".ssh", k.name)
			if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", k.comment, "-f", p).CombinedOutput(); err != nil {
				t.Fatalf("ssh-keygen: %v\n%s", err, out)
			}
			out, err := exec.Command(keygen, "-l", "-E", "sha256", "-f", p+".pub").Output()
			if err != nil {
				t.Fatalf("ssh-keygen -l: %v", err)
			}
			handKeys, handFPs = append(handKeys, p), append(handFPs, strings.Fields(string(out))[1])
		}

		started, goFile := filepath.Join(b.Root, "login-started"), filepath.Join(b.Root, "login-go")
		// The remote command holds the login open until goFile exists
		// (only the first login waits: the file stays).
		hold := fmt.Sprintf("FAKEAWS_REMOTE_COMMAND=echo x >> '%s'; while [ ! -e '%s' ]; do sleep 0.05; done; echo %s", started, goFile, testbed.RemoteOutput)
		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)}, hold, "EICH_QUIET=1")
		other := testbed.StartTmux(t, b.Env(), testbed.Tool(t, "bash"), "--norc", "--noprofile", "-i")

		sh.Tmux.Type("aws ec2-instance-connect ssh --instance-id i-during")
		sh.Tmux.WaitFor(testbed.CommandTimeout, "the first login to be in (its remote command running)", func() bool {
			_, err := os.Stat(started)
			return err == nil
		})
		other.Type(fmt.Sprintf("ssh-add %s %s && touch '%s'", handKeys[0], handKeys[1], goFile))
		other.WaitFor(testbed.CommandTimeout, "ssh-add in the other terminal", func() bool {
			_, err := os.Stat(goFile)
			return err == nil
		})
		sh.Tmux.WaitFor(testbed.CommandTimeout, "the first login to end", func() bool { return len(b.AWSRuns(t)) == 1 })
		sh.Mark() // the prompt is back: hook post has run
		if r := b.AWSRuns(t)[0]; r.Status != 0 || r.EichEIC != "1" {
			t.Fatalf("the login during which the keys were added: status %d, EICH_EIC=%q; want 0 and 1", r.Status, r.EichEIC)
		}

		class := func() map[string]string {
			m := map[string]string{}
			for _, k := range eichList(t, b, b.Eich) {
				m[k.Fingerprint] = k.Class + " " + fmt.Sprintf("%q", k.Comment)
			}
			return m
		}
		after := class()
		eic := 0
		for fp, c := range after {
			switch {
			case slices.Contains(handFPs, fp) || slices.Contains(b.Agent.UserFingerprints, fp):
				if !strings.HasPrefix(c, "user ") {
					t.Errorf("key %s added by hand during the EIC command is %s; want user", fp, c)
				}
			case strings.HasPrefix(c, "eic "):
				eic++
			default:
				t.Errorf("key %s is %s; want the login's own key eic", fp, c)
			}
		}
		if eic != 1 || len(after) != 5 {
			t.Errorf("after the login the agent holds %v; want the 2 user keys, the 2 added by hand and the login's key (eic)", after)
		}
		l, _ := readLedger(t, b)
		for _, fp := range handFPs {
			if e := l.Entries[fp]; e == nil || e.EIC {
				t.Errorf("key %s added by hand in the ledger: %+v; want seen, not EIC", fp, e)
			}
		}

		for i := 0; i < 8; i++ {
			res := sh.RunEIC(fmt.Sprintf("aws ec2-instance-connect ssh --instance-id i-later-%d", i))
			if res.Run.Status != 0 || res.Run.EichEIC != "1" {
				t.Fatalf("login %d after the keys were added: status %d, EICH_EIC=%q; want 0 and 1; agent:\n%s", i+2, res.Run.Status, res.Run.EichEIC, b.Agent.Describe(t))
			}
		}
		have := b.Agent.Fingerprints(t)
		for _, fp := range append(handFPs, b.Agent.UserFingerprints...) {
			if !slices.Contains(have, fp) {
				t.Errorf("user key %s is gone from the agent; agent:\n%s", fp, b.Agent.Describe(t))
			}
		}
		rems := readRemovals(t, b)
		for _, r := range rems {
			if slices.Contains(handFPs, r.Fingerprint) || r.Class != "eic" {
				t.Errorf("removed %+v; want only eic keys removed", r)
			}
		}
		if len(rems) == 0 {
			t.Errorf("no key was removed in 8 logins with 4 user keys: the test did not make eich prune")
		}
		for fp, c := range class() {
			if slices.Contains(handFPs, fp) && !strings.HasPrefix(c, "user ") {
				t.Errorf("at the end, key %s added by hand is %s; want user", fp, c)
			}
		}
		t.Logf("%s: %d removals; agent now:\n%s", shell, len(rems), b.Agent.Describe(t))
	})
}
