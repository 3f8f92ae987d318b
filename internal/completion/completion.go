// Package completion gives eich's shell completions: the scripts that
// `eich completion zsh|bash|fish` prints (and that releases ship, written
// by the build-only program internal/command/eichdocs), and the answer
// the binary gives them.
//
// All three scripts ask the binary, `eich __complete WORD… CURRENT`, so
// they offer the same words and never go stale: the commands, a
// command's own flags, the values a flag's placeholder lists (Flag: the
// modes after --mode) or file names (--config), and the values a
// command's ArgsUsage lists for its arguments (the shell names after init
// and completion). The binary reads the words itself and runs nothing.
package completion

import (
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
		return fill(fishScript, name), nil
	case "":
		return "", fmt.Errorf("completion takes one shell name: %s", strings.Join(shells.Names(), ", "))
	default:
		return "", fmt.Errorf("completion for %q: unknown shell, want one of %s", shell, strings.Join(shells.Names(), ", "))
	}
}

// fill puts the program name into a script template.
func fill(tmpl, name string) string {
	return strings.ReplaceAll(tmpl, "@NAME@", name)
}

// The scripts ask the binary with the words before the cursor and the
// word under it, and read its answer: one word a line, with a tab and
// what it does after it when it has a description, or the one line
// ":files" to complete file names. They offer no file names otherwise:
// after --max-auth-tries a file name is never right.
//
// bashScript: load with `eval "$(eich completion bash)"` or save it as
// ~/.local/share/bash-completion/completions/eich. It runs in bash 3.2
// (macOS) too: compopt, which marks the words as file names, is bash 4's.
const bashScript = `# bash completion for @NAME@ (printed by ` + "`@NAME@ completion bash`" + `).
# Load it with:  eval "$(@NAME@ completion bash)"   (in ~/.bashrc)
# or save it as ~/.local/share/bash-completion/completions/@NAME@

_@NAME@_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local IFS=$'\n'
	# The words before the cursor. bash splits --flag=value at "=": join
	# it back, so the binary reads the flag as typed.
	local -a args=()
	local i w n join=
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		n=${#args[@]}
		if [[ -n $join ]]; then
			args[n - 1]+=$w
			join=
		elif [[ $w == = && $n -gt 0 && ${args[n - 1]} == -* ]]; then
			args[n - 1]+=$w
			join=1
		else
			args+=("$w")
		fi
	done
	n=${#args[@]}
	if [[ -n $join ]]; then
		# The cursor is on the value after "--flag=".
		args[n - 1]=${args[n - 1]%=}
	elif [[ $cur == = && $n -gt 0 && ${args[n - 1]} == -* ]]; then
		cur=
	fi
	local answer line
	answer=$("${COMP_WORDS[0]}" __complete "${args[@]}" "$cur" 2>/dev/null) || answer=
	COMPREPLY=()
	if [[ $answer == :files ]]; then
		compopt -o filenames 2>/dev/null
		while IFS= read -r line; do
			[[ -n $line ]] && COMPREPLY+=("$line")
		done <<<"$(compgen -f -- "$cur")"
		return 0
	fi
	# The description after the tab is dropped. Matched by prefix here:
	# compgen -W would expand $(…) and backquotes in the text.
	while IFS= read -r line; do
		line=${line%%$'\t'*}
		if [[ -n $line && $line == "$cur"* ]]; then
			COMPREPLY+=("$line")
		fi
	done <<<"$answer"
	return 0
}
complete -F _@NAME@_complete @NAME@
`

// zshScript works both eval'ed and as an autoloaded _eich file in $fpath.
const zshScript = `#compdef @NAME@
# zsh completion for @NAME@ (printed by ` + "`@NAME@ completion zsh`" + `).
# Load it with:  eval "$(@NAME@ completion zsh)"   (in ~/.zshrc, after compinit)
# or save it as _@NAME@ in a directory of $fpath.

_@NAME@() {
	local -a answer described
	local line word
	answer=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null)}")
	answer=("${(@)answer:#}")
	if [[ ${answer[1]-} == :files ]]; then
		_files
		return
	fi
	# "word<TAB>what it does" becomes _describe's "word:what it does".
	for line in "${(@)answer}"; do
		word=${line%%$'\t'*}
		word=${word//:/\\:}
		if [[ $line == *$'\t'* ]]; then
			described+=("$word:${line#*$'\t'}")
		else
			described+=("$word")
		fi
	done
	(( ${#described} )) && _describe -t eich-words @NAME@ described
}

if [[ ${funcstack[1]-} == _@NAME@ ]]; then
	_@NAME@ "$@"
elif (( ${+functions[compdef]} )); then
	compdef _@NAME@ @NAME@
else
	print -ru2 -- "@NAME@: completion needs compinit: put 'autoload -Uz compinit && compinit' before it in ~/.zshrc"
fi
`

// fishScript: fish reads "word<TAB>what it does" itself.
const fishScript = `# fish completion for @NAME@ (printed by ` + "`@NAME@ completion fish`" + `).
# Save it as ~/.config/fish/completions/@NAME@.fish
# or load it with:  @NAME@ completion fish | source

function __@NAME@_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l answer ($tokens[1] __complete $tokens[2..-1] "$cur" 2>/dev/null)
    if test "$answer" = ":files"
        __fish_complete_path "$cur"
    else
        printf '%s\n' $answer
    end
end

complete -c @NAME@ -e
complete -c @NAME@ -f -a '(__@NAME@_complete)'
`
