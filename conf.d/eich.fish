# conf.d/eich.fish: eich's hook for fisher (fisher install eich-dev/eich).
# It loads `eich init fish` in interactive shells when eich is on PATH.
# `fisher remove` emits eich_uninstall, which the hook handles: it takes
# itself out of the running session.
if status is-interactive; and type -q eich
    eich init fish | source
end
