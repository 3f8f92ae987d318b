// Package completion prints eich's shell completion scripts, for
// `eich completion zsh|bash|fish` and for the files that releases ship
// (written by the build-only program internal/command/eichdocs).
//
// The completions come from urfave/cli. Bash and zsh use its completion
// protocol: the app sets EnableShellCompletion, and `eich ARGS…
// --generate-shell-completion` prints the commands or flags that may come
// next, or what a command's ShellComplete offers for its arguments (the
// shell names for init and completion), so the scripts never go stale.
// Fish gets urfave/cli's ToFishCompletion.
package completion

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/shells"
)

// Script returns the completion script for shell (zsh, bash or fish).
func Script(app *cli.Command, shell string) (string, error) {
	if app == nil || app.Name == "" {
		return "", fmt.Errorf("completion for %q: no app", shell)
	}
	name := app.Name
	switch shell {
	case "bash":
		return fill(bashScript, name), nil
	case "zsh":
		return fill(zshScript, name), nil
	case "fish":
		generated, err := app.ToFishCompletion()
		if err != nil {
			return "", fmt.Errorf("completion for fish: %w", err)
		}
		var b strings.Builder
		b.WriteString(fill(fishHeader, name))
		b.WriteString(tidyFish(generated))
		b.WriteString(fishArgs(app))
		return b.String(), nil
	case "":
		return "", fmt.Errorf("completion takes one shell name: %s", strings.Join(shells.Names(), ", "))
	default:
		return "", fmt.Errorf("completion for %q: unknown shell, want one of %s", shell, strings.Join(shells.Names(), ", "))
	}
}

// tidyFish drops the repeated lines urfave/cli writes (help and version
// flags twice), its offer of a "help" subcommand where there is none, and
// its lines that ask the binary for a command's arguments without the
// words already typed (fishArgs passes them) or for the commands (listed
// already, and answered as "name:usage").
func tidyFish(generated string) string {
	var b strings.Builder
	seen := map[string]bool{}
	prevBlank := false
	for _, line := range strings.Split(generated, "\n") {
		blank := strings.TrimSpace(line) == ""
		switch {
		case blank && prevBlank:
		case blank:
			b.WriteString("\n")
		case seen[line], strings.Contains(line, "-a 'help h'"), strings.Contains(line, "__fish_seen_subcommand_from help h"),
			strings.Contains(line, "--generate-shell-completion"):
		default:
			seen[line] = true
			b.WriteString(line + "\n")
		}
		prevBlank = blank
	}
	return b.String()
}

// ShellNames is the ShellComplete of a command whose one argument is a
// shell name: it offers the names until that argument is given.
func ShellNames(_ context.Context, c *cli.Command) {
	if c.NArg() > 0 {
		return
	}
	for _, name := range shells.Names() {
		fmt.Fprintln(c.Root().Writer, name)
	}
}

// fishArgs completes the arguments of the commands that have a
// ShellComplete by asking the binary with the words typed so far, as bash
// and zsh do. Hand-written because ToFishCompletion's own lines for
// arguments leave those words out (tidyFish drops them).
func fishArgs(app *cli.Command) string {
	var b strings.Builder
	for _, c := range app.VisibleCommands() {
		if c.ShellComplete == nil {
			continue
		}
		fmt.Fprintf(&b, "complete -c %[1]s -f -n '__fish_seen_subcommand_from %[2]s' -a '(%[1]s (commandline -opc)[2..-1] --generate-shell-completion 2>/dev/null)'\n", app.Name, c.Name)
	}
	return b.String()
}

// fill puts the program name into a script template.
func fill(tmpl, name string) string {
	return strings.ReplaceAll(tmpl, "@NAME@", name)
}

// bashScript and zshScript are the shell side of urfave/cli's completion
// protocol. They are eich's own rather than urfave/cli's: these also
// complete flags by prefix, fall back to file names, and tell a zsh user
// without compinit what to do.
//
// bashScript: load with `eval "$(eich completion bash)"` or save it as
// ~/.local/share/bash-completion/completions/eich.
const bashScript = `# bash completion for @NAME@ (printed by ` + "`@NAME@ completion bash`" + `).
# Load it with:  eval "$(@NAME@ completion bash)"   (in ~/.bashrc)
# or save it as ~/.local/share/bash-completion/completions/@NAME@

_@NAME@_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local IFS=$'\n'
	# Ask the binary: the words before the cursor, plus the current word
	# when it is a flag so that only matching flags come back.
	local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
	case $cur in
	-*) args+=("$cur") ;;
	esac
	local answer line
	answer=$("${COMP_WORDS[0]}" "${args[@]}" --generate-shell-completion 2>/dev/null) || answer=
	# One word per line, a command's as "name:usage"; the usage is dropped.
	# Matched by prefix here: compgen -W would expand $(…) and backquotes
	# in the text.
	COMPREPLY=()
	while IFS= read -r line; do
		line=${line%%:*}
		if [[ -n $line && $line == "$cur"* ]]; then
			COMPREPLY+=("$line")
		fi
	done <<<"$answer"
	return 0
}
complete -o default -F _@NAME@_complete @NAME@
`

// zshScript works both eval'ed and as an autoloaded _eich file in $fpath.
const zshScript = `#compdef @NAME@
# zsh completion for @NAME@ (printed by ` + "`@NAME@ completion zsh`" + `).
# Load it with:  eval "$(@NAME@ completion zsh)"   (in ~/.zshrc, after compinit)
# or save it as _@NAME@ in a directory of $fpath.

_@NAME@() {
	local cur=${words[CURRENT]}
	local -a args answer
	# Ask the binary: the words before the cursor, plus the current word
	# when it is a flag so that only matching flags come back.
	args=("${(@)words[2,CURRENT-1]}")
	[[ $cur == -* ]] && args+=("$cur")
	answer=("${(@f)$("${words[1]}" "${(@)args}" --generate-shell-completion 2>/dev/null)}")
	answer=("${(@)answer:#}")
	if (( ${#answer} )); then
		# One word per line, a command's as "name:usage": _describe's
		# own format.
		_describe -t eich-words @NAME@ answer
	else
		_files
	fi
}

if [[ ${funcstack[1]-} == _@NAME@ ]]; then
	_@NAME@ "$@"
elif (( ${+functions[compdef]} )); then
	compdef _@NAME@ @NAME@
else
	print -ru2 -- "@NAME@: completion needs compinit: put 'autoload -Uz compinit && compinit' before it in ~/.zshrc"
fi
`

const fishHeader = `# fish completion for @NAME@ (printed by ` + "`@NAME@ completion fish`" + `).
# Save it as ~/.config/fish/completions/@NAME@.fish
# or load it with:  @NAME@ completion fish | source

`
