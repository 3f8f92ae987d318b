// Package command is eich's command line: the urfave/cli app with its
// commands and flags, the settings they resolve, and the actions that call
// package hooks and package shells. Package main only stamps the version and
// calls Main; the build-only docs program (internal/command/eichdocs) takes
// the same app from New to write the man page and completion files.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/bounded"
	"github.com/eich-dev/eich/hooks/cmdline"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/settings"
	"github.com/eich-dev/eich/internal/completion"
	"github.com/eich-dev/eich/internal/output"
	"github.com/eich-dev/eich/shells"
)

// version and commit are package main's, which the release build stamps
// (-ldflags "-X main.version=… -X main.commit=…"); Main sets them.
var (
	version = "dev"
	commit  = "none"
)

const exitHelp = `EXIT STATUS:
   0  success
   1  prune: the agent is still at or over the limit; hook pre: not an EIC command
   2  error (bad flag or value, no agent for list/prune/doctor, state that keeps prune from removing)`

// started is when eich started: the hook budget counts from here.
var started time.Time

// Main runs eich with os.Args and exits with its status.
func Main(v, c string) {
	started = time.Now()
	version, commit = v, c
	app := newApp()
	if completion.Serve(app, os.Args[1:], os.Stdout) {
		return
	}
	oneLineErrors(app.Commands)
	checkArgs(app.Commands, "")
	app.OnUsageError = usageError
	err := app.Run(context.Background(), os.Args)
	var exit cli.ExitCoder
	switch {
	case err == nil:
	case errors.As(err, &exit):
		if msg := exit.Error(); msg != "" {
			warn(msg)
		}
		os.Exit(exit.ExitCode())
	default:
		warn(err.Error())
		os.Exit(2)
	}
}

// warn prints one line on stderr. Errors and notes may quote the command
// line, the environment or the agent, so the text goes through safetext.
func warn(msg string) {
	fmt.Fprintf(os.Stderr, "eich: %s\n", safetext.Line(msg))
}

// New returns eich's command line, as Main runs it.
func New() *cli.Command { return newApp() }

