package config

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse([]byte(`# eich
max_auth_tries = 4
mode=always
  agent_timeout = 750ms
protect = SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM
protect = SHA256:No21wtdBQI1f0VHUbJ3TB90RZGzA9HMBQQ+Z6BsG5EE
extra_command = eic
`), "config")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAuthTries != 4 || c.Mode != "always" || c.AgentTimeout != 750*time.Millisecond ||
		len(c.Protect) != 2 || len(c.ExtraCommands) != 1 {
		t.Fatalf("parsed %+v", c)
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{
		"max_auth_tries = 0", "max_auth_tries = six", "max_auth_tries = 101",
		"mode = sometimes", "agent_timeout = 1h", "agent_timeout = 1", "protect = SHA256:abc",
		"protect = MD5:aa:bb", "extra_command = rm -rf", "extra_command = $(x)", "maxauthtries = 6",
		"just words",
	} {
		_, err := Parse([]byte("# ok\n"+bad+"\n"), "cfg")
		if err == nil {
			t.Errorf("accepted %q", bad)
		} else if !strings.HasPrefix(err.Error(), "cfg:2: ") {
			t.Errorf("error for %q does not name the line: %v", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("max_auth_tries = 4\nmode = auto\nprotect = SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM\n"))
	f.Add([]byte("extra_command = eic\nagent_timeout = 1s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		if c.MaxAuthTries < 0 || c.MaxAuthTries > 100 || (c.Mode != "" && CheckMode(c.Mode) != nil) {
			t.Fatalf("accepted an invalid value: %+v", c)
		}
		for _, e := range c.ExtraCommands {
			if strings.ContainsAny(e, " \t\n'\"$`;|&") {
				t.Fatalf("accepted an unsafe command name %q", e)
			}
		}
	})
}
