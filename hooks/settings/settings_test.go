package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/policy"
)

// sources builds Resolve's inputs from maps.
func sources(flags, env map[string]string) Sources {
	return Sources{
		Flag:   func(name string) (string, bool) { v, ok := flags[name]; return v, ok },
		Getenv: func(name string) string { return env[name] },
	}
}

// writeConfig writes a private config file and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParse(t *testing.T) {
	f, err := Parse([]byte(`# eich
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
	if f.values["max_auth_tries"].value != "4" || f.values["mode"].value != "always" ||
		f.values["agent_timeout"].value != "750ms" || len(f.protect) != 2 || len(f.extraCommands) != 1 {
		t.Fatalf("parsed %+v", f)
	}
}

func TestParseRejects(t *testing.T) {
	for _, bad := range []string{
		"max_auth_tries = 0", "max_auth_tries = six", "max_auth_tries = 101",
		"mode = sometimes", "agent_timeout = 1h", "agent_timeout = 1", "protect = SHA256:abc",
		"protect = MD5:aa:bb", "extra_command = rm -rf", "extra_command = $(x)", "maxauthtries = 6",
		"lock_wait = 45s", "hook_budget = 10ms", "quiet = perhaps", "just words",
	} {
		_, err := Parse([]byte("# ok\n"+bad+"\n"), "cfg")
		if err == nil {
			t.Errorf("accepted %q", bad)
		} else if !strings.HasPrefix(err.Error(), "cfg:2: ") {
			t.Errorf("error for %q does not name the line: %v", bad, err)
		}
	}
}

func TestParseRejectsAKeyGivenTwice(t *testing.T) {
	_, err := Parse([]byte("mode = off\nmax_auth_tries = 4\nmode = auto\n"), "cfg")
	if err == nil || err.Error() != "cfg:3: mode is set twice (first at cfg:1); keep one line" {
		t.Errorf("a key given twice: %v", err)
	}
}

func TestResolvePrecedence(t *testing.T) {
	cfg := writeConfig(t, "max_auth_tries = 4\nmode = off\nlock_wait = 0s\n")
	for _, c := range []struct {
		name       string
		flags, env map[string]string
		want       int
	}{
		{"default", nil, nil, 6},
		{"file", map[string]string{"config": cfg}, nil, 4},
		{"file through EICH_CONFIG", nil, map[string]string{"EICH_CONFIG": cfg}, 4},
		{"env beats file", nil, map[string]string{"EICH_CONFIG": cfg, "EICH_MAX_AUTH_TRIES": "5"}, 5},
		{"flag beats env", map[string]string{"max-auth-tries": "3"}, map[string]string{"EICH_CONFIG": cfg, "EICH_MAX_AUTH_TRIES": "5"}, 3},
		{"empty env is unset", nil, map[string]string{"EICH_CONFIG": cfg, "EICH_MAX_AUTH_TRIES": ""}, 4},
	} {
		s, err := Resolve(sources(c.flags, c.env))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s.MaxAuthTries != c.want {
			t.Errorf("%s: max_auth_tries %d, want %d", c.name, s.MaxAuthTries, c.want)
		}
	}
	s, err := Resolve(sources(nil, map[string]string{"EICH_CONFIG": cfg, "EICH_MODE": ""}))
	if err != nil || s.Mode != policy.Off || s.LockWait != 0 {
		t.Errorf("empty EICH_MODE: %+v %v; want the file's mode off and lock_wait 0s", s, err)
	}
}

func TestDefaults(t *testing.T) {
	s, err := Resolve(sources(nil, map[string]string{"XDG_CONFIG_HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{MaxAuthTries: 6, Mode: policy.Auto, AgentTimeout: 500 * time.Millisecond,
		LockWait: 2 * time.Second, HookBudget: time.Second}
	if s.MaxAuthTries != want.MaxAuthTries || s.Mode != want.Mode || s.AgentTimeout != want.AgentTimeout ||
		s.LockWait != want.LockWait || s.HookBudget != want.HookBudget || s.Quiet {
		t.Errorf("defaults %+v, want %+v", s, want)
	}
}

// Every source goes through the same validator: a value is accepted or
// refused alike as a flag, a variable and a file line, and the error
// names where it came from.
func TestOneValidatorForEverySource(t *testing.T) {
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"lock_wait", "0s", true}, {"lock_wait", "30s", true}, {"lock_wait", "45s", false},
		{"agent_timeout", "10ms", true}, {"agent_timeout", "5ms", false},
		{"hook_budget", "1s", true}, {"hook_budget", "0s", false}, {"hook_budget", "2m", false},
		{"max_auth_tries", "2", true}, {"max_auth_tries", "x", false},
		{"mode", "always", true}, {"mode", "AUTO", false},
		{"quiet", "1", true}, {"quiet", "yes", false},
		{"prompt_segment", "true", true}, {"prompt_segment", "on", false},
	} {
		var d Scalar
		for _, s := range Scalars {
			if s.Key == c.key {
				d = s
			}
		}
		home := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
		_, errFlag := Resolve(Sources{Flag: func(n string) (string, bool) { return c.value, n == d.Flag() }, Getenv: func(n string) string { return home[n] }})
		env := map[string]string{d.Env(): c.value, "XDG_CONFIG_HOME": home["XDG_CONFIG_HOME"]}
		_, errEnv := Resolve(sources(nil, env))
		_, errFile := Resolve(sources(map[string]string{"config": writeConfig(t, c.key+" = "+c.value+"\n")}, nil))
		for where, err := range map[string]error{"--" + d.Flag(): errFlag, d.Env(): errEnv, "config:1: " + c.key: errFile} {
			if (err == nil) != c.ok {
				t.Errorf("%s = %q from %s: error %v, want ok=%v", c.key, c.value, where, err, c.ok)
			}
			if err != nil && !strings.Contains(err.Error(), where) {
				t.Errorf("%s = %q: error %q does not name %s", c.key, c.value, err, where)
			}
		}
	}
}

func TestConfigFileTrust(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := Resolve(sources(map[string]string{"config": missing}, nil)); err == nil {
		t.Error("--config naming a missing file was ignored")
	}
	if _, err := Resolve(sources(nil, map[string]string{"EICH_CONFIG": missing})); err == nil {
		t.Error("EICH_CONFIG naming a missing file was ignored")
	}
	dir := t.TempDir()
	if _, err := Resolve(sources(nil, map[string]string{"XDG_CONFIG_HOME": dir})); err != nil {
		t.Errorf("no config file at the default path: %v", err)
	}

	loose := writeConfig(t, "mode = off\n")
	os.Chmod(loose, 0o666)
	if _, err := Resolve(sources(map[string]string{"config": loose}, nil)); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
		t.Errorf("a config anyone may write was used: %v", err)
	}
	groupReadable := writeConfig(t, "mode = off\n")
	os.Chmod(groupReadable, 0o644)
	if _, err := Resolve(sources(map[string]string{"config": groupReadable}, nil)); err != nil {
		t.Errorf("a 0644 config (readable, not writable by others) was refused: %v", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(groupReadable, link)
	if _, err := Resolve(sources(map[string]string{"config": link}, nil)); err != nil {
		t.Errorf("a config reached through a link (as dotfile managers make) was refused: %v", err)
	}
	if os.Geteuid() == 0 {
		theirs := writeConfig(t, "mode = off\n")
		if err := os.Chown(theirs, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := Resolve(sources(map[string]string{"config": theirs}, nil)); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
			t.Errorf("a config owned by another user was used: %v", err)
		}
	}
	big := writeConfig(t, "# "+strings.Repeat("x", MaxFileSize)+"\n")
	if _, err := Resolve(sources(map[string]string{"config": big}, nil)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a config over the size cap was read: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("max_auth_tries = 4\nmode = auto\nprotect = SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM\n"))
	f.Add([]byte("extra_command = eic\nagent_timeout = 1s\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		s := Defaults()
		for _, d := range Scalars {
			if v, ok := file.values[d.Key]; ok {
				if err := d.set(&s, v.value); err != nil {
					t.Fatalf("Parse kept a value its validator refuses: %s = %q: %v", d.Key, v.value, err)
				}
			}
		}
		for _, e := range file.extraCommands {
			if strings.ContainsAny(e, " \t\n'\"$`;|&") {
				t.Fatalf("accepted an unsafe command name %q", e)
			}
		}
	})
}
