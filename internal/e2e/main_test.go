// Package e2e holds eich's end-to-end tests: real sshd, ssh-agent, ssh and
// interactive zsh, bash and fish (through tmux), with the `aws` stand-in
// from internal/testbed/fakeaws. Run them with `go test ./...`; a missing
// tool fails them, it never skips them.
package e2e

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// The binaries are built once, by the first test that needs them (inside
// m.Run, so that `go test` records the sources testbed.Build reads and its
// cache notices a change to eich's code).
var (
	binDir    string
	buildOnce sync.Once
	bins      *testbed.Binaries
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "eich-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// built returns the binaries, building them on first use, or fails the test.
func built(t *testing.T) *testbed.Binaries {
	t.Helper()
	buildOnce.Do(func() { bins, buildErr = testbed.Build(binDir) })
	if buildErr != nil {
		t.Fatalf("building eich and the aws stand-in: %v", buildErr)
	}
	return bins
}
