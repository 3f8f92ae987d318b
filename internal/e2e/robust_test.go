package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestReloadAndMissingBinary, in each shell: the init line loaded twice
// (first with --prompt, then without, as after an edit of the rc file)
// still gives exactly one `hook pre` and one `hook post` per EIC command
// and leaves no EICH_PROMPT behind; after the binary is
// deleted, EIC commands still run, the shell prints one line about it once
// per session, and keeps working with $? intact.
func TestReloadAndMissingBinary(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		sh := testbed.StartShell(t, b, shell, []string{promptInitLine(shell), testbed.InitLine(shell)})
		w := b.WrapEich(t)

		// The hook loaded twice.
		for i := 0; i < 2; i++ {
			hookedLogin(t, b, sh, w, "aws ec2-instance-connect ssh --instance-id i-twice")
		}
		if v, ok := childVar(t, b, sh, "EICH_PROMPT"); ok {
			t.Errorf("the hook loaded again without --prompt left EICH_PROMPT=%q in a child's environment", v)
		}

		// The binary disappears (uninstalled, moved, a broken upgrade).
		for _, p := range []string{b.Eich, b.Eich + ".real"} {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 2; i++ {
			res := sh.RunEIC("aws ec2-instance-connect ssh --instance-id i-gone")
			if res.Run.Status != 0 {
				t.Fatalf("login %d after eich was deleted: status %d", i+1, res.Run.Status)
			}
			if res.Run.EichEIC != "" {
				t.Errorf("login %d after eich was deleted ran with EICH_EIC=%q, want it unset", i+1, res.Run.EichEIC)
			}
		}
		if st := sh.Run("echo still-alive; false"); st != 1 {
			t.Errorf("after eich was deleted, $? of `false` is %d, want 1", st)
		}
		pane := sh.Tmux.Capture()
		var ours []string
		for _, l := range strings.Split(pane, "\n") {
			if strings.Contains(l, "eich") && !strings.Contains(l, "echo ") && !strings.Contains(l, "eich-remote-login-ok") {
				ours = append(ours, l)
			}
		}
		if len(ours) != 1 || !strings.Contains(ours[0], b.Eich) || !strings.Contains(ours[0], "not found") {
			t.Errorf("after eich was deleted the shell printed %d lines about eich, want one saying %s is not found:\n%s", len(ours), b.Eich, strings.Join(ours, "\n"))
		}
		t.Logf("%s after eich was deleted printed: %q", shell, ours)
		if strings.Contains(pane, "command not found") || strings.Contains(pane, "Unknown command") {
			t.Errorf("the shell complained about a missing command:\n%s", pane)
		}
	})
}

