package shells

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLongLineOnStdin hands each shell's pre hook a 1 MiB EIC-looking line:
// it must reach the binary whole, on stdin (as an argument it would exceed
// Linux's 128 KiB MAX_ARG_STRLEN), with only flags as arguments.
func TestLongLineOnStdin(t *testing.T) {
	dir := t.TempDir()
	stdinCopy, argsCopy := filepath.Join(dir, "stdin"), filepath.Join(dir, "args")
	bin := filepath.Join(dir, "fake eich")
	script := "#!/bin/sh\ncat > '" + stdinCopy + "'\nprintf '%s\\n' \"$*\" > '" + argsCopy + "'\nexit 1\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	line := "aws ec2-instance-connect ssh --instance-id i-1 # " + strings.Repeat("x", 1<<20)
	// The line itself cannot be an argument of the test's shells either:
	// they read it from a file.
	lineFile := filepath.Join(dir, "line")
	if err := os.WriteFile(lineFile, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{
		"bash": {"bash", "-c", `eval "$(cat "$1")"; l=$(cat "$2"); _eich_line "$l" 0`, "x"},
		"zsh":  {"zsh", "-f", "-c", `eval "$(<$1)"; l=$(<$2); _eich_preexec "" "" "$l"`, "x"},
		"fish": {"fish", "--no-config", "-c", `source $argv[1]; read -z l < $argv[2]; _eich_preexec "$l"`},
	}
	for _, shell := range Names() {
		os.Remove(stdinCopy)
		c := calls[shell]
		run(t, c[0], append(c[1:], render(t, shell, bin, nil), lineFile)...)
		got, err := os.ReadFile(stdinCopy)
		if err != nil {
			t.Fatalf("%s: the binary was not run: %v", shell, err)
		}
		if strings.TrimSuffix(string(got), "\n") != line {
			t.Errorf("%s: the binary read %d bytes on stdin, want the %d-byte line", shell, len(got), len(line))
		}
		args, _ := os.ReadFile(argsCopy)
		if want := "hook pre --session "; !strings.HasPrefix(string(args), want) || len(args) > 100 {
			t.Errorf("%s: arguments %.100q, want %q and a pid", shell, args, want)
		}
	}
}
