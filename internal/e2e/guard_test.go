package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// guardLogins is how many EIC logins each launcher runs in a row: more
// than three times what MaxAuthTries 6 lets through without eich.
const guardLogins = 20

// blockBed is a bed whose ssh config starts with the ssh config block of
// mode ("guard" or "prevent") for the bed's own eich; no shell hook is
// loaded anywhere. (The block is made in-process: the bed's copy of eich
// was written a moment ago, and running it at once may meet ETXTBSY
// while another test forks.)
func blockBed(t *testing.T, mode string) *testbed.Bed {
	t.Helper()
	b := testbed.NewBed(t, built(t))
	block, err := shells.SSHConfigBlock(mode, b.Eich)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteSSHConfig(t, block)
	return b
}

// loginKeys reads the stand-in's log: each run's status and the
// fingerprint of the key its ssh was given.
func loginKeys(t *testing.T, b *testbed.Bed) (statuses []string, fps []string) {
	t.Helper()
	data, err := os.ReadFile(b.AWSLog)
	if err != nil {
		t.Fatalf("the stand-in's log: %v", err)
	}
	re := regexp.MustCompile(`^run status=(\d+) eich_eic=\S* key=(\S*) `)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("the stand-in's log has %q", line)
		}
		statuses, fps = append(statuses, m[1]), append(fps, m[2])
	}
	return statuses, fps
}

// TestGuardCoversEveryLauncher: with only the guard block in the ssh
// config and no shell hook, EIC logins started by a script, sh -c, make,
// xargs, bash -c and a Python subprocess all succeed, 20 in a row each;
// the user's keys stay; every key the ledger marks as EIC's is exactly
// the key file one of the logins used, and every login's key is marked.
// Half the launchers get key files with the base64 on one line (AWS CLI
// 2.25 and later), half wrapped at 70 columns (before).
func TestGuardCoversEveryLauncher(t *testing.T) {
	aws := fmt.Sprintf("aws ec2-instance-connect ssh --instance-id i-0%s", "$i")
	loop := fmt.Sprintf("for i in $(seq %d); do %s || exit 1; done", guardLogins, aws)
	script := func(b *testbed.Bed) *exec.Cmd {
		script := filepath.Join(b.Root, "prod.sh")
		os.WriteFile(script, []byte("#!/bin/sh\n"+loop+"\n"), 0o755)
		return exec.Command(script)
	}
	launchers := []struct {
		name, format string
		cmd          func(b *testbed.Bed) *exec.Cmd
		shell        string // the $SHELL ssh's Match exec runs the guard with
	}{
		{"script", "wrapped", script, "sh"},
		// fish -c forks the guard (its parent is fish, ssh its
		// grandparent); zsh -c execs it.
		{"script, SHELL=fish", "oneline", script, "fish"},
		{"script, SHELL=zsh", "wrapped", script, "zsh"},
		{"sh -c", "oneline", func(*testbed.Bed) *exec.Cmd { return exec.Command("sh", "-c", loop) }, "sh"},
		{"bash -c", "wrapped", func(*testbed.Bed) *exec.Cmd { return exec.Command("bash", "-c", loop) }, "bash"},
		{"make", "oneline", func(b *testbed.Bed) *exec.Cmd {
			// A recipe line with no shell syntax: make runs aws itself.
			mk := filepath.Join(b.Root, "Makefile")
			os.WriteFile(mk, []byte("login%:\n\taws ec2-instance-connect ssh --instance-id i-0$*\n"), 0o644)
			targets := []string{"-s", "-f", mk}
			for i := 1; i <= guardLogins; i++ {
				targets = append(targets, fmt.Sprintf("login%d", i))
			}
			return exec.Command("make", targets...)
		}, "sh"},
		{"xargs", "wrapped", func(*testbed.Bed) *exec.Cmd {
			return exec.Command("sh", "-c", fmt.Sprintf("seq %d | xargs -I{} aws ec2-instance-connect ssh --instance-id i-0{}", guardLogins))
		}, "sh"},
		{"python subprocess", "oneline", func(*testbed.Bed) *exec.Cmd {
			// env finds python3 on the bed's PATH, as a user's script would.
			return exec.Command("env", "python3", "-c", fmt.Sprintf(
				"import subprocess\nfor i in range(%d):\n    subprocess.run(['aws', 'ec2-instance-connect', 'ssh', '--instance-id', 'i-0%%d' %% i], check=True)\n", guardLogins))
		}, "sh"},
	}
	testbed.Tool(t, "make")
	testbed.Tool(t, "python3")
	for _, l := range launchers {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			b := blockBed(t, "guard")
			cmd := l.cmd(b)
			cmd.Env = b.Env("FAKEAWS_KEY_FORMAT="+l.format, "SHELL="+testbed.Tool(t, l.shell))
			out, err := cmd.CombinedOutput()
			statuses, fps := loginKeys(t, b)
			if err != nil || len(statuses) != guardLogins || slices.ContainsFunc(statuses, func(s string) bool { return s != "0" }) {
				t.Fatalf("%s: %v; login statuses %v, want %d zeros\n%s\nagent:\n%s", l.name, err, statuses, guardLogins,
					lastLines(string(out), 20), b.Agent.Describe(t))
			}
			if !b.Agent.HasUserKeys(t) {
				t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
			}
			l, _ := readLedger(t, b)
			for _, fp := range fps {
				if !l.KnownEIC(fp) {
					t.Errorf("the key of a login, %s, is not marked EIC in the ledger", fp)
				}
			}
			for fp, e := range l.Entries {
				if e.EIC && !slices.Contains(fps, fp) {
					t.Errorf("the ledger marks %s, which no login used", fp)
				}
			}
			for _, r := range readRemovals(t, b) {
				if r.Class != "eic" || !slices.Contains(fps, r.Fingerprint) {
					t.Errorf("removed %+v; want only the logins' own keys, as eic", r)
				}
			}
		})
	}
}

