package e2e

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks/settings"
	"github.com/eich-dev/eich/internal/testbed"
	"github.com/eich-dev/eich/shells"
)

// sshConfigBlock runs the bed's `eich ssh-config`.
func sshConfigBlock(t *testing.T, b *testbed.Bed) string {
	t.Helper()
	out := eichOutput(t, b, b.Eich, "ssh-config")
	if out != shells.SSHConfig() {
		t.Errorf("eich ssh-config printed\n%s\nwant shells.SSHConfig():\n%s", out, shells.SSHConfig())
	}
	return out
}

// sshG returns the options `ssh -G` resolves for the test server.
func sshG(t *testing.T, b *testbed.Bed, env ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(testbed.Tool(t, "ssh"), "-F", b.SSHConfig, "-G", "127.0.0.1")
	cmd.Env = b.Env(env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ssh -G: %v\n%s", err, out)
	}
	opts := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			opts[k] = v
		}
	}
	return opts
}

// TestSSHConfigBlockMatchesOnlyEIC checks with the real ssh that the block
// from `eich ssh-config` applies exactly while EICH_EIC=1 is set, whatever
// the user's $SHELL (Match exec runs its command through it).
func TestSSHConfigBlockMatchesOnlyEIC(t *testing.T) {
	t.Parallel()
	b := testbed.NewBed(t, built(t))
	b.WriteSSHConfig(t, sshConfigBlock(t, b))
	for _, shell := range []string{"/bin/sh", testbed.Tool(t, "bash"), testbed.Tool(t, "zsh"), testbed.Tool(t, "fish")} {
		off := sshG(t, b, "SHELL="+shell)
		if off["identitiesonly"] != "no" || off["addkeystoagent"] != "true" {
			t.Errorf("SHELL=%s, EICH_EIC unset: identitiesonly=%s addkeystoagent=%s, want no / true (the user's own config)", shell, off["identitiesonly"], off["addkeystoagent"])
		}
		on := sshG(t, b, "SHELL="+shell, settings.EICVar+"=1")
		if on["identitiesonly"] != "yes" || on["addkeystoagent"] != "false" {
			t.Errorf("SHELL=%s, EICH_EIC=1: identitiesonly=%s addkeystoagent=%s, want yes / false", shell, on["identitiesonly"], on["addkeystoagent"])
		}
	}
}

// TestSSHConfigBlockLogins proves the `eich ssh-config` block in each
// shell: with six
// stale keys in the agent, eich's pruning off (EICH_MODE=off) and the
// block at the top of the ssh config, hooked EIC logins succeed and the
// agent gains no key. Without the hook the same login fails, so the block
// is what made the difference.
func TestSSHConfigBlockLogins(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		b.WriteSSHConfig(t, sshConfigBlock(t, b))
		b.Agent.AddStale(t, 6)
		keys := b.Agent.Fingerprints(t)

		// Control: not hooked, EICH_EIC unset, eight keys ahead of the fresh one.
		cmd := exec.Command(b.Bin+"/aws", "ec2-instance-connect", "ssh", "--instance-id", "i-control")
		cmd.Env = b.Env()
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "Too many authentication failures") {
			t.Fatalf("unhooked login with eight agent keys: err=%v, want Too many authentication failures:\n%s", err, out)
		}

		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)}, "EICH_MODE=off")
		for i := 0; i < 4; i++ {
			line := "aws ec2-instance-connect ssh --instance-id i-block"
			if i%2 == 1 {
				line = "aws --profile p ec2-instance-connect ssh --instance-id i-block && echo ok"
			}
			res := sh.RunEIC(line)
			if res.Run.Status != 0 || res.Run.EichEIC != "1" {
				t.Fatalf("hooked login %d under the block: status %d, EICH_EIC=%q; want 0 and 1", i+1, res.Run.Status, res.Run.EichEIC)
			}
			if got := b.Agent.Fingerprints(t); !slices.Equal(got, keys) {
				t.Fatalf("hooked login %d under the block changed the agent; now:\n%s", i+1, b.Agent.Describe(t))
			}
		}
	})
}
