// Package settings resolves eich's settings. Each setting is defined once,
// in Scalars or as a list key, with the one validator that every source
// goes through; Resolve takes them in this order of precedence:
// command-line flags, EICH_* environment variables, the config file, and
// the defaults. An empty environment variable counts as unset.
//
// The config file, $XDG_CONFIG_HOME/eich/config (fallback
// ~/.config/eich/config), has one `key = value` a line; # starts a comment
// line. Repeatable keys (protect, extra_command) add to a list. Unknown
// keys and bad values are errors that name the line, so a typo never
// silently changes what eich removes. A file that another user owns, or
// that group or others may write, is refused, and so is one larger than
// MaxFileSize, a link to nowhere, and anything but a regular file.
//
//	max_auth_tries = 4
//	mode = auto
//	agent_timeout = 500ms
//	hook_budget = 1s
//	protect = SHA256:AAAA…
//	extra_command = eic
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/policy"
	"github.com/eich-dev/eich/hooks/safefile"
)

// Settings are the checked values every command runs with, and where it
// runs.
type Settings struct {
	Environment
	MaxAuthTries  int
	Mode          policy.Mode
	AgentTimeout  time.Duration // each agent call's deadline
	LockWait      time.Duration // the longest wait for another eich's lock
	HookBudget    time.Duration // all of one hook run: lock wait and agent calls
	Quiet         bool          // no success line from the hooks
	PromptSegment bool          // `eich init` includes the prompt segment, as with --prompt
	Protect       []string      // fingerprints never to remove
	ExtraCommands []string      // command names the hooks treat as EIC commands
}

// Environment is where eich runs: what it reads from the environment
// besides its own EICH_* variables, here and nowhere else.
type Environment struct {
	Socket   string // SSH_AUTH_SOCK: the shell's agent; empty: none
	Home     string // $HOME, else the user's passwd entry; for ~/.ssh
	StateDir string // $XDG_STATE_HOME/eich, else ~/.local/state/eich; empty: no home
	TempDir  string // $TMPDIR, a temp dir besides the system's
	// InEICCommand is EICH_EIC: a hooked shell sets it while an EIC
	// command runs.
	InEICCommand bool
	// GuardProbe is EICH_GUARD_PROBE: `eich doctor` asks through it
	// whether ssh runs the guard.
	GuardProbe string
}

// EICVar is the variable a hooked shell exports while an EIC command runs
// (its hook sets it; the `eich ssh-config` blocks match on it).
const EICVar = "EICH_EIC"

// GuardProbeVar makes the guard print one line naming the variable's
// value and exit 1 whatever ssh runs it, so that `eich doctor` can tell
// whether ssh runs the guard at all. It changes nothing else.
const GuardProbeVar = "EICH_GUARD_PROBE"

// ReadEnvironment reads the Environment with getenv (nil: os.Getenv).
func ReadEnvironment(getenv func(string) string) Environment {
	if getenv == nil {
		getenv = os.Getenv
	}
	e := Environment{Socket: getenv("SSH_AUTH_SOCK"), Home: getenv("HOME"), TempDir: getenv("TMPDIR"),
		InEICCommand: getenv(EICVar) != "", GuardProbe: getenv(GuardProbeVar)}
	if e.Home == "" {
		e.Home, _ = os.UserHomeDir()
	}
	switch x := getenv("XDG_STATE_HOME"); {
	case filepath.IsAbs(x):
		e.StateDir = filepath.Join(x, "eich")
	case e.Home != "":
		e.StateDir = filepath.Join(e.Home, ".local", "state", "eich")
	}
	return e
}

// Scalar is a setting with one value, settable by flag, environment
// variable and config file alike.
type Scalar struct {
	Key     string // in the config file, e.g. max_auth_tries
	Default string
	Usage   string
	Switch  bool   // a flag that takes no value on the command line
	flag    string // the flag's name when it is not the key's
	set     func(*Settings, string) error
}

// Flag is the setting's command-line flag name, e.g. max-auth-tries.
func (s Scalar) Flag() string {
	if s.flag != "" {
		return s.flag
	}
	return strings.ReplaceAll(s.Key, "_", "-")
}

// Env is the setting's environment variable, e.g. EICH_MAX_AUTH_TRIES.
func (s Scalar) Env() string { return "EICH_" + strings.ToUpper(s.Key) }

