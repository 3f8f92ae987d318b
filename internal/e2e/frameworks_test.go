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

// frameworkLogins is how many logins each framework case types: one more
// than sshd's MaxAuthTries (6), so that without pruning the last ones fail.
const frameworkLogins = 7

// frameworkLine is the i-th login line of a framework case, the same in
// zsh, bash and fish: the first is a compound line whose EIC command is not
// its first, then `command`, an environment prefix and a pipeline, then
// the compound line again.
func frameworkLine(i int) string {
	id := fmt.Sprintf("i-%017d", i)
	login := "aws ec2-instance-connect ssh --instance-id " + id
	switch i {
	case 1:
		return "command " + login
	case 2:
		return "AWS_PROFILE=p " + login
	case 3:
		return "echo piped | " + login + " | cat"
	}
	return "cd ~ && " + login
}

// noise is output a hook must never cause in the user's pane: shell
// complaints, bash's setpgid message, powerlevel10k's instant-prompt
// warning.
var noise = regexp.MustCompile(`(?i)(^|\n)(bash|zsh|fish)[-0-9.]*: |setpgid|command not found|console output during zsh initialization|\[WARNING\]`)

// frameworkCase is one shell set-up: the shell, its binary ("" = on
// PATH), its rc lines (given the bed and the folder), the lines it types
// before the logins, and the file its framework's own hooks write to.
type frameworkCase struct {
	name   string
	shell  string
	binary string
	rc     func(t *testing.T, b *testbed.Bed, dir string) []string
	// setup is typed before the first login (such as `fisher install`),
	// teardown after the last checks (`fisher remove`).
	setup    func(t *testing.T, b *testbed.Bed, sh *testbed.Shell)
	teardown func(t *testing.T, b *testbed.Bed, sh *testbed.Shell, w *testbed.Wrapper)
	// compoundOnly: every login is `cd ~ && aws …` (the line that failed
	// with bash-preexec sourced after eich).
	compoundOnly bool
	// segment: the prompt shows eich's segment, which must equal what
	// `eich status` says after the logins; plainSegment: in the docs'
	// plain prompt, "[SEGMENT] ".
	segment, plainSegment bool
	// idlePrompt: the end of the pane's last line at an idle prompt, for
	// line editors that take keys typed ahead for a paste (ble.sh).
	idlePrompt string
}

// withPrompt is c with eich loaded by `eich init SHELL --prompt` in place
// of the plain init line, followed by the docs' plain prompt showing
// EICH_PROMPT (before what the framework wants last, such as ble-attach).
func withPrompt(c frameworkCase) frameworkCase {
	rc := c.rc
	c.name += "-eich-prompt"
	c.segment, c.plainSegment = true, true
	if c.idlePrompt != "" {
		// The docs' prompt ends in bash's \$: "#" for root, "$" otherwise.
		c.idlePrompt = " $"
		if os.Geteuid() == 0 {
			c.idlePrompt = " #"
		}
	}
	c.rc = func(t *testing.T, b *testbed.Bed, dir string) []string {
		var lines []string
		for _, l := range rc(t, b, dir) {
			if l != testbed.InitLine(c.shell) {
				lines = append(lines, l)
				continue
			}
			lines = append(lines, promptInitLine(c.shell))
			lines = append(lines, promptSnippet(t, "var-"+c.shell)...)
		}
		return lines
	}
	return c
}

