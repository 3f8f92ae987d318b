package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// notFoundPage is what a failed download leaves where the binary was.
const notFoundPage = "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body><h1>Not Found</h1></body>\n</html>\n"

// promptPrefixes are the test shells' prompts (root gets # in zsh and bash).
var promptPrefixes = []string{"zsh# ", "zsh% ", "bash# ", "bash$ ", "fish> "}

// strayLines returns the pane's lines that are neither a prompt with what
// was typed after it, nor a line typed ahead (echoed by the terminal
// while the previous command ran), nor one of the expected outputs.
func strayLines(pane string, typed []string, expected ...string) []string {
	var stray []string
lines:
	for _, l := range strings.Split(pane, "\n") {
		l = strings.TrimRight(l, " ")
		if l == "" {
			continue
		}
		for _, ty := range typed {
			if strings.Contains(l, ty) {
				continue lines
			}
		}
		for _, p := range promptPrefixes {
			if strings.HasPrefix(l, p) || l == strings.TrimSpace(p) {
				continue lines
			}
		}
		for _, e := range expected {
			if l == e {
				continue lines
			}
		}
		stray = append(stray, l)
	}
	return stray
}

// TestBinaryReplacedAfterInit: the binary replaced by a non-executable
// after `eich init` ran (deleted: TestReloadAndMissingBinary), in each
// shell, each in a fresh session:
//
//   - text-file: a text file (a download's error page, mode 0644) is
//     renamed over it: no execute bits, which the hooks test for (so
//     this is also the case of a binary that lost them to chmod -x);
//   - text-in-place: the error page is written over the binary's
//     contents, as `curl -o` over an existing file does: the file keeps
//     its execute bits.
//
// After it, EIC commands still run (unhooked: EICH_EIC unset), twice, and
// so does everything else ($? intact), and the shell prints at most one
// line about it in the whole session, naming the binary; for text-file,
// the hook's own "not found or not executable" line.
func TestBinaryReplacedAfterInit(t *testing.T) {
	var cases []string
	for _, shell := range shells.Names() {
		cases = append(cases, shell+"/text-file", shell+"/text-in-place")
	}
	eachCase(t, cases, func(t *testing.T, name string, b *testbed.Bed) {
		shell, variant, _ := strings.Cut(name, "/")
		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)})
		if res := sh.RunEIC("aws ec2-instance-connect ssh --instance-id i-before"); res.Run.Status != 0 || res.Run.EichEIC != "1" {
			t.Fatalf("login before the binary was replaced: status %d, EICH_EIC=%q; want 0 and 1", res.Run.Status, res.Run.EichEIC)
		}

		switch variant {
		case "text-file":
			tmp := b.Eich + ".download"
			if err := os.WriteFile(tmp, []byte(notFoundPage), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, b.Eich); err != nil {
				t.Fatal(err)
			}
		case "text-in-place":
			if err := os.WriteFile(b.Eich, []byte(notFoundPage), 0o755); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(b.Eich); err != nil || fi.Mode().Perm()&0o111 == 0 {
				t.Fatalf("the overwritten binary should keep its execute bits: %v %v", fi.Mode(), err)
			}
		}

		for i := 0; i < 2; i++ {
			res := sh.RunEIC("aws ec2-instance-connect ssh --instance-id i-after")
			if res.Run.Status != 0 || res.Status != 0 {
				t.Fatalf("login %d after the binary was replaced: status %d (line %d); want 0", i+1, res.Run.Status, res.Status)
			}
			if res.Run.EichEIC != "" {
				t.Errorf("login %d after the binary was replaced ran with EICH_EIC=%q, want it unset", i+1, res.Run.EichEIC)
			}
		}
		if st := sh.Run("echo still-alive; false"); st != 1 {
			t.Errorf("after the binary was replaced, $? of `false` is %d, want 1", st)
		}
		// Typed: the logins, and Mark's lines, which name the marks file.
		typed := []string{"aws ec2-instance-connect ssh --instance-id i-", "/marks-" + shell + "'"}
		stray := strayLines(sh.Tmux.Capture(), typed, testbed.RemoteOutput, "still-alive")
		t.Logf("%s/%s printed: %q", shell, variant, stray)
		if len(stray) > 1 {
			t.Errorf("the session printed %d lines besides prompts and output, want at most one:\n%s", len(stray), strings.Join(stray, "\n"))
		}
		if variant != "text-in-place" && (len(stray) != 1 || !strings.Contains(stray[0], b.Eich) || !strings.Contains(stray[0], "not executable")) {
			t.Errorf("want the hook's one line saying %s is not executable; got %q", b.Eich, stray)
		}
		if len(stray) == 1 && !strings.Contains(stray[0], b.Eich) {
			t.Errorf("the one line %q does not name the binary %s", stray[0], b.Eich)
		}
	})
}
