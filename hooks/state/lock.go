package state

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// DefaultLockWait bounds how long a command waits for another eich.
const DefaultLockWait = 2 * time.Second

// ErrLockBusy means another eich held the lock for the whole wait.
var ErrLockBusy = errors.New("state is locked by another eich")

// Lock is an exclusive flock on the state dir's lock file.
type Lock struct{ f *os.File }

// Lock takes the state lock, waiting at most wait. The lock is released
// by Unlock or when the process ends, so a killed eich never leaves it
// held.
func (d *Dir) Lock(wait time.Duration) (*Lock, error) {
	f, err := os.OpenFile(d.file("lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &Lock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", d.file("lock"), err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w (waited %v for %s)", ErrLockBusy, wait, d.file("lock"))
		}
		time.Sleep(5 * time.Millisecond) // poll: flock has no timed wait
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