// withPromptSetting is c with `prompt_segment = true` in eich's config
// file and the docs' plain prompt showing EICH_PROMPT after c's own rc
// lines: a plugin manager's `eich init SHELL` then loads the segment.
func withPromptSetting(c frameworkCase) frameworkCase {
	rc := c.rc
	c.name += "-prompt-setting"
	c.segment, c.plainSegment = true, true
	c.rc = func(t *testing.T, b *testbed.Bed, dir string) []string {
		cfg := filepath.Join(b.XDGConfig, "eich")
		if err := os.MkdirAll(cfg, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfg, "config"), []byte("prompt_segment = true\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return append(rc(t, b, dir), promptSnippet(t, "var-"+c.shell)...)
	}
	return c
}

// hookLog is the file the frameworks' own hooks append to in each case.
func hookLog(b *testbed.Bed) string { return filepath.Join(b.Root, "framework-hooks.log") }

// appendHook is a shell command that records one run of a framework hook.
func appendHook(b *testbed.Bed) string { return "echo hook >> '" + hookLog(b) + "'" }

// TestRealFrameworks runs the hooks inside the real shells and frameworks of
// the EICH_THIRD_PARTY folder, each copied into the test's temp dir: every
// bash build there and the system bash; bash-preexec loaded before and after
// eich; ble.sh as its README says; oh-my-zsh with the eich plugin;
// powerlevel10k with instant prompt and the docs' segment; fisher install,
// then remove; oh-my-zsh and fisher again with the setting prompt_segment
// and the docs' plain prompt. In each, from the first line typed: seven
// logins (compound lines, `command`, an environment prefix, a pipeline)
// all succeed with EICH_EIC=1 and one `hook pre` and one `hook post`
// each, the user's keys stay, the pane shows no stray output, and the
// framework's own hooks still run.
func TestRealFrameworks(t *testing.T) {
	t.Parallel()
	dir := testbed.ThirdParty(t)
	if dir == "" {
		t.Skip(testbed.NotRunLine)
	}
	var cases []frameworkCase
	for _, bash := range append([]string{testbed.Tool(t, "bash")}, testbed.ThirdPartyBashes(t, dir)...) {
		cases = append(cases, frameworkCase{
			name: "bash-" + strings.SplitN(testbed.BashVersion(t, bash), "(", 2)[0], shell: "bash", binary: bash,
			rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
				// A user's PROMPT_COMMAND entry, set before eich.
				return []string{"PROMPT_COMMAND=\"" + appendHook(b) + "\"", testbed.InitLine("bash")}
			},
		})
	}
	bashPreexec := func(order string) frameworkCase {
		return frameworkCase{
			name: "bash-preexec-" + order, shell: "bash", compoundOnly: order == "after",
			rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
				bp := testbed.CopyThirdParty(t, dir, "bash-preexec/bash-preexec.sh")
				user := []string{
					"preexec() { " + appendHook(b) + "; }",
					"precmd() { " + appendHook(b) + "; }",
				}
				if order == "before" {
					return append(user, "source "+bp, testbed.InitLine("bash"))
				}
				// Its README: "must be the last thing imported".
				return append(user, testbed.InitLine("bash"), "source "+bp)
			},
		}
	}
	// The prompt segment in macOS's bash (3.2), with bash-preexec and with
	// ble.sh.
	var oldest frameworkCase
	for _, c := range cases {
		if strings.HasPrefix(c.name, "bash-3.") {
			oldest = c
		}
	}
	if oldest.name == "" {
		t.Fatalf("no bash 3.2 (macOS's /bin/bash) in %s", dir)
	}
	cases = append(cases, withPrompt(oldest), withPrompt(bashPreexec("before")))
	cases = append(cases, bashPreexec("before"), bashPreexec("after"),
		bleCase(),
		ohMyZshCase(), withPromptSetting(ohMyZshCase()),
		withPrompt(bleCase()),
		p10kCase("powerlevel10k", testbed.InitLine("zsh"), "p10k"),
		p10kCase("powerlevel10k-eich-prompt", promptInitLine("zsh"), "var-p10k"),
		fisherCase(), withPromptSetting(fisherCase()),
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runFrameworkCase(t, dir, c)
		})
	}
}

// ohMyZshCase is oh-my-zsh with eich's plugin (eich.plugin.zsh from the
// repository) in its custom folder.
func ohMyZshCase() frameworkCase {
	return frameworkCase{
		name: "oh-my-zsh", shell: "zsh",
		rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
			omz := testbed.CopyThirdParty(t, dir, "ohmyzsh")
			custom := filepath.Join(b.Root, "omz-custom")
			plugin := filepath.Join(custom, "plugins", "eich")
			if err := os.MkdirAll(plugin, 0o700); err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile("../../eich.plugin.zsh")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(plugin, "eich.plugin.zsh"), src, 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{
				"ZSH=" + omz, "ZSH_CUSTOM=" + custom, "ZSH_CACHE_DIR=" + b.XDGCache,
				"DISABLE_AUTO_UPDATE=true", "ZSH_THEME=robbyrussell",
				"plugins=(git eich)",
				"source $ZSH/oh-my-zsh.sh",
				"_user_precmd() { " + appendHook(b) + "; }",
				"precmd_functions+=(_user_precmd)",
			}
		},
	}
}

