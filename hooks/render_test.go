package hooks_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/safetext"
)

// hostile is text an agent or a command line may carry to the terminal.
var hostile = []string{
	"\x1b[2J\x1b[H",                  // clear the screen
	"\x1b]52;c;cm0gLXJmIH4=\x07",     // write the clipboard (OSC 52)
	"ok\neich: removed 0 stale keys", // forge a line
	"evil\u202etxt.exe",              // right-to-left override
	"a\u2028b", "zero\u200bwidth", "\xff\xfe",
}

// printed checks that every line of out is printable and that there are
// want lines.
func printed(t *testing.T, what, out string, want int) {
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

// writeAll prints keys whose type and comment are text through list,
// prune (done and dry run), status and list --json.
func writeAll(t *testing.T, text, format string) {
	keys := []hooks.Key{
		{Position: 1, Class: keyclass.User, Type: text, Fingerprint: "SHA256:x", Comment: text},
		{Position: 2, Class: keyclass.Suspect, Type: "ssh-ed25519", Fingerprint: "SHA256:y", Comment: text},
	}
	var out bytes.Buffer
	hooks.WriteList(&out, keys, false)
	printed(t, "list", out.String(), 1+len(keys))
	for _, dry := range []bool{false, true} {
		out.Reset()
		rep := &hooks.Report{Limit: 6, Removed: keys, Planned: keys, Kept: keys[:1], Unsure: keys[:1], NotAsked: keys[1:], DryRun: dry}
		hooks.WritePrune(&out, rep, false)
		printed(t, "prune", out.String(), len(keys)+4) // the keys, the kept, unconfirmed and not-asked ones, the summary
	}
	c := &hooks.Counts{Keys: 3, Limit: 6}
	printed(t, "status", c.Format(format)+"\n", 1)

	out.Reset()
	if err := hooks.WriteJSON(&out, keys); err != nil {
		t.Fatal(err)
	}
	printed(t, "list --json", out.String(), 2+2*8) // brackets, and eight lines a key
	var back []struct{ Type, Comment string }
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out.String())
	}
	if utf8.ValidString(text) && (back[0].Type != text || back[1].Comment != text) {
		t.Fatalf("list --json changed %q: type %q, comment %q", text, back[0].Type, back[1].Comment)
	}
}

func TestAgentTextIsPrintedSafely(t *testing.T) {
	for _, h := range hostile {
		writeAll(t, h, "{keys} "+h)
	}
}

// FuzzPrintedText checks list, prune and status output for any key type,
// comment, error text and status format.
func FuzzPrintedText(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, "{keys}/{limit}"+h)
	}
	f.Fuzz(func(t *testing.T, text, format string) {
		writeAll(t, text, format)
	})
}

// TestHookLineIsPrintedSafely makes the hook's one line quote a state
// path full of escapes: it must stay one printable line.
func TestHookLineIsPrintedSafely(t *testing.T) {
	e := newEnv(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e.s.StateDir = filepath.Join(blocker, strings.Join(hostile, ""))
	if !hooks.Pre(e.s, "77", eicLine) {
		t.Fatal("pre did not take an EIC line")
	}
	printed(t, "hook line", e.stderr.String(), 1)
	if !strings.HasPrefix(e.stderr.String(), "eich: ") {
		t.Errorf("hook line: %q", e.stderr.String())
	}
}

// TestStatusFormat fills every placeholder once and checks what is left
// alone: unknown names, unclosed and doubled braces.
func TestStatusFormat(t *testing.T) {
	c := &hooks.Counts{Keys: 9, Limit: 6, Stale: 4, EIC: 3, Suspect: 1, ExpiredCerts: 2, User: 5, Protected: 7}
	for format, want := range map[string]string{
		hooks.DefaultStatusFormat:                                    "eic 9/6 ·4 stale",
		"{keys}{limit}{stale}{eic}{suspect}{certs}{user}{protected}": "96431257",
		"{stale_note}|{unknown}|{keys":                               " ·4 stale|{unknown}|{keys",
		"{{keys}}":                                                   "{9}",
		"}{}{limit}{":                                                "}{}6{",
		"plain":                                                      "plain",
		"":                                                           "",
	} {
		if got := c.Format(format); got != want {
			t.Errorf("Format(%q) = %q, want %q", format, got, want)
		}
	}
	if got := (&hooks.Counts{Keys: 2, Limit: 6}).Format(hooks.DefaultStatusFormat); got != "eic 2/6" {
		t.Errorf("with nothing stale: %q, want %q", got, "eic 2/6")
	}
}
