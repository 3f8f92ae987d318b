package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks/config"
	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/completion"
)

func TestWritesManPageAndCompletions(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	page := read("man/eich.1")
	if !strings.Contains(page, ".TH eich 1\n") {
		t.Errorf("man page is not eich(1):\n%.200s", page)
	}
	want := []string{".SH SYNOPSIS", ".SH GLOBAL OPTIONS", ".SH ENVIRONMENT", ".SH FILES", ".SH SEE ALSO",
		".SH prune", ".SH doctor", ".SH completion", "EICH_CONFIG", "NO_COLOR", "SSH_AUTH_SOCK", "--dry-run"}
	for _, d := range config.Scalars {
		want = append(want, d.Env())
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("man page lacks %q", w)
		}
	}
	if strings.Contains(page, ".SH hook") {
		t.Errorf("man page shows the hidden hook command")
	}
	// A usage ending in "]" before urfave/cli's "(default: …)" would read
	// as a markdown link and lose the default.
	if !strings.Contains(page, `(default: 6)`) {
		t.Errorf("man page lost --max-auth-tries' default")
	}

	app := command.New()
	for shell, name := range map[string]string{"bash": "completions/eich.bash", "zsh": "completions/_eich", "fish": "completions/eich.fish"} {
		script, err := completion.Script(app, shell)
		if err != nil {
			t.Fatal(err)
		}
		if got := read(name); got != script {
			t.Errorf("%s differs from `eich completion %s`", name, shell)
		}
	}
}
