package hooks

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/sshagent"
)

// agentKinds guess the agent from its socket path, with what each is
// known to do with a removal request.
var agentKinds = []struct{ marker, name, removal string }{
	{"S.gpg-agent.ssh", "gpg-agent", "answers success and keeps the key"},
	{"1password", "1Password", "refuses"},
	{"2BUA8C4S2C", "1Password", "refuses"},
	{"com.maxgoedjen.secretive", "Secretive", "refuses"},
	{"bitwarden", "Bitwarden", "refuses"},
	{"yubikey-agent", "yubikey-agent", "refuses"},
	{"gcr/ssh", "GNOME gcr-ssh-agent (wraps OpenSSH)", "works"},
	{"keyring/ssh", "GNOME Keyring", "varies by version"},
	{"com.apple.launchd", "OpenSSH ssh-agent started by launchd (macOS)", "works"},
	{"/ssh-", "OpenSSH ssh-agent", "works"},
}

func guessAgent(socket string) (name, removal string) {
	lower := strings.ToLower(socket)
	for _, k := range agentKinds {
		if strings.Contains(lower, strings.ToLower(k.marker)) {
			return k.name, k.removal
		}
	}
	return "an agent not recognised by its socket path", "unknown"
}

// Doctor prints, in one screen, what a user needs to know: the agent and
// whether it removes keys, the keys by class, the limit, ssh's version and
// config for host, and the ssh config that fixes the cause.
func Doctor(w io.Writer, s *Settings, host string, color bool) error {
	ok := func(good bool, format string, a ...any) {
		mark := "ok  "
		if !good {
			mark = "warn"
			if color {
				mark = "\x1b[33mwarn\x1b[0m"
			}
		} else if color {
			mark = "\x1b[32mok\x1b[0m  "
		}
		fmt.Fprintf(w, "%s  %s\n", mark, fmt.Sprintf(format, a...))
	}
	fmt.Fprintf(w, "limit: MaxAuthTries %d, mode %s, agent deadline %v, hook budget %v\n", s.MaxAuthTries, s.Mode, s.AgentTimeout, s.HookBudget)

	socket := s.shellAgent()
	name, removal := guessAgent(socket)
	ss := openSession(s, readState, false)
	defer ss.close()
	if err := ss.connect(socket); err != nil {
		ok(false, "agent: %v", err)
	} else {
		ok(true, "agent: %s, at %s", name, socket)
		keys, err := ss.inspect()
		if err != nil {
			ok(false, "agent: %v", err)
		} else {
			c := &Counts{Limit: s.MaxAuthTries}
			c.count(keys)
			ok(!c.NearLimit, "keys: %d (user %d, protected %d, eic %d, suspect %d, expired certs %d)",
				c.Keys, c.User, c.Protected, c.EIC, c.Suspect, c.ExpiredCerts)
			if policy.Nears(c.User+c.Protected, s.MaxAuthTries, 0) {
				ok(false, "your own keys alone (%d) leave no room under MaxAuthTries %d: only IdentitiesOnly helps (see below)", c.User+c.Protected, s.MaxAuthTries)
			}
		}
		works, detail := probeRemoval(ss.agent)
		if !works && removal != "unknown" {
			detail += "; " + name + " " + removal
		}
		ok(works, "removal: %s", detail)
	}
	for _, n := range ss.stateReport() {
		ok(n.good, "%s", n.text)
	}

	sshVersion(w, ok)
	plain, errPlain := sshG(host, false)
	eic, errEIC := sshG(host, true)
	if errPlain != nil {
		ok(false, "ssh -G %s: %v", host, errPlain)
	} else {
		ok(plain["addkeystoagent"] != "yes" && plain["addkeystoagent"] != "true",
			"ssh -G %s: AddKeysToAgent %s, IdentitiesOnly %s, IdentityAgent %s",
			host, plain["addkeystoagent"], plain["identitiesonly"], orNone(plain["identityagent"]))
	}
	blockInPlace := errEIC == nil && eic["identitiesonly"] == "yes" && (eic["addkeystoagent"] == "no" || eic["addkeystoagent"] == "false")
	ok(blockInPlace, "eich ssh-config block active for EIC logins: %v", blockInPlace)

	fmt.Fprintln(w, "\nThe root-cause fix, if you can change ~/.ssh/config:")
	if !blockInPlace {
		fmt.Fprintln(w, "  eich ssh-config prints a block for the top of ~/.ssh/config that applies only while an EIC")
		fmt.Fprintln(w, "  command runs (IdentitiesOnly yes, AddKeysToAgent no). Or, for your instances' addresses:")
	} else {
		fmt.Fprintln(w, "  the eich ssh-config block is in place. For ssh logins outside the hook, per address:")
	}
	fmt.Fprintf(w, "\n    Host %s\n        IdentitiesOnly yes\n        AddKeysToAgent no\n\n", hostPattern(host))
	fmt.Fprintln(w, "  or, for every host, keep added keys for a minute only:  AddKeysToAgent 60s")
	fmt.Fprintln(w, "  eich never edits ~/.ssh/config itself.")
	return nil
}

