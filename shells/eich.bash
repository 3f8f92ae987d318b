# eich.bash: eich's hook for bash 3.2 to 5.2.
#
# Load it with:  eval "$(eich init bash)"   (in ~/.bashrc)
#
# Before a command that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the hook runs `eich hook pre`, which prunes stale
# keys from the ssh agent; after it, `eich hook post`. While such a command
# runs, EICH_EIC=1 is exported (see `eich ssh-config`). Every other command
# costs only a pattern test in the shell itself: no fork, no subshell.
#
# Mechanism, first match wins:
#   - ble.sh loaded (now, or later: noticed at the first command that
#     reaches eich's trap and looks like EIC): blehook PREEXEC / PRECMD;
#   - bash-preexec loaded (likewise): preexec_functions / precmd_functions;
#   - otherwise its own: a DEBUG trap (chained in front of any existing one)
#     tests $BASH_COMMAND, the simple command about to run with aliases
#     expanded, with one `case`; only a command that matches pays for more.
#     Commands written in PROMPT_COMMAND, completion and `bind -x` are
#     skipped (commands inside functions never reach the trap). The first
#     PROMPT_COMMAND entry closes an EIC command.
#     The trap returns 0 (extdebug); $? and $_ are preserved.
# Loading it twice changes nothing.

# Filled in by `eich init bash`.
# shellcheck disable=SC2016 # a literal path, quoted by eich init
_eich_bin=@EICH_BIN@
_eich_extra=(@EICH_EXTRA@)

# _eich_match TEXT: true when TEXT may be an EIC command. Pattern tests only.
_eich_match() {
	case $1 in
	*ec2-instance-connect* | *mssh*) return 0 ;;
	esac
	[ "${#_eich_extra[@]}" -gt 0 ] || return 1
	local n
	for n in "${_eich_extra[@]}"; do
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

# _eich_pre TEXT STATUS: runs `eich hook pre` for an EIC-looking command.
_eich_pre() {
	if [ -n "${_eich_active-}" ]; then
		# A second EIC command on the same line: close the first one.
		_eich_post "${2-0}"
	fi
	_eich_usable || return 0
	if "$_eich_bin" hook pre --shell bash --session "$$" <<<"$1"; then
		export EICH_EIC=1
		_eich_active=1
		# Closed at the next prompt (own mechanism; frameworks call
		# _eich_hook_precmd).
		# shellcheck disable=SC2317 # run by PROMPT_COMMAND
		_eich_precmd() {
			_eich_close "$?"
		}
	fi
	return 0
}

# _eich_post STATUS: runs `eich hook post` after an EIC command.
_eich_post() {
	_eich_active=
	unset EICH_EIC
	if [ -f "$_eich_bin" ] && [ -x "$_eich_bin" ]; then
		"$_eich_bin" hook post --shell bash --session "$$" --status "${1-0}" </dev/null
	fi
	return 0
}

# _eich_debug LASTARG: the DEBUG trap, the only code run for every
# command: one `case` on $BASH_COMMAND, no `local`, no `return` (each would
# cost more than the test). The pattern is loose (every EIC login has
# "ssh" in it: `ec2-instance-connect ssh`, `mssh`); the extra names are
# filled in by `eich init bash`; _eich_command decides. The argument
# restores $_ for whatever runs next. It returns 0: with `shopt -s extdebug`
# a non-zero return would skip the command. Tools that chain traps may call
# it with no arguments (older starship runs the first word of the trap it
# found).
_eich_debug() {
	# shellcheck disable=SC2221,SC2222 # an extra name may contain "ssh"
	case $BASH_COMMAND in
	*ssh*@EICH_EXTRA_PAT@) _eich_command "$?" ;;
	esac
}

# _eich_chain STATUS LASTARG: the trap in front of another tool's DEBUG
# trap: runs _eich_debug and returns STATUS, so that trap sees the same $?
# (and $_); its own return is what counts for extdebug.
_eich_chain() {
	_eich_debug
	return "${1:-0}"
}

