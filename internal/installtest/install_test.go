// Package installtest tests install.sh, the release artifacts, the
// plugin-manager files and the demo script, by running them for real: the
// script under /bin/sh against a throw-away HOME and bin dir, the archives
// and packages of a GoReleaser snapshot (.goreleaser.yaml, run through
// scripts/goreleaser.sh, or the one EICH_RELEASE_DIST names), and the user's shells
// started interactively to see that they load the hook. A release signed
// with a throw-away key (signature_test.go) is installed, and a trojaned
// one refused. A missing tool (shellcheck, zsh, fish, curl, tar,
// dpkg-deb, rpm, ssh-keygen) fails the test; nothing skips.
package installtest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

const marker = "# added by eich install.sh"

// releaseDistEnv names a dist folder that a snapshot of this checkout
// already filled (scripts/test.sh builds one and sets it): the tests read
// that one instead of running GoReleaser a second time. They only read it.
const releaseDistEnv = "EICH_RELEASE_DIST"

var (
	repoRoot string   // the checkout: holds install.sh
	distDir  string   // GoReleaser's snapshot for the host, built once or given
	madeDist string   // the temp dir holding distDir, when the tests built it
	goEnv    []string // GOCACHE etc. so a temp HOME does not mean a cold build

	// What the snapshot says it built: its version, its commit, and the
	// host's archive.
	testVersion, testCommit, archiveName string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if madeDist != "" {
		os.RemoveAll(madeDist)
	}
	os.Exit(code)
}

var (
	setupOnce sync.Once
	setupErr  error
)

// setup finds the checkout and the Go caches, and builds the host's release
// archive once per test binary (lazily, so a benchmark-only run builds
// nothing), unless EICH_RELEASE_DIST gives one.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() { setupErr = doSetup() })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

func doSetup() error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	repoRoot = root
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			return fmt.Errorf("go env %s: %w", name, err)
		}
		goEnv = append(goEnv, name+"="+strings.TrimSpace(string(out)))
	}
	if given := os.Getenv(releaseDistEnv); given != "" {
		if distDir, err = filepath.Abs(given); err != nil {
			return err
		}
		if err := readSnapshot(); err != nil {
			return fmt.Errorf("%s=%s: %w", releaseDistEnv, given, err)
		}
		return nil
	}
	if madeDist, err = os.MkdirTemp("", "eich-installtest-dist-"); err != nil {
		return err
	}
	distDir = filepath.Join(madeDist, "dist")
	if err := snapshot(madeDist); err != nil {
		return err
	}
	return readSnapshot()
}

// snapshot runs `goreleaser release --snapshot` with the project's config,
// its dist directory moved to distDir.
func snapshot(dir string) error {
	cfg, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		return err
	}
	const distLine = "\ndist: dist\n"
	if strings.Count(string(cfg), distLine) != 1 {
		return fmt.Errorf(".goreleaser.yaml: want one line %q to point elsewhere", strings.TrimSpace(distLine))
	}
	moved := strings.Replace(string(cfg), distLine, "\ndist: "+distDir+"\n", 1)
	cfgPath := filepath.Join(dir, "goreleaser.yaml")
	if err := os.WriteFile(cfgPath, []byte(moved), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(repoRoot, "scripts", "goreleaser.sh"), "release", "--snapshot", "--clean", "--config", cfgPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("goreleaser snapshot: %w\n%s", err, out)
	}
	return nil
}