// Scalars are eich's single-valued settings.
var Scalars = []Scalar{
	{Key: "max_auth_tries", Default: "6", Usage: "sshd's MaxAuthTries on your instances (1 to 100)", set: setMaxAuthTries},
	{Key: "mode", Default: "auto", Usage: "auto (prune when the agent nears the limit), always (around every EIC command) or off (warn only)", set: setMode},
	{Key: "agent_timeout", Default: "500ms", Usage: "deadline for each ssh-agent call (10ms to 30s)", set: duration(10*time.Millisecond, 30*time.Second, func(s *Settings, d time.Duration) { s.AgentTimeout = d })},
	{Key: "lock_wait", Default: "2s", Usage: "how long to wait for another eich's lock (0s to 30s)", set: duration(0, 30*time.Second, func(s *Settings, d time.Duration) { s.LockWait = d })},
	{Key: "hook_budget", Default: "1s", Usage: "the most one shell hook run may hold your command, lock wait and agent calls together (100ms to 30s)", set: duration(100*time.Millisecond, 30*time.Second, func(s *Settings, d time.Duration) { s.HookBudget = d })},
	{Key: "quiet", Default: "false", Usage: "no success line from the shell hooks", Switch: true, set: boolean(func(s *Settings, b bool) { s.Quiet = b })},
	{Key: "prompt_segment", flag: "prompt", Default: "false", Usage: "eich init also keeps $EICH_PROMPT (the line eich status printed last) up to date at each prompt, without a process", Switch: true, set: boolean(func(s *Settings, b bool) { s.PromptSegment = b })},
}

// The repeatable keys, file only.
const (
	keyProtect      = "protect"
	keyExtraCommand = "extra_command"
)

// MaxFileSize bounds the config file: far more than any real one.
const MaxFileSize = 64 << 10

// Defaults returns the settings with nothing set.
func Defaults() Settings {
	var s Settings
	for _, d := range Scalars {
		if err := d.set(&s, d.Default); err != nil {
			panic("config: bad default for " + d.Key + ": " + err.Error())
		}
	}
	return s
}

// Sources are where Resolve looks.
type Sources struct {
	// Flag returns a flag's value when it was given on the command line
	// ("true" for a switch), by the name Scalar.Flag returns or "config".
	Flag func(name string) (string, bool)
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(name string) string
}

// Resolve returns the settings from flags, environment, config file and
// defaults, each value checked by its setting's validator.
func Resolve(src Sources) (Settings, error) {
	flag := src.Flag
	if flag == nil {
		flag = func(string) (string, bool) { return "", false }
	}
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	path, explicit := flag("config")
	if !explicit {
		if path = getenv("EICH_CONFIG"); path != "" {
			explicit = true
		}
	}
	if !explicit {
		var err error
		if path, err = DefaultPath(getenv); err != nil {
			return Settings{}, err
		}
	}
	file, err := Load(path, explicit)
	if err != nil {
		return Settings{}, err
	}
	s := Defaults()
	for _, d := range Scalars {
		value, from := d.Default, ""
		if v, ok := flag(d.Flag()); ok {
			value, from = v, "--"+d.Flag()
		} else if v := getenv(d.Env()); v != "" {
			value, from = v, d.Env()
		} else if v, ok := file.values[d.Key]; ok {
			value, from = v.value, v.where
		}
		if err := d.set(&s, value); err != nil {
			return Settings{}, fmt.Errorf("%s: %v", from, err)
		}
	}
	s.Protect, s.ExtraCommands = file.protect, file.extraCommands
	s.Environment = ReadEnvironment(getenv)
	return s, nil
}

// DefaultPath returns the config file's path.
func DefaultPath(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "eich", "config"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(home, ".config", "eich", "config"), nil
}

// File is what a config file sets.
type File struct {
	values        map[string]fileValue
	protect       []string
	extraCommands []string
}

type fileValue struct{ value, where string }

// ErrUntrusted marks a config file that eich refuses to use.
var ErrUntrusted = errors.New("config file not trusted")