// TestGuardLeavesOtherSSHAlone: with the guard block, `ssh -G`, a plain
// ssh login and an EIC login that brings the user's own key file
// (--private-key-file) print nothing of eich's; the first two do not
// even create the state dir, and the user's key is never marked.
func TestGuardLeavesOtherSSHAlone(t *testing.T) {
	t.Parallel()
	b := blockBed(t, "guard")
	// The block `eich ssh-config guard` prints runs that eich by its path.
	eich := built(t).Eich
	if out, err := exec.Command(eich, "ssh-config", "guard").Output(); err != nil || !strings.Contains(string(out), `Match exec "`+eich+` guard"`) {
		t.Errorf("eich ssh-config guard: %v\n%s", err, out)
	}
	run := func(name string, args ...string) string {
		cmd := exec.Command(name, args...)
		cmd.Env = b.Env()
		out, _ := cmd.CombinedOutput()
		if strings.Contains(string(out), "eich:") {
			t.Errorf("%s %q printed eich's words:\n%s", name, args, out)
		}
		return string(out)
	}
	run(b.Bin+"/ssh", "-G", "example.com")
	run(b.Bin+"/ssh", "-p", fmt.Sprint(b.SSHD.Port), "-o", "BatchMode=yes", b.SSHD.User+"@127.0.0.1", "true")
	if _, err := os.Lstat(stateDir(b)); !os.IsNotExist(err) {
		t.Errorf("a non-EIC ssh touched the state dir: %v", err)
	}
	// doctor asks ssh whether it runs the guard; the guard answers that
	// probe and does nothing else.
	if out := run(eich, "doctor", "--host", "example.com"); !strings.Contains(out, "guard: ssh runs `eich guard`") {
		t.Errorf("eich doctor does not see the guard block:\n%s", out)
	}

	own := filepath.Join(b.Home, ".ssh", "id_own")
	testbed.RunTool(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", own)
	os.Remove(own + ".pub") // nothing on disk says whose it is but the private key file
	run(b.Bin+"/aws", "ec2-instance-connect", "ssh", "--instance-id", "i-0own", "--private-key-file", own)
	statuses, fps := loginKeys(t, b)
	if len(statuses) != 1 || statuses[0] != "0" {
		t.Fatalf("the login with --private-key-file: statuses %v", statuses)
	}
	if _, err := os.Lstat(filepath.Join(stateDir(b), "ledger")); err == nil {
		if l, _ := readLedger(t, b); l.KnownEIC(fps[0]) {
			t.Errorf("the user's own key file %s is marked EIC", fps[0])
		}
	}
}

// TestGuardWithTheHook: in an interactive shell with the hook loaded and
// the guard block in the ssh config, each typed EIC login starts eich as
// hook pre, guard and hook post; it is pruned once (by hook pre: the
// guard sees EICH_EIC and only records) and its key is marked exactly:
// the removal log holds each removed key once, all of them logins' keys,
// and the ledger marks the logins' keys and nothing else.
func TestGuardWithTheHook(t *testing.T) {
	const logins = 10
	for _, shell := range shells.Names() {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			b := blockBed(t, "guard")
			sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)})
			w := b.WrapEich(t)
			for i := 0; i < logins; i++ {
				before := len(w.Starts(t))
				res := sh.RunEIC(fmt.Sprintf("aws ec2-instance-connect ssh --instance-id i-0%d", i))
				if res.Run.Status != 0 || res.Status != 0 {
					t.Fatalf("login %d failed with status %d; agent:\n%s", i+1, res.Run.Status, b.Agent.Describe(t))
				}
				starts := w.Starts(t)[before:]
				if len(starts) != 3 || !strings.HasPrefix(starts[0], "hook pre ") || starts[1] != "guard" || !strings.HasPrefix(starts[2], "hook post ") {
					t.Errorf("login %d started eich as %q, want hook pre, guard, hook post", i+1, starts)
				}
			}
			_, fps := loginKeys(t, b)
			seen := map[string]bool{}
			rems := readRemovals(t, b)
			for _, r := range rems {
				if r.Class != "eic" || !slices.Contains(fps, r.Fingerprint) || seen[r.Fingerprint] {
					t.Errorf("removed %+v; want each a login's key, as eic, once", r)
				}
				seen[r.Fingerprint] = true
			}
			if len(rems) != logins-3 {
				t.Errorf("%d removals for %d logins, want %d: one per login from the 4th", len(rems), logins, logins-3)
			}
			l, _ := readLedger(t, b)
			for fp, e := range l.Entries {
				if e.EIC != slices.Contains(fps, fp) {
					t.Errorf("the ledger has %s as eic=%v", fp, e.EIC)
				}
			}
			if !b.Agent.HasUserKeys(t) {
				t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
			}
		})
	}
}