# _eich_command STATUS: $BASH_COMMAND passed the trap's pattern. Skipped for
# completion (COMP_LINE), `bind -x` (READLINE_LINE), commands written in
# PROMPT_COMMAND, and once ble.sh or bash-preexec took over; else tested
# exactly and handed to eich. A ble.sh or bash-preexec loaded after eich is
# noticed here, at the first command that reaches this point (bash-preexec
# then calls eich's trap only for the first command of a line; ble.sh runs
# its own command loop): eich switches to its hooks, which get the
# following lines. Returns 0.
_eich_command() {
	if [ -z "${_eich_framework-}" ] && [ -n "${BLE_VERSION-}${bash_preexec_imported-}${__bp_imported-}" ] && _eich_use_framework; then
		if _eich_match "$BASH_COMMAND"; then
			_eich_pre "$BASH_COMMAND" "${1:-0}"
		fi
		return 0
	fi
	if [ -z "${_eich_framework-}" ] && [ -z "${COMP_LINE-}" ] && [ -z "${READLINE_LINE+x}" ]; then
		if _eich_match "$BASH_COMMAND" && ! _eich_in_prompt_command "$BASH_COMMAND"; then
			_eich_pre "$BASH_COMMAND" "${1:-0}"
		fi
	fi
	return 0
}

# _eich_in_prompt_command CMD: true when CMD is written in PROMPT_COMMAND
# (string or array): that keeps PROMPT_COMMAND's commands out, since
# commands inside functions never reach the trap. Only EIC-looking commands
# get here.
_eich_in_prompt_command() {
	local e
	for e in ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; do
		case $e in
		*"$1"*) return 0 ;;
		esac
	done
	return 1
}

# _eich_precmd: first PROMPT_COMMAND entry. Between EIC commands it only
# keeps $? for the entries after it: a bare `return` returns the status the
# function was called with. While an EIC command runs, _eich_pre redefines
# it to call _eich_close. (bash restores $? and $_ after PROMPT_COMMAND.)
_eich_precmd() {
	return
}

# _eich_close STATUS: closes the EIC command, puts _eich_precmd back.
# Returns STATUS.
_eich_close() {
	# shellcheck disable=SC2317 # run by PROMPT_COMMAND
	_eich_precmd() {
		return
	}
	if [ -n "${_eich_active-}" ]; then
		_eich_post "$1"
	fi
	return "$1"
}

# _eich_use_framework: hooks into ble.sh or bash-preexec when either is
# loaded (once); false when neither is.
_eich_use_framework() {
	local f
	if [ -n "${BLE_VERSION-}" ] && declare -F blehook >/dev/null; then
		_eich_framework=ble.sh
		blehook PREEXEC!=_eich_hook_preexec
		blehook PRECMD!=_eich_hook_precmd
		return 0
	fi
	if [ -n "${bash_preexec_imported-}${__bp_imported-}" ]; then
		_eich_framework=bash-preexec
		for f in ${preexec_functions[@]+"${preexec_functions[@]}"}; do
			[ "$f" = _eich_hook_preexec ] && return 0
		done
		preexec_functions+=(_eich_hook_preexec)
		precmd_functions+=(_eich_hook_precmd)
		return 0
	fi
	return 1
}

# _eich_hook_preexec LINE / _eich_hook_precmd: for bash-preexec and ble.sh,
# which hand over the whole command line.
_eich_hook_preexec() {
	if _eich_match "${1-}"; then
		_eich_pre "$1" 0
	fi
}
_eich_hook_precmd() {
	local s=$?
	if [ -n "${_eich_active-}" ]; then
		_eich_post "$s"
	fi
	return "$s"
}

# _eich_grab_trap -- CMD DEBUG: receives `trap -p DEBUG` output, unquoted by eval.
_eich_grab_trap() {
	_eich_prev_trap=${2-}
}

# _eich_install TRAP: installs the hook once, with the best mechanism
# available; TRAP is what `trap -p DEBUG` printed at the top level.
_eich_install() {
	if _eich_use_framework; then
		return 0
	fi

	# Own mechanism. The DEBUG trap: ours first, then the one already there.
	local t=${1-}
	case $t in
	*_eich_debug* | *_eich_chain*) ;;
	*)
		_eich_prev_trap=
		if [ -n "$t" ]; then
			eval "_eich_grab_trap ${t#trap }"
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

	# PROMPT_COMMAND (a string, or element 0 of the bash >= 5.1 array): ours first.
	case ${PROMPT_COMMAND-} in
	*_eich_precmd*) ;;
	*)
		PROMPT_COMMAND=_eich_precmd"${PROMPT_COMMAND:+
$PROMPT_COMMAND}"
		;;
	esac
}

# `trap -p DEBUG` sees the trap only at the top level (functions and command
# substitutions do not inherit it), so it is read back through a file, once.
_eich_t=
_eich_tf=$(mktemp "${TMPDIR:-/tmp}/eich.XXXXXX") || _eich_tf=
if [ -n "$_eich_tf" ]; then
	trap -p DEBUG >"$_eich_tf"
	IFS= read -r -d '' _eich_t <"$_eich_tf"
	rm -f -- "$_eich_tf"
fi
_eich_install "$_eich_t"
unset _eich_t _eich_tf
