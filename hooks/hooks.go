// Package hooks does eich's work: it looks at the ssh-agent, sorts its
// keys, keeps the ledger of EC2 Instance Connect keys, and removes stale
// ones when an EIC login would otherwise fail with "Too many
// authentication failures".
//
// Each exported function is one command: Status, List, Prune, Pre, Post,
// Protect, Doctor. They share one way of opening the agent and the state
// (run), one way of classifying (inspect) and one way of removing and
// checking (removeAndVerify). The jobs below them live in subpackages:
// sshagent (the protocol, with deadlines), cmdline (recognising EIC
// command lines), keyclass, policy, state and config.
package hooks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Settings are the resolved flags, environment and config.
type Settings struct {
	Limit         int
	Mode          policy.Mode
	AgentTimeout  time.Duration
	LockWait      time.Duration
	Socket        string   // empty: SSH_AUTH_SOCK
	StateDir      string   // empty: state.DefaultPath()
	Protect       []string // from the config file
	ExtraCommands []string // from the config file
	Quiet         bool     // no success line from the hooks
	Now           func() time.Time
	Stderr        io.Writer
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

// openStateDir opens the state dir, creating it when create is set. Its
// path is returned too, for messages, even when opening fails.
func (s *Settings) openStateDir(create bool) (*state.Dir, string, error) {
	path := s.StateDir
	if path == "" {
		var err error
		if path, err = state.DefaultPath(); err != nil {
			return nil, "", err
		}
	}
	dir, err := state.Open(path, create)
	return dir, path, err
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

// run is one command's hold on the agent and the state.
type run struct {
	s         *Settings
	now       time.Time
	agent     *sshagent.Agent
	dir       *state.Dir // nil when there is no usable state
	lock      *state.Lock
	ledger    *state.Ledger
	protected map[string]bool
	// noRemove says why nothing may be removed (untrusted or unreadable
	// state, lock not taken); nil when removal is allowed.
	noRemove error
	// notes are warnings worth one line each.
	notes []string
}

// access says how much of the state a command needs.
type access int

const (
	readState    access = iota // read everything, create and write nothing
	readNoLedger               // status: the protect list only (see Status)
	writeState                 // create the dir, lock, set aside a corrupt ledger
)

// open connects to the agent and opens the state as access says.
func open(s *Settings, access access) (*run, error) {
	r := &run{s: s, now: s.now(), ledger: state.NewLedger(), protected: map[string]bool{}}
	a, err := sshagent.Open(s.Socket, s.AgentTimeout)
	if err != nil {
		return nil, err
	}
	r.agent = a
	for _, fp := range s.Protect {
		r.protected[fp] = true
	}
	r.openState(access)
	return r, nil
}

func (r *run) openState(access access) {
	write := access == writeState
	dir, _, err := r.s.openStateDir(write)
	if errors.Is(err, os.ErrNotExist) && !write {
		return // nothing recorded yet
	}
	if err != nil {
		r.noRemove = err
		r.notes = append(r.notes, err.Error())
		return
	}
	r.dir = dir
	if write {
		lock, err := dir.Lock(r.s.LockWait)
		if err != nil {
			r.noRemove = err
			r.notes = append(r.notes, err.Error())
			r.dir = nil
			return
		}
		r.lock = lock
	}
	ledger, err := state.NewLedger(), error(nil)
	if access != readNoLedger {
		ledger, err = dir.LoadLedger()
	}
	switch {
	case errors.Is(err, state.ErrCorrupt) && write:
		aside, aerr := dir.SetAsideLedger(r.now)
		if aerr != nil {
			r.noRemove = aerr
		}
		r.notes = append(r.notes, fmt.Sprintf("%v; set aside as %s, starting afresh", err, aside))
	case err != nil:
		r.notes = append(r.notes, err.Error())
		if errors.Is(err, state.ErrUntrusted) {
			r.noRemove = err
		}
	default:
		r.ledger = ledger
	}
	fps, err := dir.Protected()
	if err != nil {
		r.noRemove = fmt.Errorf("protect list: %w", err)
		r.notes = append(r.notes, r.noRemove.Error())
	}
	for _, fp := range fps {
		r.protected[fp] = true
	}
}

func (r *run) close() {
	if r.lock != nil {
		r.lock.Unlock()
	}
	if r.agent != nil {
		r.agent.Close()
	}
}

// inspect lists the agent and classifies every key.
func (r *run) inspect() ([]Key, error) {
	list, err := r.agent.List()
	if err != nil {
		return nil, err
	}
	return r.classify(list), nil
}

// classify sorts listed keys by the ledger and protect list as they are.
func (r *run) classify(list []*agent.Key) []Key {
	facts := keyclass.Facts{
		Known:     r.ledger.KnownEIC,
		Protected: func(fp string) bool { return r.protected[fp] },
		Now:       r.now,
	}
	keys := make([]Key, len(list))
	for i, k := range list {
		fp := keyclass.Fingerprint(k)
		c := keyclass.Classify(k, facts)
		keys[i] = Key{Position: i + 1, Class: c, Type: k.Format,
			Fingerprint: fp, Comment: k.Comment, agentKey: k}
		if e := r.ledger.Entries[fp]; e != nil {
			keys[i].FirstSeen = e.FirstSeen.UTC().Format(time.RFC3339)
		}
	}
	return keys
}

// remember records the keys as seen and saves the ledger, when writing.
func (r *run) remember(keys []Key) {
	if r.lock == nil || r.noRemove != nil {
		return
	}
	present := make(map[string]bool, len(keys))
	fps := make([]string, len(keys))
	for i, k := range keys {
		fps[i] = k.Fingerprint
		present[k.Fingerprint] = true
	}
	r.ledger.Seen(fps, r.now)
	r.ledger.Compact(present, r.now)
	if !r.ledger.Changed() {
		return
	}
	if err := r.dir.SaveLedger(r.ledger); err != nil {
		r.notes = append(r.notes, err.Error())
	}
}

func classesOf(keys []Key) []keyclass.Class {
	cs := make([]keyclass.Class, len(keys))
	for i, k := range keys {
		cs[i] = k.Class
	}
	return cs
}

// List returns the agent's keys, classified, with warnings about the
// state. It writes nothing.
func List(s *Settings) ([]Key, []string, error) {
	r, err := open(s, readState)
	if err != nil {
		return nil, nil, err
	}
	defer r.close()
	keys, err := r.inspect()
	return keys, r.notes, err
}
