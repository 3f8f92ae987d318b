// Package safefile is the one way eich opens a file. A named pipe, a
// device or a socket where eich expects a file must never hold it (a
// hook that blocks holds the user's command), a link must be followed
// only where the caller allows it, and a write in place must never land
// in another of the user's files through a hard link.
//
// So every open adds O_NONBLOCK (opening a FIFO or a device then returns
// at once), O_CLOEXEC and O_NOCTTY, and O_NOFOLLOW unless links are
// allowed; the file's type is then taken with fstat on the open
// descriptor, before anything is read or written, and anything but a
// regular file (or a directory, when one is asked for) is refused. A
// size bound is checked against the same fstat, and a descriptor opened
// for writing must be the file's only name (st_nlink == 1).
//
// It is a leaf package, so that state, config and keyclass can all use
// it without an import cycle.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The kinds of refusal, for errors.Is. A missing file is os.ErrNotExist.
var (
	// ErrNotRegular marks something that is not a regular file (or not a
	// directory, where one was asked for).
	ErrNotRegular = errors.New("not a regular file")
	// ErrSymlink marks a link where the caller follows none.
	ErrSymlink = errors.New("a symbolic link")
	// ErrDangling marks a link, where links are followed, whose target
	// does not exist: something the user set up went missing, which is
	// not the same as never having set it up.
	ErrDangling = errors.New("a dangling symbolic link")
	// ErrTooLarge marks a file larger than the caller reads.
	ErrTooLarge = errors.New("file too large")
	// ErrHardLinked marks a file opened for writing in place that has
	// another name besides the one eich opened.
	ErrHardLinked = errors.New("hard-linked")
)

// Error is a refusal or a failed open. Its text starts with the file's
// path and is one line.
type Error struct {
	Path string
	What string // what is wrong; empty: Err's text
	Err  error
}

func (e *Error) Error() string {
	if e.What == "" {
		return e.Path + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.What
}

func (e *Error) Unwrap() error { return e.Err }

// Spec says what a caller opens and what it accepts.
type Spec struct {
	// Flags are the access mode (O_RDONLY, O_WRONLY, O_RDWR) and any of
	// O_APPEND, O_CREAT, O_EXCL, O_TRUNC. Open adds the rest.
	Flags int
	// Perm is the mode of a file that O_CREAT makes.
	Perm uint32
	// Follow lets the last element of the path be a link, followed to
	// its target; a link whose target is missing is then ErrDangling.
	// Without it a link is ErrSymlink.
	Follow bool
	// Dir asks for a directory instead of a regular file.
	Dir bool
	// Max, when above zero, is the largest regular file accepted.
	Max int64
}

// File is an open regular file or directory, with the fstat of its
// descriptor.
type File struct {
	*os.File
	Stat unix.Stat_t
	max  int64
}

// Open opens path as spec says; see OpenAt.
func Open(path string, spec Spec) (*File, error) {
	return OpenAt(unix.AT_FDCWD, "", path, spec)
}

// OpenAt opens name relative to the directory dirFd (unix.AT_FDCWD: the
// working directory; dirPath, which may be empty, is only for messages)
// and checks what it opened, by fstat on the descriptor: its type, its
// size against spec.Max, and, when opened for writing, that it has no
// other name. Every error names the file.
func OpenAt(dirFd int, dirPath, name string, spec Spec) (*File, error) {
	path := name
	if dirPath != "" {
		path = filepath.Join(dirPath, name)
	}
	flags := spec.Flags | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY
	if !spec.Follow {
		flags |= unix.O_NOFOLLOW
	}
	if spec.Dir {
		flags |= unix.O_DIRECTORY
	}
	fd, err := openat(dirFd, name, flags, spec.Perm)
	if err != nil {
		return nil, openError(dirFd, path, name, spec, err)
	}
	f := &File{max: spec.Max}
	if err := fstat(fd, &f.Stat); err != nil {
		unix.Close(fd)
		return nil, &Error{Path: path, Err: err}
	}
	if err := check(&f.Stat, path, spec); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// A regular file or a directory ignores O_NONBLOCK; left set, it
	// would make os.NewFile hand the descriptor to the runtime's poller,
	// set-up that buys nothing for either.
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, spec.Flags&unix.O_APPEND); err != nil {
		unix.Close(fd)
		return nil, &Error{Path: path, Err: err}
	}
	f.File = os.NewFile(uintptr(fd), path)
	return f, nil
}

