// Command eichdocs writes eich's man page and shell completion files from
// its command definitions (package internal/command):
//
//	go run ./internal/command/eichdocs -out build [-version 0.1.0]
//
// writes build/man/eich.1, its gzip-compressed copy build/man/eich.1.gz
// (what the .deb and .rpm packages install) and
// build/completions/{eich.bash,_eich,eich.fish}. The release build
// (.goreleaser.yaml), `make man` and install.sh run it.
//
// The man page's commands, options, environment variables and config keys
// are generated from the same cli.Command tree that the eich binary runs,
// so they cannot drift from it; the prose around them is hand-written roff
// (eich.1.in). Its date is SOURCE_DATE_EPOCH when set, else the date of
// the checkout's last commit, so that one commit always gives the same
// page. It is a program of its own so that the eich binary carries none of
// this.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/completion"
)

func main() {
	out := flag.String("out", "build", "directory for man/ and completions/")
	version := flag.String("version", "dev", "the version the man page names")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "eichdocs: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	date, err := pageDate(os.Getenv, commitDate, time.Now)
	if err == nil {
		err = write(*out, *version, date)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "eichdocs: %v\n", err)
		os.Exit(1)
	}
}

// pageDate is the man page's date: SOURCE_DATE_EPOCH (the reproducible
// builds convention) when it is set, else the last commit's date, else
// today for a tree outside git.
func pageDate(getenv func(string) string, commit func() (time.Time, error), now func() time.Time) (time.Time, error) {
	if s := getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a count of seconds", s)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	if t, err := commit(); err == nil {
		return t.UTC(), nil
	}
	return now().UTC(), nil
}

// commitDate is the committer date of HEAD in the current directory.
func commitDate() (time.Time, error) {
	out, err := exec.Command("git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git log: %w", err)
	}
	return time.Unix(sec, 0), nil
}

// write renders every file first, then writes them, so an error leaves no
// half set.
func write(dir, version string, date time.Time) error {
	app := command.New()
	files := map[string][]byte{}
	page, err := manPage(app, version, date)
	if err != nil {
		return err
	}
	files[filepath.Join("man", app.Name+".1")] = []byte(page)
	files[filepath.Join("man", app.Name+".1.gz")] = gzipped([]byte(page))
	for shell, name := range map[string]string{"bash": app.Name + ".bash", "zsh": "_" + app.Name, "fish": app.Name + ".fish"} {
		script, err := completion.Script(app, shell)
		if err != nil {
			return err
		}
		files[filepath.Join("completions", name)] = []byte(script)
	}
	for name, data := range files {
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	return nil
}

// writeFile replaces path with data, mode 0644, through a temporary file
// and a rename: a release build that archives the file while another run
// (a test's snapshot) writes it reads the old or the new file whole.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".eichdocs-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // after a successful rename, nothing is left to remove
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// gzipped is data as `gzip -9n` writes it, as Debian wants man pages: best
// compression, and no file name or time in the header, so the same page
// always gives the same bytes.
func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err) // only for an invalid level
	}
	zw.Write(data) // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}
