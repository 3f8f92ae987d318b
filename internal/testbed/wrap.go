package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Wrapper replaces the bed's eich (the path `eich init` baked into the
// hooks) by a script that logs each start and execs the real binary, so a
// test can count the eich processes a shell starts.
type Wrapper struct {
	Log string
}

// WrapEich installs the wrapper; call it after the shell has loaded its
// hook, so the hook keeps calling the same path.
func (b *Bed) WrapEich(t testing.TB) *Wrapper {
	t.Helper()
	w := &Wrapper{Log: filepath.Join(b.Root, "eich-starts.log")}
	real := b.Eich + ".real"
	if err := os.Rename(b.Eich, real); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec '%s' \"$@\"\n", w.Log, real)
	tmp := b.Eich + ".tmp"
	if err := os.WriteFile(tmp, []byte(script), 0o755); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
	if err := os.Rename(tmp, b.Eich); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
	return w
}

// Starts returns the argument lists of the eich processes started so far.
func (w *Wrapper) Starts(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(w.Log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimRight(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
