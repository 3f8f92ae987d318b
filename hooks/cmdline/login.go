package cmdline

import "strings"

// Login is what eich needs to know of an EIC command beyond that it is
// one.
type Login struct {
	// GeneratesKey is false when the command brings its own key
	// (`--private-key-file`), so no throw-away key will appear.
	GeneratesKey bool
	// SetsAgent says the line sets or clears SSH_AUTH_SOCK for the
	// command; Agent is the value as typed (empty when cleared).
	SetsAgent bool
	Agent     string
}

// Inspect reports whether line runs an EIC login and, for the first one
// on the line, what Login says. Like IsEIC it evaluates nothing.
func Inspect(line string, extra []string) (Login, bool) {
	if len(line) > MaxLine {
		line = line[:MaxLine]
	}
	words, ok := firstEIC(line, extra, 0)
	if !ok {
		return Login{}, false
	}
	return loginOf(words, extra), true
}

// loginOf reads a simple command that runsEIC accepted: its prefix words
// (assignments, env and its options) for SSH_AUTH_SOCK, its arguments for
// --private-key-file. A wrapper's shell line (flock FILE -c LINE) is read
// as a line of its own.
func loginOf(words []string, extra []string) Login {
	program, line := skipPrefixes(words)
	if line != "" {
		l, _ := Inspect(line, extra)
		return l
	}
	prefix := words[:len(words)-len(program)]
	l := Login{GeneratesKey: true}
	for i, w := range prefix {
		switch {
		case strings.HasPrefix(w, "SSH_AUTH_SOCK="):
			l.SetsAgent, l.Agent = true, strings.TrimPrefix(w, "SSH_AUTH_SOCK=")
		case w == "-i" || w == "-" || w == "--ignore-environment" || w == "--unset=SSH_AUTH_SOCK" ||
			(w == "-u" || w == "--unset") && i+1 < len(prefix) && prefix[i+1] == "SSH_AUTH_SOCK":
			l.SetsAgent, l.Agent = true, ""
		}
	}
	for _, w := range program[1:] {
		if w == "--private-key-file" || strings.HasPrefix(w, "--private-key-file=") {
			l.GeneratesKey = false
		}
	}
	return l
}
