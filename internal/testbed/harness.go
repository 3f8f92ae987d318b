package testbed

import (
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh/agent"
)

// The binaries of one test process, built by the first test that needs
// them (inside the test run, so that `go test` notices a change to eich's
// sources; see touchSources).
var (
	buildOnce sync.Once
	buildDir  string
	built     *Binaries
	buildErr  error
)

// Built returns eich and the aws stand-in, building them once per test
// process, or fails the test. A package that uses it has testbed.Main as
// its TestMain.
func Built(t testing.TB) *Binaries {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "eich-test-bin"); buildErr == nil {
			built, buildErr = Build(buildDir)
		}
	})
	if buildErr != nil {
		t.Fatalf("building eich and the aws stand-in: %v", buildErr)
	}
	return built
}

// Main is TestMain for a package that uses Built: it runs the tests,
// deletes what Built built, and exits with the tests' status.
func Main(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// PrivateEnv is an environment for running eich, or a shell, as a user
// with nothing set up yet: PATH, and HOME and the XDG state, config, data
// and cache dirs in a fresh temp dir; then extra ("NAME=value"; a later
// entry wins, as os/exec keeps the last of a name).
func PrivateEnv(t testing.TB, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache")}
	return append(env, extra...)
}

// RunTool runs a tool the test needs with env (nil: the test's own) and
// returns its output, failing the test when it fails.
func RunTool(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	return run(t, env, Tool(t, name), args...)
}

// DialAgent connects to the agent at socket for the rest of the test.
func DialAgent(t testing.TB, socket string) agent.ExtendedAgent {
	t.Helper()
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatalf("dial agent %s: %v", socket, err)
	}
	t.Cleanup(func() { conn.Close() })
	return agent.NewClient(conn)
}
