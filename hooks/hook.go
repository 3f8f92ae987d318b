package hooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Pre is `eich hook pre`: the shell calls it before a command line that
// may run an EIC login. It reports whether line is one; if so it prunes
// the agent the login will use by the policy, registers the command as in
// flight with that agent's keys as they are now, and prints at most one
// line to stderr. It never fails the command: every problem becomes that
// one line, and the whole run ends within the hook budget.
func Pre(s *Settings, session, line string) bool {
	login, ok := cmdline.Inspect(line, s.ExtraCommands)
	if !ok {
		return false
	}
	say(s, preRun(s, session, login))
	return true
}

func preRun(s *Settings, session string, login cmdline.Login) string {
	ss := openSession(s, writeState, true)
	defer ss.close()
	if err := ss.spent(); err != nil {
		return err.Error() + "; not pruning"
	}
	shell := s.shellAgent()
	socket, err := loginAgent(login, shell)
	if err != nil {
		return err.Error() + "; not pruning"
	}
	return ss.beforeLogin(session, shell, socket, login.GeneratesKey)
}

// beforeLogin is what `hook pre` and `eich guard` do before an EIC login
// on the agent at socket: prune it by the policy, counting the other EIC
// logins in flight, register this one as in flight under session with
// the agent's keys as they are now, and return the hook's line.
func (ss *Session) beforeLogin(session, shell, socket string, generatesKey bool) string {
	if err := ss.connect(socket); err != nil {
		return agentProblem(err)
	}
	keys, err := ss.inspect()
	if err != nil {
		return agentProblem(err)
	}
	inFlight := 0
	if ss.dir != nil {
		inFlight = ss.dir.CountInFlight(session, socket, ss.now)
	}
	rep := ss.prune(keys, policy.Before, inFlight, false,
		fmt.Sprintf("before an EIC command: %d agent keys, limit %d, %d other EIC commands in flight", len(keys), ss.s.MaxAuthTries, inFlight))
	left := remaining(keys, rep)
	if ss.writable() && state.ValidSession(session) {
		err := ss.dir.StartInFlight(state.InFlight{Session: session, Started: ss.now,
			ShellAgent: shell, LoginAgent: socket, AgentID: socketID(socket), Listed: len(keys) > 0,
			GeneratesKey: generatesKey, Before: fingerprints(left)})
		if err != nil {
			ss.note(err.Error())
		}
	}
	ss.remember(left)
	ss.publish(left)
	return hookLine(ss.s, ss, rep, true)
}

// loginAgent is the agent socket the login will use: the shell's, or the
// one the line sets. A value the shell would expand is not guessed at.
func loginAgent(login cmdline.Login, shell string) (string, error) {
	if !login.SetsAgent {
		return shell, nil
	}
	sock := login.Agent
	switch {
	case sock == "":
		return "", nil
	case strings.ContainsAny(sock, "$`"):
		return "", fmt.Errorf("the line sets SSH_AUTH_SOCK=%.80q, which eich does not expand", sock)
	case strings.HasPrefix(sock, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("SSH_AUTH_SOCK=%.80q: %w", sock, err)
		}
		return filepath.Join(home, sock[2:]), nil
	}
	return filepath.Abs(sock) // the hook runs in the shell's directory
}

// Post is `eich hook post`: after the EIC command, which exited with
// status, it records in the ledger the key that command added when that
// is certain (see attribute), and in mode always removes every known EIC
// key. At most one line on stderr, within the hook budget.
func Post(s *Settings, session string, status int) {
	say(s, postRun(s, session, status))
}

func postRun(s *Settings, session string, status int) string {
	ss := openSession(s, writeState, true)
	defer ss.close()
	if err := ss.spent(); err != nil {
		return err.Error() + "; the key of this login is not recorded"
	}
	shell := s.shellAgent()
	var fin state.InFlight
	started, overlapped := false, true
	if ss.writable() {
		var err error
		if fin, started, err = ss.dir.FinishInFlight(session); err != nil {
			ss.note(err.Error())
		}
		if started {
			if overlapped, err = ss.dir.Finish(fin, ss.now); err != nil {
				ss.note(err.Error())
			}
		}
	}
	socket := shell
	if started {
		socket = fin.LoginAgent
	}
	if err := ss.connect(socket); err != nil {
		return agentProblem(err)
	}
	list, err := ss.agent.List()
	if err != nil {
		return agentProblem(err)
	}
	if started && !overlapped && status == 0 {
		ss.attribute(fin, shell, list)
	}
	keys := ss.classify(list)
	rep := ss.prune(keys, policy.After, 0, false, "after an EIC command (mode always)")
	left := remaining(keys, rep)
	ss.remember(left)
	ss.publish(left)
	return hookLine(s, ss, rep, false)
}

