package state_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/eich-dev/eich/hooks/state"
)

// The ledger across two runs of eich, as `hook pre` and `hook post` use
// it: under the lock, load it, record the keys the agent holds and which
// of them appeared while an EIC command ran, and save it; the next run
// reads back what the last one learnt. The file is one line a key
// (fingerprint, eic or seen, first and last seen in Unix seconds; a key's
// last-seen time is refreshed at most every SeenEvery) between a header
// and a trailer with the count.
func ExampleDir_SaveLedger() {
	home, err := os.MkdirTemp("", "eich-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(home)
	path := filepath.Join(home, "state", "eich") // $XDG_STATE_HOME/eich
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		panic(err)
	}
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	user := "SHA256:uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	eic := "SHA256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

	run := func(f func(l *state.Ledger)) {
		d, err := state.Open(path, true)
		if err != nil {
			panic(err)
		}
		defer d.Close()
		lock, err := d.Lock(state.DefaultLockWait)
		if err != nil {
			panic(err)
		}
		defer lock.Unlock()
		l, err := d.LoadLedger()
		if err != nil {
			panic(err)
		}
		f(l)
		if err := d.SaveLedger(l); err != nil {
			panic(err)
		}
	}
	run(func(l *state.Ledger) { // hook pre: the user's key is there
		l.Seen([]string{user}, now)
	})
	run(func(l *state.Ledger) { // hook post: one key more, the login's
		l.Seen([]string{user, eic}, now.Add(time.Second))
		l.MarkEIC(eic, now.Add(time.Second))
	})
	run(func(l *state.Ledger) { // a later run
		fmt.Println("user key known as EIC's:", l.KnownEIC(user))
		fmt.Println("login key known as EIC's:", l.KnownEIC(eic))
		fmt.Print(string(l.Encode()))
	})
	// Output:
	// user key known as EIC's: false
	// login key known as EIC's: true
	// eich-ledger 1
	// SHA256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee eic 1767366246 1767366246
	// SHA256:uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu seen 1767366245 1767366245
	// end 2
}
