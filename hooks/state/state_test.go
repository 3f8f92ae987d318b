package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const fpA = "SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM"
const fpB = "SHA256:No21wtdBQI1f0VHUbJ3TB90RZGzA9HMBQQ+Z6BsG5EE"

func TestLedgerRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := NewLedger()
	l.Seen([]string{fpA}, now)
	l.MarkEIC(fpB, now.Add(time.Minute))
	got, err := DecodeLedger(l.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !got.KnownEIC(fpB) || got.KnownEIC(fpA) || !got.Entries[fpA].FirstSeen.Equal(now) {
		t.Fatalf("round trip lost data: %+v", got.Entries)
	}
}

func TestDecodeLedgerRejectsDamage(t *testing.T) {
	good := string(func() []byte {
		l := NewLedger()
		l.MarkEIC(fpA, time.Unix(100, 0))
		l.MarkEIC(fpB, time.Unix(100, 0))
		return l.Encode()
	}())
	for name, data := range map[string]string{
		"truncated":          good[:len(good)-12],
		"no trailer":         strings.Replace(good, "end 2\n", "", 1),
		"wrong count":        strings.Replace(good, "end 2", "end 3", 1),
		"unknown header":     strings.Replace(good, "eich-ledger 1", "eich-ledger 9", 1),
		"bad fingerprint":    strings.Replace(good, fpA, "SHA256:short", 1),
		"bad kind":           strings.Replace(good, " eic ", " user ", 1),
		"duplicate":          strings.Replace(good, fpB, fpA, 1),
		"time goes backward": strings.Replace(good, fpA+" eic 100 100", fpA+" eic 100 99", 1),
		"binary junk":        "\x00\xff\xfe garbage\n",
	} {
		if _, err := DecodeLedger([]byte(data)); err == nil {
			t.Errorf("%s: accepted %q", name, data)
		}
	}
}

func TestCompactBoundsTheLedger(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := NewLedger()
	for i := 0; i < MaxEntries+500; i++ {
		fp := "SHA256:" + strings.Repeat("A", 38) + padInt(i)
		l.MarkEIC(fp, now.Add(-time.Duration(i)*time.Second))
	}
	l.MarkEIC(fpA, now.Add(-30*24*time.Hour)) // present, however old
	l.MarkEIC(fpB, now.Add(-30*24*time.Hour)) // absent and past retention
	l.Compact(map[string]bool{fpA: true}, now)
	if len(l.Entries) > MaxEntries {
		t.Errorf("ledger holds %d entries after compaction, bound is %d", len(l.Entries), MaxEntries)
	}
	if !l.KnownEIC(fpA) {
		t.Error("an entry for a key still in the agent was dropped")
	}
	if l.Entries[fpB] != nil {
		t.Error("an entry past retention survived")
	}
}

func padInt(i int) string {
	const digits = "0123456789"
	out := []byte("00000")
	for p := 4; p >= 0; p-- {
		out[p] = digits[i%10]
		i /= 10
	}
	return string(out)
}

func TestOpenRefusesStateItCannotTrust(t *testing.T) {
	base := t.TempDir()
	loose := filepath.Join(base, "loose")
	os.Mkdir(loose, 0o755)
	os.Chmod(loose, 0o755)
	if _, err := Open(loose, false); err == nil || !strings.Contains(err.Error(), "chmod go-rwx") {
		t.Errorf("a 0755 state dir was trusted: %v", err)
	}
	d, err := Open(filepath.Join(base, "ok"), true)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.file(ledgerName), []byte("eich-ledger 1\nend 0\n"), 0o644)
	os.Chmod(d.file(ledgerName), 0o644)
	if _, err := d.LoadLedger(); err == nil {
		t.Error("a world-readable ledger was trusted")
	}
	if os.Geteuid() == 0 {
		os.Chmod(d.file(ledgerName), 0o600)
		if err := os.Chown(d.file(ledgerName), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := d.LoadLedger(); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
			t.Errorf("a ledger owned by nobody was trusted: %v", err)
		}
	}
}

