package shells

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// nastyState is a state dir path that breaks naive quoting in every shell.
const nastyState = `/tmp/st ate/it's $(x) \ "q" ` + "`y`" + `/eich`

// renderWithPrompt renders what `eich init SHELL --prompt` prints (the hook,
// then the prompt segment) into a file and returns its path.
func renderWithPrompt(t *testing.T, shell, stateDir string) string {
	t.Helper()
	hook, err := Script(shell, nastyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := PromptScript(shell, stateDir)
	if err != nil {
		t.Fatalf("PromptScript(%q): %v", shell, err)
	}
	if strings.Contains(seg, "@EICH_") {
		t.Fatalf("%s prompt segment still has a placeholder:\n%s", shell, seg)
	}
	p := filepath.Join(t.TempDir(), "eich-prompt."+shell)
	if err := os.WriteFile(p, []byte(hook+"\n"+seg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPromptScriptErrors(t *testing.T) {
	if _, err := PromptScript("tcsh", "/s"); err == nil {
		t.Error("unknown shell: no error")
	}
	for _, bad := range []string{"", "rel/eich", "/a\nb", "/a\x00b"} {
		if _, err := PromptScript("zsh", bad); err == nil {
			t.Errorf("state dir %q: no error", bad)
		}
	}
}

// shellRun is a real shell the prompt tests run the segment in.
// noSysopen: the segment runs as where zsh has no zsh/system module.
type shellRun struct {
	name, binary string
	noSysopen    bool
}

// String names the run in messages: the binary, and the variant.
func (r shellRun) String() string {
	if r.noSysopen {
		return r.binary + ", without sysopen"
	}
	return r.binary
}

// render is renderWithPrompt for this run.
func (r shellRun) render(t *testing.T, stateDir string) string {
	p := renderWithPrompt(t, r.name, stateDir)
	if r.noSysopen {
		const load = "zmodload -F zsh/system b:sysopen 2>/dev/null && _eich_sysopen=1"
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), load) {
			t.Fatalf("the zsh segment has no line %q (%v)", load, err)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), load, "", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// promptShells returns the system bash and every bash build of
// EICH_THIRD_PARTY, zsh (with and without zsh/system's sysopen, with
// which it makes its marker) and fish.
func promptShells(t *testing.T) []shellRun {
	var runs []shellRun
	for _, bash := range testbed.Bashes(t) {
		runs = append(runs, shellRun{name: "bash", binary: bash})
	}
	zsh := testbed.Tool(t, "zsh")
	return append(runs, shellRun{name: "zsh", binary: zsh}, shellRun{name: "zsh", binary: zsh, noSysopen: true},
		shellRun{name: "fish", binary: testbed.Tool(t, "fish")})
}

// stateDir makes an empty state dir (0700) for one run.
func stateDir(t *testing.T) string {
	state := filepath.Join(t.TempDir(), "eich")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	return state
}

// PUBLISH TEXT, in sh and in fish, writes the prompt file $F of the state
// dir $S as eich does: the new text, then every marker removed.
const (
	publishSh   = `PUBLISH() { printf '%s\n' "$1" >"$S/new"; mv "$S/new" "$F"; rm -f "$S"/seen-*; }` + "\n"
	publishFish = `function PUBLISH; printf '%s\n' $argv[1] >$S/new; mv $S/new $F; rm -f $S/seen-*; end` + "\n"
)

// TestPromptSyntax checks the hook with the prompt segment as `eich init
// SHELL --prompt` prints it, with each shell's own parser (every bash
// build), fish_indent and shellcheck, and reads the state dir back.
func TestPromptSyntax(t *testing.T) {
	for _, bash := range testbed.Bashes(t) {
		run(t, bash, "-n", renderWithPrompt(t, "bash", nastyState))
	}
	run(t, "zsh", "-n", renderWithPrompt(t, "zsh", nastyState))
	run(t, "fish", "--no-execute", renderWithPrompt(t, "fish", nastyState))
	run(t, "fish_indent", "--check", renderWithPrompt(t, "fish", nastyState))
	run(t, "shellcheck", "-s", "bash", renderWithPrompt(t, "bash", nastyState))

	for shell, cmd := range map[string][]string{
		"bash": {"-c", `eval "$(cat "$1")" && printf '%s|' "$_eich_state"`, "x"},
		"zsh":  {"-f", "-c", `eval "$(<$1)" && printf '%s|' "$_eich_state"`, "x"},
		"fish": {"--no-config", "-c", `source $argv[1]; and printf '%s|' $_eich_state`},
	} {
		got := run(t, shell, append(cmd, renderWithPrompt(t, shell, nastyState))...)
		if want := nastyState + "|"; got != want {
			t.Errorf("%s: state dir came back as %q, want %q", shell, got, want)
		}
	}
}

// refreshSteps drive a shell's refresh (REFRESH) and print EICH_PROMPT
// after each step. PUBLISH writes the prompt file as eich does: the new
// text, then every marker removed; the file is also changed by hand,
// with the marker left. $F is the prompt file, $S the state dir.
const refreshSteps = `
echo "start:$EICH_PROMPT"
PUBLISH 'eic 1/6'
REFRESH; echo "appears:$EICH_PROMPT"
printf 'eic 2/6\n' >"$S/new"; mv "$S/new" "$F"
REFRESH; echo "changed, marker there, not read:$EICH_PROMPT"
PUBLISH 'eic 3/6 ·2 stale'
REFRESH; echo "marker gone, read:$EICH_PROMPT"
SSH_AUTH_SOCK=/other/sock; REFRESH; echo "other socket, no file:$EICH_PROMPT"
SSH_AUTH_SOCK=/tmp/a/agent.sock; REFRESH; echo "back:$EICH_PROMPT"
SSH_AUTH_SOCK=; REFRESH; echo "no socket:$EICH_PROMPT"
SSH_AUTH_SOCK=/tmp/a/agent.sock; false; REFRESH; echo "status kept:$?"
sh -c 'echo "child:$EICH_PROMPT"'
`

// TestPromptRefresh runs each shell's refresh function on a prompt file
// changed between calls: it reads the file when it appears, when its
// marker is gone, when the socket changes; it does not read a file that
// changed while the marker stayed (eich always removes it: the test at
// each prompt is a stat, not a read); no socket or no file is an empty
// segment; $? is kept; children see EICH_PROMPT.
func TestPromptRefresh(t *testing.T) {
	want := strings.Join([]string{
		"start:",
		"appears:eic 1/6",
		"changed, marker there, not read:eic 1/6",
		"marker gone, read:eic 3/6 ·2 stale",
		"other socket, no file:",
		"back:eic 3/6 ·2 stale",
		"no socket:",
		"status kept:1",
		"child:eic 3/6 ·2 stale",
	}, "\n") + "\n"
	for _, r := range promptShells(t) {
		state := stateDir(t)
		steps, want := refreshSteps, want
		head := `eval "$(cat "$1")" || exit 1
S=$2; F=$S/prompt-%tmp%a%agent.sock
` + publishSh
		args, at := []string{"-c", "", "x"}, 1
		var refresh string
		switch r.name {
		case "bash":
			// The prompt hook, as at a prompt (the first call settles
			// into the state between EIC commands).
			refresh = "_eich_precmd"
		case "zsh":
			refresh = "_eich_precmd"
			// zsh restores $? after a hook function itself, so the
			// function does not keep it when called directly:
			// TestPromptVariable checks $? at real prompts.
			want = strings.Replace(want, "status kept:1\n", "", 1)
			steps = strings.Replace(steps, "false; REFRESH; echo \"status kept:$?\"\n", "REFRESH\n", 1)
		case "fish":
			// `emit` sets $status itself: the end-to-end tests check that
			// fish keeps it around the fish_prompt handler.
			want = strings.Replace(want, "status kept:1\n", "", 1)
			steps = strings.NewReplacer("false; REFRESH; echo \"status kept:$?\"\n", "REFRESH\n",
				"SSH_AUTH_SOCK=/other/sock;", "set SSH_AUTH_SOCK /other/sock;",
				"SSH_AUTH_SOCK=/tmp/a/agent.sock;", "set SSH_AUTH_SOCK /tmp/a/agent.sock;",
				"SSH_AUTH_SOCK=;", "set SSH_AUTH_SOCK '';").Replace(steps)
			head = `source $argv[1]; or exit 1
set S $argv[2]; set F $S/prompt-%tmp%a%agent.sock
` + publishFish
			args, at = []string{"--no-config", "-c", ""}, 2
			refresh = "emit fish_prompt"
		}
		args[at] = head + strings.ReplaceAll(steps, "REFRESH", refresh)
		cmd := exec.Command(r.binary, append(args, r.render(t, state), state)...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=/tmp/a/agent.sock", "LC_ALL=C.UTF-8", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != want {
			t.Errorf("%s (%s): %v\ngot:\n%s\nwant:\n%s", r.name, r, err, out, want)
		}
	}
}

// TestPromptMarkerLink: a link in the place of the shell's marker is not
// written through (its target keeps its content), and the segment then
// stays empty: the shell reads nothing from a state dir someone tampered
// with.
func TestPromptMarkerLink(t *testing.T) {
	for _, r := range promptShells(t) {
		state := stateDir(t)
		if err := os.WriteFile(filepath.Join(state, "prompt-%tmp%a%agent.sock"), []byte("eic 1/6\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(t.TempDir(), "target")
		if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-c", `ln -s "$3" "$2/seen-$$" && eval "$(cat "$1")" && echo "segment:$EICH_PROMPT"`, "x"}
		if r.name == "fish" {
			args = []string{"--no-config", "-c", `ln -s $argv[3] $argv[2]/seen-$fish_pid; and source $argv[1]; and echo "segment:$EICH_PROMPT"`}
		}
		cmd := exec.Command(r.binary, append(args, r.render(t, state), state, target)...)
		cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=/tmp/a/agent.sock", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != "segment:\n" {
			t.Errorf("%s (%s): %v: %q, want an empty segment", r.name, r, err, out)
		}
		if data, err := os.ReadFile(target); err != nil || string(data) != "keep" {
			t.Errorf("%s (%s): the link's target now holds %q (%v)", r.name, r, data, err)
		}
	}
}

// TestPromptOffAfterReload loads the hook with the prompt segment, then
// again without it, as after an edit of the rc file: the prompts after
// that neither refresh EICH_PROMPT nor make a marker, and the variable is
// gone, from children too. The same in fish after `fisher remove`.
func TestPromptOffAfterReload(t *testing.T) {
	const steps = `
PUBLISH 'eic 1/6'; PROMPT; echo "on:$EICH_PROMPT"
RELOAD
PUBLISH 'eic 2/6'; PROMPT; PROMPT
echo "off:${EICH_PROMPT-unset}"
sh -c 'echo "child:${EICH_PROMPT-unset}"'
ls "$S"
`
	const want = "on:eic 1/6\noff:unset\nchild:unset\nprompt-%tmp%a%agent.sock\n"
	for _, r := range promptShells(t) {
		reloads := []string{"RELOAD"}
		if r.name == "fish" {
			reloads = append(reloads, "emit eich_uninstall")
		}
		for _, reload := range reloads {
			state := stateDir(t)
			steps := strings.Replace(steps, "RELOAD", reload, 1)
			head := `eval "$(cat "$1")" || exit 1
H=$2; S=$3; F=$S/prompt-%tmp%a%agent.sock
RELOAD() { eval "$(cat "$H")"; }
` + publishSh
			switch r.name {
			case "bash":
				head += "PROMPT() { _eich_precmd; }\n"
			case "zsh":
				head += "PROMPT() { local f; for f in $precmd_functions; do $f; done; }\n"
			}
			args := []string{"-c", head + steps, "x"}
			if r.name == "fish" {
				args = []string{"--no-config", "-c", `source $argv[1]; or exit 1
set H $argv[2]; set S $argv[3]; set F $S/prompt-%tmp%a%agent.sock
function RELOAD; source $H; end
function PROMPT; emit fish_prompt; end
` + publishFish + strings.Replace(steps, `"off:${EICH_PROMPT-unset}"`, `off:(set -q EICH_PROMPT; and echo $EICH_PROMPT; or echo unset)`, 1)}
			}
			cmd := exec.Command(r.binary, append(args, r.render(t, state), render(t, r.name, nastyPath, nil), state)...)
			cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=/tmp/a/agent.sock", "LC_ALL=C.UTF-8", "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != want {
				t.Errorf("%s (%s), %s: %v\ngot:\n%s\nwant:\n%s", r.name, r, reload, err, out, want)
			}
		}
	}
}

// TestPromptNotRegular puts a FIFO, or a link (to a regular file, to a
// FIFO, to nothing), in the place of the prompt file or of the shell's
// marker before the segment loads. The shell must neither block on the
// FIFO nor write or read through the link: loading and two refreshes come
// back (within a generous bound), the segment is left out, and nothing
// is made at the end of a link.
func TestPromptNotRegular(t *testing.T) {
	// Each setup runs in the shell before the hook loads: $S is the state
	// dir, $F the prompt file, $M the marker, $T a regular file holding a
	// segment, $X a path that does not exist. (fish: the same with set.)
	setups := []struct{ name, sh, fish string }{
		{"prompt file a FIFO", `mkfifo "$F"`, `mkfifo $F`},
		{"prompt file a link", `ln -s "$T" "$F"`, `ln -s $T $F`},
		{"prompt file a link to a FIFO", `mkfifo "$X" && ln -s "$X" "$F"`, `mkfifo $X; and ln -s $X $F`},
		{"marker a FIFO", `mkfifo "$M"`, `mkfifo $M`},
		{"marker a link to a FIFO", `mkfifo "$X" && ln -s "$X" "$M"`, `mkfifo $X; and ln -s $X $M`},
		{"marker a link to nothing", `ln -s "$X" "$M"`, `ln -s $X $M`},
	}
	for _, r := range promptShells(t) {
		for _, c := range setups {
			state, dir := stateDir(t), t.TempDir()
			regular, missing := filepath.Join(dir, "regular"), filepath.Join(dir, "missing")
			if err := os.WriteFile(regular, []byte("eic 9/6\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.name, "prompt file") {
				if err := os.WriteFile(filepath.Join(state, "prompt-%tmp%a%agent.sock"), []byte("eic 1/6\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var args []string
			switch r.name {
			case "fish":
				args = []string{"--no-config", "-c", `set S $argv[2]; set T $argv[3]; set X $argv[4]
set F $S/prompt-%tmp%a%agent.sock; set M $S/seen-$fish_pid
` + c.fish + `; or exit 1
source $argv[1]; or exit 1
echo "segment:$EICH_PROMPT"
emit fish_prompt; emit fish_prompt; echo "again:$EICH_PROMPT"`}
			default:
				refresh := "_eich_precmd"
				args = []string{"-c", `S=$2 T=$3 X=$4 F=$2/prompt-%tmp%a%agent.sock M=$2/seen-$$
` + c.sh + ` || exit 1
eval "$(cat "$1")" || exit 1
echo "segment:$EICH_PROMPT"
` + refresh + "; " + refresh + `; echo "again:$EICH_PROMPT"`, "x"}
			}
			bound := testbed.Scaled(30 * time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), bound)
			cmd := exec.CommandContext(ctx, r.binary, append(args, r.render(t, state), state, regular, missing)...)
			cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=/tmp/a/agent.sock", "LC_ALL=C.UTF-8", "HOME="+t.TempDir())
			cmd.WaitDelay = time.Second
			out, err := cmd.CombinedOutput()
			timedOut := ctx.Err() != nil
			cancel()
			switch {
			case timedOut:
				t.Errorf("%s (%s), %s: no prompt after %v: the shell blocked (%q)", r.name, r, c.name, bound, out)
			case err != nil || string(out) != "segment:\nagain:\n":
				t.Errorf("%s (%s), %s: %v: %q, want the segment left out", r.name, r, c.name, err, out)
			}
			if _, err := os.Lstat(missing); c.name == "marker a link to nothing" && !os.IsNotExist(err) {
				t.Errorf("%s (%s), %s: the link's target was made", r.name, r, c.name)
			}
		}
	}
}
