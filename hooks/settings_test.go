package hooks_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/settings"
)

// testSettings are eich's defaults against the agent at socket, with a
// fresh state dir and a HOME of the test's own, and deadlines and budget
// wide enough for a loaded machine; tests of the deadlines set their own.
func testSettings(tb testing.TB, socket string, stderr io.Writer) *hooks.Settings {
	tb.Helper()
	s := &hooks.Settings{Settings: settings.Defaults(), Stderr: stderr}
	s.Environment = settings.Environment{Socket: socket, StateDir: filepath.Join(tb.TempDir(), "eich"), Home: tb.TempDir()}
	s.AgentTimeout, s.LockWait, s.HookBudget = 5*time.Second, 5*time.Second, 30*time.Second
	s.SSHConfig = writeSSHConfig(tb, s.Home, "")
	return s
}

// writeSSHConfig writes the ssh config `ssh -G` reads in these tests
// (ssh reads ~/.ssh/config from the passwd entry, not $HOME): top, then
// AddKeysToAgent yes for every host, as the users eich is for have it.
func writeSSHConfig(tb testing.TB, home, top string) string {
	tb.Helper()
	path := filepath.Join(home, "ssh_config")
	if err := os.WriteFile(path, []byte(top+"Host *\n    AddKeysToAgent yes\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
