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
	cmd.Env = testbed.PrivateEnv(t, "PATH="+built(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
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

// TestLegacyProtocolListsCommands: scripts printed by earlier versions
// ask with urfave/cli's --generate-shell-completion; the binary still
// answers them with one "name:usage" line per visible command, and no
// hidden one.
func TestLegacyProtocolListsCommands(t *testing.T) {
	out := run(t, filepath.Join(built(t), "eich"), completion.LegacyFlag)
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, _, _ := strings.Cut(line, ":")
		names = append(names, name)
	}
	got := strings.Join(names, " ")
	wantWords(t, "eich "+completion.LegacyFlag, got,
		"status", "list", "prune", "protect", "unprotect", "log", "doctor", "init", "ssh-config", "completion")
	for _, hidden := range []string{"hook", "man"} {
		if slices.Contains(names, hidden) {
			t.Errorf("hidden command %q offered: %q", hidden, out)
		}
	}
	wantWords(t, "eich prune --d "+completion.LegacyFlag,
		strings.ReplaceAll(run(t, filepath.Join(built(t), "eich"), "prune", "--d", completion.LegacyFlag), ":", " "), "--dry-run")
}

// bashComplete runs the completion function the way readline would for
// the given words (the last one is the word under the cursor), in dir.
func bashComplete(t *testing.T, file, dir string, words ...string) string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	prog := fmt.Sprintf(`cd %q || exit
source %q
COMP_WORDS=(%s); COMP_CWORD=%d
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_eich_complete
printf '%%s\n' "${COMPREPLY[@]}"`, dir, file, strings.Join(quoted, " "), len(words)-1)
	return run(t, testbed.Tool(t, "bash"), "--norc", "--noprofile", "-c", prog)
}

func TestBashCompletes(t *testing.T) {
	file := writeScript(t, "bash")
	dir := t.TempDir()
	got := bashComplete(t, file, dir, "eich", "pr")
	if f := strings.Fields(got); len(f) != 2 {
		t.Errorf("eich pr<TAB>: want prune and protect, got %q", got)
	}
	wantWords(t, "eich pr<TAB>", got, "prune", "protect")
	wantWords(t, "eich prune --d<TAB>", bashComplete(t, file, dir, "eich", "prune", "--d"), "--dry-run")
	wantWords(t, "eich --ma<TAB>", bashComplete(t, file, dir, "eich", "--ma"), "--max-auth-tries")
	wantWords(t, "eich init <TAB>", bashComplete(t, file, dir, "eich", "init", ""), "zsh", "bash", "fish")
	if got := bashComplete(t, file, dir, "eich", "init", "zsh", ""); strings.Contains(got, "bash") {
		t.Errorf("eich init zsh <TAB>: init takes one shell, got %q", got)
	}
	// bash splits --mode=value at "=" into three words.
	for what, words := range map[string][]string{
		"eich --mode <TAB>":          {"eich", "--mode", ""},
		"eich --mode=<TAB>":          {"eich", "--mode", "="},
		"eich prune --mode <TAB>":    {"eich", "prune", "--mode", ""},
		"eich --quiet --mode a<TAB>": {"eich", "--quiet", "--mode", "a"},
	} {
		want := "auto always off"
		if strings.HasSuffix(what, "a<TAB>") {
			want = "auto always"
		}
		if got := strings.Join(strings.Fields(bashComplete(t, file, dir, words...)), " "); got != want {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}
	if got := strings.Fields(bashComplete(t, file, dir, "eich", "--mode", "=", "off", "prune", "--")); !slices.Equal(got, []string{"--dry-run", "--all-stale", "--help"}) {
		t.Errorf("eich --mode=off prune --<TAB>: %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "eich.conf"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(bashComplete(t, file, dir, "eich", "--config", "ei")); got != "eich.conf" {
		t.Errorf("eich --config ei<TAB>: want the file eich.conf, got %q", got)
	}
	for _, words := range [][]string{{"eich", "--max-auth-tries", ""}, {"eich", "--lock-wait", "ei"}, {"eich", "protect", "ei"}} {
		if got := strings.TrimSpace(bashComplete(t, file, dir, words...)); got != "" {
			t.Errorf("%q<TAB>: want nothing (no file names), got %q", words, got)
		}
	}
}

// zshComplete runs the zsh completion function for words (the last one
// under the cursor), with _describe and _files replaced by functions that
// print what they were given: the words zsh would offer.
func zshComplete(t *testing.T, file, dir string, words ...string) string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	// Sourced without compinit, the script defines _eich and says on
	// stderr that it needs compinit to register it.
	prog := fmt.Sprintf(`cd %q || exit
source %q 2>/dev/null
_describe() { local w; for w in "${(@P)${@[-1]}}"; do print -r -- "${${w%%%%:*}//\\/}"; done }
_files() { print -r -- FILES; }
words=(%s); CURRENT=%d
_eich
:`, dir, file, strings.Join(quoted, " "), len(words))
	return run(t, testbed.Tool(t, "zsh"), "-f", "-c", prog)
}

// fishComplete asks fish to complete line (with fish's own matching).
func fishComplete(t *testing.T, file, dir, line string) string {
	t.Helper()
	out := run(t, testbed.Tool(t, "fish"), "--no-config", "-c", fmt.Sprintf("cd %q; or exit; source %q; complete -C %q", dir, file, line))
	var words []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if w, _, _ := strings.Cut(l, "\t"); w != "" {
			words = append(words, w)
		}
	}
	return strings.Join(words, "\n")
}

