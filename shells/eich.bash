# eich.bash: eich's hook for bash (3.2 and later).
#
# Load it with:  eval "$(eich init bash)"   (in ~/.bashrc)
#
# Before a command that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the hook runs `eich hook pre`, which prunes stale
# keys from the ssh agent; at the next prompt, `eich hook post`. While such a
# command runs, EICH_EIC=1 is exported (see `eich ssh-config`).
#
# bash has no preexec hook of its own, so the hook uses, first match wins:
#   - ble.sh's blehook PREEXEC / PRECMD, or bash-preexec's preexec_functions
#     / precmd_functions, when either is loaded: they hand over the whole
#     line. A framework loaded after this script is taken up at the first
#     prompt (bash-preexec installs itself there, after eich's entry).
#   - otherwise a DEBUG trap (in front of any trap already there), which
#     sees each simple command, aliases expanded, as $BASH_COMMAND, and the
#     first PROMPT_COMMAND entry.
# For every command the trap runs one `case` and nothing else; its patterns
# are built by _eich_define from `ssh` (which every EIC login contains) and
# the extra names. Only a command that matches pays for more: the exact
# test (_eich_match), the binary. No fork for any other command. $? and $_
# are kept. Loading this twice changes nothing.

# Filled in by `eich init bash`.
# shellcheck disable=SC2016 # a literal path, quoted by eich init
_eich_bin=@EICH_BIN@
_eich_extra=(@EICH_EXTRA@)

# bash before 5.1 runs the DEBUG trap twice for `command aws ...` (once more
# for `aws ...`), and a child started by the trap in the middle of a
# pipeline makes the pipeline's later commands print "child setpgid ...:
# Operation not permitted".
_eich_old=
if ((BASH_VERSINFO[0] < 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] < 1))); then
	_eich_old=1
fi

# _eich_define: (re)defines the DEBUG trap function with one pattern for
# `ssh`, which every EIC login contains (`ec2-instance-connect ssh`,
# `mssh`), and one per extra name. Patterns may be loose: _eich_command
# decides.
_eich_define() {
	# `ssh`, or an s followed by a backslash, quote or `$` (`s\sh`, `s'sh'`,
	# `s"sh"`, `s$'sh'`, which eich reads as ssh), in one pattern: each more
	# pattern costs every command.
	# shellcheck disable=SC1003 # backslashes for the pattern, not escapes
	local n q pats='*s[s\\\"\$\'\'']*'
	for n in ${_eich_extra[@]+"${_eich_extra[@]}"}; do
		printf -v q '%q' "$n"
		pats+=" | *$q*"
	done
	# _eich_debug LASTARG: the DEBUG trap, the only code run for every
	# command: no `local`, no `return` (each costs more than the test). The
	# argument restores $_ for the command. It returns 0: with `shopt -s
	# extdebug` a non-zero return would skip the command. Tools that chain
	# traps may call it with no arguments.
	eval "_eich_debug() {
		case \$BASH_COMMAND in
		$pats) _eich_command \"\$?\" ;;
		esac
	}"
}

# _eich_scan STATUS: once, at the first prompt (so a framework loaded after
# this script counts too): takes up ble.sh or bash-preexec if either is
# loaded, then runs the idle prompt hook once. Returns STATUS.
_eich_scan() {
	_eich_idle
	_eich_attach
	_eich_precmd
	return "$1"
}

# _eich_attach: hooks into ble.sh or bash-preexec when either is loaded;
# false when neither is.
_eich_attach() {
	if [ -n "${_eich_framework-}" ]; then
		return 0
	fi
	if [ -n "${BLE_VERSION-}" ] && declare -F blehook >/dev/null; then
		_eich_framework=ble.sh
		blehook PREEXEC!=_eich_preexec
		blehook PRECMD!=_eich_precmd
		return 0
	fi
	if [ -n "${bash_preexec_imported-}${__bp_imported-}" ]; then
		_eich_framework=bash-preexec
		preexec_functions+=(_eich_preexec)
		precmd_functions+=(_eich_precmd)
		return 0
	fi
	return 1
}

