package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// promptInitLine is the rc line with --prompt.
func promptInitLine(shell string) string {
	if shell == "fish" {
		return "eich init fish --prompt | source"
	}
	return fmt.Sprintf(`eval "$(eich init %s --prompt)"`, shell)
}

// shownSegment finds the docs' plain prompts' "[SEGMENT] " in a pane line;
// a mark command's own "[$_]" or "[]" is not one.
var shownSegment = regexp.MustCompile(`\[([^][$]*)\] `)

// promptShown returns the segment a prompt line shows (the docs' plain
// prompts put EICH_PROMPT in brackets), or "" when there is none.
func promptShown(line string) string {
	if m := shownSegment.FindStringSubmatch(line); m != nil {
		return m[1]
	}
	return ""
}

// currentPrompt returns the pane's last non-empty line: the prompt the
// shell shows now.
func currentPrompt(sh *testbed.Shell) string {
	lines := strings.Split(strings.TrimRight(sh.Tmux.Capture(), "\n "), "\n")
	return lines[len(lines)-1]
}

// promptBeforeLastMark returns the pane line on which the last mark
// command (typed by Mark, RunEIC and Run) was typed: the prompt right
// after the line before it (keys typed ahead may come first).
func promptBeforeLastMark(sh *testbed.Shell) string {
	lines := strings.Split(sh.Tmux.Capture(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `echo "mark `) {
			return lines[i]
		}
	}
	return ""
}

// childVar returns the variable name as a child process of sh sees it
// in its environment, and whether it is there.
func childVar(t *testing.T, b *testbed.Bed, sh *testbed.Shell, name string) (string, bool) {
	t.Helper()
	out := filepath.Join(b.Root, "child-env")
	sh.Run("env > '" + out + "'")
	env, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env), "\n") {
		if value, ok := strings.CutPrefix(line, name+"="); ok {
			return value, true
		}
	}
	return "", false
}

// TestPromptVariable: two shells hooked with --prompt and the docs' plain
// prompt, one agent and one state dir. The first shell's prompt right
// after each EIC login shows what `eich status` says then; the second
// shows it at its next prompt, with no eich run of its own; a key added
// by hand (ssh-add, another tool) is not seen until an eich run, and
// `eich status` typed in the second shell fixes it; EICH_PROMPT reaches
// child processes (what starship's env_var module needs); $? and $_ stay.
func TestPromptVariable(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		rc := append([]string{promptInitLine(shell)}, promptSnippet(t, "var-"+shell)...)
		one := testbed.StartShell(t, b, shell, rc)
		two := testbed.StartShellTagged(t, b, shell, "second", rc)
		w := b.WrapEich(t)

		for i := 0; i < 2; i++ {
			line, lastArg := eicLine(b, shell, i)
			res := one.RunEIC(line)
			if res.Run.Status != 0 || res.Run.EichEIC != "1" || res.Status != 0 {
				t.Fatalf("login %d: status %d, EICH_EIC=%q, $?=%d", i+1, res.Run.Status, res.Run.EichEIC, res.Status)
			}
			if shell != "fish" && res.LastArg != lastArg {
				t.Errorf("login %d: $_ = %q, want %q", i+1, res.LastArg, lastArg)
			}
			want := status(t, b)
			if got := promptShown(promptBeforeLastMark(one)); got != want {
				t.Errorf("login %d: the prompt right after it shows %q, want %q (eich status)", i+1, got, want)
			}
			if got := w.StartsDuring(t, func() { two.Run("true") }); len(got) != 0 {
				t.Errorf("the second shell's prompt started eich %d times", len(got))
			}
			if got := promptShown(currentPrompt(two)); got != want {
				t.Errorf("login %d: the second shell's next prompt shows %q, want %q", i+1, got, want)
			}
		}
		seen := status(t, b)

		// A key added by hand: eich has not seen it, so neither has
		// the variable, until an eich run.
		b.Agent.AddStale(t, 1)
		two.Run("true")
		if got := promptShown(currentPrompt(two)); got != seen {
			t.Errorf("after ssh-add, the prompt shows %q; want what eich saw last, %q", got, seen)
		}
		if st := two.Run("eich status >/dev/null"); st != 0 {
			t.Fatalf("eich status: $? = %d", st)
		}
		now := status(t, b)
		if now == seen {
			t.Fatalf("eich status did not change after a key was added: %q", now)
		}
		if got := promptShown(currentPrompt(two)); got != now {
			t.Errorf("after eich status, the prompt shows %q, want %q", got, now)
		}

		// Exported: a child process (starship's env_var module is one) sees it.
		if got, ok := childVar(t, b, two, "EICH_PROMPT"); !ok || got != now {
			t.Errorf("a child process sees EICH_PROMPT=%q (set: %v), want %q", got, ok, now)
		}
		if st := one.Run("false"); st != 1 {
			t.Errorf("$? after false is %d, want 1", st)
		}
		if got := promptShown(currentPrompt(one)); got != now {
			t.Errorf("the first shell's prompt shows %q, want %q", got, now)
		}
		if pane := one.Tmux.Capture() + two.Tmux.Capture(); noise.MatchString(pane) {
			t.Errorf("stray output in the panes: %q", noise.FindString(pane))
		}
	})
}