// readSnapshot reads what the snapshot in distDir built from
// dist/metadata.json and dist/artifacts.json.
func readSnapshot() error {
	var meta struct{ Version, Commit string }
	if err := readJSON(filepath.Join(distDir, "metadata.json"), &meta); err != nil {
		return err
	}
	if meta.Version == "" || meta.Commit == "" {
		return fmt.Errorf("dist/metadata.json: version %q, commit %q", meta.Version, meta.Commit)
	}
	testVersion, testCommit = meta.Version, meta.Commit
	var artifacts []struct{ Name, Type, Goos, Goarch string }
	if err := readJSON(filepath.Join(distDir, "artifacts.json"), &artifacts); err != nil {
		return err
	}
	for _, a := range artifacts {
		if a.Type == "Archive" && a.Goos == runtime.GOOS && a.Goarch == runtime.GOARCH {
			archiveName = a.Name
		}
	}
	if archiveName == "" {
		return fmt.Errorf("dist/artifacts.json lists no archive for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// env is a user's world in temp directories.
type env struct {
	t      *testing.T
	home   string
	binDir string
	vars   []string
}

// newEnv makes a temp HOME and bin dir (not on PATH) for a user whose login
// shell is shell.
func newEnv(t *testing.T, shell string) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, home: filepath.Join(root, "home"), binDir: filepath.Join(root, "bin")}
	if err := os.MkdirAll(e.home, 0o755); err != nil {
		t.Fatal(err)
	}
	drop := map[string]bool{"HOME": true, "SHELL": true, "ZDOTDIR": true, "SSH_AUTH_SOCK": true,
		"XDG_CONFIG_HOME": true, "XDG_STATE_HOME": true, "XDG_DATA_HOME": true, "XDG_CACHE_HOME": true,
		"EICH_INSTALL_BASE_URL": true, "PROMPT_COMMAND": true, "ENV": true, "BASH_ENV": true}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] && !strings.HasPrefix(name, "GO") {
			e.vars = append(e.vars, kv)
		}
	}
	e.vars = append(e.vars, goEnv...)
	e.vars = append(e.vars, "HOME="+e.home, "SHELL=/bin/"+shell)
	return e
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run runs a command in the env with stdin from /dev/null (no terminal).
func (e *env) run(name string, args ...string) result {
	e.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = e.vars
	cmd.Dir = e.home
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("%s: %v", name, err)
		}
		r.code = exit.ExitCode()
	}
	return r
}

// install runs the checkout's install.sh with /bin/sh.
func (e *env) install(args ...string) result {
	e.t.Helper()
	return e.run("/bin/sh", append([]string{filepath.Join(repoRoot, "install.sh"), "--bin-dir", e.binDir}, args...)...)
}

// installCopy runs a copy of install.sh that is not inside a checkout, as
// `curl … | sh` would, so it takes the release path.
func (e *env) installCopy(args ...string) result {
	e.t.Helper()
	script := filepath.Join(e.t.TempDir(), "install.sh")
	data, err := os.ReadFile(filepath.Join(repoRoot, "install.sh"))
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(script, data, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return e.run("/bin/sh", append([]string{script, "--bin-dir", e.binDir}, args...)...)
}

func (e *env) mustOK(r result, what string) result {
	e.t.Helper()
	if r.code != 0 {
		e.t.Fatalf("%s failed:\n%s", what, r)
	}
	return r
}

// rcFile is where install.sh writes the hook line for shell.
func (e *env) rcFile(shell string) string {
	switch shell {
	case "zsh":
		return filepath.Join(e.home, ".zshrc")
	case "bash":
		return filepath.Join(e.home, ".bashrc")
	default:
		return filepath.Join(e.home, ".config", "fish", "config.fish")
	}
}

// markerLines counts the lines install.sh added to a file.
func markerLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), marker)
}

