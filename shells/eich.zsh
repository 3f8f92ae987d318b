# eich.zsh: eich's hook for zsh.
#
# Load it with:  eval "$(eich init zsh)"   (in ~/.zshrc)
#
# Before a command line that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the preexec hook runs `eich hook pre`, which prunes
# stale keys from the ssh agent; a precmd hook, added for that one line, runs
# `eich hook post`. While such a command runs, EICH_EIC=1 is exported (see
# `eich ssh-config`).
#
# The test uses preexec's third argument: the whole line with aliases
# expanded. For every line, preexec runs one `case` and nothing else; its
# patterns are built by _eich_define: the fixed names, the extra names, and
# the names of the functions whose bodies look like an EIC command (looked
# up once, at the first prompt after loading), so a function wrapping
# `aws ec2-instance-connect ssh` is caught too. Only a line that matches
# pays for more: the exact test (_eich_match), the bodies of the functions
# named in it (one level), the binary. No fork for any other command. The
# one precmd hook, _eich_precmd, is there only while it has work: at the
# first prompt, after an EIC command, and at every prompt with the prompt
# segment (prompt.zsh). Hooks go through add-zsh-hook, so loading this
# twice changes nothing.

# Filled in by `eich init zsh`.
typeset -g _eich_bin=@EICH_BIN@
typeset -ga _eich_extra
_eich_extra=(@EICH_EXTRA@)

# _eich_define [FUNCTION...]: (re)defines the preexec hook with the fixed
# patterns, one per extra name and one per FUNCTION. Patterns may be loose:
# _eich_line decides.
_eich_define() {
	emulate -L zsh
	local n pats='*ec2-instance-connect*|*mssh*'
	for n in $_eich_extra $@; do
		pats+="|*${(q)n}*"
	done
	# _eich_preexec TYPED SHORT FULL: the preexec hook, the only code run
	# for every command line.
	eval "_eich_preexec() {
		case \$3 in
		($pats) _eich_line \"\$3\" ;;
		esac
	}"
}

# _eich_scan: at the first prompt after loading (so functions defined
# later in ~/.zshrc count too): finds the functions whose bodies look like
# an EIC command and redefines the preexec hook with their names.
_eich_scan() {
	emulate -L zsh
	local n p found=()
	# One pattern for all the names, matched against every function body
	# by zsh itself; _eich_match then checks each candidate exactly.
	p="*(ec2-instance-connect|mssh${(j::)${(@)${(@b)_eich_extra}/#/|}})*"
	for n in ${(k)functions[(R)${~p}]}; do
		if [[ $n != _eich_* ]] && _eich_match "$functions[$n]"; then
			found+=($n)
		fi
	done
	_eich_define $found
}

# _eich_match TEXT: true when TEXT may be an EIC command. Pattern tests only.
_eich_match() {
	emulate -L zsh
	case $1 in
	(*ec2-instance-connect*|*mssh*) return 0 ;;
	esac
	local n
	for n in $_eich_extra; do
		[[ " $1 " == *[^A-Za-z0-9_.+-]${n}[^A-Za-z0-9_.+-]* ]] && return 0
	done
	return 1
}

# _eich_usable: true when the binary can be run; otherwise says so once.
# A text file saved over the binary (an error page from `curl -o`) keeps its
# x bit, and the shell would run it as a script: only a file that starts
# like a program (not printable text) or with #! is run.
_eich_usable() {
	local m=
	if [[ -f $_eich_bin && -x $_eich_bin && -s $_eich_bin ]]; then
		IFS= read -r -k 2 -u 0 m <$_eich_bin 2>/dev/null
		case $m in
		('#!'*) return 0 ;;
		([[:print:]]*) ;;
		(*) return 0 ;;
		esac
	fi
	if [[ -z ${_eich_warned-} ]]; then
		typeset -g _eich_warned=1
		print -ru2 -- "eich: $_eich_bin not found, not executable or not a program; hook inactive (remove the eich line from ~/.zshrc)"
	fi
	return 1
}

# _eich_line LINE: a line that passed preexec's patterns. Tests it exactly,
# with the bodies of the functions named in it (one level), and runs
# `eich hook pre`; if that says EIC, exports EICH_EIC and puts the precmd
# hook, which closes the command, in front of the others.
_eich_line() {
	emulate -L zsh
	local text=$1 w
	if ! _eich_match "$text"; then
		(( ${#text} <= 8192 )) || return 0
		for w in ${(z)text}; do
			(( $+functions[$w] )) && text+=$'\n'"$functions[$w]"
		done
		(( ${#text} > ${#1} )) || return 0
		_eich_match "$text" || return 0
	fi
	_eich_usable || return 0
	if "$_eich_bin" hook pre --session $$ <<<"$text"; then
		export EICH_EIC=1
		typeset -g _eich_at=close
		# First of the precmd hooks, so that those that show the agent's
		# state (a prompt segment) run after `eich hook post`.
		precmd_functions=(_eich_precmd ${precmd_functions:#_eich_precmd})
	fi
	return 0
}

# The hook's state, _eich_at: what _eich_precmd does at the next prompt.
#   scan   the first prompt after loading: _eich_scan
#   close  after an EIC command: `eich hook post`
#   ''     nothing; with the prompt segment (prompt.zsh: _eich_seen is
#          set) its check
# _eich_precmd: the precmd hook. Between EIC commands with the segment it is
# one test: no state, the marker is there and the socket is the one read
# for. ($? needs no saving: zsh restores it after each hook function. It is
# kept in _eich_s for `eich hook post` only when there is a state: an
# assignment at every prompt would cost 3,000 instructions.)
_eich_precmd() {
	[[ -z ${_eich_at:+${_eich_s::=$?}x} && -e $_eich_seen && ${SSH_AUTH_SOCK-} == "$_eich_sock" ]] || _eich_step
}

# _eich_step: the precmd hook's work in the other states, then the state
# between EIC commands: with the segment, reads it (after `eich hook post`,
# so that the prompt after a login shows its key); without, removes the
# hook.
_eich_step() {
	case $_eich_at in
	(scan) _eich_scan ;;
	(close)
		unset EICH_EIC
		if [[ -f $_eich_bin && -x $_eich_bin ]]; then
			"$_eich_bin" hook post --session $$ --status $_eich_s </dev/null
		fi
		;;
	esac
	_eich_at=
	if [[ -n $_eich_seen ]]; then
		_eich_read
	else
		add-zsh-hook -d precmd _eich_precmd
	fi
}

autoload -Uz add-zsh-hook
# Loaded again without --prompt (after an edit of ~/.zshrc): no prompt
# segment is left running. prompt.zsh, when it follows, sets it up again.
unset EICH_PROMPT
typeset -g _eich_seen= _eich_sock=
typeset -g _eich_at=scan _eich_s=0
_eich_define
add-zsh-hook preexec _eich_preexec
add-zsh-hook precmd _eich_precmd
