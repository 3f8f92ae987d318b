// Package completion renders shell completion scripts and the man page
// from eich's command definitions.
//
// The bash and zsh scripts are small and ask the binary itself: urfave/cli
// answers `eich ARGS… --generate-bash-completion` with the commands or
// flags that may come next (the app sets EnableBashCompletion), so they
// never go stale. The fish script is generated from the same definitions by
// urfave/cli. All three also offer the shell names after `init` and
// `completion`, which take one positional argument.
package completion

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/eich-dev/eich/shells"
)

// shellArgCommands are the commands whose one argument is a shell name.
var shellArgCommands = []string{"init", "completion"}

// Script returns the completion script for shell (zsh, bash or fish).
func Script(app *cli.App, shell string) (string, error) {
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
		b.WriteString(fill(fishShellArgs, name))
		return b.String(), nil
	case "":
		return "", fmt.Errorf("completion takes one shell name: %s", strings.Join(shells.Names(), ", "))
	default:
		return "", fmt.Errorf("completion for %q: unknown shell, want one of %s", shell, strings.Join(shells.Names(), ", "))
	}
}

// Man returns the man page (section 1) in roff: urfave/cli's page from
// the command definitions, plus ENVIRONMENT (from the flags' environment
// variables), FILES and SEE ALSO.
func Man(app *cli.App) (string, error) {
	// Rendered here rather than with urfave/cli's ToMan, so that release
	// builds can leave out its docs code (-tags urfave_cli_no_docs) and
	// the markdown packages that cost every eich start-up ≈ 0.3 ms.
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1\n.SH NAME\n%s \\- %s\n", app.Name, app.Name, roff(app.Usage))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fB%s\\fP [\\fIglobal options\\fP] \\fIcommand\\fP [\\fIcommand options\\fP] [\\fIarguments\\fP]\n", app.Name)
	b.WriteString(".SH DESCRIPTION\n")
	for _, para := range strings.Split(app.Description, "\n\n") {
		if strings.Contains(para, "\n ") { // indented lines: keep them as they are
			fmt.Fprintf(&b, ".PP\n.nf\n%s\n.fi\n", roff(strings.TrimSpace(para)))
			continue
		}
		fmt.Fprintf(&b, ".PP\n%s\n", roff(strings.TrimSpace(para)))
	}
	b.WriteString(".SH GLOBAL OPTIONS\n")
	manFlags(&b, app.Flags)
	b.WriteString(".SH COMMANDS\n")
	for _, c := range app.VisibleCommands() {
		fmt.Fprintf(&b, ".SS %s\n%s\n", roff(strings.TrimSpace(c.Name+" "+c.ArgsUsage)), roff(c.Usage))
		manFlags(&b, c.VisibleFlags())
	}
	b.WriteString(".SH ENVIRONMENT\n")
	for _, f := range app.Flags {
		env, ok := f.(interface{ GetEnvVars() []string })
		if !ok {
			continue
		}
		for _, v := range env.GetEnvVars() {
			fmt.Fprintf(&b, ".TP\n\\fB%s\\fP\n%s\n", roff(v), roff("as --"+f.Names()[0]+": "+flagUsage(f)))
		}
	}
	b.WriteString(".TP\n\\fBNO_COLOR\\fP\nwhen set, no colour even on a terminal\n")
	b.WriteString(".TP\n\\fBSSH_AUTH_SOCK\\fP\nthe ssh-agent eich talks to\n")
	b.WriteString(".SH FILES\n")
	b.WriteString(".TP\n\\fI$XDG_CONFIG_HOME/eich/config\\fP (else \\fI~/.config/eich/config\\fP)\nthe config file\n")
	b.WriteString(".TP\n\\fI$XDG_STATE_HOME/eich/\\fP (else \\fI~/.local/state/eich/\\fP)\nthe ledger of seen EIC keys, the removal log, the protect list\n")
	b.WriteString(".SH SEE ALSO\n\\fBssh-agent\\fP(1), \\fBssh-add\\fP(1), \\fBssh_config\\fP(5), \\fBsshd_config\\fP(5)\n")
	return b.String(), nil
}

// manFlags writes one .TP entry per flag: its names, then its usage.
func manFlags(b *strings.Builder, flags []cli.Flag) {
	for _, f := range flags {
		var names []string
		for _, n := range f.Names() {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			names = append(names, `\fB`+roff(dash+n)+`\fP`)
		}
		fmt.Fprintf(b, ".TP\n%s\n%s\n", strings.Join(names, ", "), roff(flagUsage(f)))
	}
}

func flagUsage(f cli.Flag) string {
	if u, ok := f.(interface{ GetUsage() string }); ok {
		return u.GetUsage()
	}
	return ""
}

// roff escapes text for a roff line: backslashes, hyphens, and a leading
// dot or quote that would read as a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// tidyFish drops the repeated lines urfave/cli writes (help and version
// flags twice) and its offer of a "help" subcommand where there is none.
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
		case seen[line], strings.Contains(line, "-a 'help h'"), strings.Contains(line, "__fish_seen_subcommand_from help h"):
		default:
			seen[line] = true
			b.WriteString(line + "\n")
		}
		prevBlank = blank
	}
	return b.String()
}

// fill substitutes the program name, the shell names and the commands that
// take a shell name into a script template.
func fill(tmpl, name string) string {
	return strings.NewReplacer(
		"@NAME@", name,
		"@SHELLS@", strings.Join(shells.Names(), " "),
		"@SHELL_CMDS_BAR@", strings.Join(shellArgCommands, "|"),
		"@SHELL_CMDS@", strings.Join(shellArgCommands, " "),
	).Replace(tmpl)
}

// bashScript: load with `eval "$(eich completion bash)"` or save it as
// ~/.local/share/bash-completion/completions/eich.
const bashScript = `# bash completion for @NAME@ (printed by ` + "`@NAME@ completion bash`" + `).
# Load it with:  eval "$(@NAME@ completion bash)"   (in ~/.bashrc)
# or save it as ~/.local/share/bash-completion/completions/@NAME@

_@NAME@_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local IFS=$'\n'
	case $prev in
	@SHELL_CMDS_BAR@)
		# shellcheck disable=SC2207 # one word per line, IFS is a newline
		COMPREPLY=($(compgen -W '@SHELLS@' -- "$cur"))
		return 0
		;;
	esac
	# Ask the binary: the words before the cursor, plus the current word
	# when it is a flag so that only matching flags come back.
	local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
	case $cur in
	-*) args+=("$cur") ;;
	esac
	local answer
	answer=$("${COMP_WORDS[0]}" "${args[@]}" --generate-bash-completion 2>/dev/null) || answer=
	# shellcheck disable=SC2207 # one word per line, IFS is a newline
	COMPREPLY=($(compgen -W "$answer" -- "$cur"))
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
	case ${words[CURRENT-1]} in
	(@SHELL_CMDS_BAR@)
		compadd -- @SHELLS@
		return
		;;
	esac
	# Ask the binary: the words before the cursor, plus the current word
	# when it is a flag so that only matching flags come back.
	args=("${(@)words[2,CURRENT-1]}")
	[[ $cur == -* ]] && args+=("$cur")
	answer=("${(@f)$("${words[1]}" "${(@)args}" --generate-bash-completion 2>/dev/null)}")
	answer=("${(@)answer:#}")
	if (( ${#answer} )); then
		compadd -- "${(@)answer}"
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

const fishShellArgs = `complete -c @NAME@ -f -n '__fish_seen_subcommand_from @SHELL_CMDS@' -a '@SHELLS@'
`
