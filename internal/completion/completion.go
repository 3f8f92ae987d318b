// Package completion renders shell completion scripts and the man page
// from eich's command definitions.
package completion

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// Script returns the completion script for shell (zsh, bash or fish).
func Script(app *cli.App, shell string) (string, error) {
	return "", fmt.Errorf("completion for %q: not implemented yet", shell)
}

// Man returns the man page in roff.
func Man(app *cli.App) (string, error) {
	return app.ToMan()
}
