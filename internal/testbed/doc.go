// Package testbed is eich's end-to-end test machinery: a real OpenSSH sshd
// on 127.0.0.1 (MaxAuthTries 6), a real ssh-agent holding two user keys, an
// `aws` stand-in that behaves like AWS CLI v2's `aws ec2-instance-connect
// ssh` (package fakeaws), an isolated HOME with an ssh config that has
// AddKeysToAgent yes, and real interactive shells driven through tmux.
//
// Everything is started per test and stopped by t.Cleanup. A tool that is
// missing (sshd, ssh, ssh-agent, ssh-add, ssh-keygen, tmux, zsh, bash, fish)
// fails the test with a message saying what to install; nothing skips.
//
// Only tests import this package; eich's own packages (hooks/…) never do.
package testbed
