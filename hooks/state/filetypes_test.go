package state

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/safefile"
)

// promptly runs fn and fails the test unless it returns within a
// generous bound: a call that opened a FIFO blocking never returns.
func promptly(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still blocked after 5s", what)
		return nil
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

// wantFIFORefused checks that err refuses the FIFO at path, in one line
// that names it.
func wantFIFORefused(t *testing.T, what string, err error, path string) {
	t.Helper()
	if !errors.Is(err, ErrUntrusted) || !errors.Is(err, safefile.ErrNotRegular) {
		t.Errorf("%s: %v, want ErrUntrusted and ErrNotRegular", what, err)
		return
	}
	if msg := err.Error(); !strings.Contains(msg, path+": a named pipe") || strings.Contains(msg, "\n") {
		t.Errorf("%s: %q, want one line naming %s as a named pipe", what, msg, path)
	}
}

// A FIFO in place of any file eich reads or writes in its state dir is
// refused at once; none of them holds eich.
func TestNoFIFOInTheStateDirHoldsEich(t *testing.T) {
	intent := []Removal{{Time: time.Now(), Batch: "b", Fingerprint: fpA, Class: "eic"}}
	for _, c := range []struct {
		name, file string
		call       func(d *Dir) error
	}{
		{"ledger", ledgerName, func(d *Dir) error { _, err := d.LoadLedger(); return err }},
		{"protect list", protectName, func(d *Dir) error { _, err := d.Protected(); return err }},
		{"refusing agents", refusingName, func(d *Dir) error { _, err := d.RefusingNoted("/tmp/agent.sock"); return err }},
		{"log intents", logName, func(d *Dir) error { return d.LogIntents(intent) }},
		{"log outcomes", logName, func(d *Dir) error { return d.LogOutcomes(intent, time.Now()) }},
		{"read the log", logName, func(d *Dir) error { _, _, err := d.Removals(); return err }},
		{"read the rotated log", logName + ".1", func(d *Dir) error { _, _, err := d.Removals(); return err }},
		{"lock", "lock", func(d *Dir) error { _, err := d.Lock(time.Second); return err }},
		{"finished list", finishedName, func(d *Dir) error { _, err := d.readPrivateMax(finishedName, maxFinished*4096); return err }},
		{"in-flight registration", filepath.Join(inflightDir, "4242"), func(d *Dir) error { _, _, err := d.FinishInFlight("4242"); return err }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := mustOpen(t)
			os.Mkdir(d.file(inflightDir), 0o700)
			mkfifo(t, d.file(c.file))
			err := promptly(t, c.name, func() error { return c.call(d) })
			wantFIFORefused(t, c.name, err, d.file(c.file))
		})
	}
}

// A FIFO among the in-flight registrations is neither counted, read nor
// deleted.
func TestFIFORegistrationIsSkipped(t *testing.T) {
	d := mustOpen(t)
	os.Mkdir(d.file(inflightDir), 0o700)
	fifo := filepath.Join(d.file(inflightDir), "4242")
	mkfifo(t, fifo)
	n := 0
	promptly(t, "CountInFlight", func() error { n = d.CountInFlight("1", "/tmp/agent.sock", time.Now()); return nil })
	if n != 0 {
		t.Errorf("a FIFO registration counted: %d", n)
	}
	if _, err := os.Lstat(fifo); err != nil {
		t.Errorf("the FIFO was deleted: %v", err)
	}
}

// A FIFO as a prompt file is replaced by the segment (a rename, as for
// any prompt file), never read; a FIFO named as a shell's marker is left
// alone.
func TestFIFOPromptFilesAndMarkers(t *testing.T) {
	d := mustOpen(t)
	const socket = "/tmp/ssh-x/agent.1"
	prompt := d.file(PromptName(socket))
	marker := d.file(seenPrefix + "4242")
	mkfifo(t, prompt)
	mkfifo(t, marker)
	if err := promptly(t, "WritePrompt", func() error { return d.WritePrompt(socket, "eic 3/6") }); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(prompt); err != nil || string(data) != "eic 3/6\n" {
		t.Errorf("prompt file: %q, %v; want the segment in a regular file", data, err)
	}
	if fi, err := os.Lstat(marker); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO marker was not left alone: %v, %v", fi, err)
	}
}

func TestFIFOAsTheStateDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "eich")
	mkfifo(t, p)
	err := promptly(t, "Open", func() error { _, err := Open(p, false); return err })
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "a named pipe, not a directory") {
		t.Errorf("a FIFO as the state dir: %v, want ErrUntrusted naming a named pipe", err)
	}
}

// removals.log hard-linked to another file of the user's: eich refuses
// to append, and nothing reaches the other file.
func TestHardLinkedRemovalLogIsNotWritten(t *testing.T) {
	d := mustOpen(t)
	victim := filepath.Join(d.Path, "..", "notes.txt") // the same file system, outside the state dir
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(victim, d.file(logName)); err != nil {
		t.Fatal(err)
	}
	rs := []Removal{{Time: time.Now(), Batch: "b", Fingerprint: fpA, Class: "eic"}}
	if err := d.LogIntents(rs); !errors.Is(err, ErrUntrusted) || !errors.Is(err, safefile.ErrHardLinked) {
		t.Errorf("intent into a hard-linked log: %v, want ErrUntrusted and ErrHardLinked", err)
	}
	if err := d.LogOutcomes(rs, time.Now()); !errors.Is(err, ErrUntrusted) {
		t.Errorf("outcome into a hard-linked log: %v, want ErrUntrusted", err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep me\n" {
		t.Errorf("written through the hard link: %q", data)
	}
}

// The lock file is opened read-only and without O_CREAT while it exists
// (an O_CREAT open waits on a frozen file system even then), and created
// only when missing. Told from the system calls, with strace.
func TestLockOpensWithoutCreateWhenThere(t *testing.T) {
	if dir := os.Getenv("EICH_TEST_LOCK_DIR"); dir != "" {
		d, err := Open(dir, false)
		if err == nil {
			var l *Lock
			if l, err = d.Lock(time.Second); err == nil {
				l.Unlock()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("strace is Linux's")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("no strace")
	}
	d := mustOpen(t)
	lockOpens := func() []string {
		out := filepath.Join(t.TempDir(), "trace")
		cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=open,openat", "-o", out,
			os.Args[0], "-test.run=^TestLockOpensWithoutCreateWhenThere$", "-test.count=1")
		cmd.Env = append(os.Environ(), "EICH_TEST_LOCK_DIR="+d.Path)
		if b, err := cmd.CombinedOutput(); err != nil {
			if strings.Contains(string(b), "ptrace") {
				t.Skipf("strace cannot trace here: %s", b)
			}
			t.Fatalf("%v: %s", err, b)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var opens []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, `"lock"`) {
				opens = append(opens, line)
			}
		}
		return opens
	}
	missing := lockOpens()
	if len(missing) != 2 || strings.Contains(missing[0], "O_CREAT") || !strings.Contains(missing[0], "ENOENT") ||
		!strings.Contains(missing[1], "O_CREAT") {
		t.Errorf("lock file missing: want an open without O_CREAT (ENOENT), then one with it; got\n%s", strings.Join(missing, "\n"))
	}
	there := lockOpens()
	if len(there) != 1 || strings.Contains(there[0], "O_CREAT") || !strings.Contains(there[0], "O_RDONLY") {
		t.Errorf("lock file there: want one read-only open without O_CREAT; got\n%s", strings.Join(there, "\n"))
	}
}
