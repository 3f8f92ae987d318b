package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/testbed"
)

func TestMain(m *testing.M) { testbed.Main(m) }

// eich is the eich binary the tests run, built once.
func eich(t *testing.T) string {
	t.Helper()
	return testbed.Built(t).Eich
}

// run runs eich with a private HOME and XDG dirs plus extra env.
func run(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(eich(t), args...)
	cmd.Env = testbed.PrivateEnv(t, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestSettingsPrecedence(t *testing.T) {
	a := testbed.StartAgent(t)
	cfg := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfg, []byte("max_auth_tries = 4\nmode = off\n"), 0o600)
	sock := "SSH_AUTH_SOCK=" + a.Socket
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"default", []string{sock}, nil, "6"},
		{"config", []string{sock, "EICH_CONFIG=" + cfg}, nil, "4"},
		{"env beats config", []string{sock, "EICH_CONFIG=" + cfg, "EICH_MAX_AUTH_TRIES=5"}, nil, "5"},
		{"flag beats env", []string{sock, "EICH_CONFIG=" + cfg, "EICH_MAX_AUTH_TRIES=5"}, []string{"--max-auth-tries", "3"}, "3"},
	}
	for _, c := range cases {
		args := append(c.args, "status", "--format", "{limit} {keys}")
		out, errOut, code := run(t, "", c.env, args...)
		if code != 0 || out != c.want+" 2\n" {
			t.Errorf("%s: status = %q (exit %d, stderr %q), want %q", c.name, out, code, errOut, c.want+" 2\n")
		}
	}
}

func TestBadInputIsOneLineAndExit2(t *testing.T) {
	cfgBad := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfgBad, []byte("mode = sometimes\n"), 0o600)
	cfgLockWait := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfgLockWait, []byte("lock_wait = 45s\n"), 0o600)
	cfgLoose := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfgLoose, []byte("mode = off\n"), 0o600)
	os.Chmod(cfgLoose, 0o666)
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		env  []string
		args []string
	}{
		{nil, []string{"--bogus", "status"}},
		{nil, []string{"status", "--bogus"}},
		{nil, []string{"nosuch"}},
		{nil, []string{"--mode", "sometimes", "status"}},
		{[]string{"EICH_MAX_AUTH_TRIES=abc"}, []string{"status"}},
		{[]string{"EICH_MAX_AUTH_TRIES=0"}, []string{"status"}},
		{[]string{"EICH_AGENT_TIMEOUT=5h"}, []string{"status"}},
		{[]string{"EICH_CONFIG=" + cfgBad}, []string{"status"}},
		{[]string{"EICH_CONFIG=" + cfgLockWait}, []string{"status"}},
		{[]string{"EICH_CONFIG=" + cfgLoose}, []string{"status"}},
		{[]string{"EICH_CONFIG=" + missing}, []string{"status"}},
		{nil, []string{"--config", missing, "status"}},
		{nil, []string{"--lock-wait", "45s", "status"}},
		{[]string{"EICH_LOCK_WAIT=45s"}, []string{"status"}},
		{[]string{"EICH_HOOK_BUDGET=1h"}, []string{"status"}},
		{[]string{"EICH_QUIET=perhaps"}, []string{"status"}},
		{nil, []string{"protect", "SHA256:abc"}},
		{nil, []string{"protect", "MD5:12:34"}},
		{nil, []string{"protect"}},
		{nil, []string{"init", "tcsh"}},
		{nil, []string{"init"}},
		{nil, []string{"list"}},
		{nil, []string{"prune"}},
		{nil, []string{"doctor", "--host", "-oProxyCommand=touch x"}},
		{nil, []string{"doctor", "--host", "\x1b]52;c;eA==\a"}},
		{nil, []string{"doctor", "--host", "evil\u202ehost"}},
		{nil, []string{"--bogus\x1b[2J", "status"}},
		{nil, []string{"list", "--json\u2028"}},
	}
	for _, c := range cases {
		out, errOut, code := run(t, "", c.env, c.args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "eich: ") ||
			!safetext.Printable(strings.TrimSuffix(errOut, "\n")) {
			t.Errorf("eich %q (env %v): exit %d, stdout %q, stderr %q; want exit 2 and one printable line on stderr",
				c.args, c.env, code, out, errOut)
		}
	}
}

func TestStatusWithoutAgentPrintsNothing(t *testing.T) {
	out, errOut, code := run(t, "", []string{"SSH_AUTH_SOCK=/nonexistent/agent"}, "status")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("status without an agent: exit %d, %q, %q", code, out, errOut)
	}
}

