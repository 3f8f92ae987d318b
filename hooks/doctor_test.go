package hooks_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/internal/output"
	"github.com/eich-dev/eich/internal/testbed"
)

func TestHostPattern(t *testing.T) {
	for host, want := range map[string]string{
		"10.1.2.3":               "10.1.*.*",
		"192.168.0.1":            "192.168.*.*",
		"::ffff:7f00:1":          "::ffff:7f00:1", // IPv4-mapped: ssh matches the text as typed
		"0:0:0:0:0:ffff:102:304": "0:0:0:0:0:ffff:102:304",
		"::ffff:1.2.3.4":         "::ffff:1.2.3.4",
		"2001:db8::1":            "2001:db8::1",
		"fe80::1%eth0":           "fe80::1%eth0",
		"010.1.2.3":              "010.1.2.3", // not an address Go reads: as given
		"ec2-instance":           "ec2-instance",
		"ec2-user@10.1.2.3":      "ec2-user@10.1.2.3",
	} {
		if err := hooks.CheckHost(host); err != nil {
			t.Errorf("CheckHost(%q): %v", host, err)
		}
		if got := hooks.HostPattern(host); got != want {
			t.Errorf("HostPattern(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestCheckHostRefuses(t *testing.T) {
	for _, host := range []string{
		"", "-oProxyCommand=touch x", "a b", "a\tb", "a\nHost *", "\x1b[2J",
		"evil\u202ehost", "zero\u200bwidth", "a\u2028b", "a\u00a0b", "\xff",
		strings.Repeat("a", hooks.MaxHostLen+1),
	} {
		err := hooks.CheckHost(host)
		if err == nil {
			t.Errorf("CheckHost(%q) accepted it", host)
		} else if !safetext.Printable(err.Error()) {
			t.Errorf("CheckHost(%q): error is not printable: %q", host, err)
		}
	}
}

// FuzzDoctorHost checks doctor's host handling for any --host: no panic,
// and an accepted host gives a Host pattern that is one printable word
// matching the host.
func FuzzDoctorHost(f *testing.F) {
	for _, s := range []string{"10.1.2.3", "::ffff:7f00:1", "0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4", "ec2-instance", "-x", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if hooks.CheckHost(host) != nil {
			return
		}
		p := hooks.HostPattern(host)
		if !safetext.Printable(p) || strings.ContainsAny(p, " \t") || strings.HasPrefix(p, "-") || p == "" {
			t.Fatalf("HostPattern(%q) = %q: not one printable word", host, p)
		}
		if p != host && !(strings.HasSuffix(p, ".*.*") && strings.HasPrefix(host, strings.TrimSuffix(p, "*.*"))) {
			t.Fatalf("HostPattern(%q) = %q does not match the host", host, p)
		}
	})
}

// TestDoctorBoundsSSH runs doctor against a real ssh whose config runs a
// slow `Match exec`: in ssh's own process group, in a session of its own
// that still holds ssh's stderr, and writing to ssh's stderr without end.
// Doctor must end near its 5 s deadline for ssh, not wait the 20 s of the
// sleep (twice), and keep a bounded part of the output.
func TestDoctorBoundsSSH(t *testing.T) {
	testbed.Tool(t, "ssh") // fails the test when missing
	setsid := testbed.Tool(t, "setsid")
	for name, exec := range map[string]string{
		"same group":    "sleep 20",
		"own session":   setsid + ` sh -c 'echo $$ > %s; exec sleep 20'`,
		"endless error": "yes >&2", // until the deadline, into ssh's stderr
	} {
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			pidFile := filepath.Join(home, "sleep.pid")
			if strings.Contains(exec, "%s") {
				exec = fmt.Sprintf(exec, pidFile)
				t.Cleanup(func() { killPidFile(pidFile) })
			}
			config := filepath.Join(home, ".ssh", "config")
			os.MkdirAll(filepath.Dir(config), 0o700)
			if err := os.WriteFile(config, []byte("Match exec \""+exec+"\"\n    User slow\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("HOME", home)
			e := newEnv(t)
			e.s.SSHConfig = config
			var out bytes.Buffer
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			report, err := hooks.Doctor(e.s, "10.1.2.3")
			if err != nil {
				t.Fatal(err)
			}
			output.New(&out, false).Doctor(report)
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("doctor allocated %d MiB while ssh wrote without end", alloc>>20)
			}
			// The deadline is 5 s and both ssh -G run side by side; the
			// margin is for a loaded machine. Unbounded it takes 40 s.
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("doctor took %v with a config whose Match exec sleeps 20 s", took)
			}
			if !strings.Contains(out.String(), "ssh -G 10.1.2.3: ssh -G: no answer within ") {
				t.Errorf("doctor does not report the ssh deadline:\n%s", out.String())
			}
		})
	}
}

func killPidFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 1 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// TestDoctorKeyCount: doctor says why a key count is a problem, and a
// count one below the limit, normal after every login, is not one.
func TestDoctorKeyCount(t *testing.T) {
	keys := func(classes ...keyclass.Class) []hooks.Key {
		var out []hooks.Key
		for i, c := range classes {
			out = append(out, hooks.Key{Position: i + 1, Class: c})
		}
		return out
	}
	u, e, s := keyclass.User, keyclass.EIC, keyclass.Suspect
	cases := []struct {
		name string
		mode policy.Mode
		keys []hooks.Key
		want [][]string // one finding each: its level, then text it holds
	}{
		{"5 of 6", policy.Auto, keys(u, u, u, e, s), [][]string{
			{"ok", "keys: 5 (user 3, protected 0, eic 1, suspect 1, expired certs 0): an EIC login's key is attempt 6, within MaxAuthTries 6"},
		}},
		{"6 of 6", policy.Auto, keys(u, u, u, e, s, s), [][]string{
			{"warn", "keys: 6 (user 3, protected 0, eic 1, suspect 2, expired certs 0): an EIC login's key would be attempt 7 > MaxAuthTries 6; the hook prunes stale keys"},
		}},
		{"mode off", policy.Off, keys(u, u, u, e, s, s), [][]string{
			{"warn", "would be attempt 7 > MaxAuthTries 6; mode off removes nothing: `eich prune` makes room"},
		}},
		{"own keys fill it", policy.Auto, keys(u, u, u, u, u, u), [][]string{
			{"warn", "would be attempt 7 > MaxAuthTries 6, and none of them is stale"},
			{"warn", "your own keys alone (6) leave no room: an EIC login's key would be attempt 7 > MaxAuthTries 6"},
		}},
		{"own keys leave one", policy.Auto, keys(u, u, u, u, u), [][]string{
			{"ok", "attempt 6, within MaxAuthTries 6"},
			{"warn", "your own keys (5) leave room for one EIC login at a time: a second one running alongside would be attempt 7 > MaxAuthTries 6"},
		}},
	}
	for _, c := range cases {
		set := &hooks.Settings{}
		set.MaxAuthTries, set.Mode = 6, c.mode
		got := hooks.KeyFindings(set, c.keys)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d findings, want %d: %+v", c.name, len(got), len(c.want), got)
			continue
		}
		for i, w := range c.want {
			if string(got[i].Level) != w[0] || !strings.Contains(got[i].Text, w[1]) {
				t.Errorf("%s: finding %d is %s %q, want %s with %q", c.name, i+1, got[i].Level, got[i].Text, w[0], w[1])
			}
		}
	}
}
