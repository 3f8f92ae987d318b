package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestBashArming checks that bash's own mechanism never hands eich a
// command run by PROMPT_COMMAND (entries before and after eich's),
// completion or `bind -x`, even when their text looks like an EIC command,
// and that the hook is `set -u`-safe; while EIC logins typed by the user
// are still hooked.
func TestBashArming(t *testing.T) {
	t.Parallel()
	b := testbed.NewBed(t, built(t))
	log := filepath.Join(b.Root, "probes.log")
	rc := append([]string{"set -u"},
		`PROMPT_COMMAND='echo mssh-prompt-command-before >> `+log+`'`,
		testbed.InitLine("bash"),
		`PROMPT_COMMAND="echo mssh-prompt-command-prepended >> `+log+`"$'\n'"$PROMPT_COMMAND"$'\n'"echo mssh-prompt-command-appended >> `+log+`"`,
		`_probe_complete() { COMPREPLY=(mssh-completed); echo mssh-completion >> `+log+`; }`,
		`complete -F _probe_complete probe`,
		`bind -x '"\C-t": echo mssh-bind-x >> `+log+`'`,
	)
	sh := testbed.StartShell(t, b, "bash", rc)
	w := b.WrapEich(t)

	for i := 0; i < 3; i++ {
		sh.Run("true")
	}
	sh.Tmux.Keys("-l", "probe ")
	sh.Tmux.Keys("Tab") // completion
	sh.Tmux.WaitFor(testbed.CommandTimeout, "the completion function", func() bool { return logHas(log, "mssh-completion") })
	sh.Tmux.Keys("C-u") // discard the completed line
	sh.Tmux.Keys("C-t") // the bind -x command
	sh.Tmux.WaitFor(testbed.CommandTimeout, "the bind -x command", func() bool { return logHas(log, "mssh-bind-x") })
	sh.Run("true")
	if got := w.Starts(t); len(got) > 0 {
		t.Errorf("PROMPT_COMMAND, completion or bind -x started eich: %q", got)
	}
	for _, want := range []string{"mssh-prompt-command-before", "mssh-prompt-command-prepended", "mssh-prompt-command-appended"} {
		if !logHas(log, want) {
			t.Errorf("PROMPT_COMMAND entry %s did not run", want)
		}
	}

	hookedLogin(t, b, sh, w, "aws ec2-instance-connect ssh --instance-id i-armed")
	if pane := sh.Tmux.Capture(); strings.Contains(pane, "unbound variable") || strings.Contains(pane, "_eich") {
		t.Errorf("the hook complained under set -u:\n%s", pane)
	}
}

// logHas reports whether the file has a line equal to want.
func logHas(path, want string) bool {
	data, _ := os.ReadFile(path)
	for _, l := range strings.Split(string(data), "\n") {
		if l == want {
			return true
		}
	}
	return false
}
