// Command eichdocs writes eich's man page and shell completion files from
// its command definitions (package internal/command):
//
//	go run ./internal/command/eichdocs -out build
//
// writes build/man/eich.1 and build/completions/{eich.bash,_eich,eich.fish}.
// The release build (.goreleaser.yaml) and `make man` run it. It is a
// program of its own because the man page comes from urfave/cli's docs
// module (github.com/urfave/cli-docs/v3, with its markdown renderer),
// which the eich binary does not link.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	docs "github.com/urfave/cli-docs/v3"
	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/hooks/config"
	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/completion"
)

func main() {
	out := flag.String("out", "build", "directory for man/eich.1 and completions/")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "eichdocs: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := write(*out); err != nil {
		fmt.Fprintf(os.Stderr, "eichdocs: %v\n", err)
		os.Exit(1)
	}
}

// write renders every file first, then writes them, so an error leaves no
// half set.
func write(dir string) error {
	app := command.New()
	files := map[string]string{}
	page, err := manPage(app)
	if err != nil {
		return err
	}
	files[filepath.Join("man", app.Name+".1")] = page
	for shell, name := range map[string]string{"bash": app.Name + ".bash", "zsh": "_" + app.Name, "fish": app.Name + ".fish"} {
		script, err := completion.Script(app, shell)
		if err != nil {
			return err
		}
		files[filepath.Join("completions", name)] = script
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// manPage is urfave/cli's man page in section 1, with the sections its
// template lacks (ENVIRONMENT, FILES, SEE ALSO) added to that template in
// the same markdown, which urfave/cli renders to roff.
func manPage(app *cli.Command) (string, error) {
	var md strings.Builder
	md.WriteString("\n# ENVIRONMENT\n\n")
	item := func(name, text string) { fmt.Fprintf(&md, "**%s**\n: %s\n\n", name, text) }
	item("EICH_CONFIG", "the config file, as --config")
	for _, d := range config.Scalars {
		item(d.Env(), fmt.Sprintf("as --%s: %s", d.Flag(), d.Usage))
	}
	item("NO_COLOR", "when set, no colour even on a terminal")
	item("SSH_AUTH_SOCK", "the ssh-agent eich talks to")
	md.WriteString("# FILES\n\n")
	item("$XDG_CONFIG_HOME/eich/config", "the config file (else ~/.config/eich/config)")
	item("$XDG_STATE_HOME/eich/", "the ledger of seen EIC keys, the removal log and the protect list (else ~/.local/state/eich/)")
	md.WriteString("# SEE ALSO\n\n**ssh-agent**(1), **ssh-add**(1), **ssh_config**(5), **sshd_config**(5)\n")

	template := docs.MarkdownDocTemplate
	defer func() { docs.MarkdownDocTemplate = template }()
	docs.MarkdownDocTemplate = template + md.String()
	page, err := docs.ToManWithSection(app, 1)
	if err != nil {
		return "", fmt.Errorf("man page: %w", err)
	}
	return page, nil
}
