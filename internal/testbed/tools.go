package testbed

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debianPackage names the Debian package that provides each tool.
var debianPackage = map[string]string{
	"/usr/sbin/sshd": "openssh-server",
	"ssh":            "openssh-client",
	"ssh-agent":      "openssh-client",
	"ssh-add":        "openssh-client",
	"ssh-keygen":     "openssh-client",
	"tmux":           "tmux",
	"zsh":            "zsh",
	"bash":           "bash",
	"fish":           "fish",
	"strace":         "strace",
	"shellcheck":     "shellcheck",
	"script":         "bsdutils",
	"sha256sum":      "coreutils",
	"tar":            "tar",
	"curl":           "curl",
	"dpkg-deb":       "dpkg",
	"go":             "golang (or PATH to the Go toolchain)",
}

// Tool returns the absolute path of a tool the test needs, failing the test
// with what to install when it is missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := LookTool(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// LookTool is Tool without a test: an error says what to install.
func LookTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		pkg := debianPackage[name]
		if pkg == "" {
			pkg = name
		}
		return "", fmt.Errorf("this test needs %s, which is missing (apt-get install %s): %w", name, pkg, err)
	}
	return filepath.Abs(p)
}

// releaseTags are the build tags of the released eich (.goreleaser.yaml):
// urfave/cli's help without text/template, as users run it.
const releaseTags = "urfave_cli_no_template"

// Binaries are the programs built for the end-to-end tests.
type Binaries struct {
	Dir  string // holds both
	Eich string // the real eich, built from the module root
	AWS  string // the aws stand-in (package fakeaws)
}

// Build builds eich and the aws stand-in into dir. It runs `go build` for
// the packages by import path, so it works from any directory in the module.
func Build(dir string) (*Binaries, error) {
	goTool, err := LookTool("go")
	if err != nil {
		return nil, err
	}
	b := &Binaries{Dir: dir, Eich: filepath.Join(dir, "eich"), AWS: filepath.Join(dir, "aws")}
	for out, pkg := range map[string]string{
		b.Eich: "github.com/eich-dev/eich",
		b.AWS:  "github.com/eich-dev/eich/internal/testbed/fakeaws",
	} {
		cmd := exec.Command(goTool, "build", "-tags", releaseTags, "-o", out, pkg)
		cmd.Env = os.Environ()
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
		}
	}
	if err := touchSources(); err != nil {
		return nil, err
	}
	return b, nil
}

// sourceExts are the files that go into the binaries Build makes.
var sourceExts = map[string]bool{".go": true, ".zsh": true, ".bash": true, ".fish": true, ".mod": true, ".sum": true}

// touchSources opens every source file of the module once. `go test`
// records the files a test opens and reruns a cached test when one of them
// changed; the `go build` that Build runs is invisible to it otherwise.
func touchSources() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && sourceExts[filepath.Ext(p)] {
			f, err := os.Open(p)
			if err != nil {
				return fmt.Errorf("read sources: %w", err)
			}
			f.Close()
		}
		return nil
	})
}

// moduleRoot finds the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// ShortTempDir makes a directory with a short path (unix socket paths are
// limited to about 100 bytes; t.TempDir() names can be long) and removes it
// when the test ends.
func ShortTempDir(t testing.TB, prefix string) string {
	t.Helper()
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// run runs a command and fails the test with its output when it fails.
func run(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}