func TestLockWaitIsBounded(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	held, err := d.Lock(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := d.Lock(100 * time.Millisecond); err == nil {
		t.Fatal("took a lock that is held")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("waited %v for a 100ms lock wait", took)
	}
	held.Unlock()
	again, err := d.Lock(100 * time.Millisecond)
	if err != nil {
		t.Fatalf("lock not free after Unlock: %v", err)
	}
	again.Unlock()
}

func TestConcurrentWritersNeverTearTheLedger(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				lock, err := d.Lock(10 * time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				l, err := d.LoadLedger()
				if err != nil {
					t.Error(err)
				}
				l.MarkEIC("SHA256:"+strings.Repeat("B", 36)+padInt(w)+padInt(i)[3:], time.Now())
				if err := d.SaveLedger(l); err != nil {
					t.Error(err)
				}
				lock.Unlock()
			}
		}(w)
	}
	wg.Wait()
	l, err := d.LoadLedger()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 8*25 {
		t.Errorf("ledger has %d entries, want %d: a write was lost", len(l.Entries), 8*25)
	}
}

func TestInFlightRegistry(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	want := InFlight{Session: "b", Started: now, ShellAgent: "/tmp/a b/agent", LoginAgent: "/tmp/other\n",
		Listed: true, GeneratesKey: true, Before: []string{fpA}}
	for _, s := range []string{"a", "b"} {
		r := want
		r.Session = s
		if err := d.StartInFlight(r); err != nil {
			t.Fatal(err)
		}
	}
	if n := d.CountInFlight("a", want.LoginAgent, now); n != 1 {
		t.Errorf("in flight besides a: %d, want 1", n)
	}
	if n := d.CountInFlight("a", "/another/agent", now); n != 0 {
		t.Errorf("in flight on another agent: %d, want 0", n)
	}
	if n := d.CountInFlight("a", want.LoginAgent, now.Add(InFlightWindow+time.Second)); n != 0 {
		t.Errorf("an old registration still counts: %d", n)
	}
	r, ok, err := d.FinishInFlight("b")
	if err != nil || !ok || !r.Started.Equal(want.Started) || r.ShellAgent != want.ShellAgent || r.LoginAgent != want.LoginAgent ||
		!r.Listed || !r.GeneratesKey || len(r.Before) != 1 || r.Before[0] != fpA {
		t.Fatalf("finish b: %+v %v %v, want %+v", r, ok, err, want)
	}
	if _, ok, _ := d.FinishInFlight("b"); ok {
		t.Error("finished twice")
	}
	for _, bad := range []string{"", "..", "../x", "a/b", strings.Repeat("x", 65)} {
		if err := d.StartInFlight(InFlight{Session: bad, Started: now}); err == nil {
			t.Errorf("session %q accepted", bad)
		}
	}
}

func FuzzDecodeLedger(f *testing.F) {
	l := NewLedger()
	l.MarkEIC(fpA, time.Unix(1, 0))
	l.Seen([]string{fpB}, time.Unix(2, 0))
	f.Add(l.Encode())
	f.Add([]byte("eich-ledger 1\nend 0\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeLedger(data)
		if err != nil {
			return
		}
		// What decodes must encode back to a ledger that decodes the same.
		again, err := DecodeLedger(l.Encode())
		if err != nil || len(again.Entries) != len(l.Entries) {
			t.Fatalf("re-encoding a decoded ledger broke it: %v", err)
		}
	})
}

func TestUnchangedLedgerIsNotRewritten(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	l := NewLedger()
	l.Seen([]string{fpA}, now)
	if !l.Changed() {
		t.Fatal("a new entry does not count as a change")
	}
	if err := d.SaveLedger(l); err != nil {
		t.Fatal(err)
	}
	l, _ = d.LoadLedger()
	l.Seen([]string{fpA}, now.Add(SeenEvery/2))
	l.Compact(map[string]bool{fpA: true}, now.Add(SeenEvery/2))
	if l.Changed() {
		t.Error("seeing the same key again soon changed the ledger")
	}
	l.Seen([]string{fpA}, now.Add(SeenEvery))
	if !l.Changed() {
		t.Error("a last-seen time older than SeenEvery was not refreshed")
	}
}

