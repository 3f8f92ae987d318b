package sshagent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/ssh/agent"
)

const (
	// MaxKeys is the most keys eich handles in one agent. An agent that
	// lists more is refused whole: eich neither parses its keys nor
	// removes any, nor records them. Real agents hold a handful of keys,
	// and with more than sshd's MaxAuthTries (6) logins fail anyway; ssh
	// itself refuses an agent that lists more than 2048 (OpenSSH's
	// MAX_AGENT_IDENTITIES), so 4096 turns away no agent ssh can use,
	// while it bounds what one eich run reads, classifies and writes to
	// its ledger however many keys an agent claims.
	MaxKeys = 4096
	// MaxReplyBytes is the largest identities answer eich reads: 1 KiB
	// for each of MaxKeys keys, sixteen times the 256 KiB that ssh reads
	// (OpenSSH's MAX_AGENT_REPLY_LEN). Larger answers are refused unread.
	MaxReplyBytes = 4 << 20
)

// ErrTooLarge marks an agent whose list of keys is larger than eich
// handles (MaxKeys keys, MaxReplyBytes bytes). eich leaves such an agent
// alone.
var ErrTooLarge = errors.New("agent lists more keys than eich handles")

// tooLarge is ErrTooLarge with the numbers, as one line a user reads.
type tooLarge struct{ text string }

func (e *tooLarge) Error() string        { return e.text }
func (e *tooLarge) Is(target error) bool { return target == ErrTooLarge }

// Message numbers of the agent protocol (draft-miller-ssh-agent).
const (
	msgFailure           = 5   // SSH_AGENT_FAILURE
	msgRequestIdentities = 11  // SSH2_AGENTC_REQUEST_IDENTITIES
	msgIdentitiesAnswer  = 12  // SSH2_AGENT_IDENTITIES_ANSWER
	msgSSH2Failure       = 30  // SSH2_AGENT_FAILURE, which OpenSSH still takes for a failure
	msgComFailure        = 102 // SSH_COM_AGENT2_FAILURE, likewise
)

// list asks for the agent's keys and reads the answer itself rather
// than through agent.Client, which reads any answer up to 16 MiB whole
// and then parses every key in it: an agent that claims 150,000 keys
// cost seconds and hundreds of MiB. Here the key count and the size in
// the answer's header are checked first, and an answer over MaxKeys or
// MaxReplyBytes is refused before its body is read. The keys of an
// answer within bounds share one allocation, their blobs slices of the
// answer.
//
// The error reports whether the connection is still in step: after a
// refused or broken answer, the rest of it is still on the wire.
func (a *Agent) list() (keys []*agent.Key, inStep bool, err error) {
	if _, err := a.conn.Write([]byte{0, 0, 0, 1, msgRequestIdentities}); err != nil {
		return nil, false, err
	}
	var head [9]byte // length, type, and for an identities answer the count
	if _, err := io.ReadFull(a.conn, head[:5]); err != nil {
		return nil, false, err
	}
	size, kind := binary.BigEndian.Uint32(head[:4]), head[4]
	if size == 0 {
		return nil, false, errors.New("empty answer") // the type byte read belongs to the next message
	}
	if kind != msgIdentitiesAnswer {
		if size > MaxReplyBytes {
			return nil, false, a.refuse(0, size)
		}
		// The rest is read so the connection stays usable.
		if _, err := io.CopyN(io.Discard, a.conn, int64(size)-1); err != nil {
			return nil, false, err
		}
		switch kind {
		case msgFailure, msgSSH2Failure, msgComFailure:
			return nil, true, errors.New("the agent refused to list its keys")
		}
		return nil, true, fmt.Errorf("unexpected answer (message type %d) to a list request", kind)
	}
	if size < 5 {
		return nil, false, errors.New("identities answer too short")
	}
	if _, err := io.ReadFull(a.conn, head[5:9]); err != nil {
		return nil, false, err
	}
	count := binary.BigEndian.Uint32(head[5:9])
	if count > MaxKeys || size > MaxReplyBytes {
		return nil, false, a.refuse(count, size)
	}
	body := make([]byte, size-5)
	if _, err := io.ReadFull(a.conn, body); err != nil {
		return nil, false, err
	}
	keys, err = parseIdentities(body, int(count))
	return keys, true, err
}

// refuse is the error for an answer over the bounds: the key count when
// that is what is over, the size otherwise.
func (a *Agent) refuse(count, size uint32) error {
	if count > MaxKeys {
		return &tooLarge{fmt.Sprintf("agent at %s lists %d keys, more than the %d eich handles; not touching it",
			a.Socket, count, MaxKeys)}
	}
	return &tooLarge{fmt.Sprintf("agent at %s sends a key list of %d bytes, more than the %d eich reads; not touching it",
		a.Socket, size, MaxReplyBytes)}
}

// parseIdentities reads count keys, each `string blob, string comment`;
// a blob starts with its format's name. Bytes after the last key are
// ignored, as agent.Client ignores them.
func parseIdentities(body []byte, count int) ([]*agent.Key, error) {
	// The least a key takes: two lengths, and a blob holding a length.
	if count*12 > len(body) {
		return nil, fmt.Errorf("%d keys announced in an answer of %d bytes", count, len(body)+5)
	}
	store := make([]agent.Key, count)
	keys := make([]*agent.Key, count)
	for i := range count {
		var blob, comment, format []byte
		var ok bool
		if blob, body, ok = sshString(body); !ok {
			return nil, fmt.Errorf("key %d of %d: truncated answer", i+1, count)
		}
		if comment, body, ok = sshString(body); !ok {
			return nil, fmt.Errorf("key %d of %d: truncated answer", i+1, count)
		}
		if format, _, ok = sshString(blob); !ok {
			return nil, fmt.Errorf("key %d of %d: malformed key blob", i+1, count)
		}
		store[i] = agent.Key{Format: string(format), Blob: blob, Comment: string(comment)}
		keys[i] = &store[i]
	}
	return keys, nil
}

// sshString splits off one length-prefixed string. The string's capacity
// ends at its length, so appending to a blob cannot overwrite the next.
func sshString(in []byte) (s, rest []byte, ok bool) {
	if len(in) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(in)
	if uint64(n) > uint64(len(in)-4) {
		return nil, nil, false
	}
	end := 4 + int(n)
	return in[4:end:end], in[end:], true
}
