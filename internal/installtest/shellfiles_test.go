package installtest

// What install.sh does to a user's shells beyond the binary: the rc lines
// (--yes, --no-modify-rc), the completions and the man page where each
// shell and man look, --uninstall with lines added by hand, and
// `make install` for packagers.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// set replaces (or adds) one variable of the env.
func (e *env) set(name, value string) {
	for i, kv := range e.vars {
		if strings.HasPrefix(kv, name+"=") {
			e.vars[i] = name + "=" + value
			return
		}
	}
	e.vars = append(e.vars, name+"="+value)
}

// unset drops one variable of the env.
func (e *env) unset(name string) {
	e.vars = slices.DeleteFunc(e.vars, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}

// userEnv is a user with the default bin dir, ~/.local/bin, on a PATH of
// system directories only (so that no other eich answers), and no
// MANPATH: man finds pages through PATH, as on a fresh account.
func userEnv(t *testing.T, shell string) *env {
	t.Helper()
	e := newEnv(t, shell)
	e.binDir = filepath.Join(e.home, ".local", "bin")
	e.set("PATH", e.binDir+":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	e.unset("MANPATH")
	return e
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// docFiles are where install.sh puts the completions and the man page.
func (e *env) docFiles() map[string]string {
	share := filepath.Join(e.home, ".local", "share")
	return map[string]string{
		"zsh":  filepath.Join(share, "zsh", "site-functions", "_eich"),
		"bash": filepath.Join(share, "bash-completion", "completions", "eich"),
		"fish": filepath.Join(e.home, ".config", "fish", "completions", "eich.fish"),
		"man":  filepath.Join(share, "man", "man1", "eich.1"),
	}
}

// TestYesAndNoModifyRC: --yes answers yes to the rc question without a
// terminal and shows the hook working; --no-modify-rc, with --yes or
// without, leaves every rc file untouched and prints the lines instead.
func TestYesAndNoModifyRC(t *testing.T) {
	setup(t)
	zsh := testbed.Tool(t, "zsh")

	e := userEnv(t, "zsh")
	r := e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--yes"), "install --yes")
	if n := markerLines(t, e.rcFile("zsh")); n != 1 {
		t.Errorf("--yes: %d eich lines in .zshrc, want 1:\n%s", n, r)
	}
	if !strings.Contains(r.stdout, "parses cleanly (zsh -n)") || strings.Contains(r.stdout, "[y/N]") {
		t.Errorf("--yes: want the hook checked and no question:\n%s", r)
	}
	got := e.run(zsh, "-i", "-c", `print -r -- "fn=${+functions[_eich_preexec]}"`)
	if !strings.Contains(got.stdout, "fn=1") || got.stderr != "" {
		t.Errorf("--yes: a new zsh did not load the hook cleanly:\n%s", got)
	}

	for _, args := range [][]string{{"--no-modify-rc"}, {"--yes", "--no-modify-rc"}} {
		e := userEnv(t, "zsh")
		zshrc := filepath.Join(e.home, ".zshrc")
		if err := os.WriteFile(zshrc, []byte("export KEEP=1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := e.mustOK(e.installCopy(append([]string{"--base-url", baseURL(distDir)}, args...)...), fmt.Sprint("install ", args))
		if got := readFile(t, zshrc); got != "export KEEP=1\n" {
			t.Errorf("%v: .zshrc changed to %q", args, got)
		}
		if _, err := os.Stat(filepath.Join(e.home, ".zshenv")); !os.IsNotExist(err) {
			t.Errorf("%v: .zshenv was written", args)
		}
		for _, want := range []string{`eval "$(eich init zsh)"`, "fpath=('" + filepath.Dir(e.docFiles()["zsh"]) + "' $fpath)"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: want the line to add by hand, %s:\n%s", args, want, r)
			}
		}
	}
}

// TestCompletionsAndManPage: a release install and a checkout build put
// the completions and the man page where each shell and man-db find them
// on an account set up by install.sh --yes.
func TestCompletionsAndManPage(t *testing.T) {
	setup(t)
	zsh, bash, fish := testbed.Tool(t, "zsh"), testbed.Tool(t, "bash"), testbed.Tool(t, "fish")
	for _, from := range []string{"release", "checkout"} {
		t.Run(from, func(t *testing.T) {
			e := userEnv(t, "zsh")
			var r result
			if from == "release" {
				r = e.installCopy("--base-url", baseURL(distDir), "--yes")
			} else {
				e.set("PATH", e.binDir+":"+filepath.Dir(testbed.Tool(t, "go"))+":/usr/local/bin:/usr/bin:/bin")
				r = e.install("--yes")
			}
			e.mustOK(r, "install --yes from the "+from)
			files := e.docFiles()
			for kind, path := range files {
				if !strings.Contains(r.stdout, path) {
					t.Errorf("the output does not name the %s file %s:\n%s", kind, path, r)
				}
			}

			// zsh: from the fpath line in ~/.zshenv, after compinit.
			got := e.run(zsh, "-i", "-c", `autoload -Uz compinit && compinit && whence -v _eich`)
			if want := "_eich is an autoload shell function from " + files["zsh"]; !strings.Contains(got.stdout, want) || got.stderr != "" {
				t.Errorf("zsh does not find _eich (want %q):\n%s", want, got)
			}

			// bash: bash-completion's loader, where it is installed, finds
			// the file in ${XDG_DATA_HOME:-~/.local/share}/bash-completion/
			// completions; elsewhere the file, loaded, registers it.
			load, from := `. "$1" && complete -p eich`, files["bash"]
			if loader := "/usr/share/bash-completion/bash_completion"; fileExists(loader) {
				load, from = `. "$1" && _completion_loader eich; complete -p eich`, loader
			}
			got = e.run(bash, "-c", load, "bash", from)
			if !strings.Contains(got.stdout, "-F _eich_complete eich") {
				t.Errorf("bash: %s does not register the completion:\n%s", files["bash"], got)
			}

			// fish: its completions dir is searched by command name.
			got = e.run(fish, "-c", `complete -C 'eich '`)
			for _, want := range []string{"doctor", "completion", "prune"} {
				if !strings.Contains(got.stdout, want) {
					t.Errorf("fish: complete -C 'eich ' lacks %s:\n%s", want, got)
				}
			}

			// man-db: ~/.local/bin on PATH gives ~/.local/share/man.
			if man, err := exec.LookPath("man"); err == nil {
				got = e.run(man, "-w", "eich")
				if strings.TrimSpace(got.stdout) != files["man"] {
					t.Errorf("man -w eich: want %s:\n%s", files["man"], got)
				}
			} else if _, err := os.Stat(files["man"]); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestUninstallEverything: --uninstall takes away what install.sh added.
// Lines added by hand that run `eich init` or `eich completion` are
// listed as FILE:LINE without --yes (new shells then complain of the
// missing eich) and go with it, after which new zsh, bash and fish start
// without an error.
func TestUninstallEverything(t *testing.T) {
	setup(t)
	shells := map[string]string{"zsh": testbed.Tool(t, "zsh"), "bash": testbed.Tool(t, "bash"), "fish": testbed.Tool(t, "fish")}
	e := userEnv(t, "zsh")
	e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--yes"), "install --yes")

	// Lines as the README's table has them, added by hand.
	bashrc, profile := filepath.Join(e.home, ".bashrc"), filepath.Join(e.home, ".bash_profile")
	fishConfig := e.rcFile("fish")
	hand := map[string]string{
		bashrc:     "export A=1\neval \"$(eich init bash)\"\n# eich init bash, a comment\neval \"$(eich completion bash)\"\n",
		profile:    "[ -f ~/.bashrc ] && . ~/.bashrc\n",
		fishConfig: "set -g A 1\nif status is-interactive\n    eich init fish | source\nend\n",
	}
	for path, text := range hand {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	r := e.mustOK(e.installCopy("--uninstall"), "--uninstall")
	if files := e.binFiles(); len(files) != 0 {
		t.Errorf("bin dir still holds %v", files)
	}
	for kind, path := range e.docFiles() {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("the %s file %s is still there", kind, path)
		}
	}
	for _, rc := range []string{e.rcFile("zsh"), filepath.Join(e.home, ".zshenv")} {
		if got := readFile(t, rc); got != "" {
			t.Errorf("%s still holds %q", rc, got)
		}
	}
	for path, text := range hand {
		if got := readFile(t, path); got != text {
			t.Errorf("without --yes, %s changed to %q", path, got)
		}
	}
	for _, want := range []string{bashrc + ":2: eval \"$(eich init bash)\"", bashrc + ":4: eval \"$(eich completion bash)\"", fishConfig + ":3:     eich init fish | source"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("want %q listed to remove:\n%s", want, r)
		}
	}
	if strings.Contains(r.stderr, ":3: # eich") || strings.Contains(r.stderr, profile) {
		t.Errorf("listed a line that does not run eich:\n%s", r)
	}
	for _, shell := range []string{"bash", "fish"} {
		if got := e.run(shells[shell], "-i", "-c", "exit"); !strings.Contains(got.stderr, "eich") {
			t.Errorf("%s with the hand-added line left: want it to complain of eich:\n%s", shell, got)
		}
	}

	r = e.mustOK(e.installCopy("--uninstall", "--yes"), "--uninstall --yes")
	want := map[string]string{
		bashrc:     "export A=1\n# eich init bash, a comment\n",
		profile:    hand[profile],
		fishConfig: "set -g A 1\nif status is-interactive\nend\n",
	}
	for path, text := range want {
		if got := readFile(t, path); got != text {
			t.Errorf("after --uninstall --yes, %s = %q, want %q", path, got, text)
		}
	}
	if r.stderr != "" {
		t.Errorf("--uninstall --yes left something to do:\n%s", r)
	}
	for name, bin := range shells {
		if got := e.run(bin, "-i", "-c", "exit"); strings.Contains(got.stderr, "eich") || strings.Contains(got.stderr, "not found") {
			t.Errorf("a new %s after uninstall:\n%s", name, got)
		}
	}
}

// TestUninstallAsksOnTerminal: on a terminal, --uninstall asks about each
// hand-added line and does what the answer says.
func TestUninstallAsksOnTerminal(t *testing.T) {
	setup(t)
	scriptTool := testbed.Tool(t, "script")
	for _, answer := range []string{"y", "n"} {
		e := userEnv(t, "bash")
		rc := filepath.Join(e.home, ".bashrc")
		text := "eval \"$(eich init bash)\"\n"
		if err := os.WriteFile(rc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(t.TempDir(), "install.sh")
		data, _ := os.ReadFile(filepath.Join(repoRoot, "install.sh"))
		if err := os.WriteFile(script, data, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(scriptTool, "-qec", "/bin/sh "+script+" --uninstall", "/dev/null")
		cmd.Env = e.vars
		cmd.Stdin = strings.NewReader(answer + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("answer %s: %v\n%s", answer, err, out)
		}
		if !strings.Contains(string(out), rc+":1 loads eich") || !strings.Contains(string(out), "Remove this line? [y/N]") {
			t.Errorf("answer %s: not asked:\n%s", answer, out)
		}
		got, want := readFile(t, rc), text
		if answer == "y" {
			want = ""
		}
		if got != want {
			t.Errorf("answer %s: .bashrc = %q, want %q\n%s", answer, got, want, out)
		}
	}
}

// TestBaseURLVariableInCheckout: EICH_INSTALL_BASE_URL is --base-url's
// other spelling inside a checkout too: it installs the release, builds
// nothing.
func TestBaseURLVariableInCheckout(t *testing.T) {
	setup(t)
	e := newEnv(t, "bash")
	e.set("EICH_INSTALL_BASE_URL", baseURL(distDir))
	r := e.mustOK(e.install(), "install.sh in the checkout with EICH_INSTALL_BASE_URL")
	if !strings.Contains(r.stdout, "verified "+archiveName) || strings.Contains(r.stdout, "building eich") {
		t.Errorf("want the release installed, nothing built:\n%s", r)
	}
	if v := e.version(); !stampedWith(v, testVersion, testCommit) {
		t.Errorf("eich --version = %q, want the snapshot's %s", v, testVersion)
	}
}

// TestMakeInstall: `make install DESTDIR=… PREFIX=/usr` lays out what a
// package holds, the completions as `eich completion` prints them, and
// `make uninstall` takes it away again. It needs no release snapshot, so
// it runs make with the test's own environment and Go caches.
func TestMakeInstall(t *testing.T) {
	mk := testbed.Tool(t, "make")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	e := &env{t: t, home: t.TempDir(), vars: os.Environ()}
	e.mustOK(e.run(mk, "-C", root, "install", "DESTDIR="+dest, "PREFIX=/usr"), "make install")
	bin := filepath.Join(dest, "usr", "bin", "eich")
	info, err := os.Stat(bin)
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("%s: %v %v", bin, info, err)
	}
	files := map[string]string{
		"usr/share/man/man1/eich.1":                     "",
		"usr/share/bash-completion/completions/eich":    "bash",
		"usr/share/zsh/site-functions/_eich":            "zsh",
		"usr/share/fish/vendor_completions.d/eich.fish": "fish",
	}
	for name, shell := range files {
		got := readFile(t, filepath.Join(dest, name))
		if shell == "" {
			if !regexp.MustCompile(`(?m)^\.TH (?i:eich) 1\b`).MatchString(got) {
				t.Errorf("%s is not eich(1): %.100q", name, got)
			}
			continue
		}
		want := e.mustOK(e.run(bin, "completion", shell), "eich completion "+shell).stdout
		if got != want {
			t.Errorf("%s differs from `eich completion %s`", name, shell)
		}
	}
	e.mustOK(e.run(mk, "-C", root, "uninstall", "DESTDIR="+dest, "PREFIX=/usr"), "make uninstall")
	err = filepath.WalkDir(dest, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("make uninstall left %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
