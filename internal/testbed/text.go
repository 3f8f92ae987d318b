package testbed

import (
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks/safetext"
)

// Hostile is text an agent, a state file or a command line may carry to
// the terminal: each piece must reach it escaped, never as it is.
var Hostile = []string{
	"\x1b[2J\x1b[H",                  // clear the screen
	"\x1b]52;c;cm0gLXJmIH4=\x07",     // write the clipboard (OSC 52)
	"ok\neich: removed 0 stale keys", // forge a line
	"evil\u202etxt.exe",              // right-to-left override
	"a\u2028b", "zero\u200bwidth", "\xff\xfe",
}

// AssertPrintable fails the test unless out, a final newline aside, is
// want lines each of which safetext.Printable accepts: the check of every
// piece of text eich writes for a terminal. Output with colour codes is
// passed in with them taken out.
//
// This makes testbed import hooks/safetext, a leaf package, so that
// package's own tests cannot use testbed.
func AssertPrintable(t testing.TB, what, out string, want int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != want {
		t.Fatalf("%s: %d lines, want %d:\n%q", what, len(lines), want, out)
	}
	for _, l := range lines {
		if !safetext.Printable(l) {
			t.Fatalf("%s: line not printable: %q", what, l)
		}
	}
}
