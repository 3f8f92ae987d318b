// Command fakeaws is the end-to-end tests' stand-in for AWS CLI v2's
// `aws ec2-instance-connect ssh`, installed as `aws` first on PATH.
//
// Like the real command it generates a fresh Ed25519 key, writes it in
// OpenSSH private-key format with an empty comment to
// <fresh temp dir>/private-key (mode 0400), makes the server accept it for
// a short time, runs
//
//	ssh -o ServerAliveInterval=5 -p PORT -i KEYFILE USER@127.0.0.1
//
// removes the temp dir when ssh exits, and exits with ssh's status. Global
// options (--profile, --region, --debug, --output, …) are accepted before
// or after the service name.
//
// Instead of SendSSHPublicKey it rewrites the test sshd's authorized_keys
// with just the fresh key and an expiry-time option (OpenSSH's own way to
// make a key valid for N seconds), so older keys are really refused. It
// finds the test bed through the environment:
//
//	FAKEAWS_PORT             sshd's port on 127.0.0.1 (required)
//	FAKEAWS_AUTHORIZED_KEYS  sshd's authorized_keys file (required)
//	FAKEAWS_USER             the login user (required; --os-user is ignored)
//	FAKEAWS_SSH_CONFIG       passed to ssh as -F: ssh reads ~/.ssh/config from
//	                         the passwd entry, not $HOME, so an isolated test
//	                         HOME needs it
//	FAKEAWS_REMOTE_COMMAND   appended to ssh's arguments (a remote command)
//	FAKEAWS_KEY_TTL          seconds the key stays valid (default 60)
//	FAKEAWS_KEY_FORMAT       how the key file's base64 is laid out: "wrapped"
//	                         (70 columns, as Python's cryptography wrote it
//	                         before AWS CLI 2.25; the default) or "oneline"
//	                         (as awscrt writes it since)
//	FAKEAWS_LOG              a file that gets one line per run:
//	                         "run status=N eich_eic=V key=FINGERPRINT args=…"
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// usageStatus is what AWS CLI v2 exits with on a usage error.
const usageStatus = 252

// globalWithValue and globalFlags are AWS CLI v2 global options.
var globalWithValue = map[string]bool{
	"--profile": true, "--region": true, "--output": true, "--endpoint-url": true,
	"--query": true, "--color": true, "--ca-bundle": true, "--cli-read-timeout": true,
	"--cli-connect-timeout": true, "--cli-binary-format": true,
}
var globalFlags = map[string]bool{
	"--debug": true, "--no-verify-ssl": true, "--no-paginate": true, "--no-sign-request": true,
	"--no-cli-pager": true, "--cli-auto-prompt": true, "--no-cli-auto-prompt": true,
}

// sshOptions are `ec2-instance-connect ssh` options, all taking a value.
var sshOptions = map[string]bool{
	"--instance-id": true, "--os-user": true, "--connection-type": true, "--private-key-file": true,
	"--local-forwarding": true, "--eice-options": true, "--instance-ip": true, "--ssh-port": true,
}

// invocation is the parsed command line.
type invocation struct {
	positional []string
	opts       map[string]string
	debug      bool
}

func main() {
	inv, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "aws: error: %v\n", err)
		os.Exit(usageStatus)
	}
	status, fp, err := login(inv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "aws (eich test stand-in): %v\n", err)
		status = 255
	}
	if p := os.Getenv("FAKEAWS_LOG"); p != "" {
		line := fmt.Sprintf("run status=%d eich_eic=%s key=%s args=%q\n", status, os.Getenv("EICH_EIC"), fp, os.Args[1:])
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			f.WriteString(line)
			f.Close()
		}
	}
	os.Exit(status)
}

// parse reads global options anywhere, then `ec2-instance-connect ssh`
// and its options.
func parse(args []string) (*invocation, error) {
	inv := &invocation{opts: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case globalFlags[a]:
			inv.debug = inv.debug || a == "--debug"
		case globalWithValue[name] || sshOptions[name]:
			if !hasValue {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("argument %s: expected one argument", name)
				}
				i++
				value = args[i]
			}
			inv.opts[name] = value
		case strings.HasPrefix(a, "--"):
			//lint:ignore ST1005 AWS CLI v2's own wording
			return nil, fmt.Errorf("Unknown options: %s", a)
		default:
			inv.positional = append(inv.positional, a)
		}
	}
	if len(inv.positional) != 2 || inv.positional[0] != "ec2-instance-connect" || inv.positional[1] != "ssh" {
		return nil, fmt.Errorf("this stand-in only knows `ec2-instance-connect ssh`, got %q", inv.positional)
	}
	if inv.opts["--instance-id"] == "" {
		return nil, errors.New("the following arguments are required: --instance-id")
	}
	return inv, nil
}

