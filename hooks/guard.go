package hooks

import (
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/proc"
	"github.com/eich-dev/eich/hooks/sshargs"
)

// The ssh-level guard. A `Match exec` line in the ssh config (printed by
// `eich ssh-config guard`) makes ssh run `eich guard` while it reads its
// config, before it connects, whoever started that ssh: a typed line, a
// script, make, an editor, cron. The guard's parent is that ssh (or a
// `$SHELL -c` between them, for shells that do not exec their last
// command), and ssh's parent is what started the login. For an EIC login,
// that is `aws … ec2-instance-connect ssh …`, and ssh's `-i` names the
// throw-away key the AWS CLI has just written: the guard records that
// exact key as EIC's and prunes the agent as `hook pre` does. Everything
// it reads of the two processes is data: it is matched, never run.

// MaxIdentityFile bounds the key file the guard reads: an OpenSSH
// Ed25519 private key file is about 400 bytes, an RSA one a few KiB.
const MaxIdentityFile = 64 << 10

// guardedLogin is an EIC login as the guard found it.
type guardedLogin struct {
	sshPID   int
	identity string // the key file given to ssh
	login    cmdline.Login
}

// Guard is `eich guard`. It reports whether the ssh that runs it is
// logging in for an EIC command (ssh then applies the Match block's
// options). For any other ssh it returns false at once, having read only
// the two processes' argument lists: no state, no agent, no output. For
// an EIC login, unless testOnly is set, it records the login's key as
// EIC's and prunes the agent, within the hook budget, printing at most
// one line.
func Guard(s *Settings, testOnly bool) bool {
	if s.GuardProbe != "" {
		say(s, "guard runs (probe "+s.GuardProbe+")")
		return false
	}
	if testOnly && s.InEICCommand {
		// A hooked shell exports EICH_EIC while an EIC command runs, as
		// the hook block's test reads it: every ssh inside is that
		// login's, and `ssh -G` with it set shows what such a login gets.
		return true
	}
	g, ok := findEICLogin(s.parent(), s.ExtraCommands)
	if !ok {
		return false
	}
	if !testOnly {
		s.runBounded(nil, func() string { return guardRun(s, g) })
	}
	return true
}

// findEICLogin looks for the ssh that runs the guard, from the guard's
// parent, and decides whether it logs in for an EIC command.
func findEICLogin(parent int, extra []string) (guardedLogin, bool) {
	sshPID, argv, ok := findSSH(parent)
	if !ok {
		return guardedLogin{}, false
	}
	cmd, err := sshargs.Parse(argv)
	if err != nil || cmd.Query || len(cmd.Identities) != 1 {
		return guardedLogin{}, false
	}
	starter, err := proc.Parent(sshPID)
	if err != nil || starter <= 1 {
		return guardedLogin{}, false
	}
	starterArgv, err := proc.Args(starter)
	if err != nil {
		return guardedLogin{}, false
	}
	login, ok := cmdline.Inspect(commandLine(starterArgv), extra)
	if !ok {
		return guardedLogin{}, false
	}
	return guardedLogin{sshPID: sshPID, identity: cmd.Identities[0], login: login}, true
}

// findSSH returns the ssh process at pid or at its parent (a shell that
// ssh's `Match exec` started and that did not exec the guard).
func findSSH(pid int) (int, []string, bool) {
	for hop := 0; hop < 2 && pid > 1; hop++ {
		argv, err := proc.Args(pid)
		if err != nil {
			return 0, nil, false
		}
		if sshargs.IsSSH(argv[0]) {
			return pid, argv, true
		}
		if pid, err = proc.Parent(pid); err != nil {
			return 0, nil, false
		}
	}
	return 0, nil, false
}

// commandLine writes an argument list as the shell line that would run
// it, for cmdline's grammar: each word quoted when it holds anything but
// plain characters. An interpreter that runs the program as a script
// (the AWS CLI installed with pip: python3 /usr/bin/aws …) is left out.
func commandLine(argv []string) string {
	argv = withoutInterpreter(argv)
	var b strings.Builder
	for i, w := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellQuote(w))
	}
	return b.String()
}

// withoutInterpreter drops a leading interpreter (python, or a shell for
// an aws that is a shell script) and its options: what follows is the
// script and its arguments. An interpreter given code (-c) or a module
// (-m) runs no script by path: nothing is left.
func withoutInterpreter(argv []string) []string {
	if len(argv) == 0 || !isInterpreter(filepath.Base(argv[0])) {
		return argv
	}
	i := 1
	for i < len(argv) && strings.HasPrefix(argv[i], "-") && argv[i] != "-" {
		switch argv[i] {
		case "-c", "-m":
			return nil
		case "-W", "-X", "-o", "-O":
			i++ // python's -W and -X, a shell's -o and +O take a value
		}
		i++
	}
	return argv[min(i, len(argv)):]
}

func isInterpreter(name string) bool {
	switch name {
	case "sh", "bash", "dash", "zsh", "ksh", "mksh":
		return true
	}
	return strings.HasPrefix(name, "python")
}

// shellQuote quotes w for a POSIX shell when it needs it.
func shellQuote(w string) string {
	plain := w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./=:@%+,", r))
	}) < 0
	if plain {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// guardRun records the login's key and prunes the agent before it.
// When the login runs from a hooked shell (which exports EICH_EIC while
// an EIC command runs), `hook pre` has pruned already: the guard only
// records the key, so one login is pruned once and says one line at most.
func guardRun(s *Settings, g guardedLogin) string {
	ss := openSession(s, writeState, true)
	defer ss.close()
	if err := ss.spent(); err != nil {
		return err.Error() + "; not pruning"
	}
	markErr := ss.markIdentity(g)
	if s.InEICCommand {
		ss.saveLedger()
		return errLine(markErr)
	}
	socket := s.Socket
	line := ss.beforeLogin(strconv.Itoa(g.sshPID), socket, socket, g.login.GeneratesKey)
	if markErr != nil && line != "" {
		return line + "; " + errLine(markErr)
	}
	return line + errLine(markErr)
}

// markIdentity records the login's key file as an EIC key, when the
// login generated it (not `--private-key-file`) and it is none of the
// user's own key files in ~/.ssh.
func (ss *session) markIdentity(g guardedLogin) error {
	if !g.login.GeneratesKey || !ss.writable() {
		return nil
	}
	pub, _, err := sshargs.ReadIdentity(g.identity, MaxIdentityFile)
	if err != nil {
		return err
	}
	fp := ssh.FingerprintSHA256(pub)
	if keyclass.OwnPublicKeys(ss.s.sshDir())[fp] {
		return nil
	}
	ss.ledger.MarkEIC(fp, ss.now)
	return nil
}

// saveLedger writes the ledger when it changed.
func (ss *session) saveLedger() {
	if ss.writable() && ss.ledger.Changed() {
		if err := ss.dir.SaveLedger(ss.ledger); err != nil {
			ss.note(err.Error())
		}
	}
}

func errLine(err error) string {
	if err == nil {
		return ""
	}
	return err.Error() + "; the login's key is not recorded"
}
