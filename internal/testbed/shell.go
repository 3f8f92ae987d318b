package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Timeouts for interactive steps: generous, since CI machines are small and
// the three shells run in parallel. They are deadlines for polling, never
// sleeps.
const (
	StartTimeout   = 30 * time.Second
	CommandTimeout = 30 * time.Second
)

// InitLine is the line the README tells users to put in their rc file.
func InitLine(shell string) string {
	if shell == "fish" {
		return "eich init fish | source"
	}
	return fmt.Sprintf(`eval "$(eich init %s)"`, shell)
}

// Shell is an interactive zsh, bash or fish in tmux, in a Bed.
type Shell struct {
	Name string
	Tmux *Tmux
	// IdlePrompt, when set, is how the pane's last line ends at a prompt
	// with nothing typed: each line is typed only once the shell shows it.
	// For line editors (ble.sh) that take keys typed ahead for a paste.
	IdlePrompt string
	bed        *Bed
	t          testing.TB
	marks      string
	n          int
}

// StartShell writes shell's rc file (ZDOTDIR/.zshrc, HOME/.bashrc or
// XDG_CONFIG_HOME/fish/config.fish) with a plain prompt, then rc, then a
// line that marks the shell ready, starts the shell interactively in tmux
// and waits until it is ready. env is added to the bed's environment.
func StartShell(t testing.TB, b *Bed, shell string, rc []string, env ...string) *Shell {
	t.Helper()
	return startShell(t, b, shell, "", "", rc, env)
}

// StartShellBinary is StartShell with binary (such as an older bash build)
// run instead of the shell found on PATH.
func StartShellBinary(t testing.TB, b *Bed, shell, binary string, rc []string, env ...string) *Shell {
	t.Helper()
	return startShell(t, b, shell, binary, "", rc, env)
}

// StartShellTagged is StartShell for a second (third, …) shell of the same
// kind in one Bed: tag keeps its rc file and marks file apart from the
// others'. zsh gets its own ZDOTDIR, bash its own --rcfile, fish its own
// XDG_CONFIG_HOME (so a tagged fish does not see eich's config file).
func StartShellTagged(t testing.TB, b *Bed, shell, tag string, rc []string, env ...string) *Shell {
	t.Helper()
	if tag == "" || strings.ContainsAny(tag, "/ '") {
		t.Fatalf("StartShellTagged: bad tag %q", tag)
	}
	return startShell(t, b, shell, "", tag, rc, env)
}