// binFiles lists the bin dir.
func (e *env) binFiles() []string {
	e.t.Helper()
	entries, err := os.ReadDir(e.binDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, de := range entries {
		names = append(names, de.Name())
	}
	return names
}

func (e *env) version() string {
	e.t.Helper()
	r := e.mustOK(e.run(filepath.Join(e.binDir, "eich"), "--version"), "eich --version")
	return strings.TrimSpace(r.stdout)
}

func baseURL(dir string) string { return "file://" + dir }

func TestShellcheck(t *testing.T) {
	setup(t)
	sc := testbed.Tool(t, "shellcheck")
	for _, f := range []string{"install.sh", "scripts/demo.sh"} {
		out, err := exec.Command(sc, "-s", "sh", filepath.Join(repoRoot, f)).CombinedOutput()
		if err != nil {
			t.Errorf("shellcheck -s sh %s: %v\n%s", f, err, out)
		}
	}
}

func TestHelpAndBadOptions(t *testing.T) {
	setup(t)
	e := newEnv(t, "bash")
	r := e.mustOK(e.install("-h"), "install.sh -h")
	for _, opt := range []string{"--bin-dir", "--version", "--base-url", "--yes", "--modify-rc", "--no-modify-rc", "--shell", "--uninstall", "--from-source", "--verify-release"} {
		if !strings.Contains(r.stdout, opt) {
			t.Errorf("-h does not mention %s:\n%s", opt, r.stdout)
		}
	}
	// (--verify-release after --bin-dir: it comes first, alone.)
	for _, args := range [][]string{{"--frobnicate"}, {"--shell", "tcsh"}, {"--bin-dir"}, {"--verify-release", "checksums.txt", "checksums.txt.sig"}} {
		r := e.install(args...)
		if r.code == 0 || !strings.Contains(r.stderr, "install.sh: error:") {
			t.Errorf("install.sh %v: want a failure with an error line\n%s", args, r)
		}
	}
	if files := e.binFiles(); len(files) != 0 {
		t.Errorf("failed runs installed %v", files)
	}
}

// TestInstallFromCheckoutTwice builds from this checkout with the local Go
// (the README's first set-up command), twice: one binary, one rc line.
func TestInstallFromCheckoutTwice(t *testing.T) {
	setup(t)
	e := newEnv(t, "bash")
	rc := e.rcFile("bash")
	if err := os.WriteFile(rc, []byte("export KEEP_ME=1"), 0o644); err != nil { // no final newline
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		r := e.mustOK(e.install("--modify-rc"), fmt.Sprintf("install from checkout, run %d", i))
		if !strings.Contains(r.stdout, "building eich") || !strings.Contains(r.stdout, "installed "+filepath.Join(e.binDir, "eich")) {
			t.Errorf("run %d: want it to say it built and installed:\n%s", i, r)
		}
		if files := e.binFiles(); len(files) != 1 || files[0] != "eich" {
			t.Errorf("run %d: bin dir holds %v, want just eich", i, files)
		}
		if n := markerLines(t, rc); n != 1 {
			t.Errorf("run %d: %d eich lines in .bashrc, want 1", i, n)
		}
	}
	if v := e.version(); !checkoutVersion(v) {
		t.Errorf("eich --version = %q, want this checkout's tag or pseudo-version and commit", v)
	}
	data, _ := os.ReadFile(rc)
	if !strings.HasPrefix(string(data), "export KEEP_ME=1\n") {
		t.Errorf(".bashrc lost or glued its last line:\n%s", data)
	}
}

// TestNoTerminalChangesNoRCFile: without a terminal (and without --yes) it
// asks nothing, leaves the rc file alone and prints the line to add.
func TestNoTerminalChangesNoRCFile(t *testing.T) {
	setup(t)
	for _, args := range [][]string{nil, {"--no-modify-rc"}} {
		e := newEnv(t, "zsh")
		r := e.mustOK(e.installCopy(append([]string{"--base-url", baseURL(distDir)}, args...)...), fmt.Sprint("install ", args))
		if _, err := os.Stat(e.rcFile("zsh")); !os.IsNotExist(err) {
			t.Errorf("%v: .zshrc was created or changed", args)
		}
		want := fmt.Sprintf(`eval "$('%s/eich' init zsh)"`, e.binDir)
		if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "[y/N]") {
			t.Errorf("%v: want the line to add by hand (%s) and no question:\n%s", args, want, r)
		}
		if !strings.Contains(r.stderr, "is not on your PATH") {
			t.Errorf("%v: want a warning that the bin dir is not on PATH:\n%s", args, r)
		}
	}
}

// TestAskOnTerminal: with a terminal it asks on /dev/tty and does what the
// answer says; --yes asks nothing. script(1) provides the terminal.
func TestAskOnTerminal(t *testing.T) {
	setup(t)
	scriptTool := testbed.Tool(t, "script")
	for _, c := range []struct {
		answer  string
		args    string
		asked   bool
		changed bool
	}{
		{"y", "", true, true},
		{"yes", "", true, true},
		{"n", "", true, false},
		{"", "", true, false}, // Enter: the default is no
		{"n", "--yes", false, true},
		{"y", "--no-modify-rc", false, false},
	} {
		e := newEnv(t, "zsh")
		script := filepath.Join(t.TempDir(), "install.sh")
		data, _ := os.ReadFile(filepath.Join(repoRoot, "install.sh"))
		if err := os.WriteFile(script, data, 0o755); err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("/bin/sh %s --bin-dir %s --base-url %s %s", script, e.binDir, baseURL(distDir), c.args)
		cmd := exec.Command(scriptTool, "-qec", line, "/dev/null")
		cmd.Env = e.vars
		cmd.Stdin = strings.NewReader(c.answer + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("answer %q %s: %v\n%s", c.answer, c.args, err, out)
		}
		asked := strings.Contains(string(out), "Add the eich hook to "+e.rcFile("zsh")+"? [y/N]")
		changed := markerLines(t, e.rcFile("zsh")) == 1
		if asked != c.asked || changed != c.changed {
			t.Errorf("answer %q %s: asked %v (want %v), rc changed %v (want %v)\n%s", c.answer, c.args, asked, c.asked, changed, c.changed, out)
		}
	}
}

