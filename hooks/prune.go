package hooks

import (
	"errors"
	"fmt"

	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Report says what a prune decided and what really happened.
type Report struct {
	Decision policy.Decision
	Agent    string // the agent's socket
	Limit    int
	InFlight int
	Planned  []Key // what the policy chose
	Removed  []Key // gone from the agent when listed again
	Kept     []Key // asked to remove, still there (refused or faked)
	After    int   // keys in the agent at the end
	DryRun   bool
	// Blocked says why nothing was removed although the policy chose keys.
	Blocked error
	// Refusing is set the first time this agent is seen to refuse or
	// fake a removal.
	Refusing bool
	Notes    []string
}

// Reachable reports whether the fresh key will be tried in time.
func (p *Report) Reachable() bool { return p.After <= p.Limit-1-p.InFlight }

// prune decides for keys and carries it out; reason goes to the log.
func (r *run) prune(keys []Key, phase policy.Phase, inFlight int, dryRun bool, reason string) (*Report, error) {
	d := policy.Decide(policy.Input{Classes: classesOf(keys), Limit: r.s.Limit, InFlight: inFlight, Mode: r.s.Mode, Phase: phase})
	rep := &Report{Decision: d, Agent: r.agent.Socket, Limit: r.s.Limit, InFlight: inFlight, After: len(keys), DryRun: dryRun}
	for _, i := range d.Remove {
		rep.Planned = append(rep.Planned, keys[i])
	}
	if dryRun {
		rep.After = d.After
		return rep, nil
	}
	if len(rep.Planned) == 0 {
		return rep, nil
	}
	if r.noRemove != nil {
		rep.Blocked = r.noRemove
		return rep, nil
	}
	if r.lock == nil {
		rep.Blocked = errors.New("state is not locked")
		return rep, nil
	}
	// Every removal must be logged: prove the state is writable first
	// (a full disk fails here, before any key is gone).
	if err := r.dir.SaveLedger(r.ledger); err != nil {
		rep.Blocked = fmt.Errorf("cannot write state, so removals could not be logged: %w", err)
		return rep, nil
	}
	return rep, r.removeAndVerify(rep, reason)
}

// blob identifies a key in the agent. Its fingerprint does not: a
// certificate shares its key's (see keyclass.Fingerprint).
func (k Key) blob() string { return string(k.agentKey.Blob) }

// removeAndVerify removes the planned keys, lists again, and counts as
// removed only what is really gone: gpg-agent answers success and keeps
// the key; 1Password, Bitwarden and Secretive refuse.
func (r *run) removeAndVerify(rep *Report, reason string) error {
	var refusals int
	for _, k := range rep.Planned {
		if err := r.agent.Remove(k.agentKey); err != nil {
			if errors.Is(err, sshagent.ErrTimeout) {
				return err
			}
			refusals++
		}
	}
	after, err := r.agent.List()
	if err != nil {
		return fmt.Errorf("list after removal: %w", err)
	}
	still := make(map[string]bool, len(after))
	for _, k := range after {
		still[string(k.Blob)] = true
	}
	rep.After = len(after)
	for _, k := range rep.Planned {
		if still[k.blob()] {
			rep.Kept = append(rep.Kept, k)
			continue
		}
		rep.Removed = append(rep.Removed, k)
		err := r.dir.LogRemoval(state.Removal{Time: r.now, Fingerprint: k.Fingerprint, Class: k.Class.String(),
			Comment: k.Comment, Reason: reason, Agent: r.agent.Socket})
		if err != nil {
			rep.Notes = append(rep.Notes, err.Error())
		}
	}
	if len(rep.Kept) > 0 {
		seen, err := r.dir.RefusingNoted(r.agent.Socket)
		if err != nil {
			rep.Notes = append(rep.Notes, err.Error())
		}
		rep.Refusing = !seen
	}
	return nil
}

// Prune is `eich prune`: what the pre-command hook would do now, or with
// allStale every stale key.
func Prune(s *Settings, dryRun, allStale bool) (*Report, error) {
	access := writeState
	if dryRun {
		access = readState
	}
	r, err := open(s, access)
	if err != nil {
		return nil, err
	}
	defer r.close()
	keys, err := r.inspect()
	if err != nil {
		return nil, err
	}
	phase, reason := policy.Before, "eich prune"
	if allStale {
		phase, reason = policy.AllStale, "eich prune --all-stale"
	}
	inFlight := 0
	if r.dir != nil {
		inFlight = r.dir.CountInFlight("", r.now)
	}
	rep, err := r.prune(keys, phase, inFlight, dryRun, reason)
	if err != nil {
		return nil, err
	}
	r.remember(remaining(keys, rep))
	rep.Notes = append(r.notes, rep.Notes...)
	return rep, nil
}

// remaining is keys less those removed.
func remaining(keys []Key, rep *Report) []Key {
	gone := map[string]bool{}
	for _, k := range rep.Removed {
		gone[k.blob()] = true
	}
	var out []Key
	for _, k := range keys {
		if !gone[k.blob()] {
			out = append(out, k)
		}
	}
	return out
}
