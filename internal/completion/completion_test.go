package completion_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/internal/completion"
	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// built returns the directory of the eich binary, built once for all
// tests; the scripts ask it for completions, so it goes on PATH as "eich".
func built(t *testing.T) string {
	t.Helper()
	return testbed.Built(t).Dir
}

// script prints `eich completion SHELL` from the built binary.
func script(t *testing.T, shell string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(built(t), "eich"), "completion", shell).Output()
	if err != nil {
		t.Fatalf("eich completion %s: %v", shell, err)
	}
	return string(out)
}

func writeScript(t *testing.T, shell string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "eich."+shell)
	if err := os.WriteFile(p, []byte(script(t, shell)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs a command with the built eich first on PATH and a throw-away
// HOME, and returns its output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"PATH="+built(t)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local/state"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func wantWords(t *testing.T, what, got string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, w := range strings.Fields(got) {
		have[w] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s: want %q among the completions, got %q", what, w, got)
		}
	}
}

func TestSyntax(t *testing.T) {
	for _, c := range []struct {
		shell string
		check []string
		pkg   string
	}{
		{"bash", []string{"bash", "-n"}, "bash"},
		{"zsh", []string{"zsh", "-n"}, "zsh"},
		{"fish", []string{"fish", "--no-execute"}, "fish"},
	} {
		t.Run(c.shell, func(t *testing.T) {
			bin := testbed.Tool(t, c.check[0])
			run(t, bin, append(c.check[1:], writeScript(t, c.shell))...)
		})
	}
}

func TestBashShellcheck(t *testing.T) {
	sc := testbed.Tool(t, "shellcheck")
	run(t, sc, "-s", "bash", writeScript(t, "bash"))
}

// TestGenerateShellCompletionListsCommands: the binary answers with one
// "name:usage" line per visible command, and no hidden one.
func TestGenerateShellCompletionListsCommands(t *testing.T) {
	out := run(t, filepath.Join(built(t), "eich"), "--generate-shell-completion")
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
	got := strings.Join(names, " ")
	wantWords(t, "eich --generate-shell-completion", got,
		"status", "list", "prune", "protect", "unprotect", "log", "doctor", "init", "ssh-config", "completion")
	for _, hidden := range []string{"hook", "man"} {
		if slices.Contains(names, hidden) {
			t.Errorf("hidden command %q offered: %q", hidden, out)
		}
	}
}

// bashComplete runs the completion function the way readline would for
// the given words (the last one is the word under the cursor).
func bashComplete(t *testing.T, file string, words ...string) string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	prog := fmt.Sprintf(`source %q
COMP_WORDS=(%s); COMP_CWORD=%d
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_eich_complete
printf '%%s\n' "${COMPREPLY[@]}"`, file, strings.Join(quoted, " "), len(words)-1)
	return run(t, testbed.Tool(t, "bash"), "--norc", "--noprofile", "-c", prog)
}

func TestBashCompletes(t *testing.T) {
	file := writeScript(t, "bash")
	got := bashComplete(t, file, "eich", "pr")
	if f := strings.Fields(got); len(f) != 2 {
		t.Errorf("eich pr<TAB>: want prune and protect, got %q", got)
	}
	wantWords(t, "eich pr<TAB>", got, "prune", "protect")
	wantWords(t, "eich prune --d<TAB>", bashComplete(t, file, "eich", "prune", "--d"), "--dry-run")
	wantWords(t, "eich --ma<TAB>", bashComplete(t, file, "eich", "--ma"), "--max-auth-tries")
	wantWords(t, "eich init <TAB>", bashComplete(t, file, "eich", "init", ""), "zsh", "bash", "fish")
	if got := bashComplete(t, file, "eich", "init", "zsh", ""); strings.Contains(got, "bash") {
		t.Errorf("eich init zsh <TAB>: init takes one shell, got %q", got)
	}
}

func TestZshRegisters(t *testing.T) {
	zsh := testbed.Tool(t, "zsh")
	file := writeScript(t, "zsh")
	out := run(t, zsh, "-f", "-c", fmt.Sprintf(`autoload -Uz compinit && compinit -u -D
source %q
print -r -- "comp=${_comps[eich]}"
(( ${+functions[_eich]} )) && print defined`, file))
	if !strings.Contains(out, "comp=_eich") || !strings.Contains(out, "defined") {
		t.Errorf("zsh: _eich not registered for eich:\n%s", out)
	}
	// Without compinit it says what to do instead of failing.
	out = run(t, zsh, "-f", "-c", fmt.Sprintf("source %q 2>&1", file))
	if !strings.Contains(out, "compinit") {
		t.Errorf("zsh without compinit: want a hint about compinit, got %q", out)
	}
}

func TestFishCompletes(t *testing.T) {
	fish := testbed.Tool(t, "fish")
	file := writeScript(t, "fish")
	complete := func(line string) string {
		return run(t, fish, "--no-config", "-c", fmt.Sprintf("source %q; complete -C %q", file, line))
	}
	got := complete("eich pr")
	wantWords(t, "eich pr<TAB>", got, "prune", "protect")
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "hook") || strings.HasPrefix(line, "man") {
			t.Errorf("hidden command offered: %q", line)
		}
	}
	wantWords(t, "eich prune --<TAB>", complete("eich prune --"), "--dry-run", "--all-stale")
	wantWords(t, "eich init <TAB>", complete("eich init "), "zsh", "bash", "fish")
	wantWords(t, "eich completion <TAB>", complete("eich completion "), "zsh", "bash", "fish")
	if got := complete("eich init zsh "); strings.Contains(got, "bash") {
		t.Errorf("eich init zsh <TAB>: init takes one shell, got %q", got)
	}
	if n := strings.Count(script(t, "fish"), "-l help -s h -d 'show help'\n"); n == 0 {
		t.Errorf("fish script lost the help flags")
	}
}

func TestScriptErrors(t *testing.T) {
	app := &cli.Command{Name: "eich"}
	for _, shell := range []string{"", "powershell", "ZSH"} {
		if _, err := completion.Script(app, shell); err == nil {
			t.Errorf("Script(%q): want an error", shell)
		}
	}
	for _, shell := range shells.Names() {
		if _, err := completion.Script(app, shell); err != nil {
			t.Errorf("Script(%q): %v", shell, err)
		}
	}
}
