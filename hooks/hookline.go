package hooks

import (
	"errors"
	"fmt"

	"github.com/eich-dev/eich/hooks/bounded"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/sshagent"
)

// hookLine turns a report into the hook's one line, most urgent first.
// warnLate asks for a warning when the fresh key will be tried too late.
func hookLine(s *Settings, ss *session, rep *Report, warnLate bool) string {
	removed := len(rep.Removed)
	switch {
	case rep.Blocked != nil:
		return fmt.Sprintf("not removing stale keys: %v", rep.Blocked)
	case len(rep.NotAsked) > 0 || len(rep.Unsure) > 0:
		return fmt.Sprintf("hook budget (%v) spent: removed %d stale keys, %d not reached, %d unconfirmed; `eich log` lists them, `eich prune` finishes the job",
			s.HookBudget, removed, len(rep.NotAsked), len(rep.Unsure))
	case rep.Refusing:
		return fmt.Sprintf("the agent at %s did not remove %d stale keys (gpg-agent, 1Password, Bitwarden and Secretive keep them); add the block from `eich ssh-config` to ~/.ssh/config instead",
			rep.Agent, len(rep.Kept))
	case warnLate && !rep.Reachable() && s.Mode == policy.Off:
		return fmt.Sprintf("agent has %d keys, MaxAuthTries is %d: this login will likely fail (mode off: nothing removed; run `eich prune`)", rep.After, rep.Limit)
	case warnLate && !rep.Reachable():
		return fmt.Sprintf("agent still has %d keys eich may not remove (MaxAuthTries %d): this login will likely fail; fix: `eich ssh-config` (IdentitiesOnly yes), or `ssh-add -d` a key you do not need", rep.After, rep.Limit)
	case removed > 0 && !s.Quiet:
		return fmt.Sprintf("removed %d stale EC2 Instance Connect %s (agent %d → %d of %d)",
			removed, plural(removed, "key", "keys"), rep.Decision.Before, rep.After, rep.Limit)
	}
	if w := ss.warnings(); len(w) > 0 {
		return w[0]
	}
	return ""
}

// agentProblem is the hook's line for an agent error: none for no agent
// at all (nothing to protect), one line otherwise.
func agentProblem(err error) string {
	switch {
	case errors.Is(err, sshagent.ErrNoAgent):
		return ""
	case errors.Is(err, sshagent.ErrTooLarge):
		return err.Error() // says already that eich leaves the agent alone
	}
	return err.Error() + "; not pruning"
}

// runBounded runs a hook's work and says its line: with s.Detach set in
// a child process that the hook waits for only until its budget ends,
// else here. stdin is the child's standard input. When the budget ends
// first, the child removes nothing more, and what it had not written yet
// is not recorded.
func (s *Settings) runBounded(stdin []byte, work func() string) {
	if !s.Detach {
		say(s, work())
		return
	}
	start := s.start()
	done, err := bounded.Run(start, start.Add(s.HookBudget), stdin, s.stderr())
	switch {
	case err != nil: // no child to wait for: the work runs here, as it can
		say(s, work())
	case !done:
		say(s, fmt.Sprintf("hook budget (%v) spent before eich finished writing its state (a stalled disk?): the command runs; no more keys are removed, and what was not written is not recorded", s.HookBudget))
	}
}

// say prints the hook's one line, if any, on stderr.
func say(s *Settings, line string) {
	if line != "" {
		fmt.Fprintf(s.stderr(), "eich: %s\n", safetext.Line(line))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
