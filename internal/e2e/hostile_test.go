package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/eich-dev/eich/internal/testbed"
)

// hostileCase is one hostile command line typed at a hooked prompt.
type hostileCase struct {
	name string
	// typed: lines typed with Enter after each (a multi-line command is
	// typed as its lines, the shell prompting for the rest); or paste:
	// bytes pasted as one paste, then Enter.
	typed []string
	paste []byte
	// runs is how many times the line's substitution appends to its count
	// file: once where the shell itself expands it (the user's own
	// doing), never more, and never where the shell does not expand it.
	runs int
	id   string // the instance id the stand-in must get
	// arg, when set, is another argument the stand-in must get as is.
	arg string
}

// hostileCases returns the cases for shell; count names each case's
// count file (every substitution appends "run" to it).
func hostileCases(shell string, count func(name string) string) []hostileCase {
	// subst is a command substitution that appends to name's count file
	// and prints id, in shell's syntax, double-quoted.
	subst := func(name, id string) string {
		return fmt.Sprintf(`"$(echo run >> %s; echo %s)"`, count(name), id)
	}
	long := strings.Repeat("padding-word ", 110<<10/len("padding-word "))
	cs := []hostileCase{
		{name: "dollar-paren", runs: 1, id: "i-subst",
			typed: []string{"aws ec2-instance-connect ssh --instance-id " + subst("dollar-paren", "i-subst")}},
		{name: "single-quoted", runs: 0,
			id:    fmt.Sprintf("i-$(echo run >> %[1]s)-`echo run >> %[1]s`", count("single-quoted")),
			typed: []string{fmt.Sprintf("aws ec2-instance-connect ssh --instance-id 'i-$(echo run >> %[1]s)-`echo run >> %[1]s`'", count("single-quoted"))}},
		{name: "semicolons-and-quotes", runs: 1, id: "i-semi",
			typed: []string{`echo "a;b" 'c;d'; aws ec2-instance-connect ssh --instance-id ` + subst("semicolons-and-quotes", "i-semi") + ` --region 'eu-west-1'; echo "it's \"done\""`}},
		{name: "continued-line", runs: 1, id: "i-cont",
			typed: []string{`aws ec2-instance-connect ssh \`, "  --instance-id " + subst("continued-line", "i-cont")}},
		{name: "newline-in-quotes", runs: 1, id: "i-nl",
			typed: []string{"aws ec2-instance-connect ssh --instance-id " + subst("newline-in-quotes", "i-nl") + ` --region "eu`, `west-1"`}},
		{name: "pasted-lines", runs: 1, id: "i-paste",
			paste: []byte("echo pasted-first\naws ec2-instance-connect ssh --instance-id " + subst("pasted-lines", "i-paste") + "\necho pasted-last")},
		{name: "invalid-utf8", runs: 1, id: "i-utf8", arg: "eu-\xc3\x28\xff-1",
			paste: []byte("echo '\xff\xfe junk \xc3\x28'; aws ec2-instance-connect ssh --instance-id " + subst("invalid-utf8", "i-utf8") + " --region \"eu-\xc3\x28\xff-1\"")},
		{name: "long-line", runs: 1, id: "i-long",
			paste: []byte("true " + long + "; aws ec2-instance-connect ssh --instance-id " + subst("long-line", "i-long"))},
	}
	bt := count("backticks-in-double-quotes")
	if shell == "fish" {
		// fish's line editor drops invalid UTF-8 bytes as they are typed
		// or pasted: nothing after it (hook, eich, command) sees them.
		for i := range cs {
			if cs[i].name == "invalid-utf8" {
				cs[i].arg = ""
			}
		}
		// fish has no backtick substitution: the text is the id.
		cs = append(cs,
			hostileCase{name: "backticks-in-double-quotes", runs: 0, id: fmt.Sprintf("i-`echo run >> %s; echo bt`", bt),
				typed: []string{fmt.Sprintf("aws ec2-instance-connect ssh --instance-id \"i-`echo run >> %s; echo bt`\"", bt)}},
			hostileCase{name: "paren-substitution", runs: 1, id: "i-paren",
				typed: []string{fmt.Sprintf("aws ec2-instance-connect ssh --instance-id (echo run >> %s; echo i-paren)", count("paren-substitution"))}},
		)
	} else {
		cs = append(cs,
			hostileCase{name: "backticks-in-double-quotes", runs: 1, id: "i-bt",
				typed: []string{fmt.Sprintf("aws ec2-instance-connect ssh --instance-id \"i-`echo run >> %s; echo bt`\"", bt)}},
			hostileCase{name: "backticks", runs: 1, id: "i-bt2",
				typed: []string{fmt.Sprintf("aws ec2-instance-connect ssh --instance-id `echo run >> %s; echo i-bt2`", count("backticks"))}},
		)
	}
	return cs
}

// TestHostileInputAtThePrompt types (or pastes) hostile input at a hooked
// prompt in each shell: command substitutions
// ($(…), backticks, fish's (…)), substitutions in single quotes, `;` and
// quotes, a command continued over two lines, a newline inside quotes,
// pasted lines, invalid UTF-8 bytes, and a 110 KB line. For each:
//
//   - the substitution runs exactly as often as the shell itself expands
//     it (once, or never when quoted): eich gets the line as data and
//     never evaluates it, nor does the hook;
//   - the login runs once, hooked (EICH_EIC=1, one `hook pre` and one
//     `hook post`), with the arguments the shell made (invalid UTF-8
//     bytes intact in zsh and bash; fish's line editor drops them as they
//     are pasted, before its hook or anything else sees the line);
//   - the shell keeps working: a marker command typed after it runs and
//     sees status 0;
//   - eich prints nothing (EICH_QUIET=1 silences its success line; any
//     line would be a complaint).
func TestHostileInputAtThePrompt(t *testing.T) {
	eachShell(t, func(t *testing.T, shell string, b *testbed.Bed) {
		dir := filepath.Join(b.Root, "counts")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		count := func(name string) string { return filepath.Join(dir, name) }
		sh := testbed.StartShell(t, b, shell, []string{testbed.InitLine(shell)}, "EICH_QUIET=1")
		w := b.WrapEich(t)

		for _, c := range hostileCases(shell, count) {
			before, startsBefore := len(b.AWSRuns(t)), len(w.Starts(t))
			if c.paste != nil {
				sh.Tmux.Paste(c.paste)
				sh.Tmux.Keys("Enter")
			} else {
				for _, l := range c.typed {
					sh.Tmux.Type(l)
				}
			}
			sh.Tmux.WaitFor(testbed.CommandTimeout, "the login of case "+c.name, func() bool { return len(b.AWSRuns(t)) > before })
			status, _ := sh.Mark()
			runs := b.AWSRuns(t)[before:]
			if len(runs) != 1 || runs[0].Status != 0 || runs[0].EichEIC != "1" {
				t.Errorf("%s: the stand-in ran %v; want one hooked login with status 0", c.name, runs)
			} else if !strings.Contains(runs[0].Line, strconv.Quote(c.id)) {
				t.Errorf("%s: the stand-in got %s; want instance id %q", c.name, runs[0].Line, c.id)
			} else if c.arg != "" && !strings.Contains(runs[0].Line, strconv.Quote(c.arg)) {
				t.Errorf("%s: the stand-in got %s; want the argument %q as typed", c.name, runs[0].Line, c.arg)
			} else {
				t.Logf("%s: %.200s", c.name, runs[0].Line)
			}
			if status != 0 {
				t.Errorf("%s: the line ended with status %d, want 0", c.name, status)
			}
			data, err := os.ReadFile(count(c.name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if got := strings.Count(string(data), "run\n"); got != c.runs {
				t.Errorf("%s: the substitution ran %d times, want %d (the shell's own expansion only)", c.name, got, c.runs)
			}
			starts := w.Starts(t)[startsBefore:]
			if !preThenPost(starts) {
				t.Errorf("%s: eich started as %q, want one hook pre and one hook post", c.name, starts)
			}
		}
		if st := sh.Run("echo still-working; false"); st != 1 {
			t.Errorf("after the hostile lines, $? of `false` is %d, want 1", st)
		}
		for _, l := range strings.Split(sh.Tmux.Capture(), "\n") {
			if strings.HasPrefix(l, "eich:") {
				t.Errorf("eich printed %q", l)
			}
		}
		if !b.Agent.HasUserKeys(t) {
			t.Errorf("a user key left the agent; agent:\n%s", b.Agent.Describe(t))
		}
	})
}
