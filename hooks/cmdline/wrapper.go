package cmdline

import (
	"slices"
	"strings"
)

// wrapper is the option grammar of a command that runs the rest of its
// arguments as a command, read the way getopt reads it: short options may
// be clustered (-iu), a short option's value is the rest of its word or
// the next word (-oL, -u bob), a long option's value follows '=' or is the
// next word, and "--" or the first word not starting with '-' ends the
// options. --help and --version run nothing for every wrapper.
//
// An option the table does not know (a newer version's, another
// system's) is read as one without a value. Read the other way, its
// "value" would be the next word and the command the word after, so
// `sudo --new-flag echo aws ec2-instance-connect ssh` would count as a
// login; read this way, only a line whose option really took the very
// word `aws` (or `mssh`) as its value is misread, and its command would
// then be `ec2-instance-connect …`, which is no program.
type wrapper struct {
	name       string   // the command, as its path's last element
	valued     string   // short options that take a value
	valuedLong []string // long options (without --) that take a value
	// flagLong are the long options that take no value, or an optional
	// one, which getopt_long takes only after '=' (sudo --preserve-env).
	flagLong []string
	// stop and stopLong are options with which the wrapper runs no
	// command: it lists, checks, edits, or acts on a pid instead.
	stop     string
	stopLong []string
	// prefixes: the wrapper reads long options with getopt_long, which
	// takes any prefix that names one option only (timeout --sig KILL);
	// a prefix of several is an error, and nothing runs. Only set where
	// the three lists above name every long option the wrapper has.
	prefixes bool
	// split is env's -S: its value is split into words that stand in
	// its place; splitLong is its long name.
	split     byte
	splitLong string
	// dash: a lone "-" after the options is one more option (env's -i).
	dash bool
	// envars: NAME=VALUE words may stand among the options (sudo reads
	// on after them).
	envars bool
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
// The option lists of sudo (1.9), env, nice, timeout, stdbuf and nohup
// (GNU coreutils 9, with the BSD envs' -P, -L, -U) are complete.
var wrappers = [...]wrapper{
	{name: "command", stop: "vV"},
	{name: "builtin"},
	{name: "exec", valued: "a"},
	{name: "nohup", prefixes: true},
	{name: "time", valued: "fo", valuedLong: []string{"format", "output"}},
	{name: "nice", valued: "n", valuedLong: []string{"adjustment"}, prefixes: true},
	// env -0 with a command is an error (GNU, BSD): it runs nothing.
	{name: "env", valued: "uCPLUa", valuedLong: []string{"unset", "chdir", "argv0"},
		flagLong: []string{"ignore-environment", "block-signal", "default-signal", "ignore-signal", "list-signal-handling", "debug"},
		stop:     "0", stopLong: []string{"null"},
		split: 'S', splitLong: "split-string", dash: true, prefixes: true},
	{name: "sudo", valued: "aCcDgpRrTtUu",
		valuedLong: []string{"auth-type", "close-from", "login-class", "chdir", "group", "host", "prompt", "chroot", "role", "command-timeout", "type", "other-user", "user"},
		flagLong:   []string{"askpass", "background", "bell", "preserve-env", "set-home", "login", "reset-timestamp", "no-update", "non-interactive", "preserve-groups", "stdin", "shell"},
		stop:       "eKlVvh", stopLong: []string{"edit", "remove-timestamp", "list", "validate"},
		envars: true, prefixes: true},
	{name: "doas", valued: "u", stop: "CLs"},
	{name: "caffeinate", valued: "tw"},
	{name: "timeout", valued: "ks", valuedLong: []string{"kill-after", "signal"},
		flagLong: []string{"foreground", "preserve-status", "verbose"}, operands: 1, prefixes: true},
	{name: "stdbuf", valued: "ioe", valuedLong: []string{"input", "output", "error"}, prefixes: true},
	{name: "unbuffer"},
	{name: "setsid", stop: "hV"},
	{name: "ionice", valued: "cn", valuedLong: []string{"class", "classdata"}, stop: "pPuhV", stopLong: []string{"pid", "pgid", "uid"}},
	{name: "taskset", stop: "phV", stopLong: []string{"pid"}, operands: 1},
	{name: "chrt", valued: "TPD", valuedLong: []string{"sched-runtime", "sched-period", "sched-deadline"},
		stop: "pmhV", stopLong: []string{"pid", "max"}, priority: true},
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

// optKind is what a wrapper's option does to the reading of its words.
type optKind uint8

const (
	optFlag   optKind = iota // no value; also an option the table does not know
	optValued                // takes a value
	optStop                  // the wrapper runs no command
	optSplit                 // env -S: the value is split into words
)

// long is the kind of the long option name (without -- and =value).
func (w *wrapper) long(name string) optKind {
	if k, ok := w.longExact(name); ok {
		return k
	}
	if !w.prefixes || name == "" {
		return optFlag
	}
	kind, n := optFlag, 0
	for _, list := range [...]struct {
		names []string
		kind  optKind
	}{
		{w.valuedLong, optValued}, {w.flagLong, optFlag}, {w.stopLong, optStop},
		{[]string{"help", "version"}, optStop}, {[]string{w.splitLong}, optSplit},
	} {
		for _, o := range list.names {
			if o != "" && strings.HasPrefix(o, name) {
				kind, n = list.kind, n+1
			}
		}
	}
	if n > 1 {
		return optStop // ambiguous: getopt_long refuses it
	}
	return kind
}

// longExact is the kind of the long option called exactly name.
func (w *wrapper) longExact(name string) (optKind, bool) {
	switch {
	case name == "help" || name == "version" || slices.Contains(w.stopLong, name):
		return optStop, true
	case name != "" && name == w.splitLong:
		return optSplit, true
	case slices.Contains(w.valuedLong, name):
		return optValued, true
	case slices.Contains(w.flagLong, name):
		return optFlag, true
	}
	return optFlag, false
}

// short is the kind of the short option c.
func (w *wrapper) short(c byte) optKind {
	switch {
	case strings.IndexByte(w.stop, c) >= 0:
		return optStop
	case c == w.split && c != 0:
		return optSplit
	case strings.IndexByte(w.valued, c) >= 0:
		return optValued
	}
	return optFlag
}

// args reads the wrapper's options and operands and returns the command
// it runs: its words, or one shell line; neither when it runs no
// command. words is the whole simple command and words[at] the wrapper's
// name. The command's words are always a suffix of words; when env -S
// splits a value, the line returned is the simple command again with
// the split words in the option's place, so that it is read anew, the
// words before it (assignments, SSH_AUTH_SOCK) included.
func (w *wrapper) args(words []string, at int) (cmd []string, line string) {
	args := words[at+1:]
	for len(args) > 0 {
		a := args[0]
		if w.envars && isAssignment(a) {
			args = args[1:]
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		optAt := len(words) - len(args)
		args = args[1:]
		if a == "--" {
			break
		}
		var kind optKind
		var value, before string
		hasValue := false
		if long, ok := strings.CutPrefix(a, "--"); ok {
			name, v, eq := strings.Cut(long, "=")
			kind, value, hasValue = w.long(name), v, eq
		} else {
			for i := 1; i < len(a); i++ {
				if kind = w.short(a[i]); kind != optFlag {
					before, value, hasValue = a[1:i], a[i+1:], i+1 < len(a)
					break
				}
			}
		}
		switch kind {
		case optStop:
			return nil, ""
		case optValued, optSplit:
			if !hasValue {
				if len(args) == 0 {
					return nil, "" // getopt: the value is missing
				}
				value, args = args[0], args[1:]
			}
			if kind == optSplit {
				return nil, splitLine(words[:optAt], before, value, args)
			}
		}
	}
	if w.dash && len(args) > 0 && args[0] == "-" {
		args = args[1:]
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

// splitLine writes, as one shell line, the words head, the short
// options before env's -S in its word (cluster, without the dash), the
// words env splits value into, and the words rest.
func splitLine(head []string, cluster, value string, rest []string) string {
	var b strings.Builder
	for _, w := range head {
		writeQuoted(&b, w)
	}
	if cluster != "" {
		writeQuoted(&b, "-"+cluster)
	}
	for _, w := range envSplit(value) {
		writeQuoted(&b, w)
	}
	for _, w := range rest {
		writeQuoted(&b, w)
	}
	return b.String()
}

// writeQuoted appends w to b as one single-quoted shell word.
func writeQuoted(b *strings.Builder, w string) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(w, "'", `'\''`))
	b.WriteByte('\'')
}

// envSplit splits s into words as env -S does: blanks separate words,
// '…' and "…" quote, a backslash escapes the next character (\_ is a
// blank that separates outside quotes, \c ends the string), and a # at
// the start of a word comments out the rest. ${NAME} is kept as written
// (env would expand it): a command name with one is none eich knows.
func envSplit(s string) []string {
	var (
		words []string
		word  strings.Builder
		in    bool
	)
	end := func() {
		if in {
			words = append(words, word.String())
			word.Reset()
			in = false
		}
	}
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'' && c == '\\' && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\'):
			i++
			word.WriteByte(s[i])
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote, in = c, true
		case quote != '\'' && c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'c':
				if quote == 0 {
					end()
					return words
				}
			case '_':
				if quote == 0 {
					end()
					continue
				}
				word.WriteByte(' ')
			case 'n':
				word.WriteByte('\n')
			case 't':
				word.WriteByte('\t')
			default:
				word.WriteByte(s[i])
			}
			in = true
		case quote == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'):
			end()
		case quote == 0 && c == '#' && !in:
			return words
		default:
			word.WriteByte(c)
			in = true
		}
	}
	end()
	return words
}
