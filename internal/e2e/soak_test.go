package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// soakDefault is the number of logins per shell TestSoak types unless
// EICH_SOAK says otherwise: one round of eicLine's sixteen lines, well past
// what MaxAuthTries 6 lets through without eich.
const soakDefault = 16

// seeded is what seedLedger wrote.
type seeded struct {
	live    []string // absent keys seen within the retention, oldest first
	expired []string // absent keys last seen longer ago than the retention
}

// seedLedger writes a ledger as a long-used eich leaves it: live entries
// of keys no longer in the agent, last seen in the past two hours (each a
// second apart, oldest first), and expired entries last seen eight days
// ago (beyond state.Retention). Half are EIC keys. The format is the one
// documented in state.Ledger.Encode, written here by hand.
func seedLedger(t *testing.T, b *testbed.Bed, live, expired int, now time.Time) seeded {
	t.Helper()
	type ent struct {
		fp          string
		first, last int64
	}
	var s seeded
	var ents []ent
	for i := 0; i < live+expired; i++ {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			t.Fatal(err)
		}
		fp := "SHA256:" + base64.RawStdEncoding.EncodeToString(raw)
		last := now.Add(-2 * time.Hour).Add(time.Duration(i) * time.Second).Unix()
		if i < live {
			s.live = append(s.live, fp)
		} else {
			last = now.Add(-8 * 24 * time.Hour).Unix()
			s.expired = append(s.expired, fp)
		}
		ents = append(ents, ent{fp, last - 86400, last})
	}
	slices.SortFunc(ents, func(a, b ent) int { return strings.Compare(a.fp, b.fp) })
	var sb strings.Builder
	sb.WriteString("eich-ledger 1\n")
	for i, e := range ents {
		kind := "seen"
		if i%2 == 0 {
			kind = "eic"
		}
		fmt.Fprintf(&sb, "%s %s %d %d\n", e.fp, kind, e.first, e.last)
	}
	fmt.Fprintf(&sb, "end %d\n", len(ents))
	dir := stateDir(b)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ledger"), []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, n := readLedger(t, b); n != sb.Len() {
		t.Fatalf("seeded ledger reads back as %d bytes, wrote %d", n, sb.Len())
	}
	return s
}

