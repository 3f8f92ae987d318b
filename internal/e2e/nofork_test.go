package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// builtinLines are ordinary command lines made of builtins only: without a
// hook, the shell runs them without creating a process; with eich's hook it
// must still create none (no fork, no subshell, no command substitution).
func builtinLines(shell string) []string {
	common := []string{"true", "echo plain > /dev/null", ": aws s3 ls --profile p", "cd / && cd ~", "myfn one two", "false || true"}
	if shell == "fish" {
		return append(common, "set x 1; set -e x", "true; and true")
	}
	return append(common, "x=1; unset x", "[ 1 -eq 1 ] && true")
}

// TestNoForkForOrdinaryCommands proves with strace that the hooks start
// no process, subshell or fork for any other command: while a hooked
// shell (with an extra command name configured and a user function
// defined, so every branch of the shell-side test runs) reads and runs
// builtin-only lines, neither it nor anything under it calls clone or fork.
func TestNoForkForOrdinaryCommands(t *testing.T) {
	for _, shell := range shells.Names() {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			b := testbed.NewBed(t, built(t))
			writeConfig(t, b, "extra_command = eicfn\n")
			fn := `myfn() { : "$@"; }`
			if shell == "fish" {
				fn = "function myfn; true $argv; end"
			}
			sh := testbed.StartShell(t, b, shell, []string{fn, testbed.InitLine(shell)})
			pid := sh.Tmux.PanePID()
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) != shell {
				t.Fatalf("pane process %d is %q, want %s", pid, strings.TrimSpace(string(comm)), shell)
			}
			sh.Run("true") // the first prompt is drawn; now trace
			tr := testbed.TraceForks(t, pid)
			for _, line := range builtinLines(shell) {
				sh.Run(line)
			}
			if calls := tr.Stop(t); len(calls) > 0 {
				t.Errorf("%s created processes for builtin-only lines:\n%s", shell, strings.Join(calls, "\n"))
			}
			// The control: the same tracing must see an external command's fork.
			ctl := testbed.TraceForks(t, pid)
			sh.Run("/bin/true")
			if len(ctl.Stop(t)) == 0 {
				t.Fatalf("strace saw no fork for /bin/true in %s: the tracer is blind", shell)
			}
		})
	}
}
