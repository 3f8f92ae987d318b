# prompt.zsh: eich's prompt segment for zsh, added to the hook by
# `eich init zsh --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>, and when the text
# changes it removes every shell's marker, seen-<pid>. This shell makes
# its marker just before it reads the file; at each prompt it reads again
# only when its marker is gone or SSH_AUTH_SOCK changed. One stat per
# prompt, no process. Keys added to the agent by other tools show only
# after the next eich run. Exported, so starship's env_var module (a child
# process) sees it too.

# Filled in by `eich init zsh --prompt`.
typeset -g _eich_state=@EICH_STATE@
typeset -g _eich_seen=$_eich_state/seen-$$
export EICH_PROMPT=
# zsh/system's sysopen creates the marker with O_EXCL alone; without it,
# NO_CLOBBER's `>` does, but falls back to opening a file that appeared
# meanwhile if it is not a regular one.
typeset -g _eich_sysopen=
zmodload -F zsh/system b:sysopen 2>/dev/null && _eich_sysopen=1

# _eich_read: makes the marker, reads the first line of the prompt file of
# this shell's agent (no socket or no file: empty) and keeps the socket it
# read for. The precmd hook (_eich_precmd, in eich.zsh) runs it when the
# marker is gone or the socket changed. After an EIC command it runs after
# `eich hook post`, so that prompt shows the login's key.
_eich_read() {
	emulate -L zsh
	local sock=${SSH_AUTH_SOCK-} file fd
	_eich_sock=$sock
	EICH_PROMPT=
	# Only in a state dir of this user's (`eich init` checked it in full),
	# with a regular file, or nothing yet, in the marker's place. eich
	# makes no FIFO, device or link there; opening one could block the
	# prompt or write elsewhere, so the segment is left out instead.
	if [[ -O $_eich_state && ! -L $_eich_seen && ( -f $_eich_seen || ! -e $_eich_seen ) ]]; then
		# Created exclusively: whatever appears there meanwhile makes
		# the creation fail, never block or follow a link.
		if [[ ! -e $_eich_seen ]]; then
			if [[ -n $_eich_sysopen ]]; then
				sysopen -w -o create,excl -u fd $_eich_seen 2>/dev/null && exec {fd}>&-
			else
				setopt no_clobber
				{ : >$_eich_seen } 2>/dev/null
			fi
		fi
		# Only a regular file is read: a FIFO would block the prompt.
		file=$_eich_state/prompt-${sock//\//%}
		if [[ -n $sock && -f $file && ! -L $file ]]; then
			IFS= read -r EICH_PROMPT <$file 2>/dev/null
		fi
	fi
}

_eich_read
# The precmd hook stays for the segment, at every prompt.
add-zsh-hook precmd _eich_precmd
