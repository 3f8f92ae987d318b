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
# Two functions run for every command: the trap, _eich_debug (one `case`),
# and at the prompt _eich_precmd (it runs what the state variable, _eich_at,
# names: a bare `return` between EIC commands). Only a command that matches
# pays for more: the exact test (_eich_match), the binary. No fork for any
# other command, and none at start-up unless a DEBUG trap without a
# framework is already there to be read (bash 3.2: one always). $? and $_
# are kept. Loading this twice changes nothing.

# Filled in by `eich init bash`.
# shellcheck disable=SC2016 # a literal path, quoted by eich init
_eich_bin=@EICH_BIN@
_eich_extra=(@EICH_EXTRA@)

# The hook's state, _eich_at: the command that _eich_precmd runs at the
# next prompt.
#   _eich_first    the first prompt after loading: takes up ble.sh or
#                  bash-preexec
#   _eich_after    after an EIC command (or job control turned off by bash
#                  < 5.1): closes it with `eich hook post`
#   return         between EIC commands: nothing
#   _eich_segment  between EIC commands with the prompt segment
#                  (prompt.bash, `eich init bash --prompt`): its check
# _eich_rest is the state between EIC commands, return or _eich_segment.
# Loading this again without --prompt (after an edit of ~/.bashrc) leaves
# no segment running; prompt.bash, when it follows, sets it up again.
_eich_at=_eich_first
_eich_rest='return'
unset EICH_PROMPT

# _eich_precmd: the prompt hook, the first PROMPT_COMMAND entry (or the
# framework's precmd hook). Between EIC commands it runs a bare `return`,
# which returns the status the function was called with: $? is kept for
# the entries after it, for one variable's expansion. Each state function
# keeps it too.
_eich_precmd() {
	$_eich_at
}

# _eich_first: the state at the first prompt.
_eich_first() {
	local s=$?
	_eich_attach
	_eich_settle "$s"
}

# _eich_after: the state after an EIC command.
_eich_after() {
	local s=$?
	_eich_close "$s"
	_eich_settle "$s"
}

# _eich_settle STATUS: back to the state between EIC commands, which runs
# once now (the segment's check after `eich hook post`, so that the prompt
# after a login shows its key). Returns STATUS.
_eich_settle() {
	_eich_at=$_eich_rest
	if [ "$_eich_at" != return ]; then
		$_eich_at
	fi
	return "$1"
}

# The DEBUG trap. _eich_debug LASTARG is the only code run for every command:
# no `local`, no `return` (each costs more than the test). The argument
# restores $_ for the command. It returns 0: with `shopt -s extdebug` a
# non-zero return would skip the command. Tools that chain traps may call it
# with no arguments. Its one `case` tests for `ssh`, which every EIC login
# contains (`ec2-instance-connect ssh`, `mssh`), written as an s followed by
# another s or by a backslash, quote or `$` (`s\sh`, `s'sh'`, `s"sh"`,
# `s$'sh'`, which eich reads as ssh), and for each extra name; loose
# patterns: _eich_command decides. A pattern list is script text, never a
# variable's value, so the function is the one line made with eval: each
# extra name adds ` | *NAME*` (letters, digits, _ . + - only: no quoting).
# Each pattern costs every command, hence one for ssh.
# shellcheck disable=SC1003 # backslashes for the pattern, not escapes
_eich_pats='*s[s\\\"\$\'\'']*'
for _eich_n in ${_eich_extra[@]+"${_eich_extra[@]}"}; do
	_eich_pats+=" | *$_eich_n*"
done
eval "_eich_debug() { case \$BASH_COMMAND in $_eich_pats) _eich_command \"\$?\" ;; esac; }"
unset _eich_n _eich_pats