func newApp() *cli.Command {
	app := &cli.Command{
		Name:           "eich",
		Usage:          "keep ssh-agent free of stale EC2 Instance Connect keys",
		Version:        version + " (" + commit + ")",
		Description:    "Add `eval \"$(eich init zsh)\"` (or bash; fish: `if status is-interactive; eich init fish | source; end`) to your shell's rc file.\n\n" + exitHelp,
		Flags:          settingFlags(),
		ExitErrHandler: func(context.Context, *cli.Command, error) {}, // main prints errors once
		CommandNotFound: func(_ context.Context, _ *cli.Command, name string) {
			warn(fmt.Sprintf("unknown command %q (see eich --help)", name))
			os.Exit(2)
		},
		Commands: []*cli.Command{
			{
				Name:  "status",
				Usage: "print a short prompt segment such as `keys 5/6 ·3 stale`: the agent's keys / MaxAuthTries, and how many are stale (nothing without an agent)",
				Flags: []cli.Flag{
					valueFlag("format", "FORMAT", hooks.DefaultStatusFormat, "the line to print, with placeholders {keys} {limit} {stale} {stale_note} {eic} {suspect} {certs} {user} {protected}"),
					&cli.BoolFlag{Name: "json", Usage: "print the counts as JSON"},
				},
				Action: withSettings(cmdStatus),
			},
			{
				Name:   "list",
				Usage:  "list the agent's keys, oldest first, with eich's class for each",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
				Action: withSettings(cmdList),
			},
			{
				Name:  "prune",
				Usage: "remove stale keys now, as the pre-command hook would",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "show what would be removed"},
					&cli.BoolFlag{Name: "all-stale", Usage: "remove every stale key whatever the count"},
				},
				Action: withSettings(cmdPrune),
			},
			{
				Name:      "protect",
				Usage:     "never remove these keys (fingerprints as `eich list` prints them)",
				ArgsUsage: "FINGERPRINT…",
				Action:    withSettings(func(c *cli.Command, s *hooks.Settings) error { return cmdProtect(c, s, false) }),
			},
			{
				Name:      "unprotect",
				Usage:     "take keys off the protect list",
				ArgsUsage: "FINGERPRINT…",
				Action:    withSettings(func(c *cli.Command, s *hooks.Settings) error { return cmdProtect(c, s, true) }),
			},
			{
				Name:   "log",
				Usage:  "show every key eich has removed",
				Action: withSettings(cmdLog),
			},
			{
				Name:   "doctor",
				Usage:  "check the agent, the limit and your ssh config, and print the fix for your set-up",
				Flags:  []cli.Flag{valueFlag("host", "ADDR", "ec2-instance", "the host to ask ssh -G about (an instance's address)")},
				Action: withSettings(cmdDoctor),
			},
			{
				Name:      "init",
				Usage:     "print the shell hook: eval \"$(eich init zsh)\", eval \"$(eich init bash)\", if status is-interactive; eich init fish | source; end",
				ArgsUsage: "zsh|bash|fish",
				Action:    withSettings(cmdInit),
			},
			{
				Name:      "ssh-config",
				Usage:     "print an ssh config block for EIC logins only (put it at the top of ~/.ssh/config): hook (default), guard or prevent",
				ArgsUsage: "[hook|guard|prevent]",
				Action:    cmdSSHConfig,
			},
			{
				Name:  "guard",
				Usage: "run by ssh through the `eich ssh-config guard` block: for an EIC login, record its key and prune the agent; exit 0 for an EIC login, 1 for any other ssh",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "test", Usage: "only tell an EIC login (exit 0) from any other ssh (exit 1); record and remove nothing"}},
				Action: withHookSettings(func(c *cli.Command, s *hooks.Settings) error {
					if !hooks.Guard(s, c.Bool("test")) {
						return cli.Exit("", 1)
					}
					return nil
				}),
			},
			{
				Name:      "completion",
				Usage:     "print shell completions: eich completion zsh|bash|fish",
				ArgsUsage: "zsh|bash|fish",
				Action: func(_ context.Context, c *cli.Command) error {
					script, err := completion.Script(c.Root(), c.Args().First())
					if err == nil {
						fmt.Print(script)
					}
					return err
				},
			},
			{
				Name:   "hook",
				Usage:  "entry points for the shell hooks",
				Hidden: true,
				Commands: []*cli.Command{
					{
						Name:  "pre",
						Usage: "before a command line (read from stdin); exit 0 if it is an EIC command, 1 if not",
						Flags: []cli.Flag{
							&cli.StringFlag{Name: "session", Usage: "the shell's pid"},
						},
						Action: withHookSettings(cmdHookPre),
					},
					{
						Name:  "post",
						Usage: "after an EIC command",
						Flags: []cli.Flag{
							&cli.StringFlag{Name: "session", Usage: "the shell's pid"},
							&cli.IntFlag{Name: "status", Usage: "the EIC command's exit status"},
						},
						Action: withHookSettings(func(c *cli.Command, s *hooks.Settings) error {
							hooks.Post(s, c.String("session"), c.Int("status"))
							return nil
						}),
					},
				},
			},
		},
	}
	return app
}

// The help command's line, which urfave/cli writes capitalised, in the
// same voice as every other command's.
func init() { cli.UsageCommandHelp = "show the commands, or one command's help" }

// valueFlag is a flag that takes a string, shown in help as
// "--name PLACEHOLDER" (see completion.Flag).
func valueFlag(name, placeholder, value, usage string) *completion.Flag {
	return &completion.Flag{StringFlag: cli.StringFlag{Name: name, Value: value, DefaultText: value, Usage: usage}, Placeholder: placeholder}
}

// usageError makes a bad flag one line on stderr (main prints it), not a
// screen of help.
func usageError(_ context.Context, _ *cli.Command, err error, _ bool) error { return err }

func oneLineErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = usageError
		c.HideHelpCommand = true
		oneLineErrors(c.Commands)
	}
}