// TestModifyRCLoadsHook: --modify-rc for each shell, then that shell,
// started interactively with the temp HOME, has the hook's functions.
func TestModifyRCLoadsHook(t *testing.T) {
	setup(t)
	checks := map[string]struct {
		args []string
		want string
	}{
		"zsh":  {[]string{"-i", "-c", `print -r -- "fn=${+functions[_eich_preexec]} hooks=$preexec_functions"`}, "fn=1 hooks=_eich_preexec"},
		"bash": {[]string{"-i", "-c", `declare -F _eich_debug; trap -p DEBUG`}, "_eich_debug"},
		"fish": {[]string{"-i", "-c", `functions -q _eich_preexec; and echo fn=loaded`}, "fn=loaded"},
	}
	for _, shell := range []string{"zsh", "bash", "fish"} {
		t.Run(shell, func(t *testing.T) {
			bin := testbed.Tool(t, shell)
			e := newEnv(t, shell)
			r := e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--modify-rc"), "install --modify-rc")
			if !strings.Contains(r.stdout, "added to "+e.rcFile(shell)) {
				t.Errorf("want it to say what it added:\n%s", r)
			}
			if !strings.Contains(r.stdout, "parses cleanly") {
				t.Errorf("want the hook's syntax check in the output:\n%s", r)
			}
			if n := markerLines(t, e.rcFile(shell)); n != 1 {
				t.Fatalf("%d eich lines in %s, want 1", n, e.rcFile(shell))
			}
			c := checks[shell]
			got := e.run(bin, c.args...)
			if !strings.Contains(got.stdout, c.want) {
				t.Errorf("interactive %s did not load the hook (want %q):\n%s", shell, c.want, got)
			}
			if strings.Contains(got.stderr, "eich:") {
				t.Errorf("interactive %s: eich complained:\n%s", shell, got.stderr)
			}
		})
	}
}

// TestUninstall removes the binary and the line it added, nothing else.
func TestUninstall(t *testing.T) {
	setup(t)
	e := newEnv(t, "zsh")
	rc := e.rcFile("zsh")
	if err := os.WriteFile(rc, []byte("export BEFORE=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--modify-rc"), "install")
	f, err := os.OpenFile(rc, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "export AFTER=1")
	f.Close()

	r := e.mustOK(e.installCopy("--uninstall"), "install.sh --uninstall")
	if files := e.binFiles(); len(files) != 0 {
		t.Errorf("bin dir still holds %v", files)
	}
	data, _ := os.ReadFile(rc)
	if string(data) != "export BEFORE=1\nexport AFTER=1\n" {
		t.Errorf(".zshrc after uninstall:\n%s", data)
	}
	for _, want := range []string{"removed " + filepath.Join(e.binDir, "eich"), "removed from " + rc + ":2: ", filepath.Join(e.home, ".local", "state", "eich")} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("uninstall output lacks %q:\n%s", want, r)
		}
	}
	// Twice is fine.
	e.mustOK(e.installCopy("--uninstall"), "second --uninstall")
}

// TestReleaseEndToEnd: GoReleaser's archive for this platform, with the
// name install.sh looks for and a line in checksums.txt, installed through
// --base-url file://, with and without --version.
func TestReleaseEndToEnd(t *testing.T) {
	setup(t)
	name := archiveName
	if want := fmt.Sprintf("eich_%s_%s_%s.tar.gz", testVersion, runtime.GOOS, runtime.GOARCH); name != want {
		t.Errorf("the archive is %s, install.sh looks for %s", name, want)
	}
	sums := checksums(t)
	for _, platform := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"} {
		if other := "eich_" + testVersion + "_" + platform + ".tar.gz"; sums[other] == "" {
			t.Errorf("checksums.txt has no line for %s", other)
		}
	}
	check := exec.Command(testbed.Tool(t, "sha256sum"), "-c", "checksums.txt")
	check.Dir = distDir
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c checksums.txt: %v\n%s", err, out)
	}
	list, err := exec.Command(testbed.Tool(t, "tar"), "-tzf", filepath.Join(distDir, name)).Output()
	if err != nil {
		t.Fatalf("tar -t %s: %v", name, err)
	}
	for _, member := range []string{"eich", "README.md", "LICENSE", "CHANGELOG.md", "completions/_eich", "completions/eich.bash", "completions/eich.fish", "man/eich.1"} {
		if !slices.Contains(strings.Fields(string(list)), member) {
			t.Errorf("%s lacks %s; it holds:\n%s", name, member, list)
		}
	}

	testbed.Tool(t, "curl")
	for _, args := range [][]string{nil, {"--version", testVersion}, {"--version", "v" + testVersion}} {
		e := newEnv(t, "bash")
		r := e.mustOK(e.installCopy(append([]string{"--base-url", baseURL(distDir) + "/"}, args...)...), fmt.Sprint("release install ", args))
		if !strings.Contains(r.stdout, "verified "+name) {
			t.Errorf("%v: want the checksum check reported:\n%s", args, r)
		}
		if v := e.version(); !stampedWith(v, testVersion, testCommit) {
			t.Errorf("%v: installed eich --version = %q, want version %s and commit %.7s", args, v, testVersion, testCommit)
		}
	}

	// The environment variable works as --base-url does.
	e := newEnv(t, "bash")
	e.vars = append(e.vars, "EICH_INSTALL_BASE_URL="+baseURL(distDir))
	e.mustOK(e.installCopy(), "install with EICH_INSTALL_BASE_URL")
	if v := e.version(); !strings.Contains(v, testVersion) {
		t.Errorf("EICH_INSTALL_BASE_URL: got %q", v)
	}
}

