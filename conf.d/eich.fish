# conf.d/eich.fish: eich's hook for fisher (fisher install eich-dev/eich).
# When eich is on PATH it runs the README's line for config.fish,
# `if status is-interactive; eich init fish | source; end`, here as
# fish_indent lays it out: the hook loads in interactive shells only, since
# fish reads conf.d and config.fish for `fish -c` too (ssh's Match exec).
# `fisher remove` emits eich_uninstall, which the hook handles: it takes
# itself out of the running session.
if type -q eich
    if status is-interactive
        eich init fish | source
    end
end
