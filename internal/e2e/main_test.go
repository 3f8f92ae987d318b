// Package e2e holds eich's end-to-end tests: real sshd, ssh-agent, ssh and
// interactive zsh, bash and fish (through tmux), with the `aws` stand-in
// from internal/testbed/fakeaws. Run them with `go test ./...`; a missing
// tool fails them, it never skips them.
//
// Each property is proven once, with counts just large enough to prove
// it (a run of logins is longer than what MaxAuthTries 6 lets through
// without eich). The long runs are on demand, through two variables:
//
//	EICH_SOAK=1000 go test -count=1 -timeout 60m -run 'TestSoak$' ./internal/e2e/
//	EICH_LOAD=100 go test -count=1 -timeout 60m -run 'TestConcurrentLogins$' ./internal/e2e/
package e2e

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// built returns the binaries, building them once, on first use.
func built(t *testing.T) *testbed.Binaries {
	t.Helper()
	return testbed.Built(t)
}

// eachShell runs f in zsh, bash and fish: one parallel subtest a shell,
// each with a bed of its own.
func eachShell(t *testing.T, f func(t *testing.T, shell string, b *testbed.Bed)) {
	t.Helper()
	eachCase(t, shells.Names(), f)
}

// eachCase runs f for each name (a shell, a variant): one parallel
// subtest a name, each with a bed of its own. The test itself runs in
// parallel with the others (so a subtest can share the machine with
// another test's).
func eachCase(t *testing.T, names []string, f func(t *testing.T, name string, b *testbed.Bed)) {
	t.Helper()
	t.Parallel()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, name, testbed.NewBed(t, built(t)))
		})
	}
}

// countVar reads a count from the variable name (a soak's or a load
// test's logins), def when it is unset; a value that is no whole number
// of at least least fails the test.
func countVar(t *testing.T, name string, def, least int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		t.Fatalf("%s=%q: want a number of logins per shell, at least %d", name, v, least)
	}
	return n
}

// eichOutput runs bin (the bed's eich, or the real binary behind a
// wrapper, whose runs the wrapper does not count) with args in the bed's
// environment and returns what it printed on stdout, failing the test if
// it fails.
func eichOutput(t *testing.T, b *testbed.Bed, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = b.Env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("eich %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// hookedLogin types line, one EIC login, into sh and fails the test
// (in bed b) unless the login ran once and succeeded with EICH_EIC=1 and the line
// started eich's hook exactly as one `hook pre` and one `hook post` for
// sh's shell (w counts the starts; `eich status`, which a prompt segment
// may run at any prompt, is left out).
func hookedLogin(t *testing.T, b *testbed.Bed, sh *testbed.Shell, w *testbed.Wrapper, line string) testbed.EICResult {
	t.Helper()
	var res testbed.EICResult
	starts := w.StartsDuring(t, func() { res = sh.RunEIC(line) })
	if res.Run.Status != 0 || res.Run.EichEIC != "1" {
		t.Fatalf("login %q: status %d, EICH_EIC=%q; want 0 and 1; agent:\n%s", line, res.Run.Status, res.Run.EichEIC, b.Agent.Describe(t))
	}
	if !preThenPost(starts) {
		t.Errorf("login %q started eich as %q, want one hook pre and one hook post", line, starts)
	}
	return res
}

// preThenPost reports whether starts, the eich processes one command
// line started, are one `hook pre` and one `hook post`, `eich status`
// runs (a prompt segment's) left out.
func preThenPost(starts []string) bool {
	var hook []string
	for _, start := range starts {
		if start != "status" {
			hook = append(hook, start)
		}
	}
	return len(hook) == 2 && strings.HasPrefix(hook[0], "hook pre --session ") && strings.HasPrefix(hook[1], "hook post --session ")
}