// TestPackagesAndCask: the .deb holds the binary, the gzip'ed man page,
// the three completions where Debian's shells look and the copyright
// file; the .rpm the same where Fedora's look, the man page marked as
// documentation and the licence as the licence; both are in
// checksums.txt. The Homebrew cask names the archive by version and
// checksum and installs the binary, the man page and the completions
// from it.
func TestPackagesAndCask(t *testing.T) {
	setup(t)
	debs, _ := filepath.Glob(filepath.Join(distDir, "*.deb"))
	rpms, _ := filepath.Glob(filepath.Join(distDir, "*.rpm"))
	if len(debs) != 2 || len(rpms) != 2 {
		t.Fatalf("want a .deb and an .rpm for linux amd64 and arm64 in dist/, got %v and %v", debs, rpms)
	}
	dpkgDeb := testbed.Tool(t, "dpkg-deb")
	for _, deb := range debs {
		list, err := exec.Command(dpkgDeb, "--contents", deb).Output()
		if err != nil {
			t.Fatalf("dpkg-deb --contents %s: %v", deb, err)
		}
		var paths []string
		for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
			// -rw-r--r-- root/root 1234 2026-12-02 11:51 ./usr/bin/eich
			if f := strings.Fields(line); len(f) == 6 && !strings.HasPrefix(f[0], "d") {
				if f[1] != "root/root" && f[1] != "0/0" { // nfpm names no owner of the changelog
					t.Errorf("%s: %s belongs to %s, want root", filepath.Base(deb), f[5], f[1])
				}
				paths = append(paths, f[5])
			}
		}
		slices.Sort(paths)
		want := []string{"./usr/bin/eich", "./usr/share/bash-completion/completions/eich",
			"./usr/share/doc/eich/README.md", "./usr/share/doc/eich/changelog.Debian.gz", "./usr/share/doc/eich/copyright",
			"./usr/share/fish/vendor_completions.d/eich.fish", "./usr/share/lintian/overrides/eich",
			"./usr/share/man/man1/eich.1.gz", "./usr/share/zsh/vendor-completions/_eich"}
		if !slices.Equal(paths, want) {
			t.Errorf("%s holds\n  %s\nwant\n  %s", filepath.Base(deb), strings.Join(paths, "\n  "), strings.Join(want, "\n  "))
		}
	}
	rpm := testbed.Tool(t, "rpm")
	for _, pkg := range rpms {
		// Every file, then those marked as documentation, then the licence.
		for _, c := range []struct {
			flag string
			want []string
		}{
			{"-qlp", []string{"/usr/bin/eich", "/usr/share/bash-completion/completions/eich",
				"/usr/share/doc/eich/README.md", "/usr/share/fish/vendor_completions.d/eich.fish",
				"/usr/share/licenses/eich/LICENSE", "/usr/share/man/man1/eich.1.gz", "/usr/share/zsh/site-functions/_eich"}},
			{"-qdp", []string{"/usr/share/doc/eich/README.md", "/usr/share/man/man1/eich.1.gz"}},
			{"-qLp", []string{"/usr/share/licenses/eich/LICENSE"}},
		} {
			out, err := exec.Command(rpm, c.flag, pkg).Output()
			if err != nil {
				t.Fatalf("rpm %s %s: %v", c.flag, pkg, err)
			}
			got := strings.Fields(string(out))
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("rpm %s %s: %q, want %q", c.flag, filepath.Base(pkg), got, c.want)
			}
		}
	}
	sums := checksums(t)
	for _, pkg := range append(debs, rpms...) {
		if sums[filepath.Base(pkg)] == "" {
			t.Errorf("checksums.txt has no line for %s", filepath.Base(pkg))
		}
	}

	cask, err := os.ReadFile(filepath.Join(distDir, "homebrew", "Casks", "eich.rb"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`cask "eich" do`, `version "` + testVersion + `"`, `binary "eich"`, `manpage "man/eich.1"`,
		`bash_completion "completions/eich.bash"`, `zsh_completion "completions/_eich"`, `fish_completion "completions/eich.fish"`}
	for _, platform := range []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64"} {
		name := "eich_" + testVersion + "_" + platform + ".tar.gz"
		want = append(want, `sha256 "`+sums[name]+`"`)
	}
	for _, w := range want {
		if !strings.Contains(string(cask), w) {
			t.Errorf("the cask lacks %q:\n%s", w, cask)
		}
	}
	// The archive's URL names the version through the cask's own
	// variable, so that a new version changes the version line alone.
	url := regexp.MustCompile(`(?m)^\s*url "([^"]*)"`).FindAllStringSubmatch(string(cask), -1)
	if len(url) == 0 {
		t.Errorf("the cask has no url:\n%s", cask)
	}
	for _, u := range url {
		if !strings.Contains(u[1], "#{version}") || !strings.Contains(u[1], "/eich_#{version}_") {
			t.Errorf("the cask's url %q does not name the archive by #{version}", u[1])
		}
	}
}

