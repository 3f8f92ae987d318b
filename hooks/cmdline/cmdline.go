// Package cmdline decides whether a typed shell command line runs an
// EC2 Instance Connect login: `aws … ec2-instance-connect ssh …`, the legacy
// `mssh`, or a command name the user configured.
//
// The line is data. It is split into words the way a POSIX shell would
// quote them (single, double and $'…' quotes, backslashes), cut into simple
// commands at control operators, and each simple command is read past the
// prefixes that still run the program (assignments, `command`, `env`,
// `sudo`, `exec`, `nohup`, `time`, `timeout`, `stdbuf`, `flock`, `coproc`,
// `aws-vault exec …` and friends, each with its own options, read as
// the tool itself reads them). Nothing is expanded or evaluated. A word
// that is only an argument, such as the message of `git commit -m "aws
// ec2-instance-connect ssh"`, never counts, nor does the text of a
// here-document. Asking for help (`mssh --help`, `aws
// ec2-instance-connect ssh help`) is no login.
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

// isEIC reports whether a line found depth levels deep inside another
// (a wrapper's shell line) runs an EIC login.
func isEIC(line string, extra []string, depth int) bool {
	_, ok := firstEIC(line, extra, depth)
	return ok
}

// firstEIC returns the words of the first simple command in line that
// runs an EIC login.
func firstEIC(line string, extra []string, depth int) ([]string, bool) {
	if !mayMatch(line, extra) {
		return nil, false
	}
	for _, words := range split(line) {
		if runsEIC(words, extra, depth) {
			return words, true
		}
	}
	return nil, false
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

// maxDepth bounds how deep isEIC follows shell lines given to wrappers
// (flock FILE -c LINE) inside each other.
const maxDepth = 4

// runsEIC reads one simple command.
func runsEIC(words []string, extra []string, depth int) bool {
	words, line := skipPrefixes(words)
	if line != "" {
		return depth < maxDepth && isEIC(line, extra, depth+1)
	}
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
		return !msshShowsHelp(words[1:])
	case "aws":
		return awsRunsEICSSH(words[1:])
	}
	return false
}

// The tables below are switches and arrays, not maps: a map would be
// built at every start of eich, `status` and `list` included, which never
// read a command line.

// isKeyword: w may open a simple command without being its program.
func isKeyword(w string) bool {
	switch w {
	case "!", "{", "}", "(", "if", "then", "else",
		"elif", "do", "while", "until", "noglob", "nocorrect":
		return true
	}
	return false
}

// skipPrefixes drops assignments, keywords and wrapper commands (with
// their options) from the front of a simple command. A wrapper that runs
// its command as one shell line returns that line instead.
func skipPrefixes(words []string) ([]string, string) {
	all := words
	for len(words) > 0 {
		w := words[0]
		wrapper := wrapperNamed(path.Base(w))
		switch {
		case isKeyword(w):
			words = words[1:]
		case isAssignment(w):
			words = words[1:]
		case w == "coproc":
			words = words[1:]
			if len(words) > 1 && isKeyword(words[1]) { // coproc NAME { …; }
				words = words[1:]
			}
		case path.Base(w) == "aws-vault":
			words = skipAWSVault(words[1:])
		case wrapper != nil:
			var line string
			if words, line = wrapper.args(all, len(all)-len(words)); line != "" {
				return nil, line
			}
		default:
			return words, ""
		}
	}
	return words, ""
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