func TestOversizedLedgerIsCorruptWithoutReading(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(d.file(ledgerName), os.O_CREATE|os.O_WRONLY, 0o600)
	f.Truncate(64 << 20) // sparse: no time spent writing it
	f.Close()
	if _, err := d.LoadLedger(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a 64 MiB ledger: %v, want ErrCorrupt", err)
	}
}

// mustOpen opens a fresh state dir, for a test or a benchmark, and closes
// it when that ends.
func mustOpen(t testing.TB) *Dir {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "eich"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestNoLinkInsideTheStateDirIsFollowed(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("keep me\n"), 0o600)

	t.Run("removal log", func(t *testing.T) {
		d := mustOpen(t)
		os.Symlink(victim, d.file(logName))
		err := d.LogIntents([]Removal{{Time: time.Now(), Batch: "b", Fingerprint: fpA, Class: "eic"}})
		if !errors.Is(err, ErrUntrusted) {
			t.Errorf("intent through a linked log: %v, want ErrUntrusted", err)
		}
		if data, _ := os.ReadFile(victim); string(data) != "keep me\n" {
			t.Errorf("the link's target was written: %q", data)
		}
	})
	t.Run("dangling lock", func(t *testing.T) {
		d := mustOpen(t)
		target := filepath.Join(outside, "created-by-eich")
		os.Symlink(target, d.file("lock"))
		if _, err := d.Lock(10 * time.Millisecond); !errors.Is(err, ErrUntrusted) {
			t.Errorf("lock through a dangling link: %v, want ErrUntrusted", err)
		}
		if _, err := os.Lstat(target); err == nil {
			t.Error("eich created the target of a dangling lock link")
		}
	})
	t.Run("in-flight dir", func(t *testing.T) {
		d := mustOpen(t)
		elsewhere := t.TempDir()
		os.WriteFile(filepath.Join(elsewhere, "1"), []byte("started 1 listed=true generates=true\n"), 0o600)
		os.Symlink(elsewhere, d.file(inflightDir))
		d.CountInFlight("", "", time.Now().Add(48*time.Hour)) // everything there would be stale
		if err := d.StartInFlight(InFlight{Session: "2", Started: time.Now()}); !errors.Is(err, ErrUntrusted) {
			t.Errorf("registering through a linked in-flight dir: %v, want ErrUntrusted", err)
		}
		if _, _, err := d.FinishInFlight("1"); !errors.Is(err, ErrUntrusted) {
			t.Errorf("finishing through a linked in-flight dir: %v, want ErrUntrusted", err)
		}
		if _, err := os.Stat(filepath.Join(elsewhere, "1")); err != nil {
			t.Errorf("a file in the link's target was deleted: %v", err)
		}
	})
	t.Run("ledger and protect list", func(t *testing.T) {
		d := mustOpen(t)
		os.Symlink(victim, d.file(ledgerName))
		os.Symlink(victim, d.file(protectName))
		if _, err := d.LoadLedger(); !errors.Is(err, ErrUntrusted) {
			t.Errorf("ledger through a link: %v, want ErrUntrusted", err)
		}
		if _, err := d.Protected(); !errors.Is(err, ErrUntrusted) {
			t.Errorf("protect list through a link: %v, want ErrUntrusted", err)
		}
	})
	t.Run("state dir itself", func(t *testing.T) {
		real := filepath.Join(t.TempDir(), "real")
		os.Mkdir(real, 0o700)
		link := filepath.Join(t.TempDir(), "eich")
		os.Symlink(real, link)
		if _, err := Open(link, true); !errors.Is(err, ErrUntrusted) {
			t.Errorf("a linked state dir: %v, want ErrUntrusted", err)
		}
	})
}

