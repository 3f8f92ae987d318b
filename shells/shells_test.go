package shells

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// nastyPath is a binary path that breaks naive quoting in every shell.
const nastyPath = `/tmp/a b/it's $(x) \ "q" ` + "`y`" + `/eich`

// render renders shell's script into a file and returns its path.
func render(t *testing.T, shell, bin string, extra []string) string {
	t.Helper()
	s, err := Script(shell, bin, extra)
	if err != nil {
		t.Fatalf("Script(%q): %v", shell, err)
	}
	if strings.Contains(s, "@EICH_") {
		t.Fatalf("%s script still has a placeholder:\n%s", shell, s)
	}
	p := filepath.Join(t.TempDir(), "eich."+shell)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs a shell command line and returns its combined output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(testbed.Tool(t, name), args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestNames(t *testing.T) {
	got := strings.Join(Names(), ",")
	if got != "zsh,bash,fish" {
		t.Fatalf("Names() = %s", got)
	}
	for _, sh := range Names() {
		if _, err := Script(sh, "/usr/bin/eich", nil); err != nil {
			t.Errorf("Script(%q): %v", sh, err)
		}
	}
}

func TestScriptErrors(t *testing.T) {
	_, err := Script("tcsh", "/usr/bin/eich", nil)
	if err == nil || err.Error() != `unsupported shell "tcsh" (want zsh, bash or fish)` {
		t.Errorf("unknown shell: err = %v", err)
	}
	for _, bad := range []string{"", "a b", "x;y", "$(x)", "a/b", "é", "a*"} {
		if _, err := Script("bash", "/usr/bin/eich", []string{bad}); err == nil {
			t.Errorf("extra command %q: no error", bad)
		}
	}
	for _, name := range []string{"eic", "my-ssh", "a.b+c_d", "E1"} {
		if _, err := Script("zsh", "/usr/bin/eich", []string{name}); err != nil {
			t.Errorf("extra command %q: %v", name, err)
		}
	}
	if _, err := Script("zsh", "", nil); err == nil {
		t.Error("empty binary path: no error")
	}
	if _, err := Script("fish", "/a\nb", nil); err == nil {
		t.Error("binary path with a newline: no error")
	}
}

// TestSyntax checks every rendered script as users get it, with its
// shell's own parser (bash -n in the system bash and, with
// EICH_THIRD_PARTY set, in every bash build there), fish_indent, and the
// bash one with shellcheck.
func TestSyntax(t *testing.T) {
	bashes := testbed.Bashes(t)
	for _, extra := range [][]string{nil, {"eic", "my-ssh", "a.b+c"}} {
		for _, bash := range bashes {
			run(t, bash, "-n", render(t, "bash", nastyPath, extra))
		}
		run(t, "zsh", "-n", render(t, "zsh", nastyPath, extra))
		run(t, "fish", "--no-execute", render(t, "fish", nastyPath, extra))
		run(t, "fish_indent", "--check", render(t, "fish", nastyPath, extra))
		run(t, "shellcheck", "-s", "bash", render(t, "bash", nastyPath, extra))
	}
}

// TestQuoting loads each rendered script into its shell and reads the
// binary path and the extra names back.
func TestQuoting(t *testing.T) {
	extra := []string{"eic", "a.b+c"}
	got := run(t, "bash", "-c", `eval "$(cat "$1")" && printf '%s|' "$_eich_bin" "${_eich_extra[@]}"`, "x", render(t, "bash", nastyPath, extra))
	if want := nastyPath + "|eic|a.b+c|"; got != want {
		t.Errorf("bash: got %q, want %q", got, want)
	}
	got = run(t, "zsh", "-f", "-c", `eval "$(<$1)" && printf '%s|' "$_eich_bin" "${_eich_extra[@]}"`, "x", render(t, "zsh", nastyPath, extra))
	if want := nastyPath + "|eic|a.b+c|"; got != want {
		t.Errorf("zsh: got %q, want %q", got, want)
	}
	got = run(t, "fish", "--no-config", "-c", `source $argv[1]; and printf '%s|' $_eich_bin $_eich_extra`, render(t, "fish", nastyPath, extra))
	if want := nastyPath + "|eic|a.b+c|"; got != want {
		t.Errorf("fish: got %q, want %q", got, want)
	}
}

// matchCases are command lines and whether the shell-side test must pass
// them on to eich, with the extra command name "eic" configured.
var matchCases = []struct {
	line string
	want bool
}{
	{"aws ec2-instance-connect ssh --instance-id i-1", true},
	{"true && aws --profile p ec2-instance-connect ssh --instance-id i-1; echo done", true},
	{"AWS_PROFILE=x command /usr/local/bin/aws ec2-instance-connect ssh", true},
	{"mssh i-0123", true},
	{"eic i-1", true},
	{"x=1 eic", true},
	{"ls | eic", true},
	{"echo aws ec2-instance-connect ssh", true}, // eich decides
	{"ls -la", false},
	{"eich status", false},
	{"receic i-1", false},
	{"eic-not i-1", false},
	{"git commit -m 'ec2 instance connect'", false},
	{"", false},
}

// TestMatch runs each shell's own _eich_match on matchCases.
func TestMatch(t *testing.T) {
	var lines []string
	var want strings.Builder
	for _, c := range matchCases {
		lines = append(lines, c.line)
		if c.want {
			want.WriteString("y")
		} else {
			want.WriteString("n")
		}
	}
	extra := []string{"eic"}
	loop := `for l in "$@"; do if _eich_match "$l"; then printf y; else printf n; fi; done`
	got := run(t, "bash", append([]string{"-c", `eval "$(cat "$1")"; shift; ` + loop, "x", render(t, "bash", "/e", extra)}, lines...)...)
	if got != want.String() {
		t.Errorf("bash: got %s, want %s", got, want.String())
	}
	got = run(t, "zsh", append([]string{"-f", "-c", `eval "$(<$1)"; shift; ` + loop, "x", render(t, "zsh", "/e", extra)}, lines...)...)
	if got != want.String() {
		t.Errorf("zsh: got %s, want %s", got, want.String())
	}
	got = run(t, "fish", append([]string{"--no-config", "-c", `source $argv[1]; for l in $argv[2..-1]; if _eich_match "$l"; printf y; else; printf n; end; end`, render(t, "fish", "/e", extra)}, lines...)...)
	if got != want.String() {
		t.Errorf("fish: got %s, want %s", got, want.String())
	}
}

// TestSSHConfig checks the block's shape; e2e tests run it through ssh.
func TestSSHConfig(t *testing.T) {
	c := SSHConfig()
	for _, want := range []string{"TOP of ~/.ssh/config", `Match exec "printenv EICH_EIC >/dev/null"`, "    IdentitiesOnly yes\n", "    AddKeysToAgent no\n", "\nMatch all\n"} {
		if !strings.Contains(c, want) {
			t.Errorf("SSHConfig() lacks %q:\n%s", want, c)
		}
	}
	if strings.Index(c, "Match exec") > strings.Index(c, "Match all") {
		t.Error("Match all must end the block")
	}
}

// TestPlaceholderTextInPath: a binary path that contains a placeholder's
// text renders intact in every shell (placeholders are filled in one pass).
func TestPlaceholderTextInPath(t *testing.T) {
	bin := "/opt/@EICH_EXTRA@/@EICH_BIN@/eich"
	for _, shell := range Names() {
		for i := 0; i < 20; i++ { // map order varies from run to run
			script, err := Script(shell, bin, []string{"eic"})
			if err != nil {
				t.Fatalf("%s: %v", shell, err)
			}
			if !strings.Contains(script, "@EICH_EXTRA@/@EICH_BIN@") {
				t.Fatalf("%s: the path was not kept intact", shell)
			}
		}
	}
}

// TestNoFunctionDefinedTwice: each function of a hook, with its prompt
// segment, is defined in one place of the text (in eval'd text too), so
// that what a function does follows the hook's state, not which of its
// definitions ran last.
func TestNoFunctionDefinedTwice(t *testing.T) {
	shDef := regexp.MustCompile(`(?m)(?:^|[\s"';{])([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{`)
	fishDef := regexp.MustCompile(`(?m)^\s*function\s+([A-Za-z_][A-Za-z0-9_]*)`)
	for _, shell := range Names() {
		hook, err := Script(shell, "/usr/bin/eich", []string{"eic"})
		if err != nil {
			t.Fatal(err)
		}
		seg, err := PromptScript(shell, "/state/eich")
		if err != nil {
			t.Fatal(err)
		}
		def := shDef
		if shell == "fish" {
			def = fishDef
		}
		seen := map[string]int{}
		for _, m := range def.FindAllStringSubmatch(hook+"\n"+seg, -1) {
			seen[m[1]]++
		}
		if len(seen) == 0 {
			t.Fatalf("%s: no function definitions found", shell)
		}
		for name, n := range seen {
			if n > 1 {
				t.Errorf("%s: %s is defined %d times", shell, name, n)
			}
		}
	}
}
