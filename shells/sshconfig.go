package shells

// sshConfigBlock is printed by `eich ssh-config`. `Match exec` runs its
// command through the user's $SHELL, whatever that is (sh, zsh, fish, csh),
// so the test is `printenv`, which needs no shell syntax for variables.
const sshConfigBlock = `# eich: EC2 Instance Connect logins only (printed by ` + "`eich ssh-config`" + `).
# Put this block at the TOP of ~/.ssh/config: ssh keeps the first value it
# finds for each option. While a hooked shell runs an EIC command it exports
# ` + EnvVar + `=1; then ssh offers only the fresh -i key (IdentitiesOnly yes),
# so stale agent keys cannot use up MaxAuthTries, and does not add that key
# to the agent (AddKeysToAgent no), so nothing piles up.
Match exec "printenv ` + EnvVar + ` >/dev/null"
    IdentitiesOnly yes
    AddKeysToAgent no
# End of the eich block: what follows applies to every login again.
Match all
`

// SSHConfig returns the ssh config block that `eich ssh-config` prints.
func SSHConfig() string {
	return sshConfigBlock
}
