# eich.plugin.zsh: eich's hook for zsh plugin managers (oh-my-zsh, zinit,
# antidote, …). It loads `eich init zsh` when eich is on PATH, else nothing.
if (( ${+commands[eich]} )); then
	eval "$(eich init zsh)"
fi
