package settings

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eich-dev/eich/hooks/safefile"
)

// resolvePromptly is Resolve with the config file at its default place
// under xdg, failing the test unless it returns within a generous bound:
// a read of a FIFO that blocks never returns.
func resolvePromptly(t *testing.T, src Sources) (Settings, error) {
	t.Helper()
	type result struct {
		s   Settings
		err error
	}
	done := make(chan result, 1)
	go func() { s, err := Resolve(src); done <- result{s, err} }()
	select {
	case r := <-done:
		return r.s, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("Resolve still blocked after 5s")
		return Settings{}, nil
	}
}

// defaultConfig makes $XDG_CONFIG_HOME/eich and returns the sources that
// use it, and the config file's path there.
func defaultConfig(t *testing.T) (Sources, string) {
	t.Helper()
	xdg := t.TempDir()
	if err := os.Mkdir(filepath.Join(xdg, "eich"), 0o700); err != nil {
		t.Fatal(err)
	}
	return sources(nil, map[string]string{"XDG_CONFIG_HOME": xdg}), filepath.Join(xdg, "eich", "config")
}

// A FIFO as the config file, or a link to one, is refused at once, with
// one line that names the file; so is a link to a device.
func TestConfigThatIsNoFileIsRefusedAtOnce(t *testing.T) {
	t.Run("FIFO", func(t *testing.T) {
		src, p := defaultConfig(t)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := resolvePromptly(t, src)
		if !errors.Is(err, ErrUntrusted) || err.Error() != "config "+p+": a named pipe, not a regular file" {
			t.Errorf("FIFO config: %v", err)
		}
	})
	t.Run("link to a FIFO", func(t *testing.T) {
		src, p := defaultConfig(t)
		fifo := filepath.Join(t.TempDir(), "config")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Symlink(fifo, p)
		if _, err := resolvePromptly(t, src); !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), "a named pipe") {
			t.Errorf("config linked to a FIFO: %v", err)
		}
	})
	t.Run("link to a device", func(t *testing.T) {
		src, p := defaultConfig(t)
		os.Symlink("/dev/zero", p)
		if _, err := resolvePromptly(t, src); !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), "a character device") {
			t.Errorf("config linked to /dev/zero: %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		src, p := defaultConfig(t)
		os.Mkdir(p, 0o700)
		if _, err := resolvePromptly(t, src); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "a directory, not a regular file") {
			t.Errorf("config that is a directory: %v", err)
		}
	})
}

// A config file that is a link to nowhere (the dotfiles folder moved) is
// an error: its protect list must not silently vanish. No config at all
// is still no config.
func TestDanglingConfigLinkIsAnError(t *testing.T) {
	t.Run("the file", func(t *testing.T) {
		src, p := defaultConfig(t)
		os.Symlink("/nonexistent/dotfiles/eich/config", p)
		_, err := resolvePromptly(t, src)
		if !errors.Is(err, safefile.ErrDangling) || !strings.HasPrefix(err.Error(), "config "+p+": ") ||
			!strings.Contains(err.Error(), "/nonexistent/dotfiles/eich/config") {
			t.Errorf("dangling config link: %v", err)
		}
	})
	t.Run("its directory", func(t *testing.T) {
		xdg := t.TempDir()
		os.Symlink("/nonexistent/dotfiles/eich", filepath.Join(xdg, "eich"))
		_, err := resolvePromptly(t, sources(nil, map[string]string{"XDG_CONFIG_HOME": xdg}))
		if !errors.Is(err, safefile.ErrDangling) {
			t.Errorf("config dir a dangling link: %v", err)
		}
	})
	t.Run("named by the user", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "config")
		os.Symlink("/nonexistent/config", p)
		if _, err := resolvePromptly(t, sources(map[string]string{"config": p}, nil)); !errors.Is(err, safefile.ErrDangling) {
			t.Errorf("--config naming a dangling link: %v", err)
		}
	})
	t.Run("no config at all", func(t *testing.T) {
		src, _ := defaultConfig(t)
		if _, err := resolvePromptly(t, src); err != nil {
			t.Errorf("no config file: %v", err)
		}
		xdg := t.TempDir() // not even the eich dir
		if _, err := resolvePromptly(t, sources(nil, map[string]string{"XDG_CONFIG_HOME": xdg})); err != nil {
			t.Errorf("no config dir: %v", err)
		}
	})
	t.Run("a link that resolves", func(t *testing.T) {
		src, p := defaultConfig(t)
		real := writeConfig(t, "protect = SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM\n")
		os.Symlink(real, p)
		s, err := resolvePromptly(t, src)
		if err != nil || len(s.Protect) != 1 {
			t.Errorf("linked config: %+v, %v; want its protect list", s.Protect, err)
		}
	})
}
