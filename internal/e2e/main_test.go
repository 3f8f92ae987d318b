// Package e2e holds eich's end-to-end tests: real sshd, ssh-agent, ssh and
// interactive zsh, bash and fish (through tmux), with the `aws` stand-in
// from internal/testbed/fakeaws. Run them with `go test ./...`; a missing
// tool fails them, it never skips them.
package e2e

import (
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// built returns the binaries, building them once, on first use.
func built(t *testing.T) *testbed.Binaries {
	t.Helper()
	return testbed.Built(t)
}