func TestInFlightDeletesOnlyItsOwn(t *testing.T) {
	d := mustOpen(t)
	if err := d.StartInFlight(InFlight{Session: "a", Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	reg := d.file(inflightDir)
	// Not of eich's name format, another's mode, a directory, a link: all
	// left alone however old.
	os.WriteFile(filepath.Join(reg, "not ours"), nil, 0o600)
	os.WriteFile(filepath.Join(reg, "loose"), []byte("started 1 listed=false generates=false\n"), 0o644)
	os.Chmod(filepath.Join(reg, "loose"), 0o644)
	os.Mkdir(filepath.Join(reg, "dir"), 0o700)
	os.Symlink("/etc/passwd", filepath.Join(reg, "link"))
	d.CountInFlight("", "", time.Now().Add(48*time.Hour))
	for _, name := range []string{"not ours", "loose", "dir", "link"} {
		if _, err := os.Lstat(filepath.Join(reg, name)); err != nil {
			t.Errorf("%s was deleted: %v", name, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(reg, "a")); err == nil {
		t.Error("eich's own stale registration was kept")
	}
}

func TestRemovalLogIsWrittenAhead(t *testing.T) {
	d := mustOpen(t)
	now := time.Unix(1_800_000_000, 0)
	rs := []Removal{
		{Time: now, Batch: "b1", Fingerprint: fpA, Class: "eic", Comment: "\x1b[2J\"quoted\"\n", Reason: "r", Agent: "/tmp/a"},
		{Time: now, Batch: "b1", Fingerprint: fpB, Class: "suspect", Reason: "r", Agent: "/tmp/a"},
	}
	if err := d.LogIntents(rs); err != nil {
		t.Fatal(err)
	}
	// Stopped here, as by SIGKILL: both keys are in the log already.
	got, bad, err := d.Removals()
	if err != nil || bad != 0 || len(got) != 2 || got[0].Outcome != Unknown || got[0].Comment != rs[0].Comment {
		t.Fatalf("after intents: %+v bad=%d %v", got, bad, err)
	}
	rs[0].Outcome, rs[1].Outcome = Removed, Kept
	if err := d.LogOutcomes(rs, now); err != nil {
		t.Fatal(err)
	}
	got, bad, err = d.Removals()
	if err != nil || bad != 0 || len(got) != 2 || got[0].Outcome != Removed || got[1].Outcome != Kept {
		t.Fatalf("after outcomes: %+v bad=%d %v", got, bad, err)
	}
	raw, _ := os.ReadFile(d.file(logName))
	if strings.ContainsAny(string(raw), "\x1b\r") || strings.Count(string(raw), "\n") != 4 {
		t.Errorf("a comment reached the log raw or forged a line:\n%q", raw)
	}
}

func TestParseRemovalsReadsOldLogsAndSkipsJunk(t *testing.T) {
	text := "2026-01-02T03:04:05Z removed " + fpA + ` class=eic comment="" reason="eich prune" agent="/tmp/x"` + "\n" +
		"garbage line\n" +
		"2026-01-02T03:04:06Z outcome nobatch " + fpB + " removed\n"
	rs, bad := ParseRemovals([]byte(text))
	if len(rs) != 1 || rs[0].Outcome != Removed || rs[0].Reason != "eich prune" || bad != 2 {
		t.Errorf("parsed %+v, %d bad; want the old line as removed and 2 bad", rs, bad)
	}
}

func TestFinishTellsWhetherAnotherCommandOverlapped(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	mine := InFlight{Session: "1", Started: t0, LoginAgent: "/a", GeneratesKey: true}
	cases := []struct {
		name    string
		other   func(d *Dir)
		overlap bool
	}{
		{"alone", func(*Dir) {}, false},
		{"another ended before mine started", func(d *Dir) {
			d.Finish(InFlight{Started: t0.Add(-time.Minute), LoginAgent: "/a"}, t0.Add(-time.Second))
		}, false},
		{"another on another agent", func(d *Dir) {
			d.Finish(InFlight{Started: t0, LoginAgent: "/b"}, t0.Add(time.Second))
			d.StartInFlight(InFlight{Session: "3", Started: t0, LoginAgent: "/b"})
		}, false},
		{"another ended while mine ran, adding no key of its own", func(d *Dir) {
			d.Finish(InFlight{Started: t0, LoginAgent: "/a"}, t0.Add(2*time.Second))
		}, true},
		{"another still running, started just before mine", func(d *Dir) {
			d.StartInFlight(InFlight{Session: "2", Started: t0.Add(-10 * time.Second), LoginAgent: "/a"})
		}, true},
		{"another still running, started after mine", func(d *Dir) {
			d.StartInFlight(InFlight{Session: "2", Started: t0.Add(time.Second), LoginAgent: "/a"})
		}, true},
		{"another running long before mine (its key was there at pre)", func(d *Dir) {
			d.StartInFlight(InFlight{Session: "2", Started: t0.Add(-time.Hour), LoginAgent: "/a"})
		}, false},
		{"an unreadable registration", func(d *Dir) {
			os.MkdirAll(d.file(inflightDir), 0o700)
			os.WriteFile(d.file(filepath.Join(inflightDir, "2")), []byte("started 1700000000\n"), 0o600)
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := mustOpen(t)
			c.other(d)
			got, err := d.Finish(mine, t0.Add(4*time.Second))
			if err != nil || got != c.overlap {
				t.Errorf("Finish = %v, %v; want %v", got, err, c.overlap)
			}
			// Mine is now on the finished list: a later command on the
			// same agent that started before it ended overlapped it.
			later := InFlight{Started: t0.Add(3 * time.Second), LoginAgent: "/a"}
			if got, _ := d.Finish(later, t0.Add(5*time.Second)); !got {
				t.Error("a command that ran while mine ended was not told of mine")
			}
		})
	}
}

func TestUnreadableRegistrationIsNone(t *testing.T) {
	d := mustOpen(t)
	if err := d.StartInFlight(InFlight{Session: "x", Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	old := d.file(filepath.Join(inflightDir, "7"))
	os.WriteFile(old, []byte("started 1700000000\n"+fpA+"\n"), 0o600) // an older eich's format
	r, ok, err := d.FinishInFlight("7")
	if ok || err != nil {
		t.Errorf("an unreadable registration: %+v, %v, %v; want none and no error", r, ok, err)
	}
	if _, err := os.Lstat(old); err == nil {
		t.Error("the unreadable registration was kept")
	}
}

// TestWritePromptRemovesMarkers: a change of a prompt file deletes every
// shell's seen-PID marker (so that each reads the file at its next
// prompt), and nothing else: not a link (nor what it points to), not a
// directory, not a name of another format; an unchanged text rewrites
// nothing and deletes nothing.
func TestWritePromptRemovesMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eich")
	d, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	put := func(name string) string {
		p := filepath.Join(path, name)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	markers := []string{put("seen-1"), put(fmt.Sprintf("seen-%d", os.Getpid()))}
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(path, "seen-2")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(path, "seen-3")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	others := []string{put("seen-04"), put("seen-5x"), put("seen-"), put("xseen-6")}

	if err := d.WritePrompt("/tmp/agent.sock", "eic 1/6"); err != nil {
		t.Fatal(err)
	}
	for _, p := range markers {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("marker %s is still there after a change (%v)", p, err)
		}
	}
	for _, p := range append([]string{link, target, dir}, others...) {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	marker := put("seen-7")
	prompt := filepath.Join(path, PromptName("/tmp/agent.sock"))
	before, err := os.Stat(prompt)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WritePrompt("/tmp/agent.sock", "eic 1/6"); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(prompt); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the same text rewrote the prompt file (%v)", err)
	}
	if _, err := os.Lstat(marker); err != nil {
		t.Errorf("an unchanged prompt file removed a marker: %v", err)
	}
	if err := d.WritePrompt("/other/agent.sock", "eic 2/6"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("another agent's new prompt file left a marker (%v)", err)
	}
	if data, err := os.ReadFile(prompt); err != nil || string(data) != "eic 1/6\n" {
		t.Errorf("prompt file holds %q (%v)", data, err)
	}
}