// TestEveryShellOffersTheSameWords: for each line, bash, zsh and fish
// offer the same words: the mode values after --mode, a command's own
// flags after it (not the settings, which go before it), file names only
// for --config, nothing where nothing fits.
func TestEveryShellOffersTheSameWords(t *testing.T) {
	files := map[string]string{}
	for _, sh := range shells.Names() {
		files[sh] = writeScript(t, sh)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eich.conf"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		{"eich --mode ", []string{"always", "auto", "off"}},
		{"eich --mode a", []string{"always", "auto"}},
		{"eich prune --", []string{"--all-stale", "--dry-run", "--help"}},
		{"eich list --", []string{"--help", "--json"}},
		{"eich status --", []string{"--format", "--help", "--json"}},
		{"eich doctor --", []string{"--help", "--host"}},
		{"eich log --", []string{"--help"}},
		{"eich --agent-timeout 1s prune --a", []string{"--all-stale"}},
		{"eich --max-auth-tries ", nil},
		{"eich protect ", nil},
		{"eich init ", []string{"bash", "fish", "zsh"}},
		{"eich ssh-config ", []string{"guard", "hook", "prevent"}},
		{"eich init zsh ", nil},
		{"eich --config ei", []string{"eich.conf"}},
		{"eich --", []string{"--agent-timeout", "--config", "--help", "--hook-budget", "--lock-wait", "--max-auth-tries", "--mode", "--prompt", "--quiet", "--version"}},
	} {
		words := strings.Split(c.line, " ")
		got := map[string][]string{
			"bash": strings.Fields(bashComplete(t, files["bash"], dir, words...)),
			"zsh":  strings.Fields(zshComplete(t, files["zsh"], dir, words...)),
			"fish": strings.Fields(fishComplete(t, files["fish"], dir, c.line)),
		}
		// zsh's _files and _describe match the word typed themselves.
		if slices.Equal(got["zsh"], []string{"FILES"}) {
			got["zsh"] = []string{"eich.conf"}
		}
		for sh, words := range got {
			var matching []string
			for _, w := range words {
				if strings.HasPrefix(w, c.line[strings.LastIndexByte(c.line, ' ')+1:]) {
					matching = append(matching, w)
				}
			}
			slices.Sort(matching)
			if !slices.Equal(matching, c.want) {
				t.Errorf("%s: %q<TAB> offers %q, want %q", sh, c.line, matching, c.want)
			}
		}
	}
}

// TestZshCompletesInARealShell types lines and Tab in an interactive zsh
// with compinit, and reads the list zsh shows.
func TestZshCompletesInARealShell(t *testing.T) {
	zsh := testbed.Tool(t, "zsh")
	file := writeScript(t, "zsh")
	env := testbed.PrivateEnv(t, "TERM=screen", "PATH="+built(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	m := testbed.StartTmux(t, env, zsh, "-f")
	m.Type(fmt.Sprintf(`autoload -Uz compinit && compinit -u -D; source %q; PS1='ready> '; print loaded`, file))
	m.WaitFor(testbed.CommandTimeout, "zsh to load the completion", func() bool {
		return strings.Contains(m.Capture(), "\nloaded\n") || strings.HasSuffix(m.Capture(), "\nloaded")
	})
	for _, c := range []struct {
		line       string
		want, not  []string
		completion string
	}{
		{line: "eich --mode ", want: []string{"always", "auto", "off"}, not: []string{"--"}},
		{line: "eich prune --", want: []string{"--dry-run", "--all-stale", "--help"}, not: []string{"--max-auth-tries", "--mode"}},
		{line: "eich --mode=o", completion: "eich --mode=off"},
	} {
		m.Keys("C-u", "C-l")
		m.Keys("-l", "--", c.line)
		m.Keys("Tab")
		m.WaitFor(testbed.CommandTimeout, "zsh to complete "+c.line, func() bool {
			pane := m.Capture()
			if c.completion != "" {
				return strings.Contains(pane, c.completion)
			}
			for _, w := range c.want {
				if !strings.Contains(pane, w) {
					return false
				}
			}
			return true
		})
		pane := m.Capture()
		shown := pane[strings.LastIndex(pane, c.line)+len(c.line):]
		for _, w := range c.not {
			if strings.Contains(shown, w) {
				t.Errorf("zsh: %q<TAB> shows %q:\n%s", c.line, w, pane)
			}
		}
	}
}

func TestFishCompletes(t *testing.T) {
	file := writeScript(t, "fish")
	dir := t.TempDir()
	complete := func(line string) string { return fishComplete(t, file, dir, line) }
	got := complete("eich pr")
	wantWords(t, "eich pr<TAB>", got, "prune", "protect")
	for _, line := range strings.Split(complete("eich "), "\n") {
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
	if got := complete("eich --mode=a"); got != "--mode=always\n--mode=auto" {
		t.Errorf("eich --mode=a<TAB>: %q", got)
	}
	// fish shows what each word does.
	out := run(t, testbed.Tool(t, "fish"), "--no-config", "-c", fmt.Sprintf("source %q; complete -C 'eich prune --d'", file))
	if !strings.Contains(out, "--dry-run\tshow what would be removed") {
		t.Errorf("fish: no description for --dry-run: %q", out)
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
