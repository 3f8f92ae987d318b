package e2e

import (
	"fmt"
	"os"
	"path/filepath"
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
//
// The "prompt" variants load the hook with --prompt and the docs' plain
// prompt that shows EICH_PROMPT, with the prompt file in place and
// changing under the trace (its re-read is builtins too).
func TestNoForkForOrdinaryCommands(t *testing.T) {
	t.Parallel()
	for _, shell := range shells.Names() {
		for _, prompt := range []bool{false, true} {
			name := shell
			if prompt {
				name += "/prompt"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				noForks(t, shell, prompt)
			})
		}
	}
}

func noForks(t *testing.T, shell string, prompt bool) {
	b := testbed.NewBed(t, built(t))
	writeConfig(t, b, "extra_command = eicfn\n")
	fn := `myfn() { : "$@"; }`
	if shell == "fish" {
		fn = "function myfn; true $argv; end"
	}
	rc := []string{fn, testbed.InitLine(shell)}
	if prompt {
		rc = append([]string{fn, promptInitLine(shell)}, promptSnippet(t, "var-"+shell)...)
		// The prompt file, before the shell starts (status creates no state dir).
		if err := os.MkdirAll(filepath.Join(b.XDGState, "eich"), 0o700); err != nil {
			t.Fatal(err)
		}
		status(t, b)
	}
	sh := testbed.StartShell(t, b, shell, rc)
	pid := sh.Tmux.PanePID()
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) != shell {
		t.Fatalf("pane process %d is %q, want %s", pid, strings.TrimSpace(string(comm)), shell)
	}
	sh.Run("true") // the first prompt is drawn; now trace
	tr := testbed.TraceForks(t, pid)
	for i, line := range builtinLines(shell) {
		if prompt && i == 2 {
			b.Agent.AddStale(t, 1)
			status(t, b) // the prompt file changes: the next prompt reads it
		}
		sh.Run(line)
	}
	if calls := tr.Stop(t); len(calls) > 0 {
		t.Errorf("%s created processes for builtin-only lines:\n%s", shell, strings.Join(calls, "\n"))
	}
	if want := status(t, b); prompt && promptShown(currentPrompt(sh)) != want {
		t.Errorf("the prompt shows %q, want %q", promptShown(currentPrompt(sh)), want)
	}
	// The control: the same tracing must see an external command's fork.
	ctl := testbed.TraceForks(t, pid)
	sh.Run("/bin/true")
	if len(ctl.Stop(t)) == 0 {
		t.Fatalf("strace saw no fork for /bin/true in %s: the tracer is blind", shell)
	}
}
