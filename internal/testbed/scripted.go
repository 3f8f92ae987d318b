package testbed

import (
	"encoding/binary"
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// More agent protocol message numbers (draft-miller-ssh-agent), for the
// scripted agents below.
const (
	AgentFailure          byte = 5  // SSH_AGENT_FAILURE
	AgentIdentitiesAnswer byte = 12 // SSH2_AGENT_IDENTITIES_ANSWER
)

// IdentitiesAnswer is a whole SSH2_AGENT_IDENTITIES_ANSWER message,
// length prefix included, listing n distinct Ed25519 public keys, key i
// with comment(i), or with no comment when comment is nil (the shape of
// the keys EC2 Instance Connect adds). Key i's 32 bytes are i, big-endian.
func IdentitiesAnswer(n int, comment func(i int) string) []byte {
	msg := make([]byte, 9, 9+n*59)
	msg[4] = AgentIdentitiesAnswer
	binary.BigEndian.PutUint32(msg[5:], uint32(n))
	var pub [32]byte
	for i := range n {
		binary.BigEndian.PutUint64(pub[:], uint64(i))
		blob := appendWireString(appendWireString(nil, []byte("ssh-ed25519")), pub[:])
		msg = appendWireString(msg, blob)
		c := ""
		if comment != nil {
			c = comment(i)
		}
		msg = appendWireString(msg, []byte(c))
	}
	binary.BigEndian.PutUint32(msg, uint32(len(msg)-4))
	return msg
}

// appendWireString appends an SSH wire string: a 32-bit length, then s.
func appendWireString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// ScriptedAgent serves a fake agent that answers every list request
// (SSH2_AGENTC_REQUEST_IDENTITIES) with answer, sent as it is, and every
// other request with SSH_AGENT_FAILURE. requests counts the requests it
// read. It is for replies a real ssh-agent never sends (too many keys,
// damaged or oversized answers); the answer is built by the caller
// before anything is measured.
func ScriptedAgent(t testing.TB, answer []byte) (sock string, requests *atomic.Int64) {
	t.Helper()
	requests = new(atomic.Int64)
	sock = ServeUnix(t, func(c net.Conn) {
		for {
			var head [5]byte
			if _, err := io.ReadFull(c, head[:]); err != nil {
				return
			}
			n := binary.BigEndian.Uint32(head[:4])
			if n == 0 || n > 1<<20 {
				return
			}
			if _, err := io.CopyN(io.Discard, c, int64(n)-1); err != nil {
				return
			}
			requests.Add(1)
			reply := []byte{0, 0, 0, 1, AgentFailure}
			if head[4] == AgentRequestIdentities {
				reply = answer
			}
			if _, err := c.Write(reply); err != nil {
				return // the client hung up without reading it all
			}
		}
	})
	return sock, requests
}
