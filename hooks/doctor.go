package hooks

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
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

// guessAgent names the agent listening at socket, and says what it is
// known to do with a removal request; both are empty when the path names
// no agent eich knows.
func guessAgent(socket string) (name, removal string) {
	lower := strings.ToLower(socket)
	for _, k := range agentKinds {
		if strings.Contains(lower, strings.ToLower(k.marker)) {
			return k.name, k.removal
		}
	}
	return "", ""
}

// Level says how a doctor finding reads: a fact, a check that passed, or
// one that calls for the user's attention.
type Level string

// The levels of a Finding.
const (
	Info Level = "info"
	OK   Level = "ok"
	Warn Level = "warn"
)

// Finding is one line of doctor's report. Its text quotes the
// environment, ssh and the agent, so whoever prints it passes it through
// safetext.
type Finding struct {
	Level Level  `json:"level"`
	Text  string `json:"text"`
}

// Advice is the root-cause fix doctor suggests: ssh config for the top
// of ~/.ssh/config.
type Advice struct {
	// BlockInPlace: ssh already applies eich's ssh-config block to EIC
	// logins (IdentitiesOnly yes, AddKeysToAgent no).
	BlockInPlace bool `json:"block_in_place"`
	// HostPattern is the Host pattern that covers the instance doctor was
	// asked about (a /16 wildcard for an IPv4 address).
	HostPattern string `json:"host_pattern"`
}

// DoctorReport is what `eich doctor` found, in the order it looked, and
// the fix it advises.
type DoctorReport struct {
	Findings []Finding `json:"findings"`
	Advice   Advice    `json:"advice"`
}

func (r *DoctorReport) add(level Level, format string, a ...any) {
	r.Findings = append(r.Findings, Finding{Level: level, Text: fmt.Sprintf(format, a...)})
}

// check adds a finding that is OK when good and a warning when not.
func (r *DoctorReport) check(good bool, format string, a ...any) {
	level := Warn
	if good {
		level = OK
	}
	r.add(level, format, a...)
}

// Doctor finds what a user needs to know, for one screen: the agent and
// whether it removes keys, the keys by class against the limit, the
// state, ssh's version and config for host, whether ssh runs the guard,
// and the ssh config that fixes the cause. A host that ssh could not take
// as one host name is an error, before anything is looked at.
func Doctor(s *Settings, host string) (*DoctorReport, error) {
	if err := checkHost(host); err != nil {
		return nil, err
	}
	r := &DoctorReport{}
	r.add(Info, "limit: MaxAuthTries %d, mode %s, agent deadline %v, hook budget %v", s.MaxAuthTries, s.Mode, s.AgentTimeout, s.HookBudget)

	socket := s.Socket
	name, removal := guessAgent(socket)
	ss := openSession(s, readState, false)
	defer ss.close()
	if err := ss.connect(socket); err != nil {
		r.check(false, "agent: %v", err)
	} else {
		if name != "" {
			r.check(true, "agent: %s, at %s", name, socket)
		} else {
			r.check(true, "agent: at %s (which program it is, eich cannot tell from that path)", socket)
		}
		keys, err := ss.inspect()
		if err != nil {
			r.check(false, "agent: %v", err)
		} else {
			r.keyFindings(s, keys)
		}
		works, detail := probeRemoval(ss.agent)
		if !works && removal != "" {
			detail += "; " + name + " " + removal
		}
		r.check(works, "removal: %s", detail)
	}
	r.Findings = append(r.Findings, ss.stateReport()...)

	r.Findings = append(r.Findings, sshVersion())
	f := s.askSSH(host)
	plain, eic := f.plain, f.eic
	if f.errPlain != nil {
		r.check(false, "ssh -G %s: %v", host, f.errPlain)
	} else {
		r.check(plain["addkeystoagent"] != "yes" && plain["addkeystoagent"] != "true",
			"ssh -G %s: AddKeysToAgent %s, IdentitiesOnly %s, IdentityAgent %s",
			host, plain["addkeystoagent"], plain["identitiesonly"], orNone(plain["identityagent"]))
	}
	blockInPlace := f.errEIC == nil && eic["identitiesonly"] == "yes" && (eic["addkeystoagent"] == "no" || eic["addkeystoagent"] == "false")
	r.check(blockInPlace, "eich ssh-config block active for EIC logins: %v", blockInPlace)
	switch {
	case f.errGuard != nil:
		r.check(false, "guard: %v", f.errGuard)
	case f.guard:
		r.check(true, "guard: ssh runs `eich guard` for %s: EIC logins started anywhere (scripts, make, cron) are pruned, their keys recorded exactly", host)
	default:
		r.check(true, "guard: not in the ssh config: only EIC logins typed in a hooked shell are pruned (`eich ssh-config guard` covers scripts, make, cron)")
	}
	r.Advice = Advice{BlockInPlace: blockInPlace, HostPattern: hostPattern(host)}
	return r, nil
}

