package hooks_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
)

// The benchmarks here run against a real OpenSSH ssh-agent, as the
// commands do. They report times and never judge them.

// benchSettings are the settings of one benchmark: its agent, a fresh
// state dir, stderr discarded.
func benchSettings(b *testing.B, a *testbed.Agent) *hooks.Settings {
	b.Helper()
	return testSettings(b, a.Socket, io.Discard)
}

// addUserKeys adds n Ed25519 keys with comments, as ssh-add would.
func addUserKeys(b *testing.B, a *testbed.Agent, n int) {
	b.Helper()
	for i := range n {
		priv, _ := testbed.NewKey(b)
		testbed.AddKey(b, a.Socket, priv, fmt.Sprintf("bench-user-%d", i))
	}
}

// ledgerFile returns the encoding of a ledger with n entries of keys not
// in the agent (seen an hour ago, every tenth an EIC key) plus the
// fingerprints in eic as known EIC keys.
func ledgerFile(n int, eic []string) []byte {
	l := state.NewLedger()
	seen := time.Now().Add(-time.Hour)
	for i := range n {
		fp := testbed.FakeFingerprint(i)
		l.Entries[fp] = &state.Entry{Fingerprint: fp, EIC: i%10 == 0, FirstSeen: seen, LastSeen: seen}
	}
	for _, fp := range eic {
		l.MarkEIC(fp, seen)
	}
	return l.Encode()
}

// writeLedger puts data in place as the state dir's ledger.
func writeLedger(b *testing.B, s *hooks.Settings, data []byte) {
	b.Helper()
	if err := os.MkdirAll(s.StateDir, 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.StateDir, "ledger"), data, 0o600); err != nil {
		b.Fatal(err)
	}
}

var benchLedgerSizes = []int{0, 1_000, state.MaxEntries, 100_000}

// BenchmarkStatus is `eich status` without the process: an agent with 8
// keys (2 user keys, 6 stale), and a ledger of 0, 1,000, 4,096
// (MaxEntries, the bound after compaction) or 100,000 entries of keys no
// longer in the agent.
func BenchmarkStatus(b *testing.B) {
	a := testbed.StartAgent(b)
	a.AddStale(b, 6)
	for _, n := range benchLedgerSizes {
		b.Run(fmt.Sprintf("ledger=%d", n), func(b *testing.B) {
			s := benchSettings(b, a)
			writeLedger(b, s, ledgerFile(n, nil))
			b.ReportAllocs()
			for b.Loop() {
				c, err := hooks.Status(s, true)
				if err != nil || c == nil || c.Keys != 8 {
					b.Fatalf("status: %+v, %v", c, err)
				}
			}
		})
	}
}

// BenchmarkPre is `eich hook pre` without the process. nonEIC is the
// shell hook's mistake (a line that only mentions EIC); the others are an
// EIC line with nothing to prune (3 agent keys, limit 6), with a ledger of
// 0, 1,000, 4,096 or 100,000 entries put back before each run, since pre
// compacts and saves it.
func BenchmarkPre(b *testing.B) {
	a := testbed.StartAgent(b)
	a.AddStale(b, 1)
	line := "aws --profile prod ec2-instance-connect ssh --instance-id i-0123456789abcdef0"
	b.Run("nonEIC", func(b *testing.B) {
		s := benchSettings(b, a)
		b.ReportAllocs()
		for b.Loop() {
			if hooks.Pre(s, "4242", `git commit -m "aws ec2-instance-connect ssh"`) {
				b.Fatal("took a mention for an EIC command")
			}
		}
	})
	for _, n := range benchLedgerSizes {
		b.Run(fmt.Sprintf("EIC/ledger=%d", n), func(b *testing.B) {
			s := benchSettings(b, a)
			data := ledgerFile(n, nil)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				writeLedger(b, s, data)
				b.StartTimer()
				if !hooks.Pre(s, "4242", line) {
					b.Fatal("did not recognise the EIC line")
				}
			}
			if got := len(a.Keys(b)); got != 3 {
				b.Fatalf("pre changed the agent: %d keys, want 3", got)
			}
			fi, err := os.Stat(filepath.Join(s.StateDir, "ledger"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(fi.Size()), "ledger-bytes-after")
		})
	}
}

