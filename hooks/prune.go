package hooks

import (
	"errors"
	"fmt"
	"time"

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
	Unsure   []Key // asked to remove, but the agent could not be listed again
	NotAsked []Key // planned, but the hook's budget ran out first
	After    int   // keys in the agent at the end (as far as known)
	DryRun   bool
	// Blocked says why nothing was removed although the policy chose keys.
	Blocked error
	// Refusing is set the first time this agent is seen to refuse or
	// fake a removal.
	Refusing bool
	Notes    []string
}

// Reachable reports whether an EIC login's fresh key will be tried in time.
func (p *Report) Reachable() bool { return policy.Reachable(p.After, p.Limit, p.InFlight) }

// prune decides for keys and carries it out; reason goes to the log.
func (ss *session) prune(keys []Key, phase policy.Phase, inFlight int, dryRun bool, reason string) *Report {
	limit := ss.s.MaxAuthTries
	d := policy.Decide(policy.Input{Classes: classesOf(keys), Limit: limit, InFlight: inFlight, Mode: ss.s.Mode, Phase: phase})
	rep := &Report{Decision: d, Agent: ss.agent.Socket, Limit: limit, InFlight: inFlight, After: len(keys), DryRun: dryRun}
	for _, i := range d.Remove {
		rep.Planned = append(rep.Planned, keys[i])
	}
	switch {
	case dryRun:
		rep.After = d.After
	case len(rep.Planned) == 0:
	case ss.noRemove != nil:
		rep.Blocked = ss.noRemove
	case ss.lock == nil:
		rep.Blocked = errors.New("state is not locked")
	default:
		ss.removeThroughLog(rep, reason)
	}
	return rep
}

// blob identifies a key in the agent. Its fingerprint does not: a
// certificate shares its key's (see keyclass.Fingerprint).
func (k Key) blob() string { return string(k.agentKey.Blob) }

// removeThroughLog logs the intent to remove each planned key, asks the
// agent to remove them while the budget lasts, lists again, and logs
// each outcome. Only what is gone from the agent counts as removed:
// gpg-agent answers success and keeps the key; 1Password, Bitwarden and
// Secretive refuse.
func (ss *session) removeThroughLog(rep *Report, reason string) {
	batch := state.NewBatch()
	log := make([]state.Removal, len(rep.Planned))
	for i, k := range rep.Planned {
		log[i] = state.Removal{Time: ss.now, Batch: batch, Fingerprint: k.Fingerprint, Class: k.Class.String(),
			Comment: k.Comment, Reason: reason, Agent: ss.agent.Socket}
	}
	if err := ss.dir.LogIntents(log); err != nil {
		rep.Blocked = fmt.Errorf("cannot write the removal log, so nothing was removed: %w", err)
		return
	}
	// Keep a share of the budget for the list that checks the removals.
	reserve := min(ss.s.AgentTimeout, ss.s.HookBudget/4)
	asked, hung := 0, false
	for _, k := range rep.Planned {
		if ss.remaining() < reserve {
			break
		}
		asked++
		if err := ss.agent.Remove(k.agentKey); errors.Is(err, sshagent.ErrTimeout) {
			hung = true // ask no more
			break
		}
	}
	var still map[string]bool
	if hung && ss.remaining() > 0 {
		// A late reply would be read as the list's: a new connection.
		ss.agent.Close()
		if err := ss.connect(rep.Agent); err != nil {
			ss.agent = nil
		}
	}
	if ss.agent != nil && ss.remaining() > 0 {
		if after, err := ss.agent.List(); err != nil {
			ss.note(fmt.Sprintf("list after removal: %v", err))
		} else {
			rep.After = len(after)
			still = make(map[string]bool, len(after))
			for _, k := range after {
				still[string(k.Blob)] = true
			}
		}
	}
	for i, k := range rep.Planned {
		switch {
		case i >= asked:
			log[i].Outcome = state.NotAsked
			rep.NotAsked = append(rep.NotAsked, k)
		case still == nil:
			log[i].Outcome = state.Unsure
			rep.Unsure = append(rep.Unsure, k)
		case still[k.blob()]:
			log[i].Outcome = state.Kept
			rep.Kept = append(rep.Kept, k)
		default:
			log[i].Outcome = state.Removed
			rep.Removed = append(rep.Removed, k)
		}
	}
	if still == nil {
		rep.After -= len(rep.Unsure) // the best guess: they went
	}
	if err := ss.dir.LogOutcomes(log, time.Now()); err != nil {
		ss.note(err.Error())
	}
	if len(rep.Kept) > 0 {
		seen, err := ss.dir.RefusingNoted(rep.Agent)
		if err != nil {
			ss.note(err.Error())
		}
		rep.Refusing = !seen
	}
}

// Prune is `eich prune`: what the pre-command hook would do now, or with
// allStale every stale key. It has no budget: a user waits for it.
func Prune(s *Settings, dryRun, allStale bool) (*Report, error) {
	access := writeState
	if dryRun {
		access = readState
	}
	ss, err := openAgentSession(s, access)
	if err != nil {
		return nil, err
	}
	defer ss.close()
	keys, err := ss.inspect()
	if err != nil {
		return nil, err
	}
	phase, reason := policy.Before, "eich prune"
	if allStale {
		phase, reason = policy.AllStale, "eich prune --all-stale"
	}
	inFlight := 0
	if ss.dir != nil {
		inFlight = ss.dir.CountInFlight("", ss.agent.Socket, ss.now)
	}
	rep := ss.prune(keys, phase, inFlight, dryRun, reason)
	left := keysLeft(keys, rep)
	ss.remember(left)
	ss.publish(left)
	rep.Notes = ss.notes
	if rep.Blocked == nil {
		rep.Notes = ss.warnings()
	}
	return rep, nil
}

// keysLeft is keys less those removed.
func keysLeft(keys []Key, rep *Report) []Key {
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
