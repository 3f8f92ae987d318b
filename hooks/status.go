package hooks

import (
	"errors"
	"strconv"
	"strings"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/sshagent"
	"github.com/eich-dev/eich/hooks/state"
)

// Counts summarise the agent for a prompt.
type Counts struct {
	Keys         int  `json:"keys"`
	Limit        int  `json:"limit"`
	Stale        int  `json:"stale"`
	EIC          int  `json:"eic"`
	Suspect      int  `json:"suspect"`
	ExpiredCerts int  `json:"expired_certs"`
	User         int  `json:"user"`
	Protected    int  `json:"protected"`
	NearLimit    bool `json:"near_limit"` // the next EIC command would prune
	TimedOut     bool `json:"timed_out"`  // the agent did not answer in time
}

// DefaultStatusFormat is what `eich status` prints without --format, and
// what the prompt file holds: every agent key against MaxAuthTries, since
// every key counts towards the limit (only {eic} counts EIC's), then how
// many of them are stale.
const DefaultStatusFormat = "keys {keys}/{limit}{stale_note}"

// Status counts the agent's keys by class. It returns nil when there is
// no agent, and Counts with TimedOut when the agent does not answer. It
// never writes state and never fails on the state's account.
//
// Without withLedger it skips reading the ledger: every key the ledger
// knows as EIC has the throw-away shape (Post records no other), so it
// counts as suspect instead and the stale count is the same. Only the
// split between EIC and Suspect needs the ledger.
func Status(s *Settings, withLedger bool) (*Counts, error) {
	c := &Counts{Limit: s.MaxAuthTries}
	access := readNoLedger
	if withLedger {
		access = readState
	}
	ss, err := openAgentSession(s, access)
	if errors.Is(err, sshagent.ErrNoAgent) {
		return nil, nil
	}
	if errors.Is(err, sshagent.ErrTimeout) {
		c.TimedOut = true
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	defer ss.close()
	keys, err := ss.inspect()
	if errors.Is(err, sshagent.ErrTimeout) {
		c.TimedOut = true
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	c.count(keys)
	ss.publish(keys)
	return c, nil
}

// PromptStateDir returns the state dir that the prompt segment reads,
// made if missing and checked as every eich run checks it (owner, mode,
// no link), for `eich init SHELL --prompt` to write into the hook.
func PromptStateDir(s *Settings) (string, error) {
	path, err := s.stateDirPath()
	if err != nil {
		return "", err
	}
	d, err := state.Open(path, true)
	if err != nil {
		return "", err
	}
	d.Close()
	return path, nil
}

// publish leaves the prompt segment for the agent as keys show it now,
// when there is a state dir to leave it in (it creates none).
func (ss *session) publish(keys []Key) {
	if ss.dir == nil || ss.agent == nil || errors.Is(ss.noRemove, state.ErrUntrusted) {
		return
	}
	c := &Counts{Limit: ss.s.MaxAuthTries}
	c.count(keys)
	_ = ss.dir.WritePrompt(ss.agent.Socket, c.Format(DefaultStatusFormat)) // a hint: a failure costs a stale segment
}

func (c *Counts) count(keys []Key) {
	c.Keys = len(keys)
	for _, k := range keys {
		switch k.Class {
		case keyclass.EIC:
			c.EIC++
		case keyclass.Suspect:
			c.Suspect++
		case keyclass.ExpiredCert:
			c.ExpiredCerts++
		case keyclass.Protected:
			c.Protected++
		default:
			c.User++
		}
		if k.Class.Stale() {
			c.Stale++
		}
	}
	c.NearLimit = policy.Nears(c.Keys, c.Limit, 0)
}

// Format fills a status format: {keys} {limit} {stale} {eic} {suspect}
// {certs} {user} {protected}, and {stale_note}, which is " ·N stale" when
// N > 0 and empty otherwise. A timed-out agent prints "keys ?". The format
// comes from the command line, so the result goes through safetext.
func (c *Counts) Format(format string) string {
	if c.TimedOut {
		return "keys ?"
	}
	// A scan, not a strings.Replacer: building one costs more than the
	// rest of the formatting, and status runs at every prompt.
	var b strings.Builder
	for {
		open := strings.IndexByte(format, '{')
		if open < 0 {
			b.WriteString(format)
			break
		}
		end := strings.IndexByte(format[open:], '}')
		value, ok := "", false
		if end > 0 {
			value, ok = c.placeholder(format[open+1 : open+end])
		}
		if !ok {
			b.WriteString(format[:open+1])
			format = format[open+1:]
			continue
		}
		b.WriteString(format[:open])
		b.WriteString(value)
		format = format[open+end+1:]
	}
	return safetext.Line(b.String())
}

// placeholder is the value of {name} in a status format.
func (c *Counts) placeholder(name string) (string, bool) {
	n := 0
	switch name {
	case "keys":
		n = c.Keys
	case "limit":
		n = c.Limit
	case "stale":
		n = c.Stale
	case "eic":
		n = c.EIC
	case "suspect":
		n = c.Suspect
	case "certs":
		n = c.ExpiredCerts
	case "user":
		n = c.User
	case "protected":
		n = c.Protected
	case "stale_note":
		if c.Stale == 0 {
			return "", true
		}
		return " ·" + strconv.Itoa(c.Stale) + " stale", true
	default:
		return "", false
	}
	return strconv.Itoa(n), true
}
