# eich.fish: eich's hook for fish (3.0 and later).
#
# Load it with:  eich init fish | source
# in ~/.config/fish/config.fish, inside `if status is-interactive ... end`.
#
# Before a command line that looks like an EC2 Instance Connect login
# (`aws ... ec2-instance-connect ssh ...`, `mssh`, or one of the extra command
# names from eich's config) the fish_preexec handler runs `eich hook pre`,
# which prunes stale keys from the ssh agent; the fish_postexec handler runs
# `eich hook post`. While such a command runs, EICH_EIC=1 is exported (see
# `eich ssh-config`).
#
# fish hands the handler the line as typed (abbreviations already expanded).
# Aliases are functions in fish: the bodies of functions named in the line
# are tested too (one level). Everything here is builtins: no fork for any
# other command. Functions are redefined in place, so loading this twice
# changes nothing.

# Filled in by `eich init fish`.
set -g _eich_bin @EICH_BIN@
set -g _eich_extra_re @EICH_EXTRA_RE@

# _eich_match TEXT: true when TEXT may be an EIC command.
function _eich_match
    switch "$argv"
        case '*ec2-instance-connect*' '*mssh*'
            return 0
    end
    if test -n "$_eich_extra_re"
        string match -qr -- $_eich_extra_re "$argv"
        return
    end
    return 1
end

# _eich_usable: true when the binary can be run; otherwise says so once.
function _eich_usable
    if test -f "$_eich_bin" -a -x "$_eich_bin"
        return 0
    end
    if not set -q _eich_warned
        set -g _eich_warned 1
        printf 'eich: %s not found or not executable; hook inactive (remove the eich line from ~/.config/fish/config.fish)\n' "$_eich_bin" >&2
    end
    return 1
end

function _eich_preexec --on-event fish_preexec
    set -l text "$argv"
    if not _eich_match "$text"
        # Functions (and so aliases) named in the line: test their bodies.
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
    if printf '%s\n' "$text" | $_eich_bin hook pre --shell fish --session $fish_pid
        set -gx EICH_EIC 1
        set -g _eich_active 1
    end
end

function _eich_postexec --on-event fish_postexec
    set -l s $status
    set -q _eich_active[1]; or return 0
    set -e _eich_active
    set -e EICH_EIC
    if test -f "$_eich_bin" -a -x "$_eich_bin"
        $_eich_bin hook post --shell fish --session $fish_pid --status $s </dev/null
    end
end