func TestHookPreTakesTheLineAsData(t *testing.T) {
	a := testbed.StartAgent(t)
	canary := filepath.Join(t.TempDir(), "pwned")
	sock := []string{"SSH_AUTH_SOCK=" + a.Socket}
	for line, want := range map[string]int{
		"aws ec2-instance-connect ssh --instance-id \"$(touch " + canary + ")\"": 0,
		"aws ec2-instance-connect ssh --instance-id `touch " + canary + "`":      0,
		"echo aws ec2-instance-connect ssh; touch " + canary:                     1,
		"ls -la":                   1,
		strings.Repeat("x", 3<<20): 1,
	} {
		_, errOut, code := run(t, line, sock, "hook", "pre", "--session", "1")
		if code != want {
			t.Errorf("hook pre on %.60q: exit %d (stderr %q), want %d", line, code, errOut, want)
		}
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("a substitution in the command line was run")
	}
}

func TestInitPrintsEachShell(t *testing.T) {
	for _, sh := range []string{"zsh", "bash", "fish"} {
		out, errOut, code := run(t, "", nil, "init", sh)
		if code != 0 || !strings.Contains(out, eich(t)) {
			t.Errorf("init %s: exit %d, stderr %q, script does not name %s", sh, code, errOut, eich(t))
		}
	}
}

// TestInitPromptStateDir: `init SHELL --prompt` makes a missing state dir
// (0700) and writes its path into the segment, and so does `init SHELL`
// with the setting prompt_segment; a state dir that others may write
// leaves the segment (the only part that names the dir) out with one line
// on stderr, and the hook still loads.
func TestInitPromptStateDir(t *testing.T) {
	states := t.TempDir()
	dir := filepath.Join(states, "eich")
	env := []string{"XDG_STATE_HOME=" + states}
	for _, sh := range []string{"zsh", "bash", "fish"} {
		out, errOut, code := run(t, "", env, "init", sh, "--prompt")
		if code != 0 || errOut != "" || !strings.Contains(out, "EICH_PROMPT") || !strings.Contains(out, dir) {
			t.Errorf("init %s --prompt: exit %d, stderr %q; want the segment reading %s", sh, code, errOut, dir)
		}
	}
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir after init --prompt: %v, %v; want a 0700 dir", fi, err)
	}
	// prompt_segment = true does what --prompt does, for plugin managers
	// that run `eich init SHELL` as it is; the variable beats the file.
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfg, []byte("prompt_segment = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  []string
		want bool
	}{
		{[]string{"EICH_CONFIG=" + cfg}, true},
		{[]string{"EICH_CONFIG=" + cfg, "EICH_PROMPT_SEGMENT=false"}, false},
		{[]string{"EICH_PROMPT_SEGMENT=1"}, true},
	} {
		out, errOut, code := run(t, "", append(env, c.env...), "init", "zsh")
		if code != 0 || errOut != "" || strings.Contains(out, dir) != c.want {
			t.Errorf("init zsh with %q: exit %d, stderr %q, segment in output: %v, want %v", c.env, code, errOut, strings.Contains(out, dir), c.want)
		}
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, sh := range []string{"zsh", "bash", "fish"} {
		out, errOut, code := run(t, "", env, "init", sh, "--prompt")
		if code != 0 || strings.Contains(out, dir) || !strings.Contains(out, eich(t)) ||
			!strings.HasPrefix(errOut, "eich: prompt segment left out: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("init %s --prompt, state dir 0777: exit %d, stderr %q, segment in output: %v; want the hook alone and one line",
				sh, code, errOut, strings.Contains(out, dir))
		}
	}
}

// TestNoNetworkConnections runs every command that touches the agent under
// strace and checks that eich (and the ssh -G/-V that doctor runs) opens
// no socket but Unix ones.
func TestNoNetworkConnections(t *testing.T) {
	strace := testbed.Tool(t, "strace")
	a := testbed.StartAgent(t)
	a.AddStale(t, 6)
	dir := t.TempDir() // the traces
	env := testbed.PrivateEnv(t, "SSH_AUTH_SOCK="+a.Socket)
	for i, args := range [][]string{
		{"hook", "pre", "--session", "1"}, {"hook", "post", "--session", "1"},
		{"status"}, {"list"}, {"prune", "--all-stale"}, {"doctor", "--host", "10.1.2.3"},
	} {
		trace := filepath.Join(dir, "trace"+string(rune('a'+i)))
		cmd := exec.Command(strace, append([]string{"-f", "-e", "trace=socket,connect", "-o", trace, eich(t)}, args...)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader("aws ec2-instance-connect ssh --instance-id i-1")
		if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(err.Error(), "exit status 1") {
			t.Fatalf("eich %v under strace: %v\n%s", args, err, out)
		}
		data, err := os.ReadFile(trace)
		if err != nil {
			t.Fatal(err)
		}
		unix := 0
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "AF_INET") || strings.Contains(line, "AF_PACKET") || strings.Contains(line, "AF_NETLINK") {
				t.Errorf("eich %v opened a network socket: %s", args, line)
			}
			if strings.Contains(line, "AF_UNIX") {
				unix++
			}
		}
		if unix == 0 && args[0] != "doctor" {
			t.Errorf("eich %v: no Unix socket in the trace; is strace tracing at all?\n%s", args, data)
		}
	}
	if !a.HasUserKeys(t) {
		t.Error("a user key was removed")
	}
}