// fisherCase is fisher, which installs eich's plugin (conf.d/eich.fish)
// before the first login and removes it after the last.
func fisherCase() frameworkCase {
	return frameworkCase{
		name: "fisher", shell: "fish",
		rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
			fns := filepath.Join(b.XDGConfig, "fish", "functions")
			if err := os.MkdirAll(fns, 0o700); err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile(filepath.Join(dir, "fisher", "functions", "fisher.fish"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(fns, "fisher.fish"), src, 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"function _user_precmd --on-event fish_prompt; " + appendHook(b) + "; end"}
		},
		setup: func(t *testing.T, b *testbed.Bed, sh *testbed.Shell) {
			plugin := fisherPlugin(t, b)
			if st := sh.Run("fisher install " + plugin); st != 0 {
				t.Fatalf("fisher install %s: status %d", plugin, st)
			}
		},
		// After `fisher remove`, no hook and no prompt segment is left.
		teardown: func(t *testing.T, b *testbed.Bed, sh *testbed.Shell, w *testbed.Wrapper) {
			plugin := filepath.Join(b.Root, "plugin", "eich")
			if st := sh.Run("fisher remove " + plugin); st != 0 {
				t.Fatalf("fisher remove: status %d", st)
			}
			var res testbed.EICResult
			got := kinds(w.StartsDuring(t, func() { res = sh.RunEIC(frameworkLine(0)) }))
			if got != "" || res.Run.EichEIC != "" {
				t.Errorf("after fisher remove, a login started eich %q with EICH_EIC=%q; want no hook", got, res.Run.EichEIC)
			}
			if v, ok := childVar(t, b, sh, "EICH_PROMPT"); ok {
				t.Errorf("after fisher remove, a child's environment still has EICH_PROMPT=%q", v)
			}
		},
	}
}

// bleCase is ble.sh loaded as its README says, eich between its two lines.
func bleCase() frameworkCase {
	return frameworkCase{
		name: "ble.sh", shell: "bash", idlePrompt: "bash#",
		rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
			ble := testbed.CopyThirdParty(t, dir, "ble.sh")
			return []string{
				"source " + filepath.Join(ble, "ble.sh") + " --attach=none",
				"_user_precmd() { " + appendHook(b) + "; }",
				"blehook PRECMD+=_user_precmd",
				testbed.InitLine("bash"),
				"ble-attach",
			}
		},
	}
}

// p10kCase is powerlevel10k with instant prompt, the lean configuration,
// eich loaded by initLine and the docs' segment named snippet.
func p10kCase(name, initLine, snippet string) frameworkCase {
	return frameworkCase{
		name: name, shell: "zsh", segment: true,
		rc: func(t *testing.T, b *testbed.Bed, dir string) []string {
			p10k := testbed.CopyThirdParty(t, dir, "powerlevel10k")
			rc := []string{
				// The instant-prompt preamble p10k's wizard writes at the top of ~/.zshrc.
				`if [[ -r "${XDG_CACHE_HOME:-$HOME/.cache}/p10k-instant-prompt-${(%):-%n}.zsh" ]]; then source "${XDG_CACHE_HOME:-$HOME/.cache}/p10k-instant-prompt-${(%):-%n}.zsh"; fi`,
				"source " + filepath.Join(p10k, "powerlevel10k.zsh-theme"),
				"source " + filepath.Join(p10k, "config", "p10k-lean.zsh"),
				// No gitstatusd here (the folder has none); after the
				// configuration, which unsets every POWERLEVEL9K_ setting.
				"POWERLEVEL9K_DISABLE_GITSTATUS=true",
				initLine,
			}
			rc = append(rc, promptSnippet(t, snippet)...)
			return append(rc,
				"_user_precmd() { "+appendHook(b)+"; }",
				"precmd_functions+=(_user_precmd)")
		},
	}
}