// checksums reads dist/checksums.txt: sha256sum lines, file name to hash.
func checksums(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(distDir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)
	sums := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("checksums.txt: %q is not a sha256sum line", l)
		}
		sums[m[2]] = m[1]
	}
	return sums
}

// stampedWith tells whether `eich --version` printed version and commit,
// or an abbreviation of it, as the release ldflags stamp them. (A snapshot
// of a clone without a remote says "none" for both GoReleaser's commit and
// the binary's.)
func stampedWith(out, version, commit string) bool {
	short, ok := strings.CutPrefix(out, "eich version "+version+" (")
	short, closed := strings.CutSuffix(short, ")")
	abbrev := len(short) >= 7 && strings.HasPrefix(commit, short)
	return ok && closed && (short == commit || abbrev)
}

// TestPipedInstall: `curl … | sh -s -- OPTIONS`, the script on stdin.
func TestPipedInstall(t *testing.T) {
	setup(t)
	e := newEnv(t, "fish")
	script, err := os.Open(filepath.Join(repoRoot, "install.sh"))
	if err != nil {
		t.Fatal(err)
	}
	defer script.Close()
	cmd := exec.Command("/bin/sh", "-s", "--", "--bin-dir", e.binDir, "--base-url", baseURL(distDir))
	cmd.Env, cmd.Dir, cmd.Stdin = e.vars, repoRoot, script // even inside the checkout: a pipe is no checkout
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("piped install: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "verified "+archiveName) {
		t.Errorf("piped install did not take the release path:\n%s", out)
	}
	if v := e.version(); !strings.Contains(v, testVersion) {
		t.Errorf("piped install: eich --version = %q", v)
	}
	if _, err := os.Stat(e.rcFile("fish")); !os.IsNotExist(err) {
		t.Errorf("piped install without --modify-rc wrote config.fish")
	}
}

// TestTamperedArchiveRefused: a changed archive or a missing checksum line
// stops the install before anything is written.
func TestTamperedArchiveRefused(t *testing.T) {
	setup(t)
	name := archiveName
	cases := map[string]func(dir string){
		"flipped byte": func(dir string) {
			p := filepath.Join(dir, name)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0x40
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"no checksum line": func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(strings.Repeat("0", 64)+"  eich_9_other_os.tar.gz\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"no checksum file": func(dir string) {
			if err := os.Remove(filepath.Join(dir, "checksums.txt")); err != nil {
				t.Fatal(err)
			}
		},
	}
	wantErr := map[string]string{
		"flipped byte":     "checksum mismatch for " + name,
		"no checksum line": "no entry for " + name,
		"no checksum file": "could not download",
	}
	for what, tamper := range cases {
		t.Run(strings.ReplaceAll(what, " ", "_"), func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, distDir, dir)
			tamper(dir)
			e := newEnv(t, "zsh")
			r := e.installCopy("--base-url", baseURL(dir), "--version", testVersion, "--modify-rc")
			if r.code == 0 {
				t.Fatalf("tampered release was accepted:\n%s", r)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "install.sh: error: ") || !strings.Contains(last, wantErr[what]) {
				t.Errorf("want one clear error line with %q, got:\n%s", wantErr[what], r)
			}
			if _, err := os.Stat(e.binDir); !os.IsNotExist(err) {
				t.Errorf("bin dir was created: %v %v", err, e.binFiles())
			}
			if _, err := os.Stat(e.rcFile("zsh")); !os.IsNotExist(err) {
				t.Errorf(".zshrc was written")
			}
		})
	}
}

