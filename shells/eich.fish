# eich.fish: eich's hook for fish (3.1 and later).
#
# Load it from config.fish:  if status is-interactive; eich init fish | source; end
# in ~/.config/fish/config.fish, inside `if status is-interactive ... end`.
#
# Before a command line that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the fish_preexec handler runs `eich hook pre`,
# which prunes stale keys from the ssh agent; a fish_postexec handler,
# defined for that one line, runs `eich hook post`. While such a command
# runs, EICH_EIC=1 is exported (see `eich ssh-config`).
#
# fish hands the handler the line as typed (abbreviations already expanded).
# For every line, the handler runs one `switch` and nothing else: the fixed
# names, the extra names (filled in by `eich init fish`), and the names of
# the functions whose bodies look like an EIC command (fish aliases are
# functions), looked up once, at the first prompt after loading. Only a
# line that matches pays for more: the exact test, the bodies of the
# functions named in it (one level), the binary. Everything here is
# builtins: no fork for any other command. The one fish_prompt handler,
# _eich_prompt, runs at the first prompt, and then at every prompt only with
# the prompt segment (prompt.fish). Functions are redefined in place, so
# loading this twice changes nothing.

# Filled in by `eich init fish`.
set -g _eich_bin @EICH_BIN@
set -g -- _eich_extra @EICH_EXTRA@

# _eich_define [FUNCTION...]: sets the patterns of the preexec handler: the
# fixed names, one per extra name and one per FUNCTION; and the regular
# expression that finds an extra name as a whole word. Patterns may be
# loose: _eich_line decides.
function _eich_define
    set -g _eich_pats '*ec2-instance-connect*' '*mssh*'
    for n in $_eich_extra $argv
        set -a _eich_pats "*$n*"
    end
    set -g _eich_extra_re
    if set -q _eich_extra[1]
        set _eich_extra_re '(^|[^A-Za-z0-9_.+-])('(string join '|' -- (string escape --style=regex -- $_eich_extra))')([^A-Za-z0-9_.+-]|$)'
    end
end

# The fish_preexec handler, the only code run for every command line.
function _eich_preexec --on-event fish_preexec
    switch "$argv"
        case $_eich_pats
            _eich_line "$argv"
    end
end

# _eich_prompt: the fish_prompt handler: one `test`, true while the prompt
# segment's marker is there. _eich_seen is '' when this loads, so the first
# prompt runs _eich_step; with the segment, so does every prompt after its
# marker is gone or SSH_AUTH_SOCK changed (prompt.fish). fish_postexec
# handlers, such as the one that runs `eich hook post`, run before it, so
# the prompt after an EIC command shows the login's key.
function _eich_prompt --on-event fish_prompt
    test -e "$_eich_seen"; or _eich_step
end

# _eich_step: at the first prompt, _eich_scan; then, with the segment,
# reads it (_eich_read, prompt.fish); without, erases the handler: no
# function runs at a prompt between EIC commands.
function _eich_step
    if functions -q _eich_scan
        _eich_scan
    end
    if functions -q _eich_read
        _eich_read
    else
        functions -e _eich_prompt
    end
end

# _eich_scan: once, at the first prompt after loading (so functions defined
# after the init line count too): collects the names of the functions whose
# bodies look like an EIC command. Autoloadable functions are not loaded for
# this: those in the user's own functions directory are read from their
# files, fish's own are skipped.
function _eich_scan
    functions -e _eich_scan
    set -l found
    # Loaded functions that no autoload file defines (config.fish, aliases).
    # (`set` is the one place where an unmatched wildcard is no error.)
    set -l files $fish_function_path/*.fish
    set -l names (functions -n)
    if set -q files[1]; and set -q names[1]
        set -l auto (string replace -r '^.*/(.*)\.fish$' '$1' -- $files | string escape --style=regex)
        set names (string match -rv -- '^(?:'(string join '|' -- $auto)')$' $names)
    end
    for f in $names
        _eich_match (functions -- $f | string collect); and set -a found $f
    end
    # The user's own autoload files, read rather than loaded.
    set -l body
    for file in $__fish_config_dir/functions/*.fish
        read -z body <$file
        if _eich_match "$body"
            set -a found (string replace -r '^.*/(.*)\.fish$' '$1' -- $file)
        end
    end
    _eich_define $found
