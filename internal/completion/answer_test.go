package completion_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/completion"
)

// serve returns the binary's answer to args, one word a line, the
// descriptions dropped.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if !completion.Serve(command.New(), args, &out) {
		t.Fatalf("Serve(%q) did not take a completion request", args)
	}
	var words []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		sep := "\t"
		if args[len(args)-1] == completion.LegacyFlag {
			sep = ":"
		}
		w, _, _ := strings.Cut(l, sep)
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// TestAnswer: what the binary answers, word by word, in both protocols.
func TestAnswer(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{completion.Marker, "--mode", ""}, "auto always off"},
		{[]string{completion.Marker, "--mode=", "--mode=al"}, "--mode=auto --mode=always --mode=off"},
		{[]string{completion.Marker, "--config", ""}, ":files"},
		{[]string{completion.Marker, "--config=x", "status", "--"}, "--format --json --help"},
		{[]string{completion.Marker, "--quiet", "prune", "-"}, "--dry-run -n --all-stale --help -h"},
		{[]string{completion.Marker, "help", ""}, "status list prune protect unprotect log doctor init ssh-config guard completion"},
		{[]string{completion.Marker, "help", "list", ""}, ""},
		{[]string{completion.Marker, "ssh-config", "hook", ""}, ""},
		{[]string{completion.Marker, "init", "--", ""}, "zsh bash fish"},
		{[]string{completion.Marker, "--", "--"}, ""},
		{[]string{completion.Marker, "hook", "post", "--status", ""}, ""},
		{[]string{completion.Marker, "nosuch", ""}, ""},
		// The protocol of earlier scripts: the word under the cursor only
		// when it starts with "-"; a flag that takes a value is read as
		// waiting for it. The shells match the word typed themselves.
		{[]string{"prune", "--d", completion.LegacyFlag}, "--dry-run --all-stale --help"},
		{[]string{"--mode", completion.LegacyFlag}, "auto always off"},
		{[]string{"init", completion.LegacyFlag}, "zsh bash fish"},
	} {
		if got := serve(t, c.args...); got != c.want {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
	if completion.Serve(command.New(), []string{"status", "--json"}, &bytes.Buffer{}) {
		t.Error("Serve took a command line that asks for no completion")
	}
}
