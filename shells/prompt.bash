# prompt.bash: eich's prompt segment for bash, added to the hook by
# `eich init bash --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>, and when the text
# changes it removes every shell's marker, seen-<pid>. This shell makes
# its marker just before it reads the file; at each prompt it reads again
# only when its marker is gone or SSH_AUTH_SOCK changed. One stat per
# prompt, no process; $? and $_ are kept. Keys added to the agent by other
# tools show only after the next eich run. Exported, so starship's env_var
# module (a child process) sees it too.

# Filled in by `eich init bash --prompt`.
# shellcheck disable=SC2016 # a literal path, quoted by eich init
_eich_state=@EICH_STATE@
_eich_seen=$_eich_state/seen-$$
export EICH_PROMPT=

# _eich_segment: what the prompt hook (_eich_precmd, in eich.bash) runs
# between EIC commands, at the first prompt and after an EIC command too:
# tests the socket, as the pattern _eich_read made, and the marker, and
# reads when either fails. Keeps $?: after a command that succeeded the
# test's own status is it; otherwise it runs again with $? 0 (that of the
# assignment), then returns the status (saving it for every command would
# cost 10,000 instructions).
_eich_segment() {
	case $? in
	0)
		# shellcheck disable=SC2053 # a pattern, made by _eich_read
		[[ ${SSH_AUTH_SOCK-} == $_eich_sockpat && -e $_eich_seen ]] || _eich_read
		;;
	*)
		_eich_s=$?
		_eich_segment
		return "$_eich_s"
		;;
	esac
}
_eich_rest=_eich_segment

# _eich_read: makes the marker, then reads the first line of the prompt
# file of this shell's agent; no socket or no file: empty. Keeps the socket
# as a pattern for the prompt hook: %q writes each character special in a
# pattern with a backslash. (A control character makes %q write $'...',
# which matches nothing: such a socket is read at every prompt.) Returns 0.
_eich_read() {
	local file sock=${SSH_AUTH_SOCK-}
	_eich_sockpat=
	if [ -n "$sock" ]; then
		printf -v _eich_sockpat '%q' "$sock"
	fi
	EICH_PROMPT=
	# Only in a state dir of this user's (`eich init` checked it in full),
	# with a regular file, or nothing yet, in the marker's place. eich
	# makes no FIFO, device or link there; opening one could block the
	# prompt or write elsewhere, so the segment is left out instead.
	if [ -O "$_eich_state" ] && [ ! -L "$_eich_seen" ] &&
		{ [ -f "$_eich_seen" ] || [ ! -e "$_eich_seen" ]; }; then
		# With noclobber (set -C, put back after) bash creates a missing
		# file with O_EXCL: whatever appears there meanwhile makes the
		# creation fail, not follow a link. (bash opens a FIFO that
		# appears between its own check and the open: only another
		# process of this user's, racing the prompt, could do that.)
		if [ ! -e "$_eich_seen" ]; then
			case $- in
			*C*) { : >"$_eich_seen"; } 2>/dev/null ;;
			*)
				set -C
				{ : >"$_eich_seen"; } 2>/dev/null
				set +C
				;;
			esac
		fi
		# Only a regular file is read: a FIFO would block the prompt.
		file=$_eich_state/prompt-${sock//\//%}
		if [ -n "$sock" ] && [ -f "$file" ] && [ ! -L "$file" ]; then
			IFS= read -r EICH_PROMPT 2>/dev/null <"$file"
		fi
	fi
	return 0
}

_eich_read