// checkArgs makes every command take exactly the arguments its ArgsUsage
// names: none when it names none, one or more for a name ending in "…",
// at most one for a name in brackets, else one per word. A stray word is an error, never ignored
// (`eich prune --all-stale now` does not prune).
func checkArgs(cmds []*cli.Command, parent string) {
	for _, c := range cmds {
		name := strings.TrimSpace(parent + " " + c.Name)
		checkArgs(c.Commands, name)
		if c.Action == nil {
			continue
		}
		action, usage := c.Action, c.ArgsUsage
		least := len(strings.Fields(usage))
		most := least
		if strings.HasSuffix(usage, "…") {
			most = -1
		}
		if strings.HasPrefix(usage, "[") {
			least = 0
		}
		c.Action = func(ctx context.Context, cmd *cli.Command) error {
			args := cmd.Args().Slice()
			switch {
			case most == 0 && len(args) > 0:
				return fmt.Errorf("%s takes no arguments, got %q", name, args[0])
			case most > 0 && len(args) > most:
				return fmt.Errorf("%s takes %s, got the extra word %q", name, usage, args[most])
			case len(args) < least:
				return fmt.Errorf("%s needs %s (see eich %s --help)", name, usage, name)
			}
			return action(ctx, cmd)
		}
	}
}

// settingFlags are the global flags, one per setting in package settings.
// They bind no environment variables: settings.Resolve reads EICH_* itself,
// so that an empty variable counts as unset and every source goes through
// the setting's one validator.
func settingFlags() []cli.Flag {
	configFlag := valueFlag("config", "FILE", "", "config file (default $XDG_CONFIG_HOME/eich/config; $EICH_CONFIG)")
	configFlag.TakesFile = true
	flags := []cli.Flag{configFlag}
	for _, d := range settings.Scalars {
		usage := d.Usage + " ($" + d.Env() + "; config: " + d.Key + ")" // not fmt: this runs at every start
		if d.Switch {
			flags = append(flags, &cli.BoolFlag{Name: d.Flag(), Usage: usage})
		} else {
			flags = append(flags, valueFlag(d.Flag(), placeholder(d), d.Default, usage))
		}
	}
	return flags
}

// modes are the values of the mode setting, for its placeholder, which
// help shows and the completions offer.
var modes = []policy.Mode{policy.Auto, policy.Always, policy.Off}

// placeholder names what a setting's value is, by its default: N for a
// number, DURATION for a duration, the modes for mode. config's validator
// stays the one check of the value.
func placeholder(d settings.Scalar) string {
	if d.Key == "mode" {
		words := make([]string, len(modes))
		for i, m := range modes {
			words[i] = string(m)
		}
		return strings.Join(words, "|")
	}
	if _, err := strconv.Atoi(d.Default); err == nil {
		return "N"
	}
	if _, err := time.ParseDuration(d.Default); err == nil {
		return "DURATION"
	}
	return "VALUE"
}

// withSettings resolves the settings before running a command; a bad one
// is a one-line error.
func withSettings(action func(*cli.Command, *hooks.Settings) error) cli.ActionFunc {
	return func(_ context.Context, c *cli.Command) error {
		s, err := resolve(c)
		if err != nil {
			return err
		}
		return action(c, &hooks.Settings{Settings: s, Start: started})
	}
}

// withHookSettings is withSettings for the shell hooks, which never fail
// the user's command: on a bad setting they run on the defaults, say why,
// and remove nothing.
func withHookSettings(action func(*cli.Command, *hooks.Settings) error) cli.ActionFunc {
	return func(_ context.Context, c *cli.Command) error {
		s, err := resolve(c)
		hs := &hooks.Settings{Settings: s, Problem: err, Start: started, Detach: true}
		if err != nil {
			hs.Settings = settings.Defaults()
			hs.Environment = settings.ReadEnvironment(nil)
		}
		if start, parent, ok := bounded.Child(); ok {
			hs.Start, hs.Parent, hs.Detach = start, parent, false
			hs.Reserve = bounded.Reserve(hs.HookBudget)
		}
		return action(c, hs)
	}
}

func resolve(c *cli.Command) (settings.Settings, error) {
	return settings.Resolve(settings.Sources{Flag: func(name string) (string, bool) {
		if !c.IsSet(name) {
			return "", false
		}
		return fmt.Sprint(c.Value(name)), true
	}})
}

