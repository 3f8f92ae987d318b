// Package policy decides which agent keys to remove, from their classes
// alone. It does no I/O, so every rule is a table test.
//
// The rule follows from how OpenSSH counts a login's attempts. sshd
// permits MaxAuthTries authentication attempts per connection
// (sshd_config(5); 6 by default) and disconnects with "Too many
// authentication failures" once that many have failed. ssh offers its keys
// in a fixed order (pubkey_prepare in OpenSSH's sshconnect2.c): the
// agent's keys first, in the agent's order, and only then a key file the
// agent does not hold, such as the fresh key `aws ec2-instance-connect
// ssh` passes with -i. None of the agent's keys is authorized on the
// instance, so each is one failure.
//
// So the fresh EIC key is attempt N+1, with N keys in the agent, and sshd
// lets it in while N ≤ limit−1. Other EIC commands in flight may each add
// a key before ours is tried, so with k of them the room needed is
// N ≤ limit−1−k (Room). In auto mode eich acts once N reaches that
// ("nears") and prunes down to limit−2−k, removing known EIC keys and
// expired certificates oldest first, then suspects oldest first.
package policy

import "github.com/eich-dev/eich/hooks/keyclass"

// Mode is the user's choice of how eagerly to prune.
type Mode string

const (
	Auto   Mode = "auto"   // prune when the count nears the limit
	Always Mode = "always" // remove every known EIC key around each EIC command
	Off    Mode = "off"    // never remove; warn only
)

// Phase says when the decision is made.
type Phase int

const (
	Before   Phase = iota // `hook pre`, or `eich prune`
	After                 // `hook post`
	AllStale              // `eich prune --all-stale`
)

// Input is everything a decision depends on.
type Input struct {
	Classes  []keyclass.Class // agent order, oldest first
	Limit    int              // sshd's MaxAuthTries
	InFlight int              // other EIC commands that may add a key first
	Mode     Mode
	Phase    Phase
}

// Decision says what to remove and what follows.
type Decision struct {
	Remove  []int // indices into Input.Classes, in removal order
	Trigger int   // the count at which auto mode acts
	Target  int   // the count auto mode prunes down to
	Before  int   // keys now
	After   int   // keys once Remove is done
	// Reachable is false when even after removal the fresh key would be
	// tried too late: After > Limit−1−InFlight.
	Reachable bool
}

// Decide applies the rules.
func Decide(in Input) Decision {
	d := Decision{Before: len(in.Classes)}
	room := Room(in.Limit, in.InFlight)
	d.Trigger = max(room, 0)
	d.Target = max(room-1, 0)

	removed := make([]bool, len(in.Classes))
	take := func(pred func(keyclass.Class) bool, until int) {
		for i, c := range in.Classes {
			if len(in.Classes)-len(d.Remove) <= until {
				return
			}
			if !removed[i] && pred(c) {
				removed[i] = true
				d.Remove = append(d.Remove, i)
			}
		}
	}
	known := func(c keyclass.Class) bool { return c == keyclass.EIC || c == keyclass.ExpiredCert }
	suspect := func(c keyclass.Class) bool { return c == keyclass.Suspect }
	onlyEIC := func(c keyclass.Class) bool { return c == keyclass.EIC }

	switch {
	case in.Mode == Off:
	case in.Phase == AllStale:
		take(known, 0)
		take(suspect, 0)
	case in.Mode == Always:
		take(onlyEIC, 0)
		if in.Phase == Before && len(in.Classes)-len(d.Remove) >= d.Trigger {
			take(known, d.Target)
			take(suspect, d.Target)
		}
	case in.Phase == Before && len(in.Classes) >= d.Trigger:
		take(known, d.Target)
		take(suspect, d.Target)
	}
	d.After = d.Before - len(d.Remove)
	d.Reachable = Reachable(d.After, in.Limit, in.InFlight)
	return d
}

// Room is the most agent keys that still let a fresh EIC key in: it is
// attempt keys+1, and each of inFlight other EIC commands may add a key
// before it is tried.
func Room(limit, inFlight int) int { return limit - 1 - inFlight }

// Reachable reports whether an EIC login's fresh key is tried in time
// with keys in the agent.
func Reachable(keys, limit, inFlight int) bool { return keys <= Room(limit, inFlight) }

// Nears reports whether keys in the agent are at the count at which auto
// mode prunes before an EIC command.
func Nears(keys, limit, inFlight int) bool { return keys >= max(Room(limit, inFlight), 0) }
