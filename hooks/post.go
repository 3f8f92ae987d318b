package hooks

import (
	"fmt"
	"syscall"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/state"
	"golang.org/x/crypto/ssh/agent"
)

// Post is `eich hook post`: after the EIC command, which exited with
// status, it records in the ledger the key that command added when that
// is certain (see attribute), and in mode always removes every known EIC
// key. At most one line on stderr, within the hook budget.
func Post(s *Settings, session string, status int) {
	s.runBounded(nil, func() string { return postRun(s, session, status) })
}

func postRun(s *Settings, session string, status int) string {
	ss := openSession(s, writeState, true)
	defer ss.close()
	if err := ss.spent(); err != nil {
		return err.Error() + "; the key of this login is not recorded"
	}
	shell := s.Socket
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
	left := keysLeft(keys, rep)
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
func (ss *session) attribute(fin state.InFlight, shell string, list []*agent.Key) {
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