end

# _eich_match TEXT: true when TEXT may be an EIC command.
function _eich_match
    switch "$argv"
        case '*ec2-instance-connect*' '*mssh*'
            return 0
    end
    if set -q _eich_extra_re[1]
        string match -qr -- $_eich_extra_re "$argv"
        return
    end
    return 1
end

# _eich_usable: true when the binary can be run; otherwise says so once.
# A text file saved over the binary (an error page from `curl -o`) keeps its
# x bit, and would be run as a script: only a file that starts like a
# program (not printable text) or with #! is run.
function _eich_usable
    if test -f "$_eich_bin" -a -x "$_eich_bin" -a -s "$_eich_bin"
        # (fish's read drops bytes that are not UTF-8: m may come out empty)
        read -n 2 -l m <$_eich_bin 2>/dev/null
        if string match -q -- '#!*' "$m"; or not string match -qr -- '^[[:print:]]' "$m"
            return 0
        end
    end
    if not set -q _eich_warned
        set -g _eich_warned 1
        printf 'eich: %s not found, not executable or not a program; hook inactive (remove the eich line from ~/.config/fish/config.fish)\n' "$_eich_bin" >&2
    end
    return 1
end

# _eich_line LINE: a line that passed the handler's patterns. Tests it
# exactly, with the bodies of the functions named in it (one level), and
# runs `eich hook pre`; if that says EIC, exports EICH_EIC and defines the
# fish_postexec handler that closes the command.
function _eich_line
    set -l text "$argv"
    if not _eich_match "$text"
        if test (string length -- "$text") -gt 8192
            return 0
        end
        set -l found
        for w in (string match -ar -- '[^\s;|&()<>]+' "$text")
            if functions -q -- $w
                set found 1
                set text "$text"\n(functions -- $w | string collect)
            end
        end
        if not set -q found[1]; or not _eich_match "$text"
            return 0
        end
    end
    _eich_usable; or return 0
    if printf '%s\n' "$text" | $_eich_bin hook pre --session $fish_pid
        set -gx EICH_EIC 1
        # Closes the command, then erases itself.
        function _eich_postexec --on-event fish_postexec
            set -l s $status
            functions -e _eich_postexec
            set -e EICH_EIC
            if test -f "$_eich_bin" -a -x "$_eich_bin"
                $_eich_bin hook post --session $fish_pid --status $s </dev/null
            end
        end
    end
    return 0
end

# _eich_segment_off: takes the prompt segment (prompt.fish) out of this
# session. Run when this script loads, so that a hook loaded again without
# --prompt (after an edit of config.fish) leaves none running; prompt.fish,
# when it follows, sets it up again. Run by `fisher remove` too.
function _eich_segment_off
    functions -e _eich_agent_changed _eich_read
    set -e _eich_state EICH_PROMPT
    set -g _eich_seen ''
end

# _eich_uninstall: fisher's remove event (`fisher remove`): takes the hook
# and the prompt segment out of this session. A running EIC command is
# closed first.
function _eich_uninstall --on-event eich_uninstall
    if functions -q _eich_postexec
        _eich_postexec
    end
    _eich_segment_off
    functions -e _eich_preexec _eich_prompt _eich_step _eich_scan _eich_define _eich_match _eich_usable _eich_line _eich_segment_off _eich_uninstall
    set -e _eich_bin _eich_extra _eich_pats _eich_extra_re _eich_warned _eich_seen
end

_eich_segment_off
_eich_define