func cmdStatus(c *cli.Command, s *hooks.Settings) error {
	format := c.String("format")
	// The ledger only splits stale keys into eic and suspect.
	withLedger := c.Bool("json") || strings.Contains(format, "{eic}") || strings.Contains(format, "{suspect}")
	counts, err := hooks.Status(s, withLedger)
	if err != nil || counts == nil {
		return nil // a prompt segment stays quiet
	}
	out := output.For(os.Stdout)
	if c.Bool("json") {
		return out.JSON(counts)
	}
	out.Status(counts, format)
	return nil
}

func cmdList(c *cli.Command, s *hooks.Settings) error {
	keys, notes, err := hooks.List(s)
	if err != nil {
		return err
	}
	for _, n := range notes {
		warn(n)
	}
	out := output.For(os.Stdout)
	if c.Bool("json") {
		if keys == nil {
			keys = []hooks.Key{}
		}
		return out.JSON(keys)
	}
	out.List(keys)
	return nil
}

func cmdPrune(c *cli.Command, s *hooks.Settings) error {
	rep, err := hooks.Prune(s, c.Bool("dry-run"), c.Bool("all-stale"))
	if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		warn(n)
	}
	if rep.Blocked != nil {
		return cli.Exit("removed nothing: "+rep.Blocked.Error(), 2)
	}
	output.For(os.Stdout).Prune(rep)
	if !rep.Reachable() {
		return cli.Exit("", 1)
	}
	return nil
}

func cmdProtect(c *cli.Command, s *hooks.Settings, remove bool) error {
	list, err := hooks.Protect(s, c.Args().Slice(), remove)
	if err != nil {
		return err
	}
	output.For(os.Stdout).Protected(list)
	return nil
}

func cmdLog(_ *cli.Command, s *hooks.Settings) error {
	removals, bad, err := hooks.Log(s)
	if err != nil {
		return err
	}
	output.For(os.Stdout).Log(removals)
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "eich: %d lines of the removal log could not be read\n", bad)
	}
	return nil
}

func cmdDoctor(c *cli.Command, s *hooks.Settings) error {
	report, err := hooks.Doctor(s, c.String("host"))
	if err != nil {
		return err
	}
	output.For(os.Stdout).Doctor(report)
	return nil
}

func cmdInit(c *cli.Command, s *hooks.Settings) error {
	shell := c.Args().First()
	script, err := shells.Script(shell, shells.BinaryPath(), s.ExtraCommands)
	if err != nil {
		return err
	}
	if s.PromptSegment {
		// Without a state dir of its own the segment is left out, and the
		// hook still loads: the shell keeps eich's pruning.
		dir, err := hooks.PromptStateDir(s)
		if err != nil {
			warn("prompt segment left out: " + err.Error())
		} else {
			prompt, err := shells.PromptScript(shell, dir)
			if err != nil {
				return err
			}
			script += "\n" + prompt
		}
	}
	fmt.Print(script)
	return nil
}

func cmdSSHConfig(_ context.Context, c *cli.Command) error {
	block, err := shells.SSHConfigBlock(c.Args().First(), selfPath())
	if err != nil {
		return err
	}
	fmt.Print(block)
	return nil
}

// selfPath is the path by which ssh can run this eich from any
// environment: the one on PATH when it is this binary (it survives a
// package upgrade that moves the real file), else this binary's own.
func selfPath() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	if onPath, err := exec.LookPath("eich"); err == nil {
		if abs, err := filepath.Abs(onPath); err == nil && sameFile(abs, self) {
			return abs
		}
	}
	return self
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func cmdHookPre(c *cli.Command, s *hooks.Settings) error {
	line, err := io.ReadAll(io.LimitReader(os.Stdin, cmdline.MaxLine))
	if err != nil {
		return fmt.Errorf("hook pre: read command line: %w", err)
	}
	if !hooks.Pre(s, c.String("session"), string(line)) {
		return cli.Exit("", 1)
	}
	return nil
}
