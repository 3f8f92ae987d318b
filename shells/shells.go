// Package shells holds eich's shell hooks for zsh, bash and fish and renders
// them for `eich init SHELL`, plus the ssh config block printed by
// `eich ssh-config`.
//
// The scripts are real files in this directory (eich.zsh, eich.bash,
// eich.fish, and the prompt segment's prompt.zsh, prompt.bash,
// prompt.fish), embedded at build time, so a shell user can read and lint
// them. Each hook carries two placeholders that Script fills in: @EICH_BIN@
// (the path of the eich binary) and @EICH_EXTRA@ (extra command names that
// the shell-side test treats as EIC-looking; plain words, see
// settings.IsCommandName).
// Each script builds its pattern tests from the names itself, when it loads.
// Each prompt segment carries @EICH_STATE@ (eich's state dir), filled in by
// PromptScript.
//
// The shell side only runs a cheap pattern test; `eich hook pre` decides.
// Its contract: the command line on stdin; exit 0 = an EIC command (the shell
// exports settings.EICVar=1 while it runs and calls `eich hook post` after it); any
// other status = do nothing more.
package shells

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/eich-dev/eich/hooks/settings"
)

var (
	//go:embed eich.zsh
	zshScript string
	//go:embed eich.bash
	bashScript string
	//go:embed eich.fish
	fishScript string
	//go:embed prompt.zsh
	zshPrompt string
	//go:embed prompt.bash
	bashPrompt string
	//go:embed prompt.fish
	fishPrompt string
)

// Placeholders in the embedded scripts.
const (
	binPlaceholder   = "@EICH_BIN@"
	extraPlaceholder = "@EICH_EXTRA@"
	statePlaceholder = "@EICH_STATE@"
)

// Names returns the shells Script supports.
func Names() []string {
	return []string{"zsh", "bash", "fish"}
}

// Script returns the hook for shell with binPath (the eich binary) and
// extraCommands (extra command names the user configured, such as "eic")
// filled in.
func Script(shell, binPath string, extraCommands []string) (string, error) {
	if binPath == "" {
		return "", fmt.Errorf("render %s hook: empty binary path", shell)
	}
	if strings.ContainsRune(binPath, 0) || strings.ContainsAny(binPath, "\n\r") {
		return "", fmt.Errorf("render %s hook: binary path %q contains a newline or NUL", shell, binPath)
	}
	for _, name := range extraCommands {
		if !settings.IsCommandName(name) {
			return "", fmt.Errorf("render %s hook: extra command name %q: want letters, digits and _ . + - only", shell, name)
		}
	}
	script, quote, err := pick(shell, zshScript, bashScript, fishScript)
	if err != nil {
		return "", err
	}
	// The names need no quotes in any of the three shells (settings.IsCommandName).
	// In fish they are the last words of a line, which keeps no trailing
	// space when there are none.
	extra, names := extraPlaceholder, strings.Join(extraCommands, " ")
	if shell == "fish" {
		extra, names = " "+extra, strings.TrimRight(" "+names, " ")
	}
	return fill(shell, script, map[string]string{
		binPlaceholder: quote(binPath),
		extra:          names,
	})
}

// PromptScript returns the prompt segment's part of the hook for shell
// (prompt.zsh, prompt.bash, prompt.fish), which `eich init SHELL --prompt`
// prints after Script's output, with stateDir (eich's state dir, an
// absolute path) filled in and quoted for that shell. It keeps EICH_PROMPT
// equal to the segment eich leaves in stateDir, without a process.
func PromptScript(shell, stateDir string) (string, error) {
	script, quote, err := pick(shell, zshPrompt, bashPrompt, fishPrompt)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(stateDir, "/") || strings.ContainsRune(stateDir, 0) || strings.ContainsAny(stateDir, "\n\r") {
		return "", fmt.Errorf("render %s prompt segment: state dir %q is not an absolute path without newlines", shell, stateDir)
	}
	return fill(shell, script, map[string]string{statePlaceholder: quote(stateDir)})
}

// pick returns the one of the zsh, bash and fish texts for shell, and the
// quoting for that shell.
func pick(shell, zsh, bash, fish string) (string, func(string) string, error) {
	switch shell {
	case "zsh":
		return zsh, shQuote, nil
	case "bash":
		return bash, shQuote, nil
	case "fish":
		return fish, fishQuote, nil
	}
	return "", nil, fmt.Errorf("unsupported shell %q (want zsh, bash or fish)", shell)
}

// fill replaces each placeholder, which must occur exactly once, in one
// pass: a value that contains a placeholder's text (a binary path, say)
// is never replaced again.
func fill(shell, script string, values map[string]string) (string, error) {
	var pairs []string
	for placeholder, value := range values {
		if n := strings.Count(script, placeholder); n != 1 {
			return "", fmt.Errorf("render %s hook: placeholder %s occurs %d times, want 1", shell, placeholder, n)
		}
		pairs = append(pairs, placeholder, value)
	}
	return strings.NewReplacer(pairs...).Replace(script), nil
}

// shQuote quotes s for sh, bash and zsh: single quotes, with each ' written
// as '\”.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote quotes s for fish: inside single quotes fish still treats \\ and
// \' as escapes, so those two are escaped.
func fishQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s + "'"
}
