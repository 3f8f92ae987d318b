# prompt.zsh: eich's prompt segment for zsh, added to the hook by
# `eich init zsh --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>. At each prompt the
# precmd hook compares the file's time with this shell's marker,
# seen-<pid>, which it truncates just before each read: it reads the file
# only when the file is not older than the marker (or the socket changed).
# A stat per prompt, no process. Keys added to the agent by other tools
# show only after the next eich run. Exported, so starship's env_var module
# (a child process) sees it too.

# Filled in by `eich init zsh --prompt`.
typeset -g _eich_state=@EICH_STATE@
typeset -g _eich_seen=$_eich_state/seen-$$ _eich_sock= _eich_file=
export EICH_PROMPT=

# _eich_prompt: the precmd hook: a string test and a stat or two. After an
# EIC command it runs after `eich hook post` (_eich_precmd goes first), so
# that prompt shows the login's key. ($? needs no saving: zsh restores it
# after each hook function.)
_eich_prompt() {
	if [[ ${SSH_AUTH_SOCK-} != "$_eich_sock" || ( -e $_eich_file && ! $_eich_seen -nt $_eich_file ) ]]; then
		_eich_read
	fi
}

# _eich_read: names the prompt file after the socket, truncates the marker
# and reads the file's first line; no socket or no file: empty.
_eich_read() {
	_eich_sock=${SSH_AUTH_SOCK-}
	_eich_file=
	EICH_PROMPT=
	if [[ -n $_eich_sock ]]; then
		_eich_file=$_eich_state/prompt-${_eich_sock//\//%}
	fi
	if [[ -e $_eich_file ]]; then
		{
			true >|$_eich_seen
			IFS= read -r EICH_PROMPT <$_eich_file
		} 2>/dev/null
	fi
}

add-zsh-hook precmd _eich_prompt
_eich_read
