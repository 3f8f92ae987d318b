package testbed

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
)

// ThirdPartyEnv names the folder of real shells and shell frameworks
// (bash builds, oh-my-zsh, powerlevel10k, bash-preexec, ble.sh, fisher)
// that the framework tests load. CI sets it to ../shared/third_party.
const ThirdPartyEnv = "EICH_THIRD_PARTY"

// NotRunLine is what the framework tests say when ThirdPartyEnv is unset.
const NotRunLine = "real shells and frameworks: not run (set " + ThirdPartyEnv + " to the third_party folder to run them)"

// ThirdParty returns the folder ThirdPartyEnv names, or "" when the
// variable is unset. A set variable whose folder lacks a piece the tests
// load fails the test.
func ThirdParty(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(ThirdPartyEnv)
	if dir == "" {
		return ""
	}
	for _, piece := range []string{"bash/bin", "bash-preexec/bash-preexec.sh", "ble.sh/ble.sh", "fisher/functions/fisher.fish", "ohmyzsh/oh-my-zsh.sh", "powerlevel10k/powerlevel10k.zsh-theme", "powerlevel10k/config/p10k-lean.zsh"} {
		if _, err := os.Stat(filepath.Join(dir, piece)); err != nil {
			t.Fatalf("%s=%s: %v", ThirdPartyEnv, dir, err)
		}
	}
	return dir
}

// ThirdPartyBashes returns the bash binaries in the folder (bash/bin/bash-*),
// oldest first; none is a failure.
func ThirdPartyBashes(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "bash", "bin", "bash-*"))
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: no bash builds in bash/bin (%v)", dir, err)
	}
	sort.Strings(m)
	return m
}

// CopyThirdParty copies one piece of the folder (a file or a directory)
// into a temp dir of the test and returns the copy's path: the folder is
// read-only where CI runs, and oh-my-zsh, powerlevel10k and ble.sh write
// caches next to themselves.
func CopyThirdParty(t testing.TB, dir, piece string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), filepath.Base(piece))
	if out, err := exec.Command("cp", "-R", filepath.Join(dir, piece), to).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", piece, err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", to).CombinedOutput(); err != nil {
		t.Fatalf("chmod %s: %v\n%s", to, err, out)
	}
	return to
}

// Bashes returns the system bash and, when ThirdPartyEnv is set, every bash
// build in the folder.
func Bashes(t testing.TB) []string {
	t.Helper()
	all := []string{Tool(t, "bash")}
	if dir := ThirdParty(t); dir != "" {
		all = append(all, ThirdPartyBashes(t, dir)...)
	}
	return all
}

// BashVersion returns what `bash -c 'echo $BASH_VERSION'` prints.
func BashVersion(t testing.TB, bash string) string {
	t.Helper()
	out, err := exec.Command(bash, "-c", "printf %s \"$BASH_VERSION\"").Output()
	if err != nil {
		t.Fatalf("%s: %v", bash, err)
	}
	return string(out)
}
