package policy_test

import (
	"fmt"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
)

// Six agent keys against sshd's default MaxAuthTries of 6: ssh offers
// every agent key before the login's fresh -i key, and sshd disconnects
// after six failures, so the fresh key (attempt 7) would never be tried.
// Before the login, auto mode removes the known EIC key, then suspects
// oldest first, down to limit − 2, and never a user's key.
func ExampleDecide() {
	classes := []keyclass.Class{keyclass.User, keyclass.Suspect, keyclass.User, keyclass.EIC, keyclass.Suspect, keyclass.Suspect}
	d := policy.Decide(policy.Input{Classes: classes, Limit: 6, Mode: policy.Auto, Phase: policy.Before})
	for _, i := range d.Remove {
		fmt.Printf("remove key %d (%s)\n", i+1, classes[i])
	}
	fmt.Printf("%d → %d keys; the fresh key is tried in time: %v\n", d.Before, d.After, d.Reachable)
	// Output:
	// remove key 4 (eic)
	// remove key 2 (suspect)
	// 6 → 4 keys; the fresh key is tried in time: true
}

// With two other EIC logins in flight, each may add its key before this
// one's is tried: the room shrinks by two.
func ExampleRoom() {
	fmt.Println(policy.Room(6, 0), policy.Room(6, 2))
	// Output: 5 3
}
