package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// TestWithoutEichLoginsFail reproduces the failure eich exists for: with two
// user keys in the agent and AddKeysToAgent yes, every EIC login leaves a
// key behind, and within ten logins sshd refuses one with
// "Too many authentication failures".
func TestWithoutEichLoginsFail(t *testing.T) {
	t.Parallel()
	b := testbed.NewBed(t, built(t))
	for try := 1; try <= 10; try++ {
		cmd := exec.Command(b.Bin+"/aws", "ec2-instance-connect", "ssh", "--instance-id", "i-0123456789abcdef0")
		cmd.Env = b.Env()
		out, err := cmd.CombinedOutput()
		if err == nil {
			if !strings.Contains(string(out), testbed.RemoteOutput) {
				t.Fatalf("login %d succeeded without the remote command's output:\n%s", try, out)
			}
			continue
		}
		if try == 1 {
			t.Fatalf("the first login, with only the two user keys in the agent, failed: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "Too many authentication failures") {
			t.Fatalf("login %d failed, but not with sshd's \"Too many authentication failures\": %v\n%s", try, err, out)
		}
		t.Logf("login %d failed as expected: %s", try, strings.TrimSpace(string(out)))
		t.Logf("agent keys:\n%s", b.Agent.Describe(t))
		// sshd writes its log line a moment after the client sees the disconnect.
		testbed.WaitFor(t, 10*time.Second, `sshd's log line "Too many authentication failures"`, func() bool {
			return strings.Contains(b.SSHD.Log(), "Too many authentication failures")
		}, b.SSHD.Log)
		if left := b.LeftoverKeyDirs(t); len(left) > 0 {
			t.Errorf("the stand-in left its key dirs behind: %q", left)
		}
		return
	}
	t.Fatalf("ten EIC logins in a row succeeded without eich; agent keys:\n%s", b.Agent.Describe(t))
}

// TestStandInKeyExpires checks the test bed's stand-in for SendSSHPublicKey:
// a key pushed with an expiry-time already past is refused by sshd, so the
// time limit is really enforced, as EC2's 60 seconds are.
func TestStandInKeyExpires(t *testing.T) {
	t.Parallel()
	b := testbed.NewBed(t, built(t))
	cmd := exec.Command(b.Bin+"/aws", "ec2-instance-connect", "ssh", "--instance-id", "i-expired")
	cmd.Env = b.Env("FAKEAWS_KEY_TTL=-120")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Fatalf("login with an expired key: err=%v, want Permission denied:\n%s", err, out)
	}
	// sshd logs why only at debug level; at VERBOSE it says this.
	// sshd may write the line after the client has gone: wait for it.
	testbed.WaitFor(t, 10*time.Second, `sshd's log line "Refused by key options"`, func() bool {
		return strings.Contains(b.SSHD.Log(), "Refused by key options")
	}, b.SSHD.Log)
}