// fisherPlugin lays out eich's fisher plugin (conf.d/eich.fish from the
// repository) in a folder and returns it.
func fisherPlugin(t *testing.T, b *testbed.Bed) string {
	t.Helper()
	plugin := filepath.Join(b.Root, "plugin", "eich")
	if err := os.MkdirAll(filepath.Join(plugin, "conf.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../conf.d/eich.fish")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plugin, "conf.d", "eich.fish"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	return plugin
}

// runFrameworkCase starts the case's shell and types the logins.
func runFrameworkCase(t *testing.T, dir string, c frameworkCase) {
	b := testbed.NewBed(t, built(t))
	rc := c.rc(t, b, dir)
	var sh *testbed.Shell
	if c.binary != "" {
		sh = testbed.StartShellBinary(t, b, c.shell, c.binary, rc)
	} else {
		sh = testbed.StartShell(t, b, c.shell, rc)
	}
	if strings.HasPrefix(c.name, "powerlevel10k") {
		// Instant prompt works from the second shell on, once p10k has
		// written its cache at the first prompt.
		sh.Run("true")
		testbed.WaitFor(t, testbed.CommandTimeout, "powerlevel10k's instant prompt cache", func() bool {
			m, _ := filepath.Glob(filepath.Join(b.XDGCache, "p10k-instant-prompt-*.zsh"))
			return len(m) > 0
		}, func() string { return sh.Tmux.Capture() })
		sh = testbed.StartShellTagged(t, b, c.shell, "instant", rc)
	}
	sh.IdlePrompt = c.idlePrompt
	if c.setup != nil {
		c.setup(t, b, sh)
	}
	w := b.WrapEich(t)
	hooksBefore := len(testbed.ReadLines(t, hookLog(b)))
	for i := 0; i < frameworkLogins; i++ {
		line := frameworkLine(i)
		if c.compoundOnly {
			line = frameworkLine(frameworkLogins + i)
		}
		hookedLogin(t, b, sh, w, line)
	}
	if got := kinds(w.StartsDuring(t, func() { sh.Run("echo ordinary") })); got != "" {
		t.Errorf("an ordinary command started eich's hook: %q", got)
	}
	// EIC-looking but no login, in the middle of a pipeline: eich runs
	// (and says no), and the pane must stay clean all the same.
	if st := sh.Run("echo x | grep -c mssh | cat"); st != 0 {
		t.Errorf("a pipeline with grep -c mssh: status %d, want 0", st)
	}
	if !b.Agent.HasUserKeys(t) {
		t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
	}
	if ran := len(testbed.ReadLines(t, hookLog(b))) - hooksBefore; ran < frameworkLogins {
		t.Errorf("the framework's own hooks ran %d times for %d logins", ran, frameworkLogins)
	}
	pane := sh.Tmux.Capture()
	if m := noise.FindString(pane); m != "" {
		t.Errorf("stray output %q in the pane:\n%s", m, pane)
	}
	if c.segment {
		if want := status(t, b); !strings.Contains(pane, want) {
			t.Errorf("the prompt does not show the eich segment %q:\n%s", want, pane)
		} else if got := promptShown(promptBeforeLastMark(sh)); c.plainSegment && got != want {
			t.Errorf("the prompt after the last command shows %q, want %q (eich status)", got, want)
		}
	}
	if c.teardown != nil {
		c.teardown(t, b, sh, w)
	}
}

// kinds returns the hook kinds ("pre", "post") of eich starts, leaving
// out other commands (a prompt segment's `eich status`).
func kinds(starts []string) string {
	var k []string
	for _, s := range starts {
		if f := strings.Fields(s); len(f) > 1 && f[0] == "hook" {
			k = append(k, f[1])
		}
	}
	return strings.Join(k, " ")
}
