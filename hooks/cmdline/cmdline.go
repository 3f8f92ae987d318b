// Package cmdline decides whether a typed shell command line runs an
// EC2 Instance Connect login: `aws … ec2-instance-connect ssh …`, the legacy
// `mssh`, or a command name the user configured.
//
// The line is data. It is split into words the way a POSIX shell would
// quote them (single, double and $'…' quotes, backslashes), cut into simple
// commands at control operators, and each simple command is read past the
// prefixes that still run the program (assignments, `command`, `env`,
// `sudo`, `exec`, `nohup`, `time`, `timeout`, `stdbuf`, `flock`, `coproc`,
// `aws-vault exec …` and friends, each with its own options). Nothing
// is expanded or evaluated. A word that is only an argument, such as the
// message of `git commit -m "aws ec2-instance-connect ssh"`, never counts.
package cmdline

import (
	"path"
	"slices"
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
		return true
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

// wrapper is the option grammar of a command that runs the rest of its
// arguments as a command, read the way getopt reads it: short options may
// be clustered (-iu), a short option's value is the rest of its word or
// the next word (-oL, -u bob), a long option's value follows '=' or is the
// next word, and "--" or the first word not starting with '-' ends the
// options. --help and --version run nothing for every wrapper.
type wrapper struct {
	name       string   // the command, as its path's last element
	valued     string   // short options that take a value
	valuedLong []string // long options (without --) that take a value
	// stop and stopLong are options with which the wrapper runs no
	// command: it lists, checks, edits, or acts on a pid instead.
	stop     string
	stopLong []string
	// operands is how many words stand between the options and the
	// command: timeout's DURATION, taskset's MASK, flock's FILE.
	operands int
	// priority is chrt's: one optional number before the command.
	priority bool
	// shellOption names the options that take the command as one shell
	// line after the operands instead (flock FILE -c LINE).
	shellOption []string
}

// wrappers are the commands that run a command given as their arguments.
var wrappers = [...]wrapper{
	{name: "command", stop: "vV"},
	{name: "builtin"},
	{name: "exec", valued: "a"},
	{name: "nohup"},
	{name: "time", valued: "fo", valuedLong: []string{"format", "output"}},
	{name: "nice", valued: "n", valuedLong: []string{"adjustment"}},
	{name: "env", valued: "uCSPU", valuedLong: []string{"unset", "chdir", "split-string"}},
	{name: "sudo", valued: "aCcDgpRrTtUu",
		valuedLong: []string{"auth-type", "close-from", "login-class", "chdir", "group", "host", "prompt", "chroot", "role", "type", "command-timeout", "other-user", "user"},
		stop:       "eKlVvh", stopLong: []string{"edit", "remove-timestamp", "list", "validate"}},
	{name: "doas", valued: "u", stop: "CLs"},
	{name: "caffeinate", valued: "tw"},
	{name: "timeout", valued: "ks", valuedLong: []string{"kill-after", "signal"}, operands: 1},
	{name: "stdbuf", valued: "ioe", valuedLong: []string{"input", "output", "error"}},
	{name: "unbuffer"},
	{name: "setsid"},
	{name: "ionice", valued: "cn", valuedLong: []string{"class", "classdata"}, stop: "pPu", stopLong: []string{"pid", "pgid", "uid"}},
	{name: "taskset", stop: "p", stopLong: []string{"pid"}, operands: 1},
	{name: "chrt", valued: "TPD", valuedLong: []string{"sched-runtime", "sched-period", "sched-deadline"},
		stop: "pm", stopLong: []string{"pid", "max"}, priority: true},
	{name: "flock", valued: "wE", valuedLong: []string{"timeout", "wait", "conflict-exit-code"},
		stop: "hV", operands: 1, shellOption: []string{"-c", "--command"}},
}

// wrapperNamed is the wrapper called name, or nil.
func wrapperNamed(name string) *wrapper {
	for i := range wrappers {
		if wrappers[i].name == name {
			return &wrappers[i]
		}
	}
	return nil
}

// args reads the wrapper's options and operands from args (the words
// after the wrapper's name) and returns the command it runs: its words,
// or one shell line; neither when it runs no command.
func (w *wrapper) args(args []string) (words []string, line string) {
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		opt := args[0]
		args = args[1:]
		if opt == "--" {
			break
		}
		if long, ok := strings.CutPrefix(opt, "--"); ok {
			name, _, hasValue := strings.Cut(long, "=")
			if name == "help" || name == "version" || slices.Contains(w.stopLong, name) {
				return nil, ""
			}
			if !hasValue && slices.Contains(w.valuedLong, name) && len(args) > 0 {
				args = args[1:]
			}
			continue
		}
		for i := 1; i < len(opt); i++ {
			if strings.IndexByte(w.stop, opt[i]) >= 0 {
				return nil, ""
			}
			if strings.IndexByte(w.valued, opt[i]) >= 0 {
				if i == len(opt)-1 && len(args) > 0 {
					args = args[1:] // the value is the next word
				}
				break // else it is the rest of this word
			}
		}
	}
	if len(args) < w.operands {
		return nil, ""
	}
	args = args[w.operands:]
	if w.priority && len(args) > 0 && isDigits(args[0]) {
		args = args[1:]
	}
	if len(args) > 1 && slices.Contains(w.shellOption, args[0]) {
		return nil, args[1]
	}
	return args, ""
}

// skipPrefixes drops assignments, keywords and wrapper commands (with
// their options) from the front of a simple command. A wrapper that runs
// its command as one shell line returns that line instead.
func skipPrefixes(words []string) ([]string, string) {
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
			if words, line = wrapper.args(words[1:]); line != "" {
				return nil, line
			}
		default:
			return words, ""
		}
	}
	return words, ""
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

// isAWSGlobalWithValue: opt is an AWS CLI v2 global option that takes a
// value.
func isAWSGlobalWithValue(opt string) bool {
	switch opt {
	case "--profile", "--region", "--output", "--endpoint-url",
		"--query", "--cli-read-timeout", "--cli-connect-timeout",
		"--ca-bundle", "--color", "--cli-binary-format":
		return true
	}
	return false
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
			if !strings.Contains(a, "=") && isAWSGlobalWithValue(a) {
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
