package shells

import (
	"fmt"
	"strings"

	"github.com/eich-dev/eich/hooks/settings"
)

// The blocks `eich ssh-config` prints, one per kind. `Match exec` runs its
// command through the user's $SHELL, whatever that is (sh, zsh, fish,
// csh), so each test is one plain command with no shell syntax.

// SSHConfigKinds are the kinds of block, the first the default.
var SSHConfigKinds = []string{"hook", "guard", "prevent"}

const hookBlock = `# eich: EC2 Instance Connect logins from a hooked shell (printed by
# ` + "`eich ssh-config hook`" + `). Put this block at the TOP of ~/.ssh/config: ssh keeps
# the first value it finds for each option. While a hooked shell runs an EIC
# command it exports ` + settings.EICVar + `=1; then ssh offers only the fresh -i key
# (IdentitiesOnly yes), so stale agent keys cannot use up MaxAuthTries, and
# does not add that key to the agent (AddKeysToAgent no), so nothing piles up.
Match exec "printenv ` + settings.EICVar + ` >/dev/null"
    IdentitiesOnly yes
    AddKeysToAgent no
# End of the eich block: what follows applies to every login again.
Match all
`

const guardBlock = `# eich: the guard, for every EC2 Instance Connect login wherever it starts
# (printed by ` + "`eich ssh-config guard`" + `). Put this block at the TOP of
# ~/.ssh/config. ssh runs the guard before it connects; for an EIC login
# (ssh's parent is ` + "`aws … ec2-instance-connect ssh`" + `) it records the exact key
# the AWS CLI wrote and removes stale EIC keys from the agent when it nears
# MaxAuthTries; for any other ssh it exits at once. No option changes.
Match exec "%s guard"
# End of the eich block: what follows applies to every login again.
Match all
`

const preventBlock = `# eich: prevention for every EC2 Instance Connect login wherever it starts
# (printed by ` + "`eich ssh-config prevent`" + `). Put this block at the TOP of
# ~/.ssh/config: ssh keeps the first value it finds for each option. For an
# EIC login (ssh's parent is ` + "`aws … ec2-instance-connect ssh`" + `) ssh offers only
# the fresh -i key (IdentitiesOnly yes) and does not add it to the agent
# (AddKeysToAgent no): nothing piles up and nothing needs removing.
Match exec "%s guard --test"
    IdentitiesOnly yes
    AddKeysToAgent no
# End of the eich block: what follows applies to every login again.
Match all
`

// SSHConfig returns the hook block, which `eich ssh-config` prints by
// default.
func SSHConfig() string { return hookBlock }

// SSHConfigBlock returns the block of the given kind; bin is the eich the
// guard blocks run (a path ssh can run from any environment, cron's too).
func SSHConfigBlock(kind, bin string) (string, error) {
	switch kind {
	case "", "hook":
		return hookBlock, nil
	case "guard":
		return fmt.Sprintf(guardBlock, matchExecWord(bin)), nil
	case "prevent":
		return fmt.Sprintf(preventBlock, matchExecWord(bin)), nil
	}
	return "", fmt.Errorf("ssh-config takes one of %s, got %.40q", strings.Join(SSHConfigKinds, ", "), kind)
}

// matchExecWord writes the binary's path for a `Match exec "…"` line:
// ssh expands % tokens there, so % is doubled; a path that would need
// quoting inside the quotes (a space, a quote, a backslash, a control
// character) is left to the PATH as plain "eich".
func matchExecWord(bin string) string {
	if bin == "" || strings.ContainsAny(bin, " \t\"'\\$`") || strings.IndexFunc(bin, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "eich"
	}
	return strings.ReplaceAll(bin, "%", "%%")
}
