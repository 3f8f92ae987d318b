package hooks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/settings"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Settings are the resolved settings and what a command runs against.
type Settings struct {
	settings.Settings
	// Problem is why the settings could not be resolved. The hooks then
	// run on the defaults and remove nothing; other commands never get
	// this far.
	Problem error
	// SSHConfig is the file `ssh -G` reads with -F; empty: ssh's own
	// (~/.ssh/config of the user's passwd entry, and the system's).
	SSHConfig string
	Start     time.Time // when the command started; zero: when its session opens
	// Detach runs a hook's work in a child process that the hook waits
	// for only until its budget ends (package bounded), as the eich
	// binary's hooks do; unset, the work runs in this process.
	Detach bool
	// Reserve is the end of the budget a child leaves to its parent.
	Reserve time.Duration
	// Parent is the process that ran the hook; zero: this one's parent.
	Parent int
	Now    func() time.Time
	Stderr io.Writer
}

func (s *Settings) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Settings) stderr() io.Writer {
	if s.Stderr != nil {
		return s.Stderr
	}
	return os.Stderr
}

// start is when the command started.
func (s *Settings) start() time.Time {
	if s.Start.IsZero() {
		return time.Now()
	}
	return s.Start
}

// parent is the process that ran eich.
func (s *Settings) parent() int {
	if s.Parent != 0 {
		return s.Parent
	}
	return os.Getppid()
}

// sshDir is ~/.ssh; empty when there is no home.
func (s *Settings) sshDir() string {
	if s.Home == "" {
		return ""
	}
	return filepath.Join(s.Home, ".ssh")
}

// stateDirPath is the state dir these settings use.
func (s *Settings) stateDirPath() (string, error) {
	if s.StateDir == "" {
		return "", errors.New("state dir: neither XDG_STATE_HOME nor a home directory is set")
	}
	return s.StateDir, nil
}

// Key is one agent key as eich sees it.
type Key struct {
	Position    int            `json:"position"` // 1-based, agent order
	Class       keyclass.Class `json:"class"`
	Type        string         `json:"type"`
	Fingerprint string         `json:"fingerprint"`
	Comment     string         `json:"comment"`
	FirstSeen   string         `json:"first_seen"` // RFC 3339, empty if never seen
	agentKey    *agent.Key
}

// access says how much of the state a session needs.
type access int

const (
	readState    access = iota // read everything, create and write nothing
	readNoLedger               // status: the protect list only (see Status)
	writeState                 // create the dir, lock, set aside a corrupt ledger
)

// session is one command's hold on the state and the agent.
type session struct {
	s         *Settings
	now       time.Time
	end       time.Time // the hook's budget runs out; zero: no budget
	agent     *sshagent.Agent
	dir       *state.Dir // nil when there is no usable state
	lock      *state.Lock
	ledger    *state.Ledger
	protected map[string]bool
	// noRemove says why nothing may be removed (untrusted or unreadable
	// state, lock not taken, settings not resolved); nil when removal is
	// allowed.
	noRemove error
	// notes are warnings worth one line each.
	notes []string
}

// openSession opens the state as access says. With budgeted set, the
// whole session, lock wait and agent calls, ends by the hook budget. It
// never fails: a state problem becomes noRemove and a note.
func openSession(s *Settings, access access, budgeted bool) *session {
	ss := &session{s: s, now: s.now(), ledger: state.NewLedger(), protected: map[string]bool{}}
	if budgeted {
		ss.end = s.start().Add(s.HookBudget - s.Reserve)
	}
	for _, fp := range s.Protect {
		ss.protected[fp] = true
	}
	if s.Problem != nil {
		ss.refuse(fmt.Errorf("settings: %w (running on the defaults)", s.Problem))
	}
	ss.openState(access)
	return ss
}

// openAgentSession is openSession, then a connection to the shell's agent.
func openAgentSession(s *Settings, access access) (*session, error) {
	ss := openSession(s, access, false)
	if err := ss.connect(s.Socket); err != nil {
		ss.close()
		return nil, err
	}
	return ss, nil
}

// refuse forbids removal for this session, for the first reason given.
func (ss *session) refuse(err error) {
	if ss.noRemove == nil {
		ss.noRemove = err
	}
}

func (ss *session) note(text string) { ss.notes = append(ss.notes, text) }

// warnings are the lines a command shows besides its output: why it may
// not remove keys, then its notes.
func (ss *session) warnings() []string {
	if ss.noRemove == nil {
		return ss.notes
	}
	return append([]string{"not removing keys: " + ss.noRemove.Error()}, ss.notes...)
}

