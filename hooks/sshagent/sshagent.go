// Package sshagent talks to the user's ssh-agent with a deadline on every
// call.
//
// It speaks the agent protocol that OpenSSH's ssh-agent serves on the
// Unix socket SSH_AUTH_SOCK names (draft-miller-ssh-agent, since taken
// up by the IETF as draft-ietf-sshm-ssh-agent): each message is a 32-bit
// length, a one-byte number and a body, and one request gets one reply.
// eich sends three requests and never asks for a signature:
//
//   - SSH2_AGENTC_REQUEST_IDENTITIES (11), answered by
//     SSH2_AGENT_IDENTITIES_ANSWER (12): a count, then each key's public
//     blob and comment, in the agent's order (List; read here, with the
//     count and size checked before the body is, see MaxKeys and
//     MaxReplyBytes);
//   - SSH2_AGENTC_REMOVE_IDENTITY (18) with one key's blob, answered by
//     SSH_AGENT_SUCCESS (6) or SSH_AGENT_FAILURE (5) (Remove);
//   - SSH2_AGENTC_ADD_IDENTITY (17), for doctor's removal probe only
//     (Add).
//
// It dials the socket itself, as a blocking connection whose every read and
// write ends at the call's deadline (conn.go), so that an agent which
// accepts the connection and never answers costs at most the deadline, and
// it keeps the connection in fully serialised mode (one request, one
// reply, no background reader).
// Errors say what went wrong in terms a user can act on: no agent, an agent
// that does not answer, an agent that refused a request, or one that
// lists more keys than eich handles (MaxKeys), which it then leaves alone.
package sshagent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// ErrNoAgent means there is no agent to talk to: SSH_AUTH_SOCK is unset,
// dangling, not a socket, or nothing listens on it.
var ErrNoAgent = errors.New("no ssh-agent")

// ErrTimeout means the agent accepted the connection but did not answer
// within the deadline.
var ErrTimeout = errors.New("ssh-agent did not answer in time")

// Agent is one connection to an agent. It is not safe for concurrent use.
type Agent struct {
	Socket   string
	timeout  time.Duration
	end      time.Time // no call runs past it; zero: no bound
	deadline time.Time // of the call in progress
	conn     *conn
	client   agent.ExtendedAgent
	// outOfStep is why the connection can no longer be used: a reply
	// was left part read (refused as too large, cut by the deadline, or
	// malformed), so the next bytes on it are not the next reply.
	outOfStep error
}

// serialConn hides Close from agent.NewClient, which then reads each reply
// in the calling goroutine instead of starting a pipelining reader.
type serialConn struct{ rw io.ReadWriter }

func (c serialConn) Read(p []byte) (int, error)  { return c.rw.Read(p) }
func (c serialConn) Write(p []byte) (int, error) { return c.rw.Write(p) }

// Open connects to the agent at socket (the settings' SSH_AUTH_SOCK).
// timeout, which must be positive, bounds the dial and, separately, every
// later call; a non-zero end bounds them all together.
func Open(socket string, timeout time.Duration, end time.Time) (*Agent, error) {
	if socket == "" {
		return nil, fmt.Errorf("%w: SSH_AUTH_SOCK is not set", ErrNoAgent)
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("agent timeout %v: must be positive", timeout)
	}
	fi, err := os.Stat(socket)
	if err != nil {
		return nil, fmt.Errorf("%w: SSH_AUTH_SOCK=%s: %v", ErrNoAgent, socket, shortErr(err))
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return nil, fmt.Errorf("%w: SSH_AUTH_SOCK=%s is not a socket", ErrNoAgent, socket)
	}
	a := &Agent{Socket: socket, timeout: timeout, end: end}
	conn, err := dial(socket, a.nextDeadline())
	if err != nil {
		if isTimeout(err) || !time.Now().Before(a.nextDeadline()) {
			return nil, fmt.Errorf("%w (connect to %s)", ErrTimeout, socket)
		}
		return nil, fmt.Errorf("%w: cannot connect to %s: %v", ErrNoAgent, socket, shortErr(err))
	}
	a.conn, a.client = conn, agent.NewClient(serialConn{conn})
	return a, nil
}

// Close closes the connection.
func (a *Agent) Close() error { return a.conn.Close() }

// List returns the agent's keys in agent order (oldest first for OpenSSH).
// A locked OpenSSH agent lists no keys. An agent that lists more than
// MaxKeys keys, or more than MaxReplyBytes, is ErrTooLarge, and this
// connection is then done with: every later call fails with it too, so
// nothing is added to or removed from that agent.
func (a *Agent) List() ([]*agent.Key, error) {
	if err := a.arm(); err != nil {
		return nil, err
	}
	keys, inStep, err := a.list()
	if err == nil {
		return keys, nil
	}
	if !errors.Is(err, ErrTooLarge) {
		err = a.wrap("list keys", err)
	}
	if !inStep {
		a.outOfStep = err
	}
	return nil, err
}

// Remove asks the agent to remove one key. Success only means the agent
// said so; callers list again to see what really happened.
func (a *Agent) Remove(key ssh.PublicKey) error {
	if err := a.arm(); err != nil {
		return err
	}
	if err := a.client.Remove(key); err != nil {
		return a.failed("remove key", err)
	}
	return nil
}

// Add adds a key, used by doctor's removal probe and by tests.
func (a *Agent) Add(key agent.AddedKey) error {
	if err := a.arm(); err != nil {
		return err
	}
	if err := a.client.Add(key); err != nil {
		return a.failed("add key", err)
	}
	return nil
}

// arm sets the deadline of the call about to start, or says why the
// connection cannot take one.
func (a *Agent) arm() error {
	if a.outOfStep != nil {
		return a.outOfStep
	}
	a.deadline = a.nextDeadline()
	a.conn.deadline = a.deadline
	return nil
}

// nextDeadline is the deadline of a call starting now: its own timeout,
// cut to the end of the whole run.
func (a *Agent) nextDeadline() time.Time {
	d := time.Now().Add(a.timeout)
	if !a.end.IsZero() && a.end.Before(d) {
		return a.end
	}
	return d
}

// failed is wrap for a call made through agent.Client: one that timed
// out may have left its reply part read, so the connection is done with.
func (a *Agent) failed(what string, err error) error {
	err = a.wrap(what, err)
	if errors.Is(err, ErrTimeout) {
		a.outOfStep = err
	}
	return err
}

// wrap names the call; a call that failed at or after its deadline timed
// out (the agent package does not keep net.Error in its error chain).
func (a *Agent) wrap(what string, err error) error {
	if isTimeout(err) || !time.Now().Before(a.deadline) {
		return fmt.Errorf("%w (%s on %s)", ErrTimeout, what, a.Socket)
	}
	return fmt.Errorf("ssh-agent %s: %s: %w", a.Socket, what, err)
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// shortErr drops the "stat PATH:" prefix that os errors repeat.
func shortErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}
