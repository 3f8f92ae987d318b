# conf.d/eich.fish: eich's hook for fisher (fisher install eich-dev/eich).
# It loads `eich init fish` in interactive shells when eich is on PATH.
if status is-interactive; and type -q eich
    eich init fish | source
end
