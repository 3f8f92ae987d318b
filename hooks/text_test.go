package hooks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/internal/testbed"
)

// Text the engine makes itself: the hook's one line and the status
// segment. Everything else it returns as data, which package
// internal/output prints (and tests printing).

// TestHookLineIsPrintedSafely makes the hook's one line quote a state
// path full of escapes: it must stay one printable line.
func TestHookLineIsPrintedSafely(t *testing.T) {
	e := newEnv(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e.s.StateDir = filepath.Join(blocker, strings.Join(testbed.Hostile, ""))
	if !hooks.Pre(e.s, "77", eicLine) {
		t.Fatal("pre did not take an EIC line")
	}
	testbed.AssertPrintable(t, "hook line", e.stderr.String(), 1)
	if !strings.HasPrefix(e.stderr.String(), "eich: ") {
		t.Errorf("hook line: %q", e.stderr.String())
	}
}

// TestStatusFormat fills every placeholder once and checks what is left
// alone: unknown names, unclosed and doubled braces.
func TestStatusFormat(t *testing.T) {
	c := &hooks.Counts{Keys: 9, Limit: 6, Stale: 4, EIC: 3, Suspect: 1, ExpiredCerts: 2, User: 5, Protected: 7}
	for format, want := range map[string]string{
		hooks.DefaultStatusFormat:                                    "keys 9/6 ·4 stale",
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
	if got := (&hooks.Counts{Keys: 2, Limit: 6}).Format(hooks.DefaultStatusFormat); got != "keys 2/6" {
		t.Errorf("with nothing stale: %q, want %q", got, "keys 2/6")
	}
	for _, h := range testbed.Hostile {
		testbed.AssertPrintable(t, "status", c.Format("{keys} "+h)+"\n", 1)
	}
}
