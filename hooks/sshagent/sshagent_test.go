package sshagent

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
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

// silentAgent listens at a new socket, accepts, reads and never answers.
func silentAgent(t *testing.T) string {
	sock := filepath.Join(t.TempDir(), "s")
	if len(sock) > 100 {
		sock = filepath.Join(os.TempDir(), "eich-sa-test.sock")
		os.Remove(sock)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c) // reads, never answers
		}
	}()
	t.Cleanup(func() { l.Close() })
	return sock
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