// attribute marks as EIC's the key that the finished command fin added,
// when nothing else can explain it. The caller has checked that the
// command exited 0 (a failed login adds no key) and that no other EIC
// command used the agent meanwhile. Then the key is marked only when:
// pre listed this agent and saw keys (a locked agent lists none); the
// shell still uses that agent, at the same socket file (not one
// restarted at the same path); the command generates a throw-away key;
// exactly one key of EIC's shape appeared that the ledger did not
// already know (two mean another program added one); it is none of the
// user's own key files in ~/.ssh; and ssh's config, as the hook runs an
// EIC login, adds keys to the agent for good (a login that adds none
// leaves the one newcomer to someone else). Whatever is not marked stays
// a suspect. What this cannot rule out is written in SECURITY.md.
func (ss *Session) attribute(fin state.InFlight, shell string, list []*agent.Key) {
	if !fin.Listed || !fin.GeneratesKey || fin.ShellAgent != shell || fin.LoginAgent != ss.agent.Socket ||
		fin.AgentID == "" || fin.AgentID != socketID(ss.agent.Socket) {
		return
	}
	var newcomers []*agent.Key
	for _, k := range Appeared(fin.Before, list) {
		if !ss.ledger.KnownEIC(keyclass.Fingerprint(k)) {
			newcomers = append(newcomers, k)
		}
	}
	if len(newcomers) != 1 {
		return
	}
	fp := keyclass.Fingerprint(newcomers[0])
	if keyclass.OwnPublicKeys(ss.s.sshDir())[fp] {
		return
	}
	if !ss.s.eicLoginsAddKeys(ss.end) {
		return
	}
	ss.ledger.MarkEIC(fp, ss.now)
}

// socketID names the socket file at path by its device and inode, or is
// empty when it cannot be read.
func socketID(path string) string {
	var st syscall.Stat_t
	if path == "" || syscall.Stat(path, &st) != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// Appeared returns the keys in after that were not in before and have
// the shape EIC tooling gives its keys. A key the user adds by hand in
// another terminal meanwhile has a comment (ssh-add uses the file name),
// so it is not taken for an EIC key.
func Appeared(before []string, after []*agent.Key) []*agent.Key {
	had := make(map[string]bool, len(before))
	for _, fp := range before {
		had[fp] = true
	}
	var out []*agent.Key
	for _, k := range after {
		if !had[keyclass.Fingerprint(k)] && keyclass.HasEICShape(k) {
			out = append(out, k)
		}
	}
	return out
}

// hookLine turns a report into the hook's one line, most urgent first.
// warnLate asks for a warning when the fresh key will be tried too late.
func hookLine(s *Settings, ss *Session, rep *Report, warnLate bool) string {
	removed := len(rep.Removed)
	switch {
	case rep.Blocked != nil:
		return fmt.Sprintf("not removing stale keys: %v", rep.Blocked)
	case len(rep.NotAsked) > 0 || len(rep.Unsure) > 0:
		return fmt.Sprintf("hook budget (%v) spent: removed %d stale keys, %d not reached, %d unconfirmed; `eich log` lists them, `eich prune` finishes the job",
			s.HookBudget, removed, len(rep.NotAsked), len(rep.Unsure))
	case rep.Refusing:
		return fmt.Sprintf("the agent at %s did not remove %d stale keys (gpg-agent, 1Password, Bitwarden and Secretive keep them); add the block from `eich ssh-config` to ~/.ssh/config instead",
			rep.Agent, len(rep.Kept))
	case warnLate && !rep.Reachable() && s.Mode == policy.Off:
		return fmt.Sprintf("agent has %d keys, MaxAuthTries is %d: this login will likely fail (mode off: nothing removed; run `eich prune`)", rep.After, rep.Limit)
	case warnLate && !rep.Reachable():
		return fmt.Sprintf("agent still has %d keys eich may not remove (MaxAuthTries %d): this login will likely fail; fix: `eich ssh-config` (IdentitiesOnly yes), or `ssh-add -d` a key you do not need", rep.After, rep.Limit)
	case removed > 0 && !s.Quiet:
		return fmt.Sprintf("removed %d stale EC2 Instance Connect %s (agent %d → %d of %d)",
			removed, plural(removed, "key", "keys"), rep.Decision.Before, rep.After, rep.Limit)
	}
	if w := ss.warnings(); len(w) > 0 {
		return w[0]
	}
	return ""
}

// agentProblem is the hook's line for an agent error: none for no agent
// at all (nothing to protect), one line otherwise.
func agentProblem(err error) string {
	switch {
	case errors.Is(err, sshagent.ErrNoAgent):
		return ""
	case errors.Is(err, sshagent.ErrTooLarge):
		return err.Error() // says already that eich leaves the agent alone
	}
	return err.Error() + "; not pruning"
}

func say(s *Settings, line string) {
	if line != "" {
		fmt.Fprintf(s.stderr(), "eich: %s\n", safetext.Line(line))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