# _eich_preexec LINE: the framework's preexec hook, given the whole line.
_eich_preexec() {
	if _eich_match "${1-}"; then
		_eich_line "$1" 0
	fi
	return 0
}

# _eich_command STATUS: $BASH_COMMAND passed the trap's patterns. Skipped
# once a framework took over, for completion (COMP_LINE) and `bind -x`
# (READLINE_LINE), for commands written in PROMPT_COMMAND (commands inside
# functions never reach the trap), and for the second run of the trap for
# one `command ...`. Returns 0.
_eich_command() {
	if [ -n "${_eich_framework-}${COMP_LINE-}${READLINE_LINE+x}" ]; then
		return 0
	fi
	if [ -n "$_eich_inner" ]; then
		case $_eich_inner in
		*"command $BASH_COMMAND" | *"command -p $BASH_COMMAND")
			_eich_inner=
			return 0
			;;
		esac
		_eich_inner=
	fi
	if _eich_match "$BASH_COMMAND" && ! _eich_in_prompt_command "$BASH_COMMAND"; then
		_eich_line "$BASH_COMMAND" "$1"
	fi
	return 0
}

# _eich_in_prompt_command CMD: true when CMD is written in PROMPT_COMMAND
# (a string or an array).
_eich_in_prompt_command() {
	local e
	for e in ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; do
		case $e in
		*"$1"*) return 0 ;;
		esac
	done
	return 1
}

# _eich_match TEXT: true when TEXT may be an EIC command. Pattern tests only.
_eich_match() {
	case $1 in
	*ec2-instance-connect* | *mssh*) return 0 ;;
	esac
	local n
	for n in ${_eich_extra[@]+"${_eich_extra[@]}"}; do
		case " $1 " in
		*[!A-Za-z0-9_.+-]"$n"[!A-Za-z0-9_.+-]*) return 0 ;;
		esac
	done
	return 1
}

# _eich_usable: true when the binary can be run; otherwise says so once.
# A text file saved over the binary (an error page from `curl -o`) keeps its
# x bit, and bash would run it as a script: only a file that starts like a
# program (not printable text) or with #! is run.
_eich_usable() {
	local m=
	if [ -f "$_eich_bin" ] && [ -x "$_eich_bin" ] && [ -s "$_eich_bin" ]; then
		IFS= read -r -n 2 -d '' m <"$_eich_bin" 2>/dev/null
		case $m in
		'#!'*) return 0 ;;
		[[:print:]]*) ;;
		*) return 0 ;;
		esac
	fi
	if [ -z "${_eich_warned-}" ]; then
		_eich_warned=1
		printf 'eich: %s not found, not executable or not a program; hook inactive (remove the eich line from ~/.bashrc)\n' "$_eich_bin" >&2
	fi
	return 1
}

# _eich_line TEXT STATUS: an EIC-looking command (the trap) or line (a
# framework). Closes an EIC command still open on the same line with
# STATUS, runs `eich hook pre`; if that says EIC, exports EICH_EIC. Either
# EICH_EIC or job control off makes _eich_precmd call _eich_close at the
# next prompt.
_eich_line() {
	if [ -n "${_eich_active-}" ]; then
		_eich_close "$2"
	fi
	_eich_usable || return 0
	if [ -n "$_eich_old" ] && [ -z "${_eich_framework-}" ]; then
		_eich_inner=$1
		# Job control off until the prompt, before eich starts: the rest
		# of a pipeline then starts without setpgid.
		case $- in
		*m*)
			set +m
			_eich_jobs=1
			;;
		esac
	fi
	if "$_eich_bin" hook pre --shell bash --session "$$" <<<"$1"; then
		export EICH_EIC=1
		_eich_active=1
	fi
	if [ -n "${_eich_active-}${_eich_jobs-}" ]; then
		# Closes the command, then runs the idle form once: with
		# `--prompt` it refreshes the segment after `eich hook post`.
		# shellcheck disable=SC2317 # run at the prompt
		_eich_precmd() {
			_eich_close "$?"
			_eich_precmd "$?"
		}
	fi
	return 0
}

