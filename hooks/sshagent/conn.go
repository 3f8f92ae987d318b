package sshagent

import (
	"errors"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// conn is a blocking unix-socket connection whose every connect, read and
// write ends at its deadline. The calls block the calling goroutine's
// thread with the socket's own timeouts (SO_SNDTIMEO, SO_RCVTIMEO), set
// before each call to the time left; Go's network poller would instead
// park the goroutine and wake it on another thread when the reply comes,
// a round trip that costs more than the agent takes to answer, paid by
// every eich run (status runs at every prompt that shows it).
//
// Setting the time left before each call, not once per request, keeps an
// agent that trickles its reply a byte at a time to the deadline too.
type conn struct {
	fd       int
	deadline time.Time
}

// dial connects to socket; the connect ends at deadline too (a listener
// whose queue is full makes it wait).
func dial(socket string, deadline time.Time) (*conn, error) {
	// As package net does where SOCK_CLOEXEC is missing (darwin): no
	// fork between the socket's creation and its close-on-exec flag.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	c := &conn{fd: fd, deadline: deadline}
	addr := &unix.SockaddrUnix{Name: socket}
	_, err = c.timed(unix.SO_SNDTIMEO, "connect", func() (int, error) {
		err := unix.Connect(fd, addr)
		if errors.Is(err, unix.EISCONN) { // a retried connect that had gone through
			err = nil
		}
		return 0, err
	})
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return c, nil
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.timed(unix.SO_RCVTIMEO, "read", func() (int, error) { return unix.Read(c.fd, p) })
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// Write writes all of p (a blocking socket may take part of it).
func (c *conn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := c.timed(unix.SO_SNDTIMEO, "write", func() (int, error) { return unix.Write(c.fd, p[written:]) })
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (c *conn) Close() error { return unix.Close(c.fd) }

// timed runs call with the socket timeout opt set to the time left before
// the deadline, again after a signal or a timeout that came early, and
// fails with os.ErrDeadlineExceeded once none is left.
func (c *conn) timed(opt int, what string, call func() (int, error)) (int, error) {
	for {
		left := time.Until(c.deadline)
		if left <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		// A zero timeout would mean none: never less than 1µs.
		tv := unix.NsecToTimeval(max(left, time.Microsecond).Nanoseconds())
		if err := unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, opt, &tv); err != nil {
			return 0, os.NewSyscallError("setsockopt", err)
		}
		n, err := call()
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			continue
		default:
			return 0, os.NewSyscallError(what, err)
		}
	}
}
