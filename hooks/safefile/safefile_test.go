package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// promptly runs open and fails the test unless it returns within a
// generous bound: an open that blocks on a FIFO never returns.
func promptly(t *testing.T, what string, open func() (*File, error)) (*File, error) {
	t.Helper()
	type result struct {
		f   *File
		err error
	}
	done := make(chan result, 1)
	go func() { f, err := open(); done <- result{f, err} }()
	select {
	case r := <-done:
		if r.f != nil {
			t.Cleanup(func() { r.f.Close() })
		}
		return r.f, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still blocked after 5s", what)
		return nil, nil
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	toFifo := filepath.Join(dir, "to-fifo")
	os.Symlink(fifo, toFifo)
	toNull := filepath.Join(dir, "to-null")
	os.Symlink("/dev/null", toNull)
	for _, c := range []struct {
		name, path string
		spec       Spec
		want       error
		text       string
	}{
		{"FIFO read", fifo, Spec{Flags: unix.O_RDONLY}, ErrNotRegular, "a named pipe, not a regular file"},
		{"FIFO write, no reader", fifo, Spec{Flags: unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT, Perm: 0o600}, ErrNotRegular, "a named pipe, not a regular file"},
		{"FIFO read-write", fifo, Spec{Flags: unix.O_RDWR}, ErrNotRegular, "a named pipe, not a regular file"},
		{"link to FIFO, followed", toFifo, Spec{Flags: unix.O_RDONLY, Follow: true}, ErrNotRegular, "a named pipe, not a regular file"},
		{"link to FIFO, not followed", toFifo, Spec{Flags: unix.O_RDONLY}, ErrSymlink, "a symbolic link"},
		{"link to a device, followed", toNull, Spec{Flags: unix.O_RDONLY, Follow: true}, ErrNotRegular, "a character device, not a regular file"},
		{"directory read", dir, Spec{Flags: unix.O_RDONLY}, ErrNotRegular, "a directory, not a regular file"},
		{"directory write", dir, Spec{Flags: unix.O_WRONLY}, ErrNotRegular, "a directory, not a regular file"},
		{"FIFO as a directory", fifo, Spec{Flags: unix.O_RDONLY, Dir: true}, ErrNotRegular, "a named pipe, not a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := promptly(t, c.name, func() (*File, error) { return Open(c.path, c.spec) })
			if f != nil || !errors.Is(err, c.want) {
				t.Fatalf("got %v, %v; want %v", f, err, c.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, c.path+": ") || !strings.Contains(msg, c.text) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line, %q then %q", msg, c.path+": ", c.text)
			}
		})
	}
}

// A writer holding the FIFO open makes a non-blocking write open
// succeed; the fstat after it refuses.
func TestRefusesAFIFOWithAReader(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)
	reader, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(reader)
	_, err = promptly(t, "FIFO with a reader", func() (*File, error) { return Open(fifo, Spec{Flags: unix.O_WRONLY | unix.O_APPEND}) })
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("got %v, want ErrNotRegular", err)
	}
	var n [1]byte
	if k, _ := unix.Read(reader, n[:]); k > 0 {
		t.Error("something was written into the FIFO")
	}
}

func TestDanglingLinks(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "config")
	os.Symlink(filepath.Join(dir, "moved", "config"), link)
	_, err := Open(link, Spec{Flags: unix.O_RDONLY, Follow: true})
	if !errors.Is(err, ErrDangling) || errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "moved/config") {
		t.Errorf("dangling link: %v, want ErrDangling naming the target, and not ErrNotExist", err)
	}
	// A linked directory on the way that points nowhere.
	os.Symlink(filepath.Join(dir, "dotfiles-gone"), filepath.Join(dir, "eich"))
	through := filepath.Join(dir, "eich", "config")
	_, err = Open(through, Spec{Flags: unix.O_RDONLY, Follow: true})
	if !errors.Is(err, ErrDangling) || !strings.Contains(err.Error(), filepath.Join(dir, "eich")+" is a link") {
		t.Errorf("through a dangling directory link: %v, want ErrDangling naming the link", err)
	}
	// Plain absence, and absence in a linked directory that exists.
	real := filepath.Join(dir, "real")
	os.Mkdir(real, 0o700)
	os.Symlink(real, filepath.Join(dir, "linked"))
	for _, p := range []string{filepath.Join(dir, "nothing"), filepath.Join(dir, "no", "such", "file"), filepath.Join(dir, "linked", "config")} {
		if _, err := Open(p, Spec{Flags: unix.O_RDONLY, Follow: true}); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want ErrNotExist", p, err)
		}
	}
	// Without Follow a link, dangling or not, is a link.
	if _, err := Open(link, Spec{Flags: unix.O_RDONLY}); !errors.Is(err, ErrSymlink) {
		t.Errorf("dangling link, links not followed: %v, want ErrSymlink", err)
	}
}

func TestWritesInPlaceRefuseAHardLink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "notes")
	os.WriteFile(victim, []byte("keep me\n"), 0o600)
	log := filepath.Join(dir, "removals.log")
	if err := os.Link(victim, log); err != nil {
		t.Fatal(err)
	}
	for _, flags := range []int{unix.O_WRONLY | unix.O_APPEND, unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT, unix.O_RDWR} {
		if f, err := Open(log, Spec{Flags: flags, Perm: 0o600}); !errors.Is(err, ErrHardLinked) {
			t.Errorf("flags %#x: %v, %v; want ErrHardLinked", flags, f, err)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me\n" {
		t.Errorf("written through the hard link: %q", data)
	}
	// Reading is not writing: a hard-linked file may be read.
	f, err := Open(log, Spec{Flags: unix.O_RDONLY})
	if err != nil {
		t.Fatalf("read of a hard-linked file: %v", err)
	}
	f.Close()
}

func TestSizeBound(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, make([]byte, 100), 0o600)
	if _, err := Open(p, Spec{Flags: unix.O_RDONLY, Max: 99}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("100 bytes with Max 99: %v, want ErrTooLarge", err)
	}
	f, err := Open(p, Spec{Flags: unix.O_RDONLY, Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// It grows past the bound after the open: the read stops there.
	os.WriteFile(p, make([]byte, 200), 0o600)
	if _, err := f.ReadAll(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("grown past Max after the open: %v, want ErrTooLarge", err)
	}
}

// The descriptor handed out is blocking again (the check is done) and
// close-on-exec; O_APPEND stays.
func TestDescriptorFlags(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	f, err := Open(p, Spec{Flags: unix.O_WRONLY | unix.O_APPEND | unix.O_CREAT, Perm: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fl, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if fl&unix.O_NONBLOCK != 0 || fl&unix.O_APPEND == 0 {
		t.Errorf("status flags %#x: want O_APPEND without O_NONBLOCK", fl)
	}
	fd, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if err != nil || fd&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor flags %#x, %v: want FD_CLOEXEC", fd, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("created with mode %v, want 0600", fi.Mode().Perm())
	}
}
