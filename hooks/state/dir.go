// Package state keeps eich's files: the ledger of keys it has seen, the
// write-ahead log of every removal, the protect list, the registry of EIC
// commands in flight, and the lock that lets several shells share them.
//
// Everything lives in one directory, $XDG_STATE_HOME/eich (fallback
// ~/.local/state/eich), mode 0700, files 0600, replaced atomically. Every
// file and directory inside it is opened relative to the directory's own
// descriptor without following links, through package safefile (so a
// named pipe or a device in place of a file never holds eich, and a file
// written in place has no other name), and checked as the directory is:
// a link, anything but a regular file, or anything another user owns or
// that group or others may touch, is not trusted, and eich removes
// nothing while it is there.
//
// A run opens the directory (Open), takes the lock (Dir.Lock) for any
// change, reads and saves the ledger (Dir.LoadLedger, Dir.SaveLedger),
// and before it asks the agent to remove a key writes and syncs an intent
// line to the removal log (Dir.LogIntents), then the outcome
// (Dir.LogOutcomes).
package state

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/safefile"
)

// ErrUntrusted marks state that eich refuses to rely on.
var ErrUntrusted = errors.New("untrusted state")

// Dir is eich's state directory, held open.
type Dir struct {
	Path string
	f    *os.File // holds fd open
	fd   int
}

// Open returns the state dir at path, creating it 0700 when create is
// set. It checks that the directory is the user's own and private. Close
// it when done.
func Open(path string, create bool) (*Dir, error) {
	if create {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("create state dir: %w", err)
		}
	}
	f, err := safefile.Open(path, safefile.Spec{Flags: unix.O_RDONLY, Dir: true})
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("state dir: %w", os.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: state dir %w", ErrUntrusted, err)
	}
	if err := checkStat(&f.Stat, path, true); err != nil {
		f.Close()
		return nil, err
	}
	return &Dir{Path: path, f: f.File, fd: int(f.Fd())}, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.f.Close() }

func (d *Dir) file(name string) string { return filepath.Join(d.Path, name) }

// checkStat refuses a file or dir that is of the wrong kind, owned by
// someone else, or that group or others may touch.
func checkStat(st *unix.Stat_t, path string, dir bool) error {
	kind := uint32(st.Mode) & unix.S_IFMT
	switch {
	case dir && kind != unix.S_IFDIR:
		return fmt.Errorf("%w: %s is not a directory", ErrUntrusted, path)
	case !dir && kind != unix.S_IFREG:
		return fmt.Errorf("%w: %s is not a regular file", ErrUntrusted, path)
	case int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%w: %s is owned by uid %d, not you (uid %d)", ErrUntrusted, path, st.Uid, os.Geteuid())
	}
	if perm := uint32(st.Mode) & 0o777; perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; want %04o (chmod go-rwx %s)", ErrUntrusted, path, perm, perm&0o700, path)
	}
	return nil
}

// openIn opens name inside the directory fd without following a link,
// and checks what it opened: by safefile's rule (no FIFO, device or
// socket, and a file opened for writing has no other name), then as the
// state dir is checked. A missing file is os.ErrNotExist.
func openIn(dirFd int, dirPath, name string, flags int, dir bool) (*os.File, error) {
	f, err := openSpec(dirFd, dirPath, name, safefile.Spec{Flags: flags, Perm: 0o600, Dir: dir})
	if err != nil {
		return nil, err
	}
	return f.File, nil
}

// openSpec is openIn with the whole of safefile's spec. A file over
// spec.Max is ErrTooLarge, told from its size without reading; a file of
// the wrong kind, a link or a hard-linked file is ErrUntrusted; an error
// of the file system (read-only, full) is itself.
func openSpec(dirFd int, dirPath, name string, spec safefile.Spec) (*safefile.File, error) {
	spec.Follow = false
	f, err := safefile.OpenAt(dirFd, dirPath, name, spec)
	switch {
	case errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrSymlink),
		errors.Is(err, safefile.ErrDangling), errors.Is(err, safefile.ErrHardLinked):
		return nil, fmt.Errorf("%w: %w", ErrUntrusted, err)
	case err != nil:
		// Missing, too large, or what the file system says (read-only,
		// full, no permission): true, but no sign of tampering.
		return nil, err
	}
	if err := checkStat(&f.Stat, f.Name(), spec.Dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// open is openIn for a file directly in the state dir.
func (d *Dir) open(name string, flags int) (*os.File, error) {
	return openIn(d.fd, d.Path, name, flags, false)
}

// maxStateFile bounds what eich reads of a state file that has no bound
// of its own (the protect list, the refusing-agents list).
const maxStateFile = 1 << 20

// ErrTooLarge marks a state file larger than eich ever writes it.
var ErrTooLarge = safefile.ErrTooLarge

// readPrivate reads a state file, refusing one that is not private. A
// missing file reads as empty.
func (d *Dir) readPrivate(name string) ([]byte, error) {
	return d.readPrivateMax(name, maxStateFile)
}

// readPrivateMax is readPrivate for a file that may hold at most limit
// bytes; a larger one is ErrTooLarge, told from its size without reading.
func (d *Dir) readPrivateMax(name string, limit int64) ([]byte, error) {
	f, err := openSpec(d.fd, d.Path, name, safefile.Spec{Flags: unix.O_RDONLY, Max: limit})
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadAll()
}

// readCapped reads a file openIn opened, at most limit bytes.
func readCapped(f *os.File, limit int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return safefile.ReadLimited(f, fi.Size(), limit)
}

// writeAtomic replaces name with data: a private temp file in the same
// dir, fsync, rename.
func (d *Dir) writeAtomic(name string, data []byte) error {
	return replaceIn(d.fd, d.Path, name, data, true)
}

// replaceIn writes data to a new private file in the directory fd and
// renames it over name; rename replaces a link itself, never its target.
// Without durable there is no fsync, for files that are hints (a crash
// may lose them, never tear them).
func replaceIn(dirFd int, dirPath, name string, data []byte, durable bool) error {
	var suffix [8]byte
	_, _ = rand.Read(suffix[:])
	tmp := "." + name + ".tmp-" + hex.EncodeToString(suffix[:])
	f, err := safefile.OpenAt(dirFd, dirPath, tmp, safefile.Spec{Flags: unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL, Perm: 0o600})
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(dirPath, name), err)
	}
	err = writeAll(f.File, data, durable)
	if err == nil {
		err = unix.Renameat(dirFd, tmp, dirFd, name)
	}
	if err != nil {
		_ = unix.Unlinkat(dirFd, tmp, 0)
		return fmt.Errorf("write %s: %w", filepath.Join(dirPath, name), err)
	}
	return nil
}

// writeAll writes data, syncs when durable is set, and closes f.
func writeAll(f *os.File, data []byte, durable bool) error {
	_, err := f.Write(data)
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// setAside renames a state file that could not be read so that the next
// write starts afresh and the bad copy stays for inspection.
func (d *Dir) setAside(name string, now time.Time) (string, error) {
	aside := fmt.Sprintf("%s.bad-%s", name, now.UTC().Format("20060102T150405Z"))
	if err := unix.Renameat(d.fd, name, d.fd, aside); err != nil {
		return "", fmt.Errorf("set aside %s: %w", d.file(name), err)
	}
	return d.file(aside), nil
}
