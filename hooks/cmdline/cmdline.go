// Package cmdline decides whether a typed shell command line runs an
// EC2 Instance Connect login: `aws … ec2-instance-connect ssh …`, the legacy
// `mssh`, or a command name the user configured.
//
// The line is data. It is split into words the way a POSIX shell would
// quote them (single, double and $'…' quotes, backslashes), cut into simple
// commands at control operators, and each simple command is read past the
// prefixes that still run the program (assignments, `command`, `env`,
// `sudo`, `exec`, `nohup`, `time`, `aws-vault exec …` and friends). Nothing
// is expanded or evaluated. A word that is only an argument, such as the
// message of `git commit -m "aws ec2-instance-connect ssh"`, never counts.
package cmdline

import (
	"path"
	"strings"
)

// MaxLine is the longest line that is examined; the rest is ignored.
const MaxLine = 1 << 20

// IsEIC reports whether line runs an EC2 Instance Connect login. extra
// holds command names (matched against the base name of the command word)
// that the user declared to be EIC commands, such as a wrapper function.
func IsEIC(line string, extra []string) bool {
	_, ok := Inspect(line, extra)
	return ok
}

// mayMatch is the allocation-free pre-test: every EIC line contains one of
// these strings somewhere.
func mayMatch(line string, extra []string) bool {
	if strings.Contains(line, "ec2-instance-connect") || strings.Contains(line, "mssh") {
		return true
	}
	for _, name := range extra {
		if name != "" && strings.Contains(line, name) {
			return true
		}
	}
	return false
}

// runsEIC reads one simple command.
func runsEIC(words []string, extra []string) bool {
	words = skipPrefixes(words)
	if len(words) == 0 {
		return false
	}
	name := path.Base(words[0])
	for _, e := range extra {
		if name == e {
			return true
		}
	}
	switch name {
	case "mssh":
		return true
	case "aws":
		return awsRunsEICSSH(words[1:])
	}
	return false
}

// keywords that may open a simple command without being its program.
var keywords = map[string]bool{
	"!": true, "{": true, "}": true, "(": true, "if": true, "then": true, "else": true,
	"elif": true, "do": true, "while": true, "until": true, "noglob": true, "nocorrect": true,
}

// wrapperOptsWithValue lists, per wrapper, the options that take the next
// word as their value. Other words starting with '-' are flags.
var wrapperOptsWithValue = map[string]map[string]bool{
	"command":    {},
	"builtin":    {},
	"exec":       {"-a": true},
	"nohup":      {},
	"time":       {},
	"nice":       {"-n": true},
	"env":        {"-u": true, "-C": true, "-S": true, "--unset": true, "--chdir": true},
	"sudo":       {"-u": true, "-g": true, "-h": true, "-p": true, "-C": true, "-D": true, "-r": true, "-t": true, "-T": true, "-U": true, "-R": true, "--user": true, "--group": true, "--host": true, "--prompt": true, "--chdir": true, "--close-from": true, "--role": true, "--type": true, "--command-timeout": true, "--other-user": true, "--chroot": true},
	"doas":       {"-u": true, "-C": true},
	"caffeinate": {"-t": true, "-w": true},
}

// skipPrefixes drops assignments, keywords and wrapper commands (with
// their options) from the front of a simple command.
func skipPrefixes(words []string) []string {
	for len(words) > 0 {
		w := words[0]
		switch {
		case keywords[w]:
			words = words[1:]
		case isAssignment(w):
			words = words[1:]
		case w == "command" && len(words) > 1 && (words[1] == "-v" || words[1] == "-V"):
			return nil // only looks the name up
		case path.Base(w) == "aws-vault":
			words = skipAWSVault(words[1:])
		case wrapperOptsWithValue[path.Base(w)] != nil:
			opts := wrapperOptsWithValue[path.Base(w)]
			words = words[1:]
			for len(words) > 0 && strings.HasPrefix(words[0], "-") {
				if words[0] == "--" {
					words = words[1:]
					break
				}
				takesValue := opts[words[0]]
				words = words[1:]
				if takesValue && len(words) > 0 {
					words = words[1:]
				}
			}
		default:
			return words
		}
	}
	return words
}

// skipAWSVault reads `aws-vault exec [options] PROFILE [--] COMMAND…` and
// returns COMMAND…; other aws-vault subcommands run nothing.
func skipAWSVault(words []string) []string {
	for len(words) > 0 && strings.HasPrefix(words[0], "-") { // global flags
		words = words[1:]
	}
	if len(words) == 0 || words[0] != "exec" {
		return nil
	}
	words = words[1:]
	valued := map[string]bool{"-d": true, "--duration": true, "-t": true, "--mfa-token": true, "--region": true, "--prompt": true}
	profileSeen := false
	for len(words) > 0 {
		w := words[0]
		switch {
		case w == "--":
			return words[1:]
		case strings.HasPrefix(w, "-"):
			words = words[1:]
			if valued[w] && len(words) > 0 {
				words = words[1:]
			}
		case !profileSeen:
			profileSeen = true
			words = words[1:]
		default:
			return words
		}
	}
	return nil
}

// awsGlobalsWithValue are AWS CLI v2 global options that take a value.
var awsGlobalsWithValue = map[string]bool{
	"--profile": true, "--region": true, "--output": true, "--endpoint-url": true,
	"--query": true, "--cli-read-timeout": true, "--cli-connect-timeout": true,
	"--ca-bundle": true, "--color": true, "--cli-binary-format": true,
}

// awsRunsEICSSH reads the arguments of `aws`: global options may stand
// before or after the service; the first two plain words must be the
// service `ec2-instance-connect` and the operation `ssh`.
func awsRunsEICSSH(args []string) bool {
	want := [...]string{"ec2-instance-connect", "ssh"}
	found := 0
	for i := 0; i < len(args) && found < len(want); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") && awsGlobalsWithValue[a] {
				i++
			}
			continue
		}
		if a != want[found] {
			return false
		}
		found++
	}
	return found == len(want)
}

func isAssignment(w string) bool {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return false
	}
	for i := 0; i < eq; i++ {
		c := w[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		if c == '+' && i == eq-1 && i > 0 { // NAME+=value
			continue
		}
		return false
	}
	return true
}
