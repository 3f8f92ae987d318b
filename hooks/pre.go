package hooks

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/policy"
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
	s.runBounded([]byte(line), func() string { return preRun(s, session, login) })
	return true
}

func preRun(s *Settings, session string, login cmdline.Login) string {
	ss := openSession(s, writeState, true)
	defer ss.close()
	if err := ss.spent(); err != nil {
		return err.Error() + "; not pruning"
	}
	shell := s.Socket
	socket, err := loginAgent(login, shell, s.Home)
	if err != nil {
		return err.Error() + "; not pruning"
	}
	return ss.beforeLogin(session, shell, socket, login.GeneratesKey)
}

// beforeLogin is what `hook pre` and `eich guard` do before an EIC login
// on the agent at socket: prune it by the policy, counting the other EIC
// logins in flight, register this one as in flight under session with
// the agent's keys as they are now, and return the hook's line.
func (ss *session) beforeLogin(session, shell, socket string, generatesKey bool) string {
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
	left := keysLeft(keys, rep)
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
func loginAgent(login cmdline.Login, shell, home string) (string, error) {
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
		if home == "" {
			return "", fmt.Errorf("SSH_AUTH_SOCK=%.80q: no home directory", sock)
		}
		return filepath.Join(home, sock[2:]), nil
	}
	return filepath.Abs(sock) // the hook runs in the shell's directory
}