// Load reads the config file at path. A missing file is empty unless
// explicit says the user named it. The file may be a link (dotfile
// managers make them), but what it points to must be a regular file of
// the user's that no one else may write. A link whose target is missing
// (a dotfiles folder moved) is an error, not an empty config: the protect
// list it held must not silently vanish. A named pipe or a device is
// refused without blocking (package safefile).
func Load(path string, explicit bool) (File, error) {
	f, err := safefile.Open(path, safefile.Spec{Flags: unix.O_RDONLY, Follow: true, Max: MaxFileSize})
	switch {
	case errors.Is(err, os.ErrNotExist) && !explicit:
		return File{}, nil
	case errors.Is(err, safefile.ErrNotRegular), errors.Is(err, safefile.ErrDangling):
		return File{}, untrusted{err}
	case err != nil:
		return File{}, fmt.Errorf("config %w", err)
	}
	defer f.Close()
	if err := checkTrusted(path, &f.Stat); err != nil {
		return File{}, err
	}
	data, err := f.ReadAll()
	if err != nil {
		return File{}, fmt.Errorf("config %w", err)
	}
	return Parse(data, path)
}

// untrusted is a refusal of the config file: ErrUntrusted, with a text
// that starts "config PATH:" and does not repeat the sentinel's.
type untrusted struct{ err error }

func (u untrusted) Error() string   { return "config " + u.err.Error() }
func (u untrusted) Unwrap() []error { return []error{ErrUntrusted, u.err} }

func checkTrusted(path string, st *unix.Stat_t) error {
	if int(st.Uid) != os.Geteuid() {
		return untrusted{fmt.Errorf("%s: owned by uid %d, not you (uid %d)", path, st.Uid, os.Geteuid())}
	}
	if perm := uint32(st.Mode) & 0o777; perm&0o022 != 0 {
		return untrusted{fmt.Errorf("%s: others may write it (mode %04o; chmod go-w %s)", path, perm, path)}
	}
	return nil
}

// Parse reads config text; name is used in error messages.
func Parse(data []byte, name string) (File, error) {
	file := File{values: map[string]fileValue{}}
	check := Defaults()
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, i+1)
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return File{}, fmt.Errorf("%s: want key = value, got %.60q", where, line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if err := file.set(&check, key, value, where); err != nil {
			return File{}, fmt.Errorf("%s: %v", where, err)
		}
	}
	return file, nil
}

func (f *File) set(check *Settings, key, value, where string) error {
	switch key {
	case keyProtect:
		if !keyclass.ValidFingerprint(value) {
			return fmt.Errorf("protect: not a SHA256 fingerprint (as ssh-add -l prints it): %.60q", value)
		}
		f.protect = append(f.protect, value)
		return nil
	case keyExtraCommand:
		if !IsCommandName(value) {
			return fmt.Errorf("extra_command: %.60q is not a plain command name", value)
		}
		f.extraCommands = append(f.extraCommands, value)
		return nil
	}
	for _, d := range Scalars {
		if d.Key == key {
			if prev, ok := f.values[key]; ok {
				return fmt.Errorf("%s is set twice (first at %s); keep one line", key, strings.TrimSuffix(prev.where, ": "+key))
			}
			if err := d.set(check, value); err != nil {
				return fmt.Errorf("%s: %v", key, err)
			}
			f.values[key] = fileValue{value, where + ": " + key}
			return nil
		}
	}
	known := make([]string, 0, len(Scalars)+2)
	for _, d := range Scalars {
		known = append(known, d.Key)
	}
	known = append(known, keyProtect, keyExtraCommand)
	return fmt.Errorf("unknown key %.40q (known: %s)", key, strings.Join(known, ", "))
}

func setMaxAuthTries(s *Settings, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return fmt.Errorf("want a whole number from 1 to 100, got %.20q", v)
	}
	s.MaxAuthTries = n
	return nil
}

func setMode(s *Settings, v string) error {
	switch m := policy.Mode(v); m {
	case policy.Auto, policy.Always, policy.Off:
		s.Mode = m
		return nil
	}
	return fmt.Errorf("want auto, always or off, got %.20q", v)
}

// boolean makes the validator of a true-or-false setting.
func boolean(assign func(*Settings, bool)) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false (1 or 0), got %.20q", v)
		}
		assign(s, b)
		return nil
	}
}

// duration makes the validator of a duration setting with its range.
func duration(lo, hi time.Duration, assign func(*Settings, time.Duration)) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return fmt.Errorf("want a duration from %v to %v, got %.20q", lo, hi, v)
		}
		assign(s, d)
		return nil
	}
}

// IsCommandName reports whether s is 1 to 64 of [A-Za-z0-9_.+-]: a name
// that is safe to render into a shell pattern. (A loop, not a regexp
// compiled at start-up.)
func IsCommandName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}