// login does what `aws ec2-instance-connect ssh` does, against the test
// bed, and returns ssh's status and the fingerprint of the key it used.
func login(inv *invocation) (int, string, error) {
	port, keys, user := os.Getenv("FAKEAWS_PORT"), os.Getenv("FAKEAWS_AUTHORIZED_KEYS"), os.Getenv("FAKEAWS_USER")
	if port == "" || keys == "" || user == "" {
		return 0, "", errors.New("FAKEAWS_PORT, FAKEAWS_AUTHORIZED_KEYS and FAKEAWS_USER must be set")
	}
	ttl := 60 * time.Second
	if s := os.Getenv("FAKEAWS_KEY_TTL"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, "", fmt.Errorf("FAKEAWS_KEY_TTL: %w", err)
		}
		ttl = time.Duration(n) * time.Second
	}

	keyFile := inv.opts["--private-key-file"]
	var sshPub ssh.PublicKey
	if keyFile != "" {
		data, err := os.ReadFile(keyFile)
		if err != nil {
			return 0, "", fmt.Errorf("--private-key-file: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return 0, "", fmt.Errorf("--private-key-file: %w", err)
		}
		sshPub = signer.PublicKey()
	} else {
		// Python's tempfile.mkdtemp(): <TMPDIR>/tmpXXXXXXXX.
		dir, err := os.MkdirTemp("", "tmp")
		if err != nil {
			return 0, "", fmt.Errorf("temp dir: %w", err)
		}
		defer os.RemoveAll(dir)
		keyFile = filepath.Join(dir, "private-key")
		if sshPub, err = writeKey(keyFile, os.Getenv("FAKEAWS_KEY_FORMAT") == "oneline"); err != nil {
			return 0, "", err
		}
	}
	fp := ssh.FingerprintSHA256(sshPub)
	if err := push(keys, sshPub, ttl); err != nil {
		return 0, fp, err
	}

	args := []string{"-o", "ServerAliveInterval=5", "-p", port, "-i", keyFile}
	if cfg := os.Getenv("FAKEAWS_SSH_CONFIG"); cfg != "" {
		args = append(args, "-F", cfg)
	}
	if fwd := inv.opts["--local-forwarding"]; fwd != "" {
		args = append(args, "-L", fwd)
	}
	if inv.debug {
		args = append(args, "-v")
	}
	args = append(args, user+"@127.0.0.1")
	if rc := os.Getenv("FAKEAWS_REMOTE_COMMAND"); rc != "" {
		args = append(args, rc)
	}
	cmd := exec.Command("ssh", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), fp, nil
	}
	if err != nil {
		return 0, fp, fmt.Errorf("run ssh: %w", err)
	}
	return 0, fp, nil
}

// writeKey writes a fresh Ed25519 key to path as the AWS CLI does:
// OpenSSH private-key format, no passphrase, an empty comment, mode 0400,
// the base64 wrapped at 70 columns or on one line.
func writeKey(path string, oneLine bool) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	body := base64.StdEncoding.EncodeToString(block.Bytes)
	var b strings.Builder
	b.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for width := 70; body != ""; body = body[min(width, len(body)):] {
		if oneLine {
			width = len(body)
		}
		b.WriteString(body[:min(width, len(body))] + "\n")
	}
	b.WriteString("-----END OPENSSH PRIVATE KEY-----\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o400); err != nil {
		return nil, fmt.Errorf("write key: %w", err)
	}
	return ssh.NewPublicKey(pub)
}

// push makes pub the only key the server accepts, for ttl (sshd reads
// expiry-time in local time).
func push(authorizedKeys string, pub ssh.PublicKey, ttl time.Duration) error {
	expiry := time.Now().Add(ttl).Format("20060102150405")
	line := fmt.Sprintf("expiry-time=%q %s", expiry, ssh.MarshalAuthorizedKey(pub))
	tmp := authorizedKeys + ".new"
	if err := os.WriteFile(tmp, []byte(line), 0o600); err != nil {
		return fmt.Errorf("push key: %w", err)
	}
	if err := os.Rename(tmp, authorizedKeys); err != nil {
		return fmt.Errorf("push key: %w", err)
	}
	return nil
}