// remaining is what is left of the budget; a long time without one.
func (ss *session) remaining() time.Duration {
	if ss.end.IsZero() {
		return time.Hour
	}
	return time.Until(ss.end)
}

// spent says why a budgeted session cannot go on, once its budget is gone
// before it reached the agent (a held lock takes it all).
func (ss *session) spent() error {
	if ss.remaining() > 0 {
		return nil
	}
	if ss.noRemove != nil {
		return ss.noRemove
	}
	return fmt.Errorf("hook budget (%v) spent before eich reached the agent", ss.s.HookBudget)
}

func (ss *session) openState(access access) {
	write := access == writeState
	path, err := ss.s.stateDirPath()
	if err != nil {
		ss.refuse(err)
		return
	}
	dir, err := state.Open(path, write)
	if errors.Is(err, os.ErrNotExist) && !write {
		return // nothing recorded yet
	}
	if err != nil {
		ss.refuse(err)
		return
	}
	ss.dir = dir
	if write {
		lock, err := dir.Lock(max(min(ss.s.LockWait, ss.remaining()), 0))
		if err != nil {
			ss.refuse(err)
			return
		}
		ss.lock = lock
	}
	ledger, err := state.NewLedger(), error(nil)
	if access != readNoLedger {
		ledger, err = dir.LoadLedger()
	}
	switch {
	case errors.Is(err, state.ErrCorrupt) && write:
		aside, aerr := dir.SetAsideLedger(ss.now)
		if aerr != nil {
			ss.refuse(aerr)
		}
		ss.note(fmt.Sprintf("%v; set aside as %s, starting afresh", err, aside))
	case errors.Is(err, state.ErrUntrusted):
		ss.refuse(err)
	case err != nil:
		ss.note(err.Error())
	default:
		ss.ledger = ledger
	}
	fps, err := dir.Protected()
	if err != nil {
		ss.refuse(fmt.Errorf("protect list: %w", err))
	}
	for _, fp := range fps {
		ss.protected[fp] = true
	}
}

// connect opens the agent at socket, within the budget.
func (ss *session) connect(socket string) error {
	if socket == "" {
		return fmt.Errorf("%w: SSH_AUTH_SOCK is not set", sshagent.ErrNoAgent)
	}
	a, err := sshagent.Open(socket, ss.s.AgentTimeout, ss.end)
	if err != nil {
		return err
	}
	ss.agent = a
	return nil
}

// writable reports whether the session may write state.
func (ss *session) writable() bool { return ss.lock != nil && ss.noRemove == nil }

func (ss *session) close() {
	if ss.lock != nil {
		ss.lock.Unlock()
	}
	if ss.dir != nil {
		ss.dir.Close()
	}
	if ss.agent != nil {
		ss.agent.Close()
	}
}

// inspect lists the agent and classifies every key.
func (ss *session) inspect() ([]Key, error) {
	list, err := ss.agent.List()
	if err != nil {
		return nil, err
	}
	return ss.classify(list), nil
}

// classify sorts listed keys by the ledger and protect list as they are.
func (ss *session) classify(list []*agent.Key) []Key {
	facts := keyclass.Facts{
		Known:     ss.ledger.KnownEIC,
		Protected: func(fp string) bool { return ss.protected[fp] },
		TempDirs:  keyclass.TempDirs(ss.s.TempDir),
		Now:       ss.now,
	}
	keys := make([]Key, len(list))
	for i, k := range list {
		fp := keyclass.Fingerprint(k)
		keys[i] = Key{Position: i + 1, Class: keyclass.Classify(k, facts), Type: k.Format,
			Fingerprint: fp, Comment: k.Comment, agentKey: k}
		if e := ss.ledger.Entries[fp]; e != nil {
			keys[i].FirstSeen = e.FirstSeen.UTC().Format(time.RFC3339)
		}
	}
	return keys
}

// remember records the keys as seen and saves the ledger, when writing.
func (ss *session) remember(keys []Key) {
	if !ss.writable() {
		return
	}
	present := make(map[string]bool, len(keys))
	for _, k := range keys {
		present[k.Fingerprint] = true
	}
	ss.ledger.Seen(fingerprints(keys), ss.now)
	ss.ledger.Compact(present, ss.now)
	if !ss.ledger.Changed() {
		return
	}
	if err := ss.dir.SaveLedger(ss.ledger); err != nil {
		ss.note(err.Error())
	}
}

func fingerprints(keys []Key) []string {
	fps := make([]string, len(keys))
	for i, k := range keys {
		fps[i] = k.Fingerprint
	}
	return fps
}

func classesOf(keys []Key) []keyclass.Class {
	cs := make([]keyclass.Class, len(keys))
	for i, k := range keys {
		cs[i] = k.Class
	}
	return cs
}