# _eich_close STATUS: job control back on; closes the EIC command, if one
# runs, with `eich hook post`; _eich_precmd back to its idle form. Returns
# STATUS.
_eich_close() {
	_eich_idle
	_eich_inner=
	if [ -n "${_eich_jobs-}" ]; then
		_eich_jobs=
		set -m
	fi
	if [ -n "${_eich_active-}" ]; then
		_eich_active=
		unset EICH_EIC
		if [ -f "$_eich_bin" ] && [ -x "$_eich_bin" ]; then
			"$_eich_bin" hook post --shell bash --session "$$" --status "$1" </dev/null
		fi
	fi
	return "$1"
}

# _eich_idle: makes _eich_precmd its form between EIC commands: a bare
# `return`, which keeps $? for what follows. `eich init bash --prompt`
# redefines this to refresh the prompt segment as well.
_eich_idle() {
	# shellcheck disable=SC2317 # run at the prompt
	_eich_precmd() {
		return
	}
}

# _eich_precmd: the prompt hook (first PROMPT_COMMAND entry, or the
# framework's precmd hook). At the first prompt it runs _eich_scan; between
# EIC commands it is the form _eich_idle defines; while an EIC command runs,
# _eich_line makes it call _eich_close.
_eich_precmd() {
	_eich_scan "$?"
}

# _eich_grab_trap -- CMD DEBUG: receives `trap -p DEBUG` output, unquoted by eval.
_eich_grab_trap() {
	_eich_prev_trap=${2-}
}

# _eich_install TRAP: installs the hook once; TRAP is what `trap -p DEBUG`
# printed at the top level. With a framework loaded, its hooks; otherwise
# the DEBUG trap (ours first, then the one already there) and the first
# PROMPT_COMMAND entry (a string, or element 0 of the bash >= 5.1 array).
_eich_install() {
	_eich_define
	if _eich_attach; then
		return 0
	fi
	case ${1-} in
	*_eich_debug* | *_eich_chain*) ;;
	*)
		_eich_prev_trap=
		if [ -n "${1-}" ]; then
			eval "_eich_grab_trap ${1#trap }"
		fi
		if [ -n "$_eich_prev_trap" ]; then
			# shellcheck disable=SC2016 # expanded when the trap runs
			trap -- '_eich_chain "$?" "$_"'"
$_eich_prev_trap" DEBUG
		else
			# shellcheck disable=SC2016 # expanded when the trap runs
			trap -- '_eich_debug "$_"' DEBUG
		fi
		;;
	esac
	case ${PROMPT_COMMAND-} in
	*_eich_precmd*) ;;
	*)
		PROMPT_COMMAND=_eich_precmd"${PROMPT_COMMAND:+
$PROMPT_COMMAND}"
		;;
	esac
}

# _eich_chain STATUS LASTARG: the trap in front of another tool's DEBUG
# trap: runs _eich_debug and returns STATUS, so that trap sees the same $?
# (and $_); its own return is what counts for extdebug.
_eich_chain() {
	_eich_debug
	return "${1:-0}"
}

# `trap -p DEBUG` sees the trap only at the top level (functions and command
# substitutions do not inherit it), so it is read back through a file, once.
_eich_inner=
_eich_t=
# Loaded again without --prompt (after an edit of ~/.bashrc): no prompt
# segment is left running (_eich_idle above is the bare one again).
# prompt.bash, when it follows, sets it up again.
unset EICH_PROMPT
_eich_tf=$(mktemp "${TMPDIR:-/tmp}/eich.XXXXXX") || _eich_tf=
if [ -n "$_eich_tf" ]; then
	trap -p DEBUG >"$_eich_tf"
	IFS= read -r -d '' _eich_t <"$_eich_tf"
	rm -f -- "$_eich_tf"
fi
_eich_install "$_eich_t"
unset _eich_t _eich_tf
