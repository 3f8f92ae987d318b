# eich.zsh: eich's hook for zsh.
#
# Load it with:  eval "$(eich init zsh)"   (in ~/.zshrc)
#
# Before a command line that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the preexec hook runs `eich hook pre`, which prunes
# stale keys from the ssh agent; the next precmd runs `eich hook post`. While
# such a command runs, EICH_EIC=1 is exported (see `eich ssh-config`).
#
# The test uses preexec's third argument: the whole line with aliases
# expanded. The bodies of functions named in the line are tested too (one
# level), so a function wrapping `aws ec2-instance-connect ssh` is caught.
# Every other command costs only pattern tests in the shell: no fork.
# Hooks go through add-zsh-hook, so loading this twice changes nothing.

# Filled in by `eich init zsh`.
typeset -g _eich_bin=@EICH_BIN@
typeset -ga _eich_extra
_eich_extra=(@EICH_EXTRA@)

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
_eich_usable() {
	[[ -f $_eich_bin && -x $_eich_bin ]] && return 0
	if [[ -z ${_eich_warned-} ]]; then
		typeset -g _eich_warned=1
		print -ru2 -- "eich: $_eich_bin not found or not executable; hook inactive (remove the eich line from ~/.zshrc)"
	fi
	return 1
}

# _eich_preexec TYPED SHORT FULL: the preexec hook.
_eich_preexec() {
	emulate -L zsh
	local text=$3 w
	if ! _eich_match "$text"; then
		# Functions named in the line: test their bodies (one level).
		(( ${#text} <= 8192 )) || return 0
		for w in ${(z)text}; do
			(( $+functions[$w] )) && text+=$'\n'"$functions[$w]"
		done
		(( ${#text} > ${#3} )) || return 0
		_eich_match "$text" || return 0
	fi
	_eich_usable || return 0
	if "$_eich_bin" hook pre --shell zsh --session $$ <<<"$text"; then
		export EICH_EIC=1
		typeset -g _eich_active=1
	fi
	return 0
}

# _eich_precmd: the precmd hook; closes an EIC command. Keeps $?.
_eich_precmd() {
	local s=$?
	[[ -n ${_eich_active-} ]] || return $s
	typeset -g _eich_active=
	unset EICH_EIC
	if [[ -f $_eich_bin && -x $_eich_bin ]]; then
		"$_eich_bin" hook post --shell zsh --session $$ --status $s </dev/null
	fi
	return $s
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec _eich_preexec
add-zsh-hook precmd _eich_precmd
