package hooks

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
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
// config for host, and the ssh config that fixes the cause. A host that
// ssh could not take as one host name is an error, before anything is
// printed. Findings quote the environment, ssh and the agent, so each goes
// through safetext.
func Doctor(w io.Writer, s *Settings, host string, color bool) error {
	if err := checkHost(host); err != nil {
		return err
	}
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
		fmt.Fprintf(w, "%s  %s\n", mark, safetext.Line(fmt.Sprintf(format, a...)))
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

	sshVersion(ok)
	f := s.askSSH(host)
	plain, eic := f.plain, f.eic
	if f.errPlain != nil {
		ok(false, "ssh -G %s: %v", host, f.errPlain)
	} else {
		ok(plain["addkeystoagent"] != "yes" && plain["addkeystoagent"] != "true",
			"ssh -G %s: AddKeysToAgent %s, IdentitiesOnly %s, IdentityAgent %s",
			host, plain["addkeystoagent"], plain["identitiesonly"], orNone(plain["identityagent"]))
	}
	blockInPlace := f.errEIC == nil && eic["identitiesonly"] == "yes" && (eic["addkeystoagent"] == "no" || eic["addkeystoagent"] == "false")
	ok(blockInPlace, "eich ssh-config block active for EIC logins: %v", blockInPlace)
	switch {
	case f.errGuard != nil:
		ok(false, "guard: %v", f.errGuard)
	case f.guard:
		ok(true, "guard: ssh runs `eich guard` for %s: EIC logins started anywhere (scripts, make, cron) are pruned, their keys recorded exactly", host)
	default:
		ok(true, "guard: not in the ssh config: only EIC logins typed in a hooked shell are pruned (`eich ssh-config guard` covers scripts, make, cron)")
	}

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

func sshVersion(ok func(bool, string, ...any)) {
	_, out, err := runSSH(time.Now().Add(sshTimeout), os.Environ(), "-V")
	if err != nil {
		ok(false, "ssh -V: %v", err)
		return
	}
	ok(true, "ssh: %s", strings.TrimSpace(string(out)))
}

func orNone(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}

// MaxHostLen bounds doctor's host: longer than any DNS name (253 bytes)
// or address literal.
const MaxHostLen = 255

// checkHost accepts a host for `ssh -G` and for the Host line doctor
// suggests: not empty, at most MaxHostLen bytes, not starting with '-'
// (ssh would take it for an option), and printable with no spaces (a Host
// line splits patterns at spaces).
func checkHost(host string) error {
	bad := ""
	switch {
	case host == "":
		bad = "is empty"
	case len(host) > MaxHostLen:
		bad = fmt.Sprintf("is longer than %d bytes", MaxHostLen)
	case strings.HasPrefix(host, "-"):
		bad = "starts with '-'"
	case !safetext.Printable(host) || strings.IndexFunc(host, unicode.IsSpace) >= 0:
		bad = "holds spaces or characters that are not printable"
	default:
		return nil
	}
	return fmt.Errorf("--host %.60q %s: give a host name or address as ssh takes it", host, bad)
}

// hostPattern suggests a Host pattern: a /16 wildcard for a plain IPv4
// address, else the host as given (ssh matches Host patterns against the
// name as typed, so an IPv6 or IPv4-mapped address is matched exactly).
func hostPattern(host string) string {
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		b := a.As4()
		return fmt.Sprintf("%d.%d.*.*", b[0], b[1])
	}
	return host
}
