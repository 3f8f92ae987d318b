package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// bashPreexecStandIn behaves like bash-preexec as far as eich relies on it
// (bash-preexec itself is not packaged for the test machines): sourced, it
// sets __bp_imported and defers its installation to the first prompt,
// where it reads the DEBUG trap already there and runs it as a preexec
// function, installs its own DEBUG trap that calls the preexec functions
// once per line with the line from `history 1`, and puts its precmd runner
// first and its "interactive mode" flag last in PROMPT_COMMAND.
const bashPreexecStandIn = `
__bp_imported=defined
preexec_functions=()
precmd_functions=()
_bp_ready=
_bp_ret() { return "$1"; }
_bp_precmd() {
	local s=$? f
	for f in ${precmd_functions[@]+"${precmd_functions[@]}"}; do
		_bp_ret "$s"
		"$f"
	done
	return "$s"
}
_bp_interactive() { _bp_ready=1; }
_bp_preexec() {
	local prev=$1 line f
	[ -n "$_bp_ready" ] || return 0
	_bp_ready=
	[ -z "${COMP_LINE-}" ] || return 0
	line=$(HISTTIMEFORMAT= builtin history 1)
	line=${line#*[0-9]  }
	for f in ${preexec_functions[@]+"${preexec_functions[@]}"}; do
		"$f" "$line"
	done
	: "$prev"
}
_bp_install() {
	local prior
	prior=${_bp_trap_string#trap -- \'}
	prior=${prior%\' DEBUG}
	if [ -n "$prior" ]; then
		eval "_bp_original_debug_trap() { $prior
}"
		preexec_functions+=(_bp_original_debug_trap)
	fi
	trap '_bp_preexec "$_"' DEBUG
	PROMPT_COMMAND=$'_bp_precmd\n'"${PROMPT_COMMAND%%$'\n'_bp_trap_string=*}"$'\n_bp_interactive'
	_bp_interactive
}
PROMPT_COMMAND+=$'\n_bp_trap_string=$(trap -p DEBUG)\ntrap - DEBUG\n_bp_install'
`

// TestBashPreexecFramework checks eich with a bash-preexec-style framework
// loaded before it (eich uses its preexec_functions) and after it (eich
// notices at the next prompt and switches to them, since the framework
// would otherwise call eich's DEBUG trap for the first command of a line
// only): logins alone and in compound lines are hooked exactly once.
func TestBashPreexecFramework(t *testing.T) {
	for _, order := range []string{"before", "after"} {
		t.Run(order, func(t *testing.T) {
			t.Parallel()
			b := testbed.NewBed(t, built(t))
			framework := filepath.Join(b.Root, "bash-preexec.sh")
			if err := os.WriteFile(framework, []byte(bashPreexecStandIn), 0o644); err != nil {
				t.Fatal(err)
			}
			rc := []string{"source " + framework, testbed.InitLine("bash")}
			if order == "after" {
				rc[0], rc[1] = rc[1], rc[0]
			}
			sh := testbed.StartShell(t, b, "bash", rc)
			w := b.WrapEich(t)
			sh.Run("true")
			for i, line := range []string{
				"aws ec2-instance-connect ssh --instance-id i-bp",
				"true && aws --profile p ec2-instance-connect ssh --instance-id i-bp; echo compound-done",
				"aws ec2-instance-connect ssh --instance-id i-bp",
			} {
				before := len(w.Starts(t))
				res := sh.RunEIC(line)
				if res.Run.Status != 0 || res.Run.EichEIC != "1" {
					t.Fatalf("login %d (%q): status %d, EICH_EIC=%q; want 0 and 1", i+1, line, res.Run.Status, res.Run.EichEIC)
				}
				if got := w.Starts(t)[before:]; len(got) != 2 {
					t.Errorf("login %d (%q) started eich %d times, want 2: %q", i+1, line, len(got), got)
				}
			}
			before := len(w.Starts(t))
			sh.Run("echo ordinary")
			if got := w.Starts(t)[before:]; len(got) != 0 {
				t.Errorf("an ordinary command started eich: %q", got)
			}
			if pane := sh.Tmux.Capture(); strings.Contains(pane, "bash: ") {
				t.Errorf("bash complained:\n%s", pane)
			}
		})
	}
}