// keyFindings counts the agent's keys by class and says, with the reason,
// whether an EIC login's fresh key would be tried in time. It is offered
// after every agent key, so with N keys it is attempt N+1, and sshd lets
// it in while that is at most MaxAuthTries. N = MaxAuthTries−1 is normal
// right after a login (eich prunes to MaxAuthTries−2, the login adds
// one), so only N ≥ MaxAuthTries is a warning.
func (r *DoctorReport) keyFindings(s *Settings, keys []Key) {
	c := &Counts{Limit: s.MaxAuthTries}
	c.count(keys)
	summary := fmt.Sprintf("keys: %d (user %d, protected %d, eic %d, suspect %d, expired certs %d)",
		c.Keys, c.User, c.Protected, c.EIC, c.Suspect, c.ExpiredCerts)
	attempt := c.Keys + 1
	switch {
	case policy.Reachable(c.Keys, s.MaxAuthTries, 0):
		r.check(true, "%s: an EIC login's key is attempt %d, within MaxAuthTries %d", summary, attempt, s.MaxAuthTries)
	case c.Stale == 0:
		r.check(false, "%s: an EIC login's key would be attempt %d > MaxAuthTries %d, and none of them is stale", summary, attempt, s.MaxAuthTries)
	case s.Mode == policy.Off:
		r.check(false, "%s: an EIC login's key would be attempt %d > MaxAuthTries %d; mode off removes nothing: `eich prune` makes room", summary, attempt, s.MaxAuthTries)
	default:
		r.check(false, "%s: an EIC login's key would be attempt %d > MaxAuthTries %d; the hook prunes stale keys before an EIC login it sees, `eich prune` does it now", summary, attempt, s.MaxAuthTries)
	}
	own := c.User + c.Protected
	switch {
	case !policy.Reachable(own, s.MaxAuthTries, 0):
		r.check(false, "your own keys alone (%d) leave no room: an EIC login's key would be attempt %d > MaxAuthTries %d; only IdentitiesOnly helps (see below)", own, own+1, s.MaxAuthTries)
	case policy.Nears(own, s.MaxAuthTries, 0):
		r.check(false, "your own keys (%d) leave room for one EIC login at a time: a second one running alongside would be attempt %d > MaxAuthTries %d; IdentitiesOnly helps (see below)", own, own+2, s.MaxAuthTries)
	}
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

// stateReport is what doctor says about the state dir and the ledger.
func (ss *session) stateReport() []Finding {
	path, _ := ss.s.stateDirPath()
	var out []Finding
	switch {
	case ss.dir != nil:
		out = append(out, Finding{OK, "state: " + path})
		eic := 0
		for _, e := range ss.ledger.Entries {
			if e.EIC {
				eic++
			}
		}
		out = append(out, Finding{OK, fmt.Sprintf("ledger: %d keys remembered, %d of them EIC", len(ss.ledger.Entries), eic)})
	case ss.noRemove == nil:
		out = append(out, Finding{OK, "state: " + path + " (not created yet)"})
	}
	for _, n := range ss.warnings() {
		out = append(out, Finding{Warn, "state: " + n})
	}
	return out
}

// sshVersion is what `ssh -V` says.
func sshVersion() Finding {
	_, out, err := runSSH(time.Now().Add(sshTimeout), os.Environ(), "-V")
	if err != nil {
		return Finding{Warn, fmt.Sprintf("ssh -V: %v", err)}
	}
	return Finding{OK, "ssh: " + strings.TrimSpace(string(out))}
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
