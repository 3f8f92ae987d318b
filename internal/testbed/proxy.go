package testbed

import (
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// Agent protocol request types that fault injection cares about.
const (
	AgentRequestIdentities byte = 11 // SSH2_AGENTC_REQUEST_IDENTITIES
	AgentRemoveIdentity    byte = 18 // SSH2_AGENTC_REMOVE_IDENTITY
)

// StartAgentProxy serves the agent protocol on a new socket by passing
// each request on to the real agent at target and its reply back. Before
// a request goes on, onRequest is called with its number (1, 2, … over
// every connection) and its type: it may delay, stop the client, or
// return false to hold the request forever. This injects faults while a
// real OpenSSH ssh-agent does the work.
func StartAgentProxy(t testing.TB, target string, onRequest func(n int, kind byte) bool) string {
	t.Helper()
	var count atomic.Int64
	return ServeUnix(t, func(client net.Conn) {
		upstream, err := net.Dial("unix", target)
		if err != nil {
			return
		}
		defer upstream.Close()
		for {
			msg, err := readAgentMessage(client)
			if err != nil || len(msg) < 5 {
				return
			}
			if !onRequest(int(count.Add(1)), msg[4]) {
				io.Copy(io.Discard, client) // hold: read on, never answer
				return
			}
			if _, err := upstream.Write(msg); err != nil {
				return
			}
			reply, err := readAgentMessage(upstream)
			if err != nil {
				return
			}
			if _, err := client.Write(reply); err != nil {
				return
			}
		}
	})
}

// ServeUnix listens on a new Unix socket, short enough for any temp dir,
// and serves each connection with serve in its own goroutine, closing it
// after. It stops when the test ends.
func ServeUnix(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	sock := filepath.Join(ShortTempDir(t, "eich-sock"), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("listen on %s: %v", sock, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return sock
}

// readAgentMessage reads one length-prefixed agent message, prefix
// included.
func readAgentMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if n > 256<<10 {
		return nil, io.ErrUnexpectedEOF
	}
	msg := make([]byte, 4+n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}
