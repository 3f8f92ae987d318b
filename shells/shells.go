// Package shells holds eich's shell hooks for zsh, bash and fish and renders
// them for `eich init SHELL`, plus the ssh config block printed by
// `eich ssh-config`.
//
// The scripts are real files in this directory (eich.zsh, eich.bash,
// eich.fish), embedded at build time, so a shell user can read and lint
// them. Each carries placeholders that Script fills in: @EICH_BIN@ (the path
// of the eich binary, quoted for that shell), @EICH_EXTRA@ or
// @EICH_EXTRA_RE@ (extra command names that the shell-side test treats as
// EIC-looking), and in bash and fish @EICH_EXTRA_PAT@ (the same names as
// more alternatives of the hook's one pattern test).
//
// The shell side only runs a cheap pattern test; `eich hook pre` decides.
// Its contract: the command line on stdin; exit 0 = an EIC command (the shell
// exports EnvVar=1 while it runs and calls `eich hook post` after it); any
// other status = do nothing more.
package shells

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// EnvVar is exported (as "1") by the hooks while an EIC command runs; the
// block from SSHConfig matches on it.
const EnvVar = "EICH_EIC"

var (
	//go:embed eich.zsh
	zshScript string
	//go:embed eich.bash
	bashScript string
	//go:embed eich.fish
	fishScript string
)

// Placeholders in the embedded scripts.
const (
	binPlaceholder      = "@EICH_BIN@"
	extraPlaceholder    = "@EICH_EXTRA@"
	extraREPlaceholder  = "@EICH_EXTRA_RE@"
	extraPatPlaceholder = "@EICH_EXTRA_PAT@"
)

// commandName is what an extra command name may look like.
var commandName = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)

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
		if !commandName.MatchString(name) {
			return "", fmt.Errorf("render %s hook: extra command name %q: want letters, digits and _ . + - only", shell, name)
		}
	}
	switch shell {
	case "zsh":
		return fill(shell, zshScript, map[string]string{
			binPlaceholder:   shQuote(binPath),
			extraPlaceholder: shWords(extraCommands),
		})
	case "bash":
		return fill(shell, bashScript, map[string]string{
			binPlaceholder:      shQuote(binPath),
			extraPlaceholder:    shWords(extraCommands),
			extraPatPlaceholder: shGlobs(extraCommands),
		})
	case "fish":
		return fill(shell, fishScript, map[string]string{
			binPlaceholder:      fishQuote(binPath),
			extraREPlaceholder:  fishQuote(extraRegexp(extraCommands)),
			extraPatPlaceholder: fishGlobs(extraCommands),
		})
	}
	return "", fmt.Errorf("unsupported shell %q (want zsh, bash or fish)", shell)
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

// shWords quotes each name for an array literal.
func shWords(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = shQuote(n)
	}
	return strings.Join(quoted, " ")
}

// shGlobs returns more alternatives for a bash `case` pattern list, one
// per name: " | *'eic'*" (a loose test; the hook then checks the name is a
// whole word).
func shGlobs(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(" | *" + shQuote(n) + "*")
	}
	return b.String()
}

// fishGlobs returns more patterns for a fish `case`, one per name:
// " '*eic*'" (a loose test, like shGlobs).
func fishGlobs(names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(" " + fishQuote("*"+n+"*"))
	}
	return b.String()
}

// fishQuote quotes s for fish: inside single quotes fish still treats \\ and
// \' as escapes, so those two are escaped.
func fishQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s + "'"
}

// extraRegexp returns a PCRE matching any of names as a whole word (names are
// made of [A-Za-z0-9_.+-]), or "" when there are none.
func extraRegexp(names []string) string {
	if len(names) == 0 {
		return ""
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return `(^|[^A-Za-z0-9_.+-])(` + strings.Join(quoted, "|") + `)([^A-Za-z0-9_.+-]|$)`
}
