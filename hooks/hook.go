package hooks

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Pre is `eich hook pre`: the shell calls it before a command line that
// may run an EIC login. It reports whether line is one; if so it prunes by
// the policy, registers the command as in flight with the agent's keys as
// they are now, and prints at most one line to stderr. It never fails the
// command: every problem becomes that one line.
func Pre(s *Settings, session, line string) bool {
	if !cmdline.IsEIC(line, s.ExtraCommands) {
		return false
	}
	say(s, preRun(s, session))
	return true
}

func preRun(s *Settings, session string) string {
	r, err := open(s, writeState)
	if err != nil {
		return agentProblem(err)
	}
	defer r.close()
	keys, err := r.inspect()
	if err != nil {
		return agentProblem(err)
	}
	inFlight := 0
	if r.dir != nil {
		inFlight = r.dir.CountInFlight(session, r.now)
	}
	rep, err := r.prune(keys, policy.Before, inFlight, false,
		fmt.Sprintf("before an EIC command: %d agent keys, limit %d, %d other EIC commands in flight", len(keys), s.Limit, inFlight))
	if err != nil {
		return agentProblem(err)
	}
	left := remaining(keys, rep)
	if r.lock != nil && state.ValidSession(session) {
		before := make([]string, len(left))
		for i, k := range left {
			before[i] = k.Fingerprint
		}
		if err := r.dir.StartInFlight(state.InFlight{Session: session, Started: r.now, Before: before}); err != nil {
			r.notes = append(r.notes, err.Error())
		}
	}
	r.remember(left)
	rep.Notes = append(r.notes, rep.Notes...)
	return hookLine(s, rep, true)
}

// Post is `eich hook post`: after the EIC command it records the keys of
// EIC's shape that appeared in the agent while the command ran, and in
// mode always removes every known EIC key. At most one line on stderr.
func Post(s *Settings, session string) {
	say(s, postRun(s, session))
}

func postRun(s *Settings, session string) string {
	r, err := open(s, writeState)
	if err != nil {
		if errors.Is(err, sshagent.ErrNoAgent) {
			return ""
		}
		return agentProblem(err)
	}
	defer r.close()
	list, err := r.agent.List()
	if err != nil {
		return agentProblem(err)
	}
	if r.lock != nil && r.noRemove == nil {
		if fin, ok, err := r.dir.FinishInFlight(session); err != nil {
			r.notes = append(r.notes, err.Error())
		} else if ok {
			for _, k := range Appeared(fin.Before, list) {
				r.ledger.MarkEIC(keyclass.Fingerprint(k), r.now)
			}
		}
	}
	keys := r.classify(list)
	rep, err := r.prune(keys, policy.After, 0, false, "after an EIC command (mode always)")
	if err != nil {
		return agentProblem(err)
	}
	r.remember(remaining(keys, rep))
	rep.Notes = append(r.notes, rep.Notes...)
	return hookLine(s, rep, false)
}

// Appeared returns the keys in after that were not in before and have
// the shape EIC tooling gives its keys. A key the user adds by hand in
// another terminal meanwhile has a comment (ssh-add uses the file name),
// so it is not taken for an EIC key.
func Appeared(before []string, after []*agent.Key) []*agent.Key {
	had := make(map[string]bool, len(before))
	for _, fp := range before {
		had[fp] = true
	}
	var out []*agent.Key
	for _, k := range after {
		if had[keyclass.Fingerprint(k)] {
			continue
		}
		if keyclass.HasEICShape(k) {
			out = append(out, k)
		}
	}
	return out
}

// hookLine turns a report into the hook's one line, most urgent first.
// warnLate asks for a warning when the fresh key will be tried too late.
func hookLine(s *Settings, rep *Report, warnLate bool) string {
	removed := len(rep.Removed)
	switch {
	case rep.Blocked != nil:
		return fmt.Sprintf("not removing stale keys: %v", rep.Blocked)
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
	case len(rep.Notes) > 0:
		return rep.Notes[0]
	}
	return ""
}

// agentProblem is the hook's line for an agent error: none for no agent
// at all (nothing to protect), one line otherwise.
func agentProblem(err error) string {
	if errors.Is(err, sshagent.ErrNoAgent) {
		return ""
	}
	return err.Error() + "; not pruning"
}

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
