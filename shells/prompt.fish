# prompt.fish: eich's prompt segment for fish, added to the hook by
# `eich init fish --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>. At each prompt the
# handler compares the file's time with this shell's marker,
# seen-<fish_pid>, which it truncates just before each read: it reads the
# file only when the file is not older than the marker (or the socket
# changed). A stat per prompt, no process (fish before 3.6 has no
# `test -nt`: there it reads the file at each prompt, still no process).
# Keys added to the agent by other tools show only after the next eich
# run. Exported, so starship's env_var module (a child process) sees it
# too.

# Filled in by `eich init fish --prompt`.
set -g _eich_state @EICH_STATE@
set -g _eich_seen $_eich_state/seen-$fish_pid
set -g _eich_sock
set -g _eich_file
set -gx EICH_PROMPT ''
# The test for "marker newer than the file": -nt where fish's test knows
# it (a false test is status 1, an unknown operator 2); before fish 3.6,
# `=` on the two paths, which is never true: the file is read each time.
set -g _eich_newer -nt
test / -nt / 2>/dev/null
test $status -le 1; or set _eich_newer =

# _eich_prompt: the fish_prompt handler: one `test`. fish_postexec
# handlers, such as the one that runs `eich hook post`, run before it, so
# the prompt after an EIC command shows the login's key.
function _eich_prompt --on-event fish_prompt
    if test "$SSH_AUTH_SOCK" != "$_eich_sock" -o \( -e "$_eich_file" -a ! "$_eich_seen" $_eich_newer "$_eich_file" \)
        _eich_read
    end
end

# _eich_read: names the prompt file after the socket, truncates the marker
# and reads the file's first line; no socket or no file: empty.
function _eich_read
    set -g _eich_sock "$SSH_AUTH_SOCK"
    set -g _eich_file
    set -gx EICH_PROMPT ''
    if test -n "$_eich_sock"
        set _eich_file $_eich_state/prompt-(string replace -a / % -- $_eich_sock)
    end
    if test -e "$_eich_file"
        test -w $_eich_state; and true >$_eich_seen
        read -gx EICH_PROMPT <$_eich_file
    end
end

_eich_read