// TestBashForeignTrapAndPromptCommand is the bash side of working beside
// starship, direnv, atuin and zoxide: other tools' DEBUG traps and PROMPT_COMMAND entries, loaded
// before or after eich, keep working and keep eich working. Variants:
//
//   - string: a user's DEBUG trap set before eich, direnv's own hook
//     (prepends itself to PROMPT_COMMAND) loaded after it;
//   - array: the same with a bash >= 5.1 PROMPT_COMMAND array;
//   - ps0-precmd: loaded after eich, prompt code that prepends to PS0,
//     moves PROMPT_COMMAND into its own variable and evals it from its
//     precmd function, and rewrites PS1 at every prompt (the shape of
//     starship's bash init on bash >= 4.4; starship itself is not
//     available here, so this is plain shell code, not starship);
//   - trap-chain: loaded after eich, code that chains the DEBUG trap by
//     calling the first word of the trap it found, with no arguments (the
//     shape of older starship's init).
//
// In each: three EIC logins are hooked exactly once each, every hook still
// runs, the right $? reaches the PROMPT_COMMAND hooks and the user, and
// nothing complains.
func TestBashForeignTrapAndPromptCommand(t *testing.T) {
	eachCase(t, []string{"string", "array", "ps0-precmd", "trap-chain"}, func(t *testing.T, variant string, b *testbed.Bed) {
		debugLog := filepath.Join(b.Root, "debug-trap.log")
		pcLog := filepath.Join(b.Root, "prompt-command.log")
		var rc []string
		switch variant {
		case "string", "array":
			// A user's own DEBUG trap, set before eich.
			rc = append(rc, `trap 'printf "%s\n" "$BASH_COMMAND" >> `+debugLog+`' DEBUG`)
			if variant == "array" {
				rc = append(rc, `_pc_first() { echo "first $?" >> `+pcLog+`; }`, `PROMPT_COMMAND=(_pc_first)`)
			}
			rc = append(rc,
				testbed.InitLine("bash"),
				// direnv's hook, as `direnv hook bash` prints it, loaded after eich.
				`_direnv_hook() { local previous_exit_status=$?; trap -- '' SIGINT; echo "direnv $previous_exit_status" >> `+pcLog+`; trap - SIGINT; return $previous_exit_status; }`,
				`if [[ ";${PROMPT_COMMAND[*]:-};" != *";_direnv_hook;"* ]]; then PROMPT_COMMAND="_direnv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"; fi`,
			)
		case "ps0-precmd":
			rc = append(rc,
				testbed.InitLine("bash"),
				`_ss_precmd() { local s=$?; PS1="ss[$s]\$ "; echo "direnv $s" >> `+pcLog+`; _ss_status "$s"; eval "$_SS_PROMPT_COMMAND"; }`,
				`_ss_status() { return "$1"; }`,
				`_SS_PROMPT_COMMAND=$PROMPT_COMMAND; PROMPT_COMMAND=_ss_precmd`,
				`PS0='${_ss_start:$((_ss_start=1,0)):0}'"${PS0-}"`,
			)
		case "trap-chain":
			rc = append(rc,
				testbed.InitLine("bash"),
				`_ss_found=$(trap -p DEBUG | cut -d' ' -f3 | tr -d \')`,
				`_ss_preexec_all() { local prev=$1; $_ss_found; printf "%s\n" "$BASH_COMMAND" >> `+debugLog+`; : "$prev"; }`,
				`trap '_ss_preexec_all "$_"' DEBUG`,
				`_ss_precmd() { local s=$?; echo "direnv $s" >> `+pcLog+`; return $s; }`,
				`PROMPT_COMMAND="${PROMPT_COMMAND%;};_ss_precmd;"`,
			)
		}
		sh := testbed.StartShell(t, b, "bash", rc)
		w := b.WrapEich(t)

		for i := 0; i < 3; i++ {
			hookedLogin(t, b, sh, w, "aws ec2-instance-connect ssh --instance-id i-foreign")
		}
		// ($_ is not checked here: the other tools' traps set it themselves.)
		sh.Run("echo seen-by-debug-trap one two")
		if st := sh.Run("false"); st != 1 {
			t.Errorf("$? after false is %d, want 1", st)
		}

		if variant != "ps0-precmd" {
			dbg, _ := os.ReadFile(debugLog)
			for _, want := range []string{"echo seen-by-debug-trap one two", "aws ec2-instance-connect ssh --instance-id i-foreign"} {
				if !strings.Contains(string(dbg), want+"\n") {
					t.Errorf("the other DEBUG trap did not see %q; it saw:\n%s", want, dbg)
				}
			}
		}
		pc, _ := os.ReadFile(pcLog)
		lines := strings.Split(strings.TrimSpace(string(pc)), "\n")
		if !slices.Contains(lines, "direnv 1") || !slices.Contains(lines, "direnv 0") {
			t.Errorf("the other PROMPT_COMMAND hook did not run with the right $? (want lines \"direnv 0\" and \"direnv 1\"):\n%s", pc)
		}
		if variant == "array" && !slices.Contains(lines, "first 1") {
			t.Errorf("PROMPT_COMMAND array element did not run with the right $? (want \"first 1\"):\n%s", pc)
		}
		if pane := sh.Tmux.Capture(); strings.Contains(pane, "bash: ") {
			t.Errorf("bash complained:\n%s", pane)
		}
	})
}
