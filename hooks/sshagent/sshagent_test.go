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
		if _, err := Open(sock, time.Second); !errors.Is(err, ErrNoAgent) {
			t.Errorf("Open(%q) = %v, want ErrNoAgent", sock, err)
		}
	}
}

func TestDeadlineCutsASilentAgent(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s")
	if len(sock) > 100 {
		sock = filepath.Join(os.TempDir(), "eich-sa-test.sock")
		os.Remove(sock)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c) // reads, never answers
		}
	}()
	a, err := Open(sock, 100*time.Millisecond)
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
