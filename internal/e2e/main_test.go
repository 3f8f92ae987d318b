// Package e2e holds eich's end-to-end tests: real sshd, ssh-agent, ssh and
// interactive zsh, bash and fish (through tmux), with the `aws` stand-in
// from internal/testbed/fakeaws. Run them with `go test ./...`; a missing
// tool fails them, it never skips them.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// bins are built once for the whole package by TestMain; buildErr says why
// they are missing, and every test fails with it.
var (
	bins     *testbed.Binaries
	buildErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eich-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins, buildErr = testbed.Build(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built returns the binaries or fails the test.
func built(t *testing.T) *testbed.Binaries {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("building eich and the aws stand-in: %v", buildErr)
	}
	return bins
}