// listedKey is one key of `eich list --json`.
type listedKey struct {
	Class       string `json:"class"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
}

// eichList runs the bed's real eich binary's `list --json`.
func eichList(t *testing.T, b *testbed.Bed, bin string) []listedKey {
	t.Helper()
	out := eichOutput(t, b, bin, "list", "--json")
	var keys []listedKey
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("eich list --json: %v\n%s", err, out)
	}
	return keys
}

// TestSoak: in zsh, bash and fish side by side, each
// with its own agent and state, n EIC logins in a row (n = 16, or
// EICH_SOAK), typed one a line as users type them (the rotation of
// TestHookedLogins: plain, compound, global options first, env prefix and
// `command`, full path, pipe, alias, function, leading space). The full
// soak, 1,000 logins per shell (about 10 minutes on a 2-core machine):
//
//	EICH_SOAK=1000 go test -count=1 -timeout 60m -run 'TestSoak$' ./internal/e2e/
//
// Every login succeeds with EICH_EIC=1 and runs its remote command, and
// starts exactly one `hook pre` and one `hook post`; both user keys are in
// the agent after every login; every eich run ends.
//
// The ledger is bounded by design at state.MaxEntries entries,
// entries of keys absent for state.Retention (7 days) dropped. One entry
// per key seen means n logins alone would never reach the cap, so each
// shell starts from a ledger a long-used eich leaves (seedLedger):
// MaxEntries − 2 − n/2 live entries of absent keys (none if n is larger
// than that) and 50 expired ones. The cap is then reached halfway
// through: the ledger must never exceed MaxEntries entries nor
// maxLedgerBytes, always decode, lose the expired entries at once, and at
// the end hold exactly MaxEntries: the two user keys, the keys in the
// agent, the newest seeded entries and the newest keys of the soak, the
// oldest absent entries dropped first.
//
// The removal log grows by exactly one line per login from the fourth on
// (two user keys, MaxAuthTries 6: eich acts at 5 agent keys and prunes to
// 4, so each login from the fourth removes the oldest EIC key), n − 3 in
// all, each an `eic` key, none a user key, none twice; the agent ends
// with the two user keys and the last three logins' keys.
func TestSoak(t *testing.T) {
	t.Parallel()
	n := countVar(t, "EICH_SOAK", soakDefault, 4)
	// Seed so that the cap is reached halfway through (or at once, for a
	// soak longer than the cap).
	const expired = 50
	live := max(state.MaxEntries-2-(n-n/2), 0)
	overflow := live + 2 + n - state.MaxEntries // entries that must be dropped
	dropSeeded := min(overflow, live)           // the oldest seeded go first
	keptSeeded := live - dropSeeded

	type soakShell struct {
		name string
		b    *testbed.Bed
		rl   *testbed.RunLog
		seed seeded
		seq  *loginSeq
	}
	var all []*soakShell
	start := time.Now()
	for _, shell := range shells.Names() {
		b := testbed.NewBed(t, built(t))
		ss := &soakShell{name: shell, b: b, seed: seedLedger(t, b, live, expired, time.Now())}
		rc := wrappers(shell)
		switch shell {
		case "bash":
			rc = append(rc, "HISTCONTROL=ignoreboth")
			writeConfig(t, b, "extra_command = eicfn\n")
		case "zsh":
			rc = append(rc, "setopt HIST_IGNORE_SPACE")
		}
		rc = append(rc, testbed.InitLine(shell))
		remote := filepath.Join(b.Root, "remote.log")
		sh := testbed.StartShell(t, b, shell, rc, remoteEnv(remote))
		ss.rl = b.WrapEichRuns(t)
		ss.seq = &loginSeq{
			name: shell, sh: sh, n: n, awsLog: b.AWSLog, remote: remote,
			line: func(i int) string { l, _ := eicLine(b, shell, i); return l },
			id:   func(i int) string { return fmt.Sprintf("i-%017d", i) },
			check: func(done int) {
				if !b.Agent.HasUserKeys(t) {
					t.Fatalf("%s: after login %d a user key is gone; agent:\n%s", shell, done, b.Agent.Describe(t))
				}
				if done%10 != 0 {
					return
				}
				l, size := readLedger(t, b)
				if len(l.Entries) > state.MaxEntries || size > maxLedgerBytes {
					t.Fatalf("%s: after login %d the ledger has %d entries, %d bytes; bound %d entries, %d bytes", shell, done, len(l.Entries), size, state.MaxEntries, maxLedgerBytes)
				}
				for _, fp := range ss.seed.expired {
					if l.Entries[fp] != nil {
						t.Fatalf("%s: after login %d the ledger still has %s, absent for 8 days", shell, done, fp)
					}
				}
			},
		}
		all = append(all, ss)
	}
	t.Logf("%d shells ready in %v; %d logins each", len(all), time.Since(start).Round(time.Millisecond), n)

	start = time.Now()
	seqs := make([]*loginSeq, len(all))
	for i, ss := range all {
		seqs[i] = ss.seq
	}
	driveLogins(t, nil, seqs...)
	t.Logf("%d logins in each of %d shells in %v", n, len(all), time.Since(start).Round(time.Millisecond))

	for _, ss := range all {
		// (The shell belongs to this test, not to the subtests below.)
		if st := ss.seq.sh.Run("false"); st != 1 {
			t.Errorf("%s: after the soak, $? of `false` is %d, want 1", ss.name, st)
		}
	}
	for _, ss := range all {
		t.Run(ss.name, func(t *testing.T) {
			b, shell := ss.b, ss.name
			runs := checkRunsEnded(t, b, ss.rl, 30*time.Second)
			var took [2]time.Duration // pre, post (a figure, not a check)
			for i, r := range runs {
				took[i%2] += r.End.Sub(r.Start)
			}
			t.Logf("%s: mean eich run (with its bash wrapper): pre %v, post %v", shell, took[0]/time.Duration(max(n, 1)), took[1]/time.Duration(max(n, 1)))
			if len(runs) != 2*n {
				t.Errorf("%d logins started eich %d times, want %d", n, len(runs), 2*n)
			}
			for i, r := range runs {
				want := "hook pre --session "
				if i%2 == 1 {
					want = "hook post --session "
				}
				if !strings.HasPrefix(r.Args, want) || r.Status != 0 {
					t.Errorf("eich run %d is %q with status %d, want %q with 0", i+1, r.Args, r.Status, want)
					break
				}
			}

			if !b.Agent.HasUserKeys(t) {
				t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
			}
			classes := map[string]int{}
			for _, k := range eichList(t, b, b.Eich+".real") {
				classes[k.Class]++
			}
			if len(classes) != 2 || classes["user"] != 2 || classes["eic"] != 3 {
				t.Errorf("agent keys by class %v, want 2 user and 3 eic; agent:\n%s", classes, b.Agent.Describe(t))
			}

			rems := readRemovals(t, b)
			if len(rems) != n-3 {
				t.Errorf("the removal log has %d lines, want %d (one per login from the 4th)", len(rems), n-3)
			}
			seen := map[string]bool{}
			for _, r := range rems {
				if r.Class != "eic" || slices.Contains(b.Agent.UserFingerprints, r.Fingerprint) || seen[r.Fingerprint] || inFlightOthers(r.Reason) != 0 {
					t.Errorf("removal %+v: want each an eic key, once, never a user key, with no other command in flight", r)
					break
				}
				seen[r.Fingerprint] = true
			}

			l, size := readLedger(t, b)
			if len(l.Entries) != state.MaxEntries || size > maxLedgerBytes {
				t.Errorf("the ledger has %d entries, %d bytes; want %d entries, at most %d bytes", len(l.Entries), size, state.MaxEntries, maxLedgerBytes)
			}
			for i, fp := range ss.seed.live {
				if kept := l.Entries[fp] != nil; kept != (i >= dropSeeded) {
					t.Errorf("seeded entry %d of %d (oldest first): kept=%v; want the %d oldest dropped to make room, the rest kept", i+1, len(ss.seed.live), kept, dropSeeded)
					break
				}
			}
			for _, fp := range ss.seed.expired {
				if l.Entries[fp] != nil {
					t.Errorf("the ledger kept %s, absent for 8 days", fp)
					break
				}
			}
			for _, fp := range b.Agent.UserFingerprints {
				if e := l.Entries[fp]; e == nil || e.EIC {
					t.Errorf("user key %s in the ledger: %+v, want it seen and not EIC", fp, e)
				}
			}
			// The ledger now holds the user keys, the three EIC keys in the
			// agent, the seeded entries kept and, in what room is left, the
			// newest of the removed keys, each recorded as EIC.
			inLedger := 0
			for fp := range seen {
				if e := l.Entries[fp]; e != nil {
					inLedger++
					if !e.EIC {
						t.Errorf("removed key %s in the ledger: %+v, want it recorded as EIC", fp, e)
					}
				}
			}
			if want := state.MaxEntries - 5 - keptSeeded; inLedger != want {
				t.Errorf("%d of the %d removed keys are in the ledger, want %d", inLedger, len(seen), want)
			}
			if left := b.LeftoverKeyDirs(t); len(left) > 0 {
				t.Errorf("key dirs left behind: %q", left)
			}
			logSize := 0
			for _, p := range []string{"removals.log", "removals.log.1"} {
				if fi, err := os.Stat(filepath.Join(stateDir(b), p)); err == nil {
					logSize += int(fi.Size())
				}
			}
			t.Logf("%s: ledger %d entries, %d bytes; removal log %d lines, %d bytes", shell, len(l.Entries), size, len(rems), logSize)
		})
	}
}