// TestPreventBlock: with `eich ssh-config prevent` at the top of the ssh
// config and no hook, EIC logins from a script add no key to the agent
// (ssh offers only the -i key and keeps it out of the agent), a plain ssh
// still adds its key, and `eich guard --test` writes no state.
func TestPreventBlock(t *testing.T) {
	t.Parallel()
	b := blockBed(t, "prevent")
	b.Agent.AddStale(t, 6) // more than MaxAuthTries lets through, had they been offered
	before := len(b.Agent.Keys(t))
	cmd := exec.Command("sh", "-c", fmt.Sprintf("for i in $(seq %d); do aws ec2-instance-connect ssh --instance-id i-0$i || exit 1; done", 8))
	cmd.Env = b.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("EIC logins under the prevent block: %v\n%s", err, lastLines(string(out), 20))
	}
	if after := len(b.Agent.Keys(t)); after != before {
		t.Errorf("the agent went from %d to %d keys: an EIC login added its key", before, after)
	}
	if _, err := os.Lstat(stateDir(b)); !os.IsNotExist(err) {
		t.Errorf("eich guard --test touched the state dir: %v", err)
	}
	// What hook post and doctor ask: ssh -G with the hook's variable set
	// shows the block's options, as for the hook block.
	g := exec.Command(b.Bin+"/ssh", "-G", "example.com")
	g.Env = b.Env("EICH_EIC=1")
	out, err := g.Output()
	if err != nil || !strings.Contains(string(out), "\nidentitiesonly yes\n") || !strings.Contains(string(out), "\naddkeystoagent false\n") {
		t.Errorf("ssh -G with EICH_EIC=1 under the prevent block: %v\n%s", err, out)
	}
}
