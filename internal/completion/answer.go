package completion

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v3"
)

// Marker is the first argument with which the scripts ask the binary for
// completions: `eich __complete WORD… CURRENT`, the words typed after the
// program name and then the word under the cursor (empty at a new word).
const Marker = "__complete"

// LegacyFlag is urfave/cli's completion protocol, which the scripts of
// earlier eich versions use (`eich WORD… [CURRENT] LegacyFlag`, the
// current word only when it starts with "-"); still answered, in that
// protocol's "word:usage" lines, so that a saved script keeps working.
const LegacyFlag = "--generate-shell-completion"

// filesLine is the whole answer when the word to complete is a file name
// (the value of a flag that takes a file): the script completes files.
const filesLine = ":files"

// Serve answers a completion request when args (os.Args without the
// program name) is one, and reports whether it was. It parses the words
// itself and runs no command, so completing never acts.
func Serve(app *cli.Command, args []string, w io.Writer) bool {
	switch {
	case len(args) > 0 && args[0] == Marker:
		words, cur := args[1:], ""
		if len(words) > 0 {
			words, cur = words[:len(words)-1], words[len(words)-1]
		}
		a := Complete(app, words, cur)
		if a.Files {
			fmt.Fprintln(w, filesLine)
			return true
		}
		for _, c := range a.Candidates {
			if c.Usage == "" {
				fmt.Fprintln(w, c.Word)
			} else {
				fmt.Fprintf(w, "%s\t%s\n", c.Word, oneLine(c.Usage))
			}
		}
		return true
	case len(args) > 0 && args[len(args)-1] == LegacyFlag:
		words, cur := args[:len(args)-1], ""
		if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "-") && !pendingFlag(app, words) {
			words, cur = words[:n-1], words[n-1]
		}
		for _, c := range Complete(app, words, cur).Candidates {
			if c.Usage == "" {
				fmt.Fprintln(w, c.Word)
			} else {
				fmt.Fprintf(w, "%s:%s\n", c.Word, oneLine(c.Usage))
			}
		}
		return true
	}
	return false
}

// oneLine keeps a description on its line.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\t", " ").Replace(s) }

// Candidate is one word a shell may offer, with what it does.
type Candidate struct{ Word, Usage string }

// Answer is what may come at the cursor: these words, or file names.
type Answer struct {
	Candidates []Candidate
	Files      bool
}

// position is where the typed words leave the cursor.
type position struct {
	lineage    []*cli.Command // the root first, then each command typed
	pending    cli.Flag       // a flag whose value comes next
	positional int            // arguments given to the last command
	onlyArgs   bool           // after "--": arguments only
}

func (p *position) cmd() *cli.Command { return p.lineage[len(p.lineage)-1] }

// walk reads words as the command line would: commands, flags (with
// their values, as the next word or after "="), and arguments.
func walk(app *cli.Command, words []string) *position {
	p := &position{lineage: []*cli.Command{app}}
	for _, w := range words {
		switch {
		case p.pending != nil:
			p.pending = nil
		case p.onlyArgs:
			p.positional++
		case w == "--":
			p.onlyArgs = true
		case len(w) > 1 && strings.HasPrefix(w, "-"):
			name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if f := p.lookup(name); f != nil && takesValue(f) && !hasValue {
				p.pending = f
			}
		default:
			if sub := subcommand(p.cmd(), w, len(p.lineage) == 1); sub != nil && p.positional == 0 {
				p.lineage = append(p.lineage, sub)
			} else {
				p.positional++
			}
		}
	}
	return p
}

// pendingFlag reports whether words end with a flag that waits for its
// value.
func pendingFlag(app *cli.Command, words []string) bool { return walk(app, words).pending != nil }

// Complete returns what may follow words at the cursor, where the word
// cur is being typed. After a flag that takes a value: the values its
// placeholder lists ("auto|always|off"), or file names for a flag that
// takes a file, or nothing. For a word that starts with "-": the flags
// of the command typed last (the root's are its settings; a command's own
// are its flags, although the settings are accepted there too). Else the
// commands, or the values its ArgsUsage lists for the next argument.
func Complete(app *cli.Command, words []string, cur string) Answer {
	p := walk(app, words)
	if p.pending != nil {
		return values(p.pending, "")
	}
	cmd := p.cmd()
	if strings.HasPrefix(cur, "-") && !p.onlyArgs {
		if name, _, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			f := p.lookup(name)
			if f == nil || !takesValue(f) {
				return Answer{}
			}
			// Values after "--flag=" as whole words; a file name there is
			// left to the user (the scripts complete files as words).
			a := values(f, cur[:strings.IndexByte(cur, '=')+1])
			a.Files = false
			return a
		}
		return Answer{Candidates: flags(cmd, len(p.lineage) == 1, !strings.HasPrefix(cur, "--"))}
	}
	if subs := cmd.VisibleCommands(); len(subs) > 0 && p.positional == 0 && !p.onlyArgs {
		var a Answer
		for _, c := range subs {
			a.Candidates = append(a.Candidates, Candidate{c.Name, c.Usage})
		}
		if len(p.lineage) == 1 && !cmd.HideHelpCommand {
			a.Candidates = append(a.Candidates, Candidate{"help", cli.UsageCommandHelp})
		}
		return a
	}
	if cmd == helpCommand && p.positional == 0 {
		var a Answer
		for _, c := range app.VisibleCommands() {
			a.Candidates = append(a.Candidates, Candidate{c.Name, c.Usage})
		}
		return a
	}
	return Answer{Candidates: plain(argValues(cmd.ArgsUsage, p.positional))}
}

