# prompt.bash: eich's prompt segment for bash, added to the hook by
# `eich init bash --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>. At each prompt the hook
# compares the file's time with this shell's marker, seen-<pid>, which it
# truncates just before each read: it reads the file only when the file is
# not older than the marker (or the socket changed). A stat per prompt, no
# process; $? and $_ are kept. Keys added to the agent by other tools show
# only after the next eich run. Exported, so starship's env_var module (a
# child process) sees it too.

# Filled in by `eich init bash --prompt`.
# shellcheck disable=SC2016 # a literal path, quoted by eich init
_eich_state=@EICH_STATE@
_eich_seen=$_eich_state/seen-$$
_eich_sock=
_eich_file=
export EICH_PROMPT=

# _eich_idle: between EIC commands the prompt hook refreshes the segment:
# a string test and a stat or two. It runs at the first prompt too
# (_eich_scan), and after an EIC command once more, after `eich hook post`
# (see _eich_line), so that prompt shows the login's key. Keeps $? (in a
# global: `local` costs more).
_eich_idle() {
	# shellcheck disable=SC2317 # run at the prompt
	_eich_precmd() {
		_eich_s=$?
		if [[ ${SSH_AUTH_SOCK-} != "$_eich_sock" || ( -e $_eich_file && ! $_eich_seen -nt $_eich_file ) ]]; then
			_eich_read
		fi
		return $_eich_s
	}
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
		true 2>/dev/null >|"$_eich_seen"
		IFS= read -r EICH_PROMPT 2>/dev/null <"$_eich_file"
	fi
}