// check is the rule every opened file passes.
func check(st *unix.Stat_t, path string, spec Spec) error {
	kind := uint32(st.Mode) & unix.S_IFMT
	switch {
	case spec.Dir && kind != unix.S_IFDIR:
		return &Error{Path: path, What: kindName(kind) + ", not a directory", Err: ErrNotRegular}
	case spec.Dir:
		return nil
	case kind != unix.S_IFREG:
		return &Error{Path: path, What: kindName(kind) + ", not a regular file", Err: ErrNotRegular}
	case spec.Max > 0 && st.Size > spec.Max:
		return &Error{Path: path, What: fmt.Sprintf("%d bytes, larger than the %d eich reads", st.Size, spec.Max), Err: ErrTooLarge}
	case spec.Flags&unix.O_ACCMODE != unix.O_RDONLY && uint64(st.Nlink) != 1:
		return &Error{Path: path, What: fmt.Sprintf("has %d hard links; eich writes in place only to a file with no other name", st.Nlink), Err: ErrHardLinked}
	}
	return nil
}

// openError says why an open failed, naming the file's type when that
// is the reason: O_NOFOLLOW's refusal of a link (ELOOP, or ENOTDIR with
// O_DIRECTORY), a FIFO opened for writing with no reader (ENXIO), a
// directory opened for writing (EISDIR).
func openError(dirFd int, path, name string, spec Spec, err error) error {
	if errors.Is(err, unix.ENOENT) {
		if spec.Follow {
			if e := dangling(dirFd, path, name); e != nil {
				return e
			}
		}
		return &Error{Path: path, Err: err}
	}
	atFlags := 0
	if !spec.Follow {
		atFlags = unix.AT_SYMLINK_NOFOLLOW
	}
	var st unix.Stat_t
	if fstatat(dirFd, name, &st, atFlags) == nil {
		if uint32(st.Mode)&unix.S_IFMT == unix.S_IFLNK {
			return &Error{Path: path, What: "a symbolic link; eich follows none here", Err: ErrSymlink}
		}
		if e := check(&st, path, Spec{Dir: spec.Dir}); e != nil {
			return e
		}
	}
	return &Error{Path: path, Err: err}
}

// dangling returns ErrDangling when name, missing, is missing because a
// link on its way points nowhere: name itself, or the nearest of its
// parent directories that exists. It returns nil for a plain absence.
func dangling(dirFd int, path, name string) error {
	for p := name; ; {
		var st unix.Stat_t
		err := fstatat(dirFd, p, &st, unix.AT_SYMLINK_NOFOLLOW)
		if errors.Is(err, unix.ENOENT) {
			parent := filepath.Dir(p)
			if parent == p {
				return nil
			}
			p = parent
			continue
		}
		if err != nil || uint32(st.Mode)&unix.S_IFMT != unix.S_IFLNK {
			return nil
		}
		if err := fstatat(dirFd, p, &st, 0); !errors.Is(err, unix.ENOENT) {
			return nil
		}
		target := "a missing file"
		buf := make([]byte, 4096)
		if n, err := unix.Readlinkat(dirFd, p, buf); err == nil {
			target = fmt.Sprintf("%q, which does not exist", buf[:n])
		}
		what := "a link to " + target
		if p != name {
			what = fmt.Sprintf("%s is %s", p, what)
		}
		return &Error{Path: path, What: what, Err: ErrDangling}
	}
}

func kindName(kind uint32) string {
	switch kind {
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFIFO:
		return "a named pipe"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symbolic link"
	}
	return fmt.Sprintf("a file of type %#o", kind)
}

// ReadAll reads the file whole: at most the Max it was opened with (a
// file that grew past it since the open is ErrTooLarge), in a buffer
// sized from the open's fstat.
func (f *File) ReadAll() ([]byte, error) {
	limit := f.max
	if limit <= 0 {
		limit = 1<<63 - 1 - bytes.MinRead
	}
	return ReadLimited(f.File, f.Stat.Size, limit)
}

// ReadLimited reads f to its end, at most limit bytes; more is
// ErrTooLarge. size, the file's size as last seen, sizes the buffer:
// io.ReadAll would grow from 512 bytes, copying a large file many times.
func ReadLimited(f *os.File, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, &Error{Path: f.Name(), What: fmt.Sprintf("%d bytes, larger than the %d eich reads", size, limit), Err: ErrTooLarge}
	}
	b := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := b.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, &Error{Path: f.Name(), Err: err}
	}
	if int64(b.Len()) > limit {
		return nil, &Error{Path: f.Name(), What: fmt.Sprintf("grew past the %d bytes eich reads", limit), Err: ErrTooLarge}
	}
	return b.Bytes(), nil
}

// openat, fstat and fstatat retry on EINTR, which a signal may cause on
// a slow file system.
func openat(dirFd int, name string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirFd, name, flags, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func fstat(fd int, st *unix.Stat_t) error {
	for {
		if err := unix.Fstat(fd, st); err != unix.EINTR {
			return err
		}
	}
}

func fstatat(dirFd int, name string, st *unix.Stat_t, flags int) error {
	for {
		if err := unix.Fstatat(dirFd, name, st, flags); err != unix.EINTR {
			return err
		}
	}
}
