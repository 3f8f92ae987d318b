// Package config reads eich's optional config file,
// $XDG_CONFIG_HOME/eich/config (fallback ~/.config/eich/config).
//
// The format is one `key = value` a line; # starts a comment line.
// Repeatable keys (protect, extra_command) add to a list. Unknown keys and
// bad values are errors that name the line, so a typo never silently
// changes what eich removes.
//
//	max_auth_tries = 4
//	mode = auto
//	agent_timeout = 500ms
//	protect = SHA256:AAAA…
//	extra_command = eic
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/eich-dev/eich/hooks/state"
)

// Config holds the values set in the file; zero values mean "not set".
type Config struct {
	MaxAuthTries  int
	Mode          string
	AgentTimeout  time.Duration
	LockWait      time.Duration
	Protect       []string
	ExtraCommands []string
}

// Modes are the accepted values of mode.
var Modes = []string{"auto", "always", "off"}

// isCommandName reports whether s is 1 to 64 of [A-Za-z0-9_.+-]. (A
// loop, not a regexp compiled at start-up: see state.ValidSession.)
func isCommandName(s string) bool {
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

// DefaultPath returns the config file's path.
func DefaultPath() (string, error) {
	if x := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "eich", "config"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(home, ".config", "eich", "config"), nil
}

// Load reads path; a missing file is an empty Config.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Parse reads the config text; name is used in error messages.
func Parse(data []byte, name string) (Config, error) {
	var c Config
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return Config{}, fmt.Errorf("%s:%d: want key = value, got %.60q", name, i+1, line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if err := c.set(key, value); err != nil {
			return Config{}, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
	}
	return c, nil
}

func (c *Config) set(key, value string) error {
	switch key {
	case "max_auth_tries":
		n, err := ParseMaxAuthTries(value)
		if err != nil {
			return err
		}
		c.MaxAuthTries = n
	case "mode":
		if err := CheckMode(value); err != nil {
			return err
		}
		c.Mode = value
	case "agent_timeout", "lock_wait":
		d, err := ParseTimeout(value)
		if err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		if key == "agent_timeout" {
			c.AgentTimeout = d
		} else {
			c.LockWait = d
		}
	case "protect":
		if !state.ValidFingerprint(value) {
			return fmt.Errorf("protect: not a SHA256 fingerprint (as ssh-add -l prints it): %.60q", value)
		}
		c.Protect = append(c.Protect, value)
	case "extra_command":
		if !isCommandName(value) {
			return fmt.Errorf("extra_command: %.60q is not a plain command name", value)
		}
		c.ExtraCommands = append(c.ExtraCommands, value)
	default:
		return fmt.Errorf("unknown key %.40q (known: max_auth_tries, mode, agent_timeout, lock_wait, protect, extra_command)", key)
	}
	return nil
}

// ParseMaxAuthTries accepts 1 to 100.
func ParseMaxAuthTries(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, fmt.Errorf("max_auth_tries: want a whole number from 1 to 100, got %.20q", s)
	}
	return n, nil
}

// CheckMode accepts auto, always and off.
func CheckMode(s string) error {
	for _, m := range Modes {
		if s == m {
			return nil
		}
	}
	return fmt.Errorf("mode: want auto, always or off, got %.20q", s)
}

// ParseTimeout accepts a Go duration from 10ms to 30s.
func ParseTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 10*time.Millisecond || d > 30*time.Second {
		return 0, fmt.Errorf("want a duration from 10ms to 30s, got %.20q", s)
	}
	return d, nil
}
