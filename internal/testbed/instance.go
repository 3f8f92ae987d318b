package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// AddInstance starts one more sshd for b, as a second (third, …) EC2
// instance: its own port and its own authorized_keys, which the stand-in
// rewrites with only the newest key pushed to it, so it refuses the keys
// pushed to the other instances. Its host key is added to the bed's
// known_hosts. Point a shell's logins at it with InstanceEnv.
func (b *Bed) AddInstance(t testing.TB) *SSHD {
	t.Helper()
	s := StartSSHD(t)
	f, err := os.OpenFile(filepath.Join(b.Home, ".ssh", "known_hosts"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("known_hosts: %v", err)
	}
	_, err = f.WriteString(s.KnownHostsLine())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("known_hosts: %v", err)
	}
	return s
}

// InstanceEnv returns the environment entries (for StartShell's env) that
// make the stand-in push keys to s and log in to it.
func InstanceEnv(s *SSHD) []string {
	return []string{
		"FAKEAWS_PORT=" + fmt.Sprint(s.Port),
		"FAKEAWS_AUTHORIZED_KEYS=" + s.AuthorizedKeys,
	}
}
