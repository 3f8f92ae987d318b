// Package state keeps eich's files: the ledger of keys it has seen, the
// log of every removal, the protect list, the registry of EIC commands in
// flight, and the lock that lets several shells share them.
//
// Everything lives in one directory, $XDG_STATE_HOME/eich (fallback
// ~/.local/state/eich), mode 0700, files 0600, replaced atomically. A
// directory or file that another user owns, or that others may write or
// read, is not trusted: Open says so and eich removes nothing.
package state

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrUntrusted marks state that eich refuses to rely on.
var ErrUntrusted = errors.New("untrusted state")

// Dir is eich's state directory.
type Dir struct {
	Path string
}

// DefaultPath returns $XDG_STATE_HOME/eich, or ~/.local/state/eich.
func DefaultPath() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "eich"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state dir: %w", err)
	}
	return filepath.Join(home, ".local", "state", "eich"), nil
}

// Open returns the state dir at path, creating it 0700 when create is
// set. It checks that the directory is the user's own and private.
func Open(path string, create bool) (*Dir, error) {
	if create {
		if err := os.MkdirAll(path, 0o700); err != nil {
			return nil, fmt.Errorf("create state dir: %w", err)
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrUntrusted, path)
	}
	if err := checkPrivate(path, fi); err != nil {
		return nil, err
	}
	return &Dir{Path: path}, nil
}

func (d *Dir) file(name string) string { return filepath.Join(d.Path, name) }

// checkPrivate refuses a file or dir owned by someone else, or one that
// group or others may touch.
func checkPrivate(path string, fi os.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s is owned by uid %d, not you (uid %d)", ErrUntrusted, path, st.Uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o; want %04o (chmod go-rwx %s)", ErrUntrusted, path, fi.Mode().Perm(), fi.Mode().Perm()&0o700, path)
	}
	return nil
}

// readPrivate reads a state file, refusing one that is not private. A
// missing file reads as empty.
func (d *Dir) readPrivate(name string) ([]byte, error) {
	return d.readPrivateMax(name, maxStateFile)
}

// maxStateFile bounds what eich reads of any state file.
const maxStateFile = 64 << 20

// ErrTooLarge marks a state file larger than eich ever writes it.
var ErrTooLarge = errors.New("state file too large")

// readPrivateMax is readPrivate for a file that may hold at most limit
// bytes; a larger one is ErrTooLarge, told from its size without reading.
func (d *Dir) readPrivateMax(name string, limit int64) ([]byte, error) {
	p := d.file(name)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUntrusted, p)
	}
	if err := checkPrivate(p, fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %s has %d bytes, more than the %d eich writes", ErrTooLarge, p, fi.Size(), limit)
	}
	// Sized from the stat: io.ReadAll would grow from 512 bytes, copying
	// a large ledger many times over.
	b := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := b.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(b.Len()) > limit {
		return nil, fmt.Errorf("%w: %s grew past %d bytes", ErrTooLarge, p, limit)
	}
	return b.Bytes(), nil
}

// writeAtomic replaces name with data: a private temp file in the same
// dir, fsync, rename.
func (d *Dir) writeAtomic(name string, data []byte) error {
	return d.replace(name, data, true)
}

// replace is writeAtomic with the fsync optional, for files that are
// hints (a crash may lose them, never tear them).
func (d *Dir) replace(name string, data []byte, durable bool) error {
	target := d.file(name)
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := syncIf(durable, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// setAside renames a state file that could not be read so that the next
// write starts afresh and the bad copy stays for inspection.
func (d *Dir) setAside(name string, now time.Time) (string, error) {
	aside := fmt.Sprintf("%s.bad-%s", name, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(d.file(name), d.file(aside)); err != nil {
		return "", fmt.Errorf("set aside %s: %w", name, err)
	}
	return d.file(aside), nil
}

func syncIf(durable bool, f *os.File) error {
	if !durable {
		return nil
	}
	return f.Sync()
}