// TestBinDirOnPath: with the bin dir on PATH there is no warning and the rc
// line calls eich by name.
func TestBinDirOnPath(t *testing.T) {
	setup(t)
	e := newEnv(t, "zsh")
	for i, kv := range e.vars {
		if strings.HasPrefix(kv, "PATH=") {
			e.vars[i] = "PATH=" + e.binDir + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	r := e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--modify-rc"), "install")
	if strings.Contains(r.stderr, "not on your PATH") {
		t.Errorf("warned although the bin dir is on PATH:\n%s", r)
	}
	data, _ := os.ReadFile(e.rcFile("zsh"))
	if want := `eval "$(eich init zsh)" ` + marker + "\n"; string(data) != want {
		t.Errorf(".zshrc = %q, want %q", data, want)
	}
}

// TestPluginFiles: the plugin-manager files parse, load the hook when eich
// is on PATH and do nothing when it is not.
func TestPluginFiles(t *testing.T) {
	setup(t)
	zsh, fish := testbed.Tool(t, "zsh"), testbed.Tool(t, "fish")
	e := newEnv(t, "zsh")
	e.mustOK(e.installCopy("--base-url", baseURL(distDir), "--no-modify-rc"), "install")
	plugin := filepath.Join(repoRoot, "eich.plugin.zsh")
	conf := filepath.Join(repoRoot, "conf.d", "eich.fish")
	e.mustOK(e.run(zsh, "-n", plugin), "zsh -n eich.plugin.zsh")
	e.mustOK(e.run(fish, "--no-execute", conf), "fish --no-execute conf.d/eich.fish")

	without := e.mustOK(e.run(zsh, "-f", "-c", fmt.Sprintf(`source %q; print -r -- "fn=${+functions[_eich_preexec]}"`, plugin)), "plugin without eich")
	if !strings.Contains(without.stdout, "fn=0") || without.stderr != "" {
		t.Errorf("eich.plugin.zsh without eich on PATH should do nothing:\n%s", without)
	}
	withPath := append([]string(nil), e.vars...)
	for i, kv := range withPath {
		if strings.HasPrefix(kv, "PATH=") {
			withPath[i] = "PATH=" + e.binDir + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	e.vars = withPath
	with := e.mustOK(e.run(zsh, "-f", "-c", fmt.Sprintf(`source %q; print -r -- "fn=${+functions[_eich_preexec]}"`, plugin)), "plugin with eich")
	if !strings.Contains(with.stdout, "fn=1") {
		t.Errorf("eich.plugin.zsh did not load the hook:\n%s", with)
	}
	f := e.mustOK(e.run(fish, "-i", "-c", fmt.Sprintf(`source %q; functions -q _eich_preexec; and echo fn=loaded`, conf)), "fish conf.d")
	if !strings.Contains(f.stdout, "fn=loaded") {
		t.Errorf("conf.d/eich.fish did not load the hook:\n%s", f)
	}
	nf := e.mustOK(e.run(fish, "-c", fmt.Sprintf(`source %q; functions -q _eich_preexec; or echo fn=none`, conf)), "fish conf.d, not interactive")
	if !strings.Contains(nf.stdout, "fn=none") {
		t.Errorf("conf.d/eich.fish loaded the hook in a non-interactive fish:\n%s", nf)
	}
}

// TestDemo runs `make demo`'s script once: the failure without eich, a
// dozen logins with it, the user keys kept, and nothing left behind.
func TestDemo(t *testing.T) {
	setup(t)
	for _, tool := range []string{"ssh", "ssh-agent", "ssh-add", "ssh-keygen"} {
		testbed.Tool(t, tool)
	}
	testbed.Tool(t, "zsh")
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		t.Fatalf("the demo needs /usr/sbin/sshd (apt-get install openssh-server): %v", err)
	}
	tmp := t.TempDir()
	cmd := exec.Command("/bin/sh", filepath.Join(repoRoot, "scripts", "demo.sh"))
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo.sh: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"Too many authentication failures",
		"login 12: ok",
		"alice@laptop and alice@work are still in the agent.",
		"eich: removed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	_, after, _ := strings.Cut(text, "== 2.")
	if strings.Contains(after, "FAILED") {
		t.Errorf("a login failed with eich loaded:\n%s", text)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the demo left %v in TMPDIR", left)
	}
}

// checkoutVersion tells whether out is `eich --version` of a build of
// this checkout by install.sh: the nearest tag (git describe) and the
// commit; without a tag, the pseudo-version Go stamps for the commit
// (v0.0.0-TIME-HASH, "+dirty" when dirty) or, with -buildvcs=false,
// "dev"; "dev (none)" when git cannot say.
func checkoutVersion(out string) bool {
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", repoRoot}, args...)...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	commit := git("rev-parse", "--short", "HEAD")
	if commit == "" {
		return out == "eich version dev (none)"
	}
	if tag := git("describe", "--tags", "--dirty"); tag != "" {
		return out == "eich version "+strings.TrimPrefix(tag, "v")+" ("+commit+")"
	}
	version, ok := strings.CutPrefix(out, "eich version ")
	version, stamped := strings.CutSuffix(version, " ("+commit+")")
	pseudo := strings.HasPrefix(version, "0.0.0-") && strings.Contains(version, "-"+git("rev-parse", "--short=12", "HEAD"))
	return ok && stamped && (version == "dev" || pseudo) // "dev": built with -buildvcs=false
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		if de.IsDir() { // GoReleaser's build directories and the formula
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, de.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoInstall: `go install github.com/eich-dev/eich@VERSION`, and
// install.sh --from-source outside a checkout, which runs it with the
// release's build tag and ldflags, each give a working eich. The module
// comes from a file:// module proxy holding this checkout as v0.9.9 (and
// its dependencies from the local module cache), so the module path is
// the one in go.mod.
func TestGoInstall(t *testing.T) {
	setup(t)
	const version = "0.9.9"
	proxy := moduleProxy(t, "v"+version)
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	withProxy := func(e *env) {
		e.vars = append(e.vars,
			"GOPROXY=file://"+proxy+",file://"+filepath.Join(strings.TrimSpace(string(gomodcache)), "cache", "download"),
			"GOSUMDB=off", "GOMODCACHE="+filepath.Join(t.TempDir(), "modcache"), "GOFLAGS=-modcacherw -buildvcs=false")
	}

	e := newEnv(t, "bash")
	withProxy(e)
	e.vars = append(e.vars, "GOBIN="+e.binDir)
	e.mustOK(e.run("go", "install", modulePath(t)+"@v"+version), "go install")
	if v, want := e.version(), "eich version "+version+" (none)"; v != want {
		t.Errorf("go install: eich --version = %q, want %q", v, want)
	}
	e.mustOK(e.run(filepath.Join(e.binDir, "eich"), "init", "zsh"), "eich init zsh")

	e = newEnv(t, "bash")
	withProxy(e)
	r := e.mustOK(e.installCopy("--from-source", "--version", version), "install.sh --from-source --version")
	if !strings.Contains(r.stdout, "built with go install") {
		t.Errorf("want the go install path:\n%s", r)
	}
	if v, want := e.version(), "eich version "+version+" (none)"; v != want {
		t.Errorf("install.sh --from-source: eich --version = %q, want %q", v, want)
	}
}

// modulePath is the module line of go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if path, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(path)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

// moduleProxy writes a file:// module proxy (the GOPROXY protocol's
// list, .info, .mod and .zip files) that serves this checkout's tracked
// and new files as the module at version.
func moduleProxy(t *testing.T, version string) string {
	t.Helper()
	root := t.TempDir()
	mod := modulePath(t)
	dir := filepath.Join(root, filepath.FromSlash(mod), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var zipped strings.Builder
	zw := zip.NewWriter(&zipped)
	for _, name := range strings.Split(strings.TrimSuffix(string(files), "\x00"), "\x00") {
		info, err := os.Lstat(filepath.Join(repoRoot, name))
		if err != nil || !info.Mode().IsRegular() { // deleted in the work tree, or a link
			continue
		}
		data, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(mod + "@" + version + "/" + filepath.ToSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"list":            version + "\n",
		version + ".info": `{"Version":"` + version + `","Time":"2026-01-01T00:00:00Z"}`,
		version + ".mod":  string(gomod),
		version + ".zip":  zipped.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
