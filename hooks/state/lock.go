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
//
// It is opened read-only and without O_CREAT while it exists: flock needs
// no write access, and an open with O_CREAT asks the file system for a
// write even when the file is there, which waits as long as the file
// system is frozen or stalled. Only a missing lock file is created.
func (d *Dir) Lock(wait time.Duration) (*Lock, error) {
	f, err := d.openLock(unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	writable := false
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return &Lock{f: f}, nil
		}
		if errors.Is(err, unix.EBADF) && !writable {
			// NFS emulates flock with a POSIX write lock, which wants a
			// descriptor open for writing.
			f.Close()
			if f, err = d.openLock(unix.O_RDWR); err != nil {
				return nil, err
			}
			writable = true
			continue
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

// openLock opens the lock file with access (O_RDONLY or O_RDWR), and
// creates it only when it is missing.
func (d *Dir) openLock(access int) (*os.File, error) {
	f, err := d.open("lock", access)
	if errors.Is(err, os.ErrNotExist) {
		f, err = d.open("lock", access|unix.O_CREAT)
	}
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	return f, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	_ = unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	l.f.Close()
}