# _eich_chain STATUS LASTARG: the trap in front of another tool's DEBUG
# trap: runs _eich_debug and returns STATUS, so that trap sees the same $?
# (and $_); its own return is what counts for extdebug.
_eich_chain() {
	_eich_debug
	return "${1:-0}"
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
# functions never reach the trap), and in bash < 5.1 for the trap's second
# run for one `command ...`. Returns 0.
_eich_command() {
	if [ -n "${_eich_framework-}${COMP_LINE-}${READLINE_LINE+x}" ]; then
		return 0
	fi
	if [ -n "$_eich_old" ] && _eich_old_bash second; then
		return 0
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
# STATUS, runs `eich hook pre`; if that says EIC, exports EICH_EIC; the
# next prompt closes it (_eich_after).
_eich_line() {
	if [ -n "${_eich_active-}" ]; then
		_eich_close "$2"
	fi
	_eich_usable || return 0
	if [ -n "$_eich_old" ]; then
		_eich_old_bash pre "$1"
	fi
	if "$_eich_bin" hook pre --session "$$" <<<"$1"; then
		export EICH_EIC=1
		_eich_active=1
		_eich_at=_eich_after
	fi
	return 0
}

# _eich_close STATUS: closes the EIC command, if one runs, with `eich hook
# post`.
_eich_close() {
	if [ -n "$_eich_old" ]; then
		_eich_old_bash close
	fi
	if [ -n "${_eich_active-}" ]; then
		_eich_active=
		unset EICH_EIC
		if [ -f "$_eich_bin" ] && [ -x "$_eich_bin" ]; then
			"$_eich_bin" hook post --session "$$" --status "$1" </dev/null
		fi
	fi
}

# bash before 5.1 (3.2 to 5.0) needs two workarounds, for EIC commands
# only, both here. _eich_old is set for those versions alone; the rest of
# the hook calls _eich_old_bash only when it is.
#   - bash runs the DEBUG trap twice for `command aws ...` (once more for
#     `aws ...`): the second run is skipped, so each login gets one `hook
#     pre` and one `hook post`.
#   - A child started by the trap in the middle of a pipeline makes the
#     pipeline's later commands print "child setpgid ...: Operation not
#     permitted": job control is off from `eich hook pre` (without a
#     framework, which runs it before the line) to the next prompt, so the
#     rest of the pipeline starts without setpgid.
# _eich_old_bash second: true for the trap's second run for one
#   `command ...`.
# _eich_old_bash pre TEXT: before `eich hook pre` for TEXT.
# _eich_old_bash close: when the EIC command is closed.
_eich_old=
if ((BASH_VERSINFO[0] < 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] < 1))); then
	_eich_old=1
fi
_eich_inner=
_eich_old_bash() {
	case $1 in
	second)
		case $_eich_inner in
		'') return 1 ;;
		*"command $BASH_COMMAND" | *"command -p $BASH_COMMAND")
			_eich_inner=
			return 0
			;;
		esac
		_eich_inner=
		return 1
		;;
	pre)
		if [ -z "${_eich_framework-}" ]; then
			_eich_inner=$2
			case $- in
			*m*)
				set +m
				_eich_jobs=1
				_eich_at=_eich_after
				;;
			esac
		fi
		;;
	close)
		_eich_inner=
		if [ -n "${_eich_jobs-}" ]; then
			_eich_jobs=
			set -m
		fi
		;;
	esac
	return 0
}

# _eich_grab_trap -- CMD DEBUG: `trap -p DEBUG`'s output, unquoted by eval.
_eich_grab_trap() {
	_eich_t=${2-}
}

# Installs the hook once: with a framework loaded, its hooks; otherwise the
# DEBUG trap (ours first, then the one already there) and the first
# PROMPT_COMMAND entry (a string, or element 0 of the bash >= 5.1 array).
# The trap already there is read with `trap -p DEBUG`, which shows it only
# at the top level (not in a function), here. bash 4.0 and later tell
# without a process whether there is one: printing it to a closed stdout
# fails. Only then (and in bash 3.2, which ignores the failed write) is it
# read, in a command substitution: one fork, at start-up.
if ! _eich_attach; then
	if ((BASH_VERSINFO[0] < 4)) || ! trap -p DEBUG >&- 2>/dev/null; then
		_eich_t=$(trap -p DEBUG)
	else
		_eich_t=
	fi
	case $_eich_t in
	*_eich_debug* | *_eich_chain*) ;;
	'')
		# shellcheck disable=SC2016 # expanded when the trap runs
		trap -- '_eich_debug "$_"' DEBUG
		;;
	*)
		eval "_eich_grab_trap ${_eich_t#trap }"
		# shellcheck disable=SC2016 # expanded when the trap runs
		trap -- '_eich_chain "$?" "$_"'"
$_eich_t" DEBUG
		;;
	esac
	unset _eich_t
	case ${PROMPT_COMMAND-} in
	*_eich_precmd*) ;;
	*)
		PROMPT_COMMAND=_eich_precmd"${PROMPT_COMMAND:+
$PROMPT_COMMAND}"
		;;
	esac
fi
