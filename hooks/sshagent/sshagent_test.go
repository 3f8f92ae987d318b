package sshagent

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

func TestOpenWithoutAnAgent(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	t.Setenv("SSH_AUTH_SOCK", "")
	for _, sock := range []string{"", filepath.Join(dir, "missing"), file, dir} {
		if _, err := Open(sock, time.Second, time.Time{}); !errors.Is(err, ErrNoAgent) {
			t.Errorf("Open(%q) = %v, want ErrNoAgent", sock, err)
		}
	}
}

// silentAgent accepts, reads and never answers.
func silentAgent(t *testing.T) string {
	return testbed.ServeUnix(t, func(c net.Conn) { io.Copy(io.Discard, c) })
}

// TestDeadlineCutsATricklingAgent: an agent that sends its reply a byte
// at a time, each well within the deadline, is cut at the deadline all
// the same: the time left is what each read may wait, not the whole
// timeout again.
func TestDeadlineCutsATricklingAgent(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	sock := testbed.ServeUnix(t, func(c net.Conn) {
		c.Read(make([]byte, 512))
		// A 256-byte list of one key, then one byte per 50ms.
		c.Write([]byte{0, 0, 1, 0, msgIdentitiesAnswer, 0, 0, 0, 1})
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{12}); err != nil {
				return
			}
		}
	})
	a, err := Open(sock, 300*time.Millisecond, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	if _, err := a.List(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("List on a trickling agent: %v, want ErrTimeout", err)
	}
	// A functional bound: the whole reply would take over 12s.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("List took %v with a 300ms deadline", took)
	}
}

// TestDeadlineCutsAFullQueue: an agent that stopped accepting and whose
// listen queue is full makes connect wait; the deadline cuts that too.
func TestDeadlineCutsAFullQueue(t *testing.T) {
	sock := filepath.Join(testbed.ShortTempDir(t, "eich-sa"), "s") // short enough for sun_path
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil { // never accepts
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 8; i++ {
		a, err := Open(sock, 200*time.Millisecond, time.Time{})
		if err != nil {
			if !errors.Is(err, ErrTimeout) && !errors.Is(err, ErrNoAgent) {
				t.Fatalf("connect %d to a full queue: %v, want ErrTimeout or ErrNoAgent", i+1, err)
			}
			// A functional bound: the queue is full by now and the
			// deadline must have cut the wait.
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("%d connects took %v with a 200ms deadline", i+1, took)
			}
			return
		}
		defer a.Close()
	}
	t.Fatalf("8 connects to a listener with a queue of 0 that never accepts all went through")
}

func TestDeadlineCutsASilentAgent(t *testing.T) {
	sock := silentAgent(t)
	a, err := Open(sock, 100*time.Millisecond, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	_, err = a.List()
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("List on a silent agent: %v, want ErrTimeout", err)
	}
	// A functional bound with a wide margin: the deadline must cut the call.
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("List took %v with a 100ms deadline", took)
	}
}

func TestEndCutsEveryCall(t *testing.T) {
	sock := silentAgent(t)
	// Each call may take 20s, but the run as a whole ends in 300ms.
	a, err := Open(sock, 20*time.Second, time.Now().Add(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	if _, err := a.List(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("List past the end: %v, want ErrTimeout", err)
	}
	if _, err := a.List(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("second List past the end: %v, want ErrTimeout", err)
	}
	// A functional bound with a wide margin, far below one call's 20s.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("two calls took %v though the run ended after 300ms", took)
	}
}
