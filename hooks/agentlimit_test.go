package hooks_test

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

// TestLedgerHoldsAllEichHandles: a ledger of MaxEntries absent keys and
// an agent's worth of present ones is one eich reads back.
func TestLedgerHoldsAllEichHandles(t *testing.T) {
	if sshagent.MaxKeys+state.MaxEntries > state.MaxDecoded {
		t.Errorf("a ledger may reach %d entries (sshagent.MaxKeys %d + state.MaxEntries %d); eich reads %d",
			sshagent.MaxKeys+state.MaxEntries, sshagent.MaxKeys, state.MaxEntries, state.MaxDecoded)
	}
}

// crowdedAgent serves an agent that lists n Ed25519 keys with empty
// comments, EIC's shape, and fails every other request. The answer is
// built before the test measures anything.
func crowdedAgent(t *testing.T, n int) string {
	t.Helper()
	sock, _ := testbed.ScriptedAgent(t, testbed.IdentitiesAnswer(n, nil))
	return sock
}

// snapshot is every file under dir: name → mode, size, time and a hash.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		sum := ""
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(data))
		}
		out[p] = fmt.Sprintf("%v %d %v %s", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAgentWithTooManyKeysIsLeftAlone: an agent that lists more keys
// than eich handles gets the same one line from every command, promptly
// and in bounded memory; nothing is removed and nothing written.
func TestAgentWithTooManyKeysIsLeftAlone(t *testing.T) {
	for _, n := range []int{20_000, 150_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newStateEnv(t)
			e.login("7") // a state dir as eich leaves it: ledger, lock, prompt file
			e.agent.AddStale(t, 6)
			hooks.Prune(e.s, false, false) // and a removal log
			sock := crowdedAgent(t, n)
			e.s.Socket = sock
			before := snapshot(t, e.s.StateDir)
			want := fmt.Sprintf("agent at %s lists %d keys, more than the %d eich handles; not touching it", sock, n, sshagent.MaxKeys)

			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			start := time.Now()
			e.stderr.Reset()
			if !hooks.Pre(e.s, "8", eicLine) {
				t.Fatal("pre did not take the EIC line")
			}
			hooks.Post(e.s, "8", 0)
			lines := strings.Split(strings.TrimSuffix(e.stderr.String(), "\n"), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], want) || !strings.Contains(lines[1], want) {
				t.Errorf("pre and post said %q; want one line each with %q", lines, want)
			}
			if _, _, err := hooks.List(e.s); err == nil || err.Error() != want {
				t.Errorf("list: %v; want %q", err, want)
			}
			if _, err := hooks.Prune(e.s, false, true); err == nil || err.Error() != want {
				t.Errorf("prune: %v; want %q", err, want)
			}
			if c, _ := hooks.Status(e.s, true); c != nil {
				t.Errorf("status counted %+v", c)
			}
			took := time.Since(start)
			runtime.ReadMemStats(&m1)
			// Functional bounds with wide margins: reading and parsing
			// the keys took seconds and hundreds of MiB a command.
			if took > 10*time.Second {
				t.Errorf("five commands took %v", took)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 16<<20 {
				t.Errorf("five commands allocated %d MiB", alloc>>20)
			}
			after := snapshot(t, e.s.StateDir)
			for p, was := range before {
				if now, ok := after[p]; !ok || now != was {
					t.Errorf("%s changed:\n  was %s\n  now %s", p, was, now)
				}
			}
			for p, now := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("%s was written: %s", p, now)
				}
			}
		})
	}
}