func TestEmptyVariablesAreUnset(t *testing.T) {
	a := testbed.StartAgent(t)
	env := []string{"SSH_AUTH_SOCK=" + a.Socket, "EICH_MODE=", "EICH_MAX_AUTH_TRIES=", "EICH_QUIET=", "EICH_CONFIG=", "EICH_HOOK_BUDGET="}
	out, errOut, code := run(t, "", env, "status", "--format", "{limit}")
	if code != 0 || out != "6\n" || errOut != "" {
		t.Errorf("status with empty EICH_* variables: exit %d, %q, %q; want the defaults", code, out, errOut)
	}
	if _, errOut, code := run(t, "", append(env, "EICH_LOCK_WAIT=0s"), "--lock-wait", "0s", "status"); code != 0 {
		t.Errorf("lock wait 0s refused: %q", errOut)
	}
}

// A hook with a config it will not trust still lets the command run: it
// says why in one line and removes nothing.
func TestHookWithARefusedConfig(t *testing.T) {
	a := testbed.StartAgent(t)
	a.AddStale(t, 6)
	cfg := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfg, []byte("protect = "+a.UserFingerprints[0]+"\n"), 0o600)
	os.Chmod(cfg, 0o666)
	line := "aws ec2-instance-connect ssh --instance-id i-1"
	_, errOut, code := run(t, line, []string{"SSH_AUTH_SOCK=" + a.Socket, "EICH_CONFIG=" + cfg}, "hook", "pre", "--session", "1")
	if code != 0 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "chmod go-w") {
		t.Errorf("hook pre: exit %d, stderr %q; want 0 and one line naming the config", code, errOut)
	}
	if n := len(a.Keys(t)); n != 8 {
		t.Errorf("removed keys with a refused config: %d of 8 left", n)
	}
}

func TestPruneBlockedByStateExits2(t *testing.T) {
	a := testbed.StartAgent(t)
	a.AddStale(t, 6)
	home := t.TempDir()
	stateDir := filepath.Join(home, "state", "eich")
	os.MkdirAll(stateDir, 0o700)
	os.Chmod(stateDir, 0o755)
	out, errOut, code := run(t, "", []string{"SSH_AUTH_SOCK=" + a.Socket, "XDG_STATE_HOME=" + filepath.Join(home, "state")}, "prune", "--all-stale")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "removed nothing") {
		t.Errorf("prune with an untrusted state dir: exit %d, stdout %q, stderr %q; want exit 2 and one line", code, out, errOut)
	}
	if n := len(a.Keys(t)); n != 8 {
		t.Errorf("%d of 8 keys left", n)
	}
}

// TestEveryCommandRefusesStrayWords runs each command with a word it does
// not take (or too few) and wants one line and exit 2, before the command
// does anything: the agent's stale keys are all still there.
func TestEveryCommandRefusesStrayWords(t *testing.T) {
	cases := map[string][]string{
		"status":     {"status", "x"},
		"list":       {"list", "x"},
		"prune":      {"prune", "--all-stale", "now", "--dry-run"},
		"protect":    {"protect"},
		"unprotect":  {"unprotect"},
		"log":        {"log", "x"},
		"doctor":     {"doctor", "x"},
		"init":       {"init", "zsh", "x"},
		"ssh-config": {"ssh-config", "x"},
		"guard":      {"guard", "x"},
		"completion": {"completion", "zsh", "x"},
		"hook pre":   {"hook", "pre", "--session", "1", "x"},
		"hook post":  {"hook", "post", "--session", "1", "x"},
	}
	var walk func(cmds []*cli.Command, parent string)
	walk = func(cmds []*cli.Command, parent string) {
		for _, c := range cmds {
			name := strings.TrimSpace(parent + " " + c.Name)
			if c.Action != nil && cases[name] == nil {
				t.Errorf("command %q has no case here", name)
			}
			walk(c.Commands, name)
		}
	}
	walk(command.New().Commands, "")

	a := testbed.StartAgent(t)
	a.AddStale(t, 5)
	before := len(a.Keys(t))
	for name, args := range cases {
		out, errOut, code := run(t, "aws ec2-instance-connect ssh --instance-id i-1", []string{"SSH_AUTH_SOCK=" + a.Socket}, args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "eich: "+name+" ") {
			t.Errorf("eich %q: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %q", args, code, out, errOut, name)
		}
	}
	if after := len(a.Keys(t)); after != before {
		t.Errorf("the agent went from %d to %d keys: a command with a stray word ran", before, after)
	}
}

