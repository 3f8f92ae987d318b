# prompt.fish: eich's prompt segment for fish, added to the hook by
# `eich init fish --prompt`.
#
# Keeps the exported variable EICH_PROMPT equal to what `eich status`
# printed last for this shell's agent: every eich run that lists the agent
# (the hooks, status, list, prune) leaves that text in the state dir, in
# prompt-<SSH_AUTH_SOCK with each / written as %>, and when the text
# changes it removes every shell's marker, seen-<fish_pid>. This shell
# makes its marker just before it reads the file; at each prompt it reads
# again only when its marker is gone, or SSH_AUTH_SOCK changed since (fish
# tells: a variable handler). One stat per prompt, no process. Keys added
# to the agent by other tools show only after the next eich run.
# Exported, so starship's env_var module (a child process) sees it too.

# Filled in by `eich init fish --prompt`.
set -g _eich_state @EICH_STATE@
# The prompt handler (_eich_prompt, in eich.fish) tests the marker,
# _eich_seen: '' (never there) until the first prompt's read, and again
# whenever SSH_AUTH_SOCK changes.
set -gx EICH_PROMPT ''

function _eich_agent_changed --on-variable SSH_AUTH_SOCK
    set -g _eich_seen ''
end

# _eich_read: makes the marker and reads the first line of the prompt file
# of this shell's agent; no socket or no file: empty.
function _eich_read
    set -g _eich_seen $_eich_state/seen-$fish_pid
    set -gx EICH_PROMPT ''
    # Only in a state dir of this user's (`eich init` checked it in full),
    # with a regular file, or nothing yet, in the marker's place. eich
    # makes no FIFO, device or link there; opening one could block the
    # prompt or write elsewhere, so the segment is left out instead.
    if test -O $_eich_state -a -w $_eich_state -a ! -L $_eich_seen
        and begin
            test -f $_eich_seen; or not test -e $_eich_seen
        end
        # >? creates with O_EXCL: whatever appears there meanwhile makes
        # the creation fail (fish then warns), never block or follow a
        # link.
        if not test -e $_eich_seen
            true >?$_eich_seen
        end
        # Only a regular file is read: a FIFO would block the prompt.
        set -l file $_eich_state/prompt-(string replace -a / % -- "$SSH_AUTH_SOCK")
        if test -n "$SSH_AUTH_SOCK" -a -f $file -a ! -L $file
            read -gx EICH_PROMPT <$file
        end
    end
end

# Read now, for the first prompt; the marker stays '' so that the first
# prompt still runs the hook's one-time work (eich.fish's _eich_step).
_eich_read
set -g _eich_seen ''