// startShell starts shell (binary, when not empty); a non-empty tag gives
// it files of its own.
func startShell(t testing.TB, b *Bed, shell, binary, tag string, rc []string, env []string) *Shell {
	t.Helper()
	suffix := ""
	if tag != "" {
		suffix = "-" + tag
	}
	s := &Shell{Name: shell, bed: b, t: t, marks: filepath.Join(b.Root, "marks-"+shell+suffix)}
	var rcFile string
	var argv, head []string
	switch shell {
	case "zsh":
		zdotdir := b.ZDotDir
		if tag != "" {
			zdotdir = filepath.Join(b.Root, "zdotdir"+suffix)
			env = append(append([]string(nil), env...), "ZDOTDIR="+zdotdir)
		}
		rcFile = filepath.Join(zdotdir, ".zshrc")
		argv = []string{Tool(t, "zsh"), "-i"}
		head = []string{"PROMPT='zsh%# '", "RPROMPT="}
	case "bash":
		rcFile = filepath.Join(b.Home, ".bashrc"+suffix)
		argv = []string{Tool(t, "bash"), "--noprofile", "--rcfile", rcFile, "-i"}
		head = []string{"PS1='bash\\$ '"}
	case "fish":
		config := b.XDGConfig
		if tag != "" {
			config = filepath.Join(b.Root, "xdgconfig"+suffix)
			env = append(append([]string(nil), env...), "XDG_CONFIG_HOME="+config)
		}
		rcFile = filepath.Join(config, "fish", "config.fish")
		argv = []string{Tool(t, "fish"), "-i"}
		head = []string{"set -g fish_greeting ''", "function fish_prompt; echo -n 'fish> '; end"}
	default:
		t.Fatalf("unknown shell %q", shell)
	}
	if binary != "" {
		argv[0] = binary
	}
	lines := append(head, rc...)
	lines = append(lines, "echo ready >> "+shQuote(s.marks))
	if err := os.MkdirAll(filepath.Dir(rcFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rcFile, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Tmux = StartTmux(t, b.Env(env...), argv...)
	s.Tmux.WaitFor(StartTimeout, shell+" to start and read its rc file", func() bool {
		return strings.HasPrefix(s.readMarks(), "ready\n")
	})
	return s
}

// readMarks returns the marks file.
func (s *Shell) readMarks() string {
	data, _ := os.ReadFile(s.marks)
	return string(data)
}

// Mark types a command that records the status of the previous line
// (and, in zsh and bash, $_) and waits for it; it returns that status and $_.
func (s *Shell) Mark() (status int, lastArg string) {
	s.t.Helper()
	s.n++
	tag := fmt.Sprintf("mark %d ", s.n)
	if s.Name == "fish" {
		s.typeLine(fmt.Sprintf(`echo "%s$status []" >> %s`, tag, shQuote(s.marks)))
	} else {
		s.typeLine(fmt.Sprintf(`echo "%s$? [$_]" >> %s`, tag, shQuote(s.marks)))
	}
	var line string
	s.Tmux.WaitFor(CommandTimeout, fmt.Sprintf("the shell to run %q", tag), func() bool {
		for _, l := range strings.Split(s.readMarks(), "\n") {
			if strings.HasPrefix(l, tag) {
				line = l
				return true
			}
		}
		return false
	})
	rest := strings.TrimPrefix(line, tag)
	num, arg, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(num)
	if err != nil {
		s.t.Fatalf("mark line %q: %v", line, err)
	}
	return status, strings.TrimSuffix(strings.TrimPrefix(arg, "["), "]")
}

// Run types an ordinary command line and waits until the shell has run it;
// it returns the line's status.
func (s *Shell) Run(line string) int {
	s.t.Helper()
	s.typeLine(line)
	st, _ := s.Mark()
	return st
}

// EICResult is what RunEIC saw.
type EICResult struct {
	Run     AWSRun // the stand-in's run
	Status  int    // $? after the line
	LastArg string // $_ after the line (zsh and bash)
}

// RunEIC types a line that runs the aws stand-in once, waits until the
// stand-in has exited (ssh reads the terminal until then, so nothing may be
// typed before) and the shell is back at its prompt, and returns that run.
func (s *Shell) RunEIC(line string) EICResult {
	s.t.Helper()
	runs, status, lastArg := s.RunEICs(line, 1)
	return EICResult{Run: runs[0], Status: status, LastArg: lastArg}
}

// RunEICs is RunEIC for a line that runs the stand-in n times; it returns
// the runs, the line's status and $_.
func (s *Shell) RunEICs(line string, n int) (runs []AWSRun, status int, lastArg string) {
	s.t.Helper()
	before := len(s.bed.AWSRuns(s.t))
	s.typeLine(line)
	s.Tmux.WaitFor(CommandTimeout, fmt.Sprintf("the aws stand-in to finish %d time(s) for %q", n, line), func() bool {
		return len(s.bed.AWSRuns(s.t)) >= before+n
	})
	status, lastArg = s.Mark()
	all := s.bed.AWSRuns(s.t)
	if len(all) != before+n {
		s.t.Fatalf("%q ran the aws stand-in %d times, want %d", line, len(all)-before, n)
	}
	return all[before:], status, lastArg
}

// typeLine types line. With IdlePrompt set, it waits for the idle prompt,
// types the text, waits until the shell shows it, presses Enter and waits
// until the shell took the line.
func (s *Shell) typeLine(line string) {
	s.t.Helper()
	if s.IdlePrompt == "" {
		s.Tmux.Type(line)
		return
	}
	lastLine := func() string {
		pane := s.Tmux.Capture()
		return strings.TrimRight(pane[strings.LastIndexByte(pane, '\n')+1:], " ")
	}
	typed := s.IdlePrompt + " " + line
	s.Tmux.WaitFor(CommandTimeout, "the prompt "+s.IdlePrompt, func() bool { return strings.HasSuffix(lastLine(), s.IdlePrompt) })
	s.Tmux.Keys("-l", "--", line)
	s.Tmux.WaitFor(CommandTimeout, "the shell to show "+line, func() bool { return strings.HasSuffix(lastLine(), typed) })
	s.Tmux.Keys("Enter")
	s.Tmux.WaitFor(CommandTimeout, "the shell to take "+line, func() bool { return !strings.HasSuffix(lastLine(), typed) })
}

// shQuote quotes a path for sh, bash, zsh and fish alike (test paths have
// no quotes or backslashes).
func shQuote(s string) string {
	return "'" + s + "'"
}