// BenchmarkPruneAtScale is an agent with 1,000 keys: 2 user keys, 990
// stale ones (half of them known EIC keys in the ledger, half suspects),
// then 8 more user keys. decide is list + classify + decide (a dry run);
// remove is the whole prune, whose extra cost over decide is reported per
// removed key; agent-only and sshagent-only are what the agent alone
// takes per removal.
func BenchmarkPruneAtScale(b *testing.B) {
	const stale, users = 990, 8
	a := testbed.StartAgent(b)
	empty := func(b *testing.B) {
		b.Helper()
		if err := testbed.DialAgent(b, a.Socket).RemoveAll(); err != nil {
			b.Fatal(err)
		}
	}
	fill := func(b *testing.B, s *hooks.Settings) {
		b.Helper()
		empty(b)
		addUserKeys(b, a, 2)
		a.AddStale(b, stale)
		addUserKeys(b, a, users)
		var eic []string
		for i, k := range a.Keys(b)[2 : 2+stale] {
			if i%2 == 0 {
				eic = append(eic, ssh.FingerprintSHA256(k))
			}
		}
		writeLedger(b, s, ledgerFile(0, eic))
	}

	var decide time.Duration
	b.Run("decide", func(b *testing.B) {
		s := benchSettings(b, a)
		fill(b, s)
		b.ReportAllocs()
		var rep *hooks.Report
		start := time.Now()
		for b.Loop() {
			var err error
			if rep, err = hooks.Prune(s, true, false); err != nil {
				b.Fatal(err)
			}
		}
		decide = time.Since(start) / time.Duration(b.N)
		if len(rep.Planned) != stale {
			b.Fatalf("planned %d removals, want %d", len(rep.Planned), stale)
		}
		b.ReportMetric(float64(len(rep.Planned)), "planned/op")
	})
	b.Run("remove", func(b *testing.B) {
		s := benchSettings(b, a)
		b.ReportAllocs()
		var removed int
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			fill(b, s)
			b.StartTimer()
			start := time.Now()
			rep, err := hooks.Prune(s, false, false)
			total += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			removed = len(rep.Removed)
		}
		if removed != stale {
			b.Fatalf("removed %d keys, want %d", removed, stale)
		}
		b.ReportMetric(float64(removed), "removed/op")
		if perKey := (total/time.Duration(b.N) - decide) / time.Duration(removed); decide > 0 && perKey > 0 {
			b.ReportMetric(float64(perKey.Nanoseconds()), "ns/removed-key")
		}
	})
	// agent-only and sshagent-only are the floor of removal: the same 990
	// keys, oldest first, removed with bare SSH_AGENTC_REMOVE_IDENTITY
	// calls (x/crypto's client; eich's client with its deadlines), nothing
	// listed, logged or saved.
	for _, client := range []string{"agent-only", "sshagent-only"} {
		b.Run(client, func(b *testing.B) {
			s := benchSettings(b, a)
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				fill(b, s)
				keys := a.Keys(b)[2 : 2+stale]
				remove := testbed.DialAgent(b, a.Socket).Remove
				if client == "sshagent-only" {
					c, err := sshagent.Open(a.Socket, 5*time.Second, time.Time{})
					if err != nil {
						b.Fatal(err)
					}
					defer c.Close()
					remove = c.Remove
				}
				b.StartTimer()
				start := time.Now()
				for _, k := range keys {
					if err := remove(k); err != nil {
						b.Fatal(err)
					}
				}
				total += time.Since(start)
			}
			b.ReportMetric(float64((total / time.Duration(b.N) / stale).Nanoseconds()), "ns/removed-key")
		})
	}
}
