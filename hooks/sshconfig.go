package hooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eich-dev/eich/hooks/settings"
)

// What the user's ssh config says, asked of ssh itself with `ssh -G`
// (which resolves Host and Match blocks, Include files and the system
// config exactly as a login would): doctor shows it, and `hook post`
// checks that an EIC login would have added its key to the agent at all.

// sshTimeout bounds each ssh that doctor runs.
const sshTimeout = 5 * time.Second

// eicProbeHost is the host `hook post` asks `ssh -G` about: the login's
// address is not on its command line (the AWS CLI looks it up), so
// blocks that match all hosts, or the hook's EICH_EIC variable, are the
// ones this sees.
const eicProbeHost = "ec2-instance"

// runSSH runs ssh with args and env until deadline, which holds even when
// ssh has started programs of its own (a `Match exec` in the user's
// config): ssh runs in a process group of its own, the deadline kills the
// whole group, and WaitDelay stops the wait for output from a grandchild
// that left the group but still holds the pipe.
func runSSH(deadline time.Time, env []string, args ...string) (stdout, stderr []byte, err error) {
	within := time.Until(deadline).Round(time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return os.ErrProcessDone
	}
	cmd.WaitDelay = time.Second
	var out, errOut cappedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("no answer within %v", within)
	}
	return out.Bytes(), errOut.Bytes(), err
}

// maxSSHOutput bounds what eich keeps of each ssh output: ssh -G prints
// a few kilobytes, but a program run by `Match exec` may write to ssh's
// stderr without end until the deadline.
const maxSSHOutput = 1 << 20

// cappedBuffer keeps the first maxSSHOutput bytes written to it. (It has
// no ReadFrom, which io.Copy would use instead of Write, past the cap.)
type cappedBuffer struct{ buf bytes.Buffer }

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := maxSSHOutput - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// sshFacts is what doctor asks ssh about a host.
type sshFacts struct {
	plain, eic       map[string]string // ssh -G, without and with EICH_EIC
	errPlain, errEIC error
	guard            bool // ssh runs `eich guard` for the host
	errGuard         error
}

// askSSH runs `ssh -G host` without and with the hook's variable set, and
// once more to see whether ssh runs the guard, side by side, so that
// doctor waits for one deadline at most.
func (s *Settings) askSSH(host string) sshFacts {
	deadline := time.Now().Add(sshTimeout)
	var f sshFacts
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		f.eic, f.errEIC = s.sshG(deadline, host, true)
	}()
	go func() {
		defer wg.Done()
		f.guard, f.errGuard = s.guardRuns(deadline, host)
	}()
	f.plain, f.errPlain = s.sshG(deadline, host, false)
	wg.Wait()
	return f
}

// guardRuns reports whether ssh runs `eich guard` while it reads its
// config for host: with settings.GuardProbeVar set to a fresh value, the guard
// prints that value on stderr, which ssh passes on.
func (s *Settings) guardRuns(deadline time.Time, host string) (bool, error) {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	value := hex.EncodeToString(nonce[:])
	_, errOut, err := runSSH(deadline, append(os.Environ(), settings.GuardProbeVar+"="+value), s.sshArgs("-G", host)...)
	if err != nil {
		return false, fmt.Errorf("ssh -G: %w", err)
	}
	return bytes.Contains(errOut, []byte("probe "+value)), nil
}

// sshArgs are ssh's arguments for a query about host, with the config
// file these settings name.
func (s *Settings) sshArgs(query, host string) []string {
	args := []string{query}
	if s.SSHConfig != "" {
		args = append(args, "-F", s.SSHConfig)
	}
	return append(args, "--", host)
}

// sshG runs `ssh -G host` until deadline, with the hook's variable set
// when eic is true, and returns its settings, keywords in lower case.
// The host has passed checkHost or is eicProbeHost.
func (s *Settings) sshG(deadline time.Time, host string, eic bool) (map[string]string, error) {
	env := os.Environ()
	if eic {
		env = append(env, settings.EICVar+"=1")
	}
	out, _, err := runSSH(deadline, env, s.sshArgs("-G", host)...)
	if err != nil {
		return nil, fmt.Errorf("ssh -G: %w", err)
	}
	conf := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(line, " ")
		if _, seen := conf[k]; !seen {
			conf[k] = v
		}
	}
	return conf, nil
}

// eicLoginsAddKeys reports whether ssh, as the hook runs an EIC login,
// adds the key it logged in with to the agent for good: AddKeysToAgent
// yes (which `ssh -G` of OpenSSH 9.2 prints as "true"; accept "yes" too),
// not no, ask, confirm, or a lifetime, after which the key leaves by
// itself. It asks `ssh -G` until deadline; any failure is no.
func (s *Settings) eicLoginsAddKeys(deadline time.Time) bool {
	conf, err := s.sshG(deadline, eicProbeHost, true)
	if err != nil {
		return false
	}
	v := conf["addkeystoagent"]
	return v == "yes" || v == "true"
}
