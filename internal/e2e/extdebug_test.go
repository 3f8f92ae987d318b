package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestBashExtdebug is a regression test: with `shopt -s extdebug`, bash
// skips the next command when the DEBUG trap returns non-zero, and eich's
// trap used to return the previous command's status, so after `false`
// the next command silently did not run. Variants: eich's trap alone, and
// in front of a user's DEBUG trap (set before eich), which must still see
// the right $? and $BASH_COMMAND. In each: commands after a failing one
// run (on the next line and on the same line), $? and $_ reach the user,
// and an EIC login is still hooked.
func TestBashExtdebug(t *testing.T) {
	eachCase(t, []string{"alone", "chained"}, func(t *testing.T, variant string, b *testbed.Bed) {
		ran := filepath.Join(b.Root, "ran.log")
		seen := filepath.Join(b.Root, "foreign-trap.log")
		rc := []string{"shopt -s extdebug"}
		if variant == "chained" {
			rc = append(rc, `trap 'printf "%s %s\n" "$?" "$BASH_COMMAND" >> `+seen+`' DEBUG`)
		}
		rc = append(rc, testbed.InitLine("bash"))
		sh := testbed.StartShell(t, b, "bash", rc)
		w := b.WrapEich(t)

		sh.Tmux.Type("false")
		sh.Tmux.Type("echo ran-after-false >> " + ran)
		sh.Tmux.Type("false; echo ran-in-line-after-false >> " + ran)
		if st, _ := sh.Mark(); st != 0 {
			t.Errorf("$? after the echo is %d, want 0", st)
		}
		data, _ := os.ReadFile(ran)
		for _, want := range []string{"ran-after-false", "ran-in-line-after-false"} {
			if !strings.Contains(string(data), want+"\n") {
				t.Errorf("with extdebug, a command after `false` did not run (no %q in the log):\n%s", want, data)
			}
		}
		if st := sh.Run("false"); st != 1 {
			t.Errorf("$? after false is %d, want 1", st)
		}
		// ($_ only alone: another tool's trap sets it itself.)
		if variant == "alone" {
			sh.Tmux.Type("true last-word")
			if _, last := sh.Mark(); last != "last-word" {
				t.Errorf("$_ after `true last-word` is %q, want last-word", last)
			}
		}

		hookedLogin(t, b, sh, w, "aws ec2-instance-connect ssh --instance-id i-extdebug")

		if variant == "chained" {
			log, _ := os.ReadFile(seen)
			if !strings.Contains(string(log), "1 echo ran-after-false >> "+ran+"\n") {
				t.Errorf("the user's DEBUG trap did not see $?=1 before the command after `false`:\n%s", log)
			}
		}
		if pane := sh.Tmux.Capture(); strings.Contains(pane, "bash: ") {
			t.Errorf("bash complained:\n%s", pane)
		}
	})
}