// probeRemoval adds a throw-away key (with a 30 s lifetime, in case the
// agent keeps it), removes it, and lists to see whether it is gone.
func probeRemoval(a *sshagent.Agent) (bool, string) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return false, "probe failed: " + err.Error()
	}
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return false, "probe failed: " + err.Error()
	}
	if err := a.Add(agent.AddedKey{PrivateKey: priv, Comment: "eich doctor probe (safe to delete)", LifetimeSecs: 30}); err != nil {
		return false, "cannot tell: the agent refused a probe key (" + err.Error() + ")"
	}
	removeErr := a.Remove(pub)
	keys, err := a.List()
	if err != nil {
		return false, "cannot tell: " + err.Error()
	}
	fp := ssh.FingerprintSHA256(pub)
	for _, k := range keys {
		if keyclass.Fingerprint(k) == fp {
			if removeErr == nil {
				return false, "the agent said it removed a probe key but kept it"
			}
			return false, "the agent refused to remove a probe key"
		}
	}
	return true, "works (checked by adding and removing a probe key)"
}

type finding struct {
	good bool
	text string
}

func (ss *Session) stateReport() []finding {
	path, _ := ss.s.stateDirPath()
	var out []finding
	switch {
	case ss.dir != nil:
		out = append(out, finding{true, "state: " + path})
		eic := 0
		for _, e := range ss.ledger.Entries {
			if e.EIC {
				eic++
			}
		}
		out = append(out, finding{true, fmt.Sprintf("ledger: %d keys remembered, %d of them EIC", len(ss.ledger.Entries), eic)})
	case ss.noRemove == nil:
		out = append(out, finding{true, "state: " + path + " (not created yet)"})
	}
	for _, n := range ss.warnings() {
		out = append(out, finding{false, "state: " + n})
	}
	return out
}

func sshVersion(w io.Writer, ok func(bool, string, ...any)) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ssh", "-V").CombinedOutput()
	if err != nil {
		ok(false, "ssh: %v", err)
		return
	}
	ok(true, "ssh: %s", strings.TrimSpace(string(out)))
}

// sshG runs `ssh -G host`, with the hook's variable set when eic is true,
// and returns its settings.
func sshG(host string, eic bool) (map[string]string, error) {
	if strings.HasPrefix(host, "-") || strings.ContainsAny(host, " \t\n") {
		return nil, fmt.Errorf("bad host %.40q", host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", "-G", "--", host)
	cmd.Env = os.Environ()
	if eic {
		cmd.Env = append(cmd.Env, "EICH_EIC=1")
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ssh -G: %w", err)
	}
	conf := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(line, " ")
		if _, seen := conf[k]; !seen {
			conf[k] = v
		}
	}
	return conf, nil
}

func orNone(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}

// hostPattern suggests a Host pattern: the address as given, or a /16
// wildcard for an IPv4 address.
func hostPattern(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
		parts := strings.Split(host, ".")
		return parts[0] + "." + parts[1] + ".*.*"
	}
	return host
}