// subcommand is cmd's command named name (hidden ones too: they may be
// typed), or at the root the help command, which urfave/cli adds only
// when the app runs.
func subcommand(cmd *cli.Command, name string, root bool) *cli.Command {
	for _, c := range cmd.Commands {
		if c.HasName(name) {
			return c
		}
	}
	if root && !cmd.HideHelpCommand && (name == "help" || name == "h") {
		return helpCommand
	}
	return nil
}

// helpCommand stands for urfave/cli's help command: its argument is a
// command name.
var helpCommand = &cli.Command{Name: "help"}

// lookup finds the flag called name where the cursor is: the last
// command's own flags, the help and version flags, and the flags of the
// commands before it that apply to their subcommands too.
func (p *position) lookup(name string) cli.Flag {
	for i := len(p.lineage) - 1; i >= 0; i-- {
		for _, f := range p.lineage[i].Flags {
			if i < len(p.lineage)-1 && isLocal(f) {
				continue
			}
			for _, n := range f.Names() {
				if n == name {
					return f
				}
			}
		}
	}
	return nil
}

// isLocal reports whether f applies only to the command that defines it.
func isLocal(f cli.Flag) bool {
	l, ok := f.(cli.LocalFlag)
	return ok && l.IsLocal()
}

// flags are the flags offered for cmd: its own visible ones, then
// --help, and at the root --version. Long names as "--name"; short ones
// as "-n" too when short is set (the word so far has one dash).
func flags(cmd *cli.Command, root, short bool) []Candidate {
	all := append([]cli.Flag{}, cmd.VisibleFlags()...)
	has := func(name string) bool {
		for _, f := range all {
			for _, n := range f.Names() {
				if n == name {
					return true
				}
			}
		}
		return false
	}
	if !cmd.HideHelp && !has("help") {
		all = append(all, cli.HelpFlag)
	}
	if root && !cmd.HideVersion && cmd.Version != "" && !has("version") {
		all = append(all, cli.VersionFlag)
	}
	var out []Candidate
	for _, f := range all {
		usage := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			usage = d.GetUsage()
		}
		for _, n := range f.Names() {
			switch {
			case len(n) > 1:
				out = append(out, Candidate{"--" + n, usage})
			case short:
				out = append(out, Candidate{"-" + n, usage})
			}
		}
	}
	return out
}

// takesValue reports whether f is given a value (a switch is not).
func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// values are what f's value may be, each after prefix: the words of a
// placeholder written as a|b|c, or file names for a flag that takes a
// file.
func values(f cli.Flag, prefix string) Answer {
	if v, ok := f.(*Flag); ok && v.TakesFile {
		return Answer{Files: true}
	}
	d, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return Answer{}
	}
	var a Answer
	for _, w := range choices(d.TypeName()) {
		a.Candidates = append(a.Candidates, Candidate{Word: prefix + w})
	}
	return a
}

// argValues are the values the argument at index i may take, by a
// command's ArgsUsage: "zsh|bash|fish" lists them, "[hook|guard|prevent]"
// too (it may be left out), "FINGERPRINT…" names a kind of word, which
// has no list.
func argValues(argsUsage string, i int) []string {
	fields := strings.Fields(argsUsage)
	if i >= len(fields) {
		return nil
	}
	return choices(strings.Trim(fields[i], "[]…"))
}

// choices splits a placeholder written as a|b|c into its words; any other
// placeholder names a kind of value and lists none.
func choices(placeholder string) []string {
	if !strings.Contains(placeholder, "|") {
		return nil
	}
	return strings.Split(placeholder, "|")
}

// plain makes words candidates without a description.
func plain(ws []string) []Candidate {
	var out []Candidate
	for _, w := range ws {
		out = append(out, Candidate{Word: w})
	}
	return out
}
