package state

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultLockWait bounds how long a command waits for another eich.
const DefaultLockWait = 2 * time.Second

// ErrLockBusy means another eich held the lock for the whole wait.
var ErrLockBusy = errors.New("state is locked by another eich")

// Lock is an exclusive flock on the state dir's lock file.
type Lock struct{ f *os.File }

// Lock takes the state lock, waiting at most wait. The lock is released
// by Unlock or when the process ends, so a killed eich never leaves it
// held. The lock file is opened like every state file: no link followed.
func (d *Dir) Lock(wait time.Duration) (*Lock, error) {
	f, err := d.open("lock", unix.O_RDWR|unix.O_CREAT)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return &Lock{f: f}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", d.file("lock"), err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w (waited %v for %s)", ErrLockBusy, wait.Round(time.Millisecond), d.file("lock"))
		}
		time.Sleep(5 * time.Millisecond) // poll: flock has no timed wait
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	_ = unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	l.f.Close()
}
