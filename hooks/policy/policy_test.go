package policy

import (
	"reflect"
	"testing"

	"github.com/eich-dev/eich/hooks/keyclass"
)

const (
	U = keyclass.User
	P = keyclass.Protected
	E = keyclass.EIC
	X = keyclass.ExpiredCert
	S = keyclass.Suspect
)

func TestDecide(t *testing.T) {
	cases := []struct {
		name      string
		in        Input
		remove    []int
		after     int
		reachable bool
	}{
		{"empty agent", Input{Limit: 6, Mode: Auto}, nil, 0, true},
		{"below trigger: nothing", Input{Classes: []keyclass.Class{U, U, E, E}, Limit: 6, Mode: Auto}, nil, 4, true},
		{"at limit-1: prune to limit-2", Input{Classes: []keyclass.Class{U, U, E, E, E}, Limit: 6, Mode: Auto}, []int{2}, 4, true},
		{"over the limit: known oldest first", Input{Classes: []keyclass.Class{E, U, E, E, U, E, E, E}, Limit: 6, Mode: Auto}, []int{0, 2, 3, 5}, 4, true},
		{"expired certs count as known", Input{Classes: []keyclass.Class{U, X, U, E, X, E}, Limit: 6, Mode: Auto}, []int{1, 3}, 4, true},
		{"suspects only when known are not enough", Input{Classes: []keyclass.Class{S, U, S, E, U, S, S}, Limit: 6, Mode: Auto}, []int{3, 0, 2}, 4, true},
		{"suspects not touched when known suffice", Input{Classes: []keyclass.Class{S, E, E, E, S, U}, Limit: 6, Mode: Auto}, []int{1, 2}, 4, true},
		{"user and protected never", Input{Classes: []keyclass.Class{U, P, U, P, U, P, U}, Limit: 6, Mode: Auto}, nil, 7, false},
		{"not enough stale: unreachable", Input{Classes: []keyclass.Class{U, U, U, U, U, E, E}, Limit: 6, Mode: Auto}, []int{5, 6}, 5, true},
		{"users alone at limit", Input{Classes: []keyclass.Class{U, U, U, U, U, U, E}, Limit: 6, Mode: Auto}, []int{6}, 6, false},
		{"hardened limit 2", Input{Classes: []keyclass.Class{U, E, E}, Limit: 2, Mode: Auto}, []int{1, 2}, 1, true},
		{"limit 4 with in-flight 1", Input{Classes: []keyclass.Class{U, E, E}, Limit: 4, InFlight: 1, Mode: Auto}, []int{1, 2}, 1, true},
		{"in flight 3 prunes deeper", Input{Classes: []keyclass.Class{U, U, E, E, E}, Limit: 6, InFlight: 3, Mode: Auto}, []int{2, 3, 4}, 2, true},
		{"off never removes", Input{Classes: []keyclass.Class{E, E, E, E, E, E, E}, Limit: 6, Mode: Off}, nil, 7, false},
		{"after in auto: nothing", Input{Classes: []keyclass.Class{E, E, E, E, E, E, E}, Limit: 6, Mode: Auto, Phase: After}, nil, 7, false},
		{"always before: every known EIC", Input{Classes: []keyclass.Class{U, E, S, E, X}, Limit: 6, Mode: Always}, []int{1, 3}, 3, true},
		{"always after: every known EIC", Input{Classes: []keyclass.Class{U, E, S, E}, Limit: 6, Mode: Always, Phase: After}, []int{1, 3}, 2, true},
		{"always still prunes suspects near limit", Input{Classes: []keyclass.Class{S, S, S, S, U, E}, Limit: 6, Mode: Always}, []int{5, 0}, 4, true},
		{"always near limit after EIC removal", Input{Classes: []keyclass.Class{S, S, S, S, U, U, E}, Limit: 6, Mode: Always}, []int{6, 0, 1}, 4, true},
		{"all stale", Input{Classes: []keyclass.Class{U, S, E, P, X}, Limit: 6, Mode: Auto, Phase: AllStale}, []int{2, 4, 1}, 2, true},
		{"all stale with mode off", Input{Classes: []keyclass.Class{U, S, E}, Limit: 6, Mode: Off, Phase: AllStale}, nil, 3, true},
	}
	for _, c := range cases {
		d := Decide(c.in)
		if !reflect.DeepEqual(d.Remove, c.remove) || d.After != c.after || d.Reachable != c.reachable {
			t.Errorf("%s: got remove=%v after=%d reachable=%v, want remove=%v after=%d reachable=%v",
				c.name, d.Remove, d.After, d.Reachable, c.remove, c.after, c.reachable)
		}
		for _, i := range d.Remove {
			if cl := c.in.Classes[i]; !cl.Stale() {
				t.Errorf("%s: would remove a %s key", c.name, cl)
			}
		}
	}
}

func TestRoomRule(t *testing.T) {
	for _, c := range []struct {
		keys, limit, inFlight int
		reachable, nears      bool
	}{
		{0, 6, 0, true, false},
		{4, 6, 0, true, false},
		{5, 6, 0, true, true},  // the fresh key is attempt 6: still in, but prune now
		{6, 6, 0, false, true}, // attempt 7 > MaxAuthTries
		{4, 6, 1, true, true},  // another command may add a key first
		{5, 6, 1, false, true},
		{0, 1, 0, true, true},
		{3, 2, 3, false, true}, // room below zero: always prune, never reachable
	} {
		if got := Reachable(c.keys, c.limit, c.inFlight); got != c.reachable {
			t.Errorf("Reachable(%d, %d, %d) = %v", c.keys, c.limit, c.inFlight, got)
		}
		if got := Nears(c.keys, c.limit, c.inFlight); got != c.nears {
			t.Errorf("Nears(%d, %d, %d) = %v", c.keys, c.limit, c.inFlight, got)
		}
	}
}