// TestLogIsPrintedSafely gives `eich log` a removal log with raw escapes
// in it (eich writes every string quoted in ASCII; this log was written by
// hand) and wants printable lines out, and a line it cannot read counted
// on stderr, not printed.
func TestLogIsPrintedSafely(t *testing.T) {
	stateHome := t.TempDir()
	dir := filepath.Join(stateHome, "eich")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	const fp = "SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM"
	log := "2026-01-01T00:00:00Z removed " + fp + " class=e\x1b[2Jic comment=\x1b]52;c;eA==\x07 reason=\u202eevil\n" +
		"2026-01-01T00:00:01Z removed SHA256:y\x1b[2J class=eic\n"
	log = strings.NewReplacer(`\x1b`, "\x1b", `\x07`, "\x07", `\u202e`, "\u202e", `\n`, "\n").Replace(log)
	if err := os.WriteFile(filepath.Join(dir, "removals.log"), []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "", []string{"XDG_STATE_HOME=" + stateHome}, "log")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 1 || !strings.Contains(lines[0], fp) {
		t.Fatalf("log: exit %d, stderr %q, stdout %q; want the one readable removal", code, errOut, out)
	}
	if !safetext.Printable(lines[0]) || !safetext.Printable(strings.TrimSuffix(errOut, "\n")) {
		t.Errorf("log printed %q, %q", out, errOut)
	}
	if !strings.Contains(errOut, "1 lines") {
		t.Errorf("the unreadable line was not counted: %q", errOut)
	}
}

// TestListJSONIsPrintedSafely adds keys with hostile comments to a real
// ssh-agent after its two user keys: `eich list --json` must print lines
// of graphic text that decode to the comments exactly as the agent holds
// them.
func TestListJSONIsPrintedSafely(t *testing.T) {
	a := testbed.StartAgent(t)
	comments := []string{"evil\u202etxt.exe", "csi\u009b2J del\x7f", "zero\u200bwidth", "\x1b]52;c;eA==\x07", "tag\U000e0041"}
	for _, c := range comments {
		priv, _ := testbed.NewKey(t)
		testbed.AddKey(t, a.Socket, priv, c)
	}
	out, errOut, code := run(t, "", []string{"SSH_AUTH_SOCK=" + a.Socket}, "list", "--json")
	if code != 0 {
		t.Fatalf("list --json: exit %d, stderr %q", code, errOut)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !safetext.Printable(line) {
			t.Errorf("list --json printed %q", line)
		}
	}
	var keys []struct{ Comment string }
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	var got []string
	for _, k := range keys {
		got = append(got, k.Comment)
	}
	if len(got) < len(comments) || !slices.Equal(got[len(got)-len(comments):], comments) {
		t.Errorf("list --json comments %q, want the agent's own keys' and then %q", got, comments)
	}
}

// TestHelpNamesWhatFlagsTake: help shows what each flag's value is (a
// number, a duration, the modes, a file), not urfave/cli's "string", and
// the help command's line starts in lower case like every other.
func TestHelpNamesWhatFlagsTake(t *testing.T) {
	out, _, code := run(t, "", nil, "--help")
	if code != 0 {
		t.Fatalf("eich --help: exit %d", code)
	}
	for _, want := range []string{
		"--config FILE ", "--max-auth-tries N ", "--mode auto|always|off ", "--agent-timeout DURATION ",
		"--lock-wait DURATION ", "--hook-budget DURATION ", "(default: 6)",
		"help, h     show the commands, or one command's help",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("eich --help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, " string ") || strings.Contains(out, "Shows") {
		t.Errorf("eich --help:\n%s", out)
	}
	for cmd, want := range map[string]string{"doctor": "--host ADDR ", "status": "--format FORMAT "} {
		out, _, _ := run(t, "", nil, cmd, "--help")
		if !strings.Contains(out, want) || strings.Contains(out, " string ") {
			t.Errorf("eich %s --help: want %q:\n%s", cmd, want, out)
		}
	}
}
