package sshagent_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/eich-dev/eich/hooks/sshagent"
)

// An agent with a user's key and a throw-away key of the kind an EC2
// Instance Connect login leaves behind (no comment): List reads both
// (REQUEST_IDENTITIES, 11, answered by IDENTITIES_ANSWER, 12), Remove
// takes the throw-away one out (REMOVE_IDENTITY, 18), and the next List
// shows what the agent really holds. The agent here is
// golang.org/x/crypto's in-memory one on a Unix socket; eich talks to
// OpenSSH's ssh-agent the same way.
func ExampleAgent_Remove() {
	user := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	eic := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	keyring := agent.NewKeyring()
	keyring.Add(agent.AddedKey{PrivateKey: user, Comment: "alice@laptop"})
	keyring.Add(agent.AddedKey{PrivateKey: eic})

	dir, err := os.MkdirTemp("", "eich-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()

	a, err := sshagent.Open(socket, 2*time.Second, time.Time{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	keys, err := a.List()
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		fmt.Printf("%s %q\n", k.Format, k.Comment)
	}
	if err := a.Remove(keys[1]); err != nil {
		panic(err)
	}
	keys, err = a.List()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(keys), "left:", ssh.FingerprintSHA256(keys[0]), keys[0].Comment)
	// Output:
	// ssh-ed25519 "alice@laptop"
	// ssh-ed25519 ""
	// 1 left: SHA256:tAXFyTXI8xtDaujAEcwJslAYc9/6FKcUkd2Lw0xDhPo alice@laptop
}
