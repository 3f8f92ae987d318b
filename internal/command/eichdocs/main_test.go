package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/eich-dev/eich/hooks/settings"
	"github.com/eich-dev/eich/internal/command"
	"github.com/eich-dev/eich/internal/completion"
	"github.com/eich-dev/eich/internal/testbed"
)

var testDate = time.Date(2026, 3, 4, 23, 59, 0, 0, time.UTC)

// written runs write into a temp dir and returns a reader of its files.
func written(t *testing.T, version string, date time.Time) func(name string) []byte {
	t.Helper()
	dir := t.TempDir()
	if err := write(dir, version, date); err != nil {
		t.Fatal(err)
	}
	return func(name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

func TestWritesManPageAndCompletions(t *testing.T) {
	read := written(t, "1.2.3", testDate)
	page := string(read("man/eich.1"))

	if want := "\n.TH EICH 1 2026-03-04 \"eich 1.2.3\" \"User Commands\"\n"; !strings.Contains(page, want) {
		t.Errorf("man page lacks the title line %q:\n%.400s", want, page)
	}
	// The sections a man page has, in the usual order.
	last := -1
	for _, sh := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
		"ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"} {
		at := strings.Index(page, "\n.SH "+sh+"\n")
		if at < 0 {
			t.Errorf("man page lacks section %s", sh)
			continue
		}
		if at < last {
			t.Errorf("section %s is out of order", sh)
		}
		last = at
	}
	if !strings.Contains(page, ".SH NAME\neich \\- keep ssh\\-agent free of stale EC2 Instance Connect keys\n") {
		t.Errorf("NAME is not `eich \\- usage`:\n%s", section(page, "NAME"))
	}
	synopsis := section(page, "SYNOPSIS")
	if !strings.Contains(synopsis, `\fBeich\fR [\fIglobal options\fR] \fIcommand\fR`) {
		t.Errorf("SYNOPSIS is not `eich [global options] command …`:\n%s", synopsis)
	}
	for _, ref := range []string{"ssh (1)", "ssh\\-agent (1)", "ssh_config (5)", "sshd_config (5)"} {
		if !strings.Contains(section(page, "SEE ALSO"), ".BR "+ref) {
			t.Errorf("SEE ALSO lacks %s", ref)
		}
	}

	// The packages' copy: gzip -9n, no name and no time in its header.
	zipped := read("man/eich.1.gz")
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != page {
		t.Error("man/eich.1.gz is not man/eich.1")
	}
	if !zr.ModTime.IsZero() || zr.Name != "" || zipped[8] != 2 {
		t.Errorf("man/eich.1.gz header: time %v, name %q, extra flags %d; want none, none, 2 (best compression)",
			zr.ModTime, zr.Name, zipped[8])
	}

	app := command.New()
	for shell, name := range map[string]string{"bash": "completions/eich.bash", "zsh": "completions/_eich", "fish": "completions/eich.fish"} {
		script, err := completion.Script(app, shell)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(read(name)); got != script {
			t.Errorf("%s differs from `eich completion %s`", name, shell)
		}
	}
}

// section is the text of one .SH section of page.
func section(page, name string) string {
	_, rest, ok := strings.Cut(page, "\n.SH "+name+"\n")
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(rest, "\n.SH ")
	return text
}

// roffName is how a command or flag name appears in the page.
func roffName(s string) string { return strings.ReplaceAll(s, "-", `\-`) }

// TestDocumentsTheCommandTree: every command and flag the binary has is in
// the page, as the tree defines it, and the hidden ones are not.
func TestDocumentsTheCommandTree(t *testing.T) {
	page := string(written(t, "1.2.3", testDate)("man/eich.1"))
	commands, options := section(page, "COMMANDS"), section(page, "OPTIONS")
	app := command.New()

	var walk func(cmds []*cli.Command, prefix string)
	walk = func(cmds []*cli.Command, prefix string) {
		for _, c := range cmds {
			name := prefix + " " + c.Name
			has := strings.Contains(commands, ".TP\n\\fB"+roffName(name)+"\\fR")
			if c.Hidden {
				if has || strings.Contains(page, roffName(name)+`\fR`) {
					t.Errorf("the hidden command %q is in the page", name)
				}
				continue
			}
			if !has {
				t.Errorf("COMMANDS lacks %q", name)
			}
			for _, f := range c.Flags {
				if !strings.Contains(commands, `\fB\-\-`+roffName(f.Names()[0])+`\fR`) {
					t.Errorf("COMMANDS lacks %s's flag --%s", name, f.Names()[0])
				}
			}
			walk(c.Commands, name)
		}
	}
	walk(app.Commands, app.Name)
	if len(app.Commands) < 10 {
		t.Fatalf("the tree has only %d commands", len(app.Commands))
	}

	for _, f := range append(app.Flags, cli.HelpFlag, cli.VersionFlag) {
		// A value as --help names it: --mode auto|always|off, --config FILE.
		if d, ok := f.(cli.DocGenerationFlag); ok && d.TakesValue() && strings.ContainsAny(d.TypeName(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ|") {
			if want := `\fB\-\-` + roffName(f.Names()[0]) + `\fR ` + argsUsage(d.TypeName()) + "\n"; !strings.Contains(options, want) {
				t.Errorf("OPTIONS lacks %q", want)
			}
		}
		for _, n := range f.Names() {
			dash := "--"
			if len(n) == 1 {
				dash = "-"
			}
			if !strings.Contains(options, `\fB`+roffName(dash+n)+`\fR`) {
				t.Errorf("OPTIONS lacks %s%s", dash, n)
			}
		}
	}
	env, files := section(page, "ENVIRONMENT"), section(page, "FILES")
	for _, s := range settings.Scalars {
		if !strings.Contains(env, ".B "+s.Env()+"\n") {
			t.Errorf("ENVIRONMENT lacks %s", s.Env())
		}
		if !strings.Contains(files, ".BR "+s.Key+" ") {
			t.Errorf("FILES lacks the config key %s", s.Key)
		}
		if !s.Switch && !strings.Contains(options, `Default: \fB`+roffName(s.Default)+`\fR.`) {
			t.Errorf("OPTIONS lacks --%s's default %s", s.Flag(), s.Default)
		}
		if strings.Contains(options, "config: "+s.Key+")") {
			t.Errorf("OPTIONS repeats --help's (…; config: %s)", s.Key)
		}
	}
	for _, name := range []string{"EICH_CONFIG", "NO_COLOR", "SSH_AUTH_SOCK", "XDG_CONFIG_HOME", "XDG_STATE_HOME"} {
		if !strings.Contains(env, ".B "+name+"\n") {
			t.Errorf("ENVIRONMENT lacks %s", name)
		}
	}
}

// TestPageIsPortable: what mandoc -Tlint and lintian ask of the source
// without running them: ASCII only, no line over 80 bytes, no line that
// roff would read as a request by accident, and no file a package does
// not ship.
func TestPageIsPortable(t *testing.T) {
	page := string(written(t, "1.2.3", testDate)("man/eich.1"))
	requests := regexp.MustCompile(`^\.(\\"|[A-Z]{1,2}\b|br$)`)
	for i, line := range strings.Split(strings.TrimSuffix(page, "\n"), "\n") {
		if len(line) > maxLine {
			t.Errorf("line %d is %d bytes: %q", i+1, len(line), line)
		}
		for _, r := range line {
			if r > 0x7e || (r < ' ' && r != '\t') {
				t.Errorf("line %d has %q: %q", i+1, r, line)
				break
			}
		}
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			if strings.HasPrefix(line, "'") || !requests.MatchString(line) {
				t.Errorf("line %d starts like a request: %q", i+1, line)
			}
		}
		if strings.HasSuffix(line, " ") {
			t.Errorf("line %d ends in a space: %q", i+1, line)
		}
	}
	// docs/*.md and README.md are in the repository, not in a package:
	// the page may name them only as links to the homepage.
	for _, m := range regexp.MustCompile(`(\S*)(docs/\S*\.md|README\.md)`).FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], `github.com/\:eich\-dev/\:eich/`) {
			t.Errorf("the page names %s, which no package ships", m[0])
		}
	}
	if !strings.Contains(page, ".SH EXAMPLES\n") || !strings.Contains(section(page, "EXAMPLES"), `eich prune \-\-dry\-run`) {
		t.Error("EXAMPLES lacks eich prune --dry-run")
	}
}

// TestMandocLint: mandoc finds nothing to say about the page, style
// included (Debian's mandoc package).
func TestMandocLint(t *testing.T) {
	mandoc := testbed.Tool(t, "mandoc")
	dir := t.TempDir()
	if err := write(dir, "1.2.3", testDate); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mandoc, "-Tlint", "-Wstyle", filepath.Join(dir, "man", "eich.1")).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("mandoc -Tlint: %v\n%s", err, out)
	}
}

// TestSameInputSameBytes: the page depends on the version and the date
// given, nothing else.
func TestSameInputSameBytes(t *testing.T) {
	a, b := written(t, "1.2.3", testDate), written(t, "1.2.3", testDate)
	for _, name := range []string{"man/eich.1", "man/eich.1.gz", "completions/_eich", "completions/eich.bash", "completions/eich.fish"} {
		if !bytes.Equal(a(name), b(name)) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func TestPageDate(t *testing.T) {
	env := func(v string) func(string) string {
		return func(name string) string {
			if name == "SOURCE_DATE_EPOCH" {
				return v
			}
			return ""
		}
	}
	commit := func() (time.Time, error) { return time.Date(2025, 6, 7, 1, 0, 0, 0, time.FixedZone("", 3*3600)), nil }
	noGit := func() (time.Time, error) { return time.Time{}, errors.New("not a git repository") }
	now := func() time.Time { return testDate }

	cases := []struct {
		epoch  string
		commit func() (time.Time, error)
		want   string
	}{
		{"1772668740", noGit, "2026-03-04"}, // SOURCE_DATE_EPOCH wins
		{"1772668740", commit, "2026-03-04"},
		{"", commit, "2025-06-06"}, // the commit's date, in UTC
		{"", noGit, "2026-03-04"},  // no git: today
	}
	for _, c := range cases {
		got, err := pageDate(env(c.epoch), c.commit, now)
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("SOURCE_DATE_EPOCH=%q: got %v, %v; want %s", c.epoch, got, err, c.want)
		}
	}
	for _, bad := range []string{"yesterday", "-1", "1.5"} {
		if _, err := pageDate(env(bad), commit, now); err == nil {
			t.Errorf("SOURCE_DATE_EPOCH=%q: no error", bad)
		}
	}
}

func TestFill(t *testing.T) {
	long := strings.Repeat("word ", 40) + ".starts a line"
	for _, line := range strings.Split(strings.TrimSuffix(fill(long), "\n"), "\n") {
		if len(line) > maxLine {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
		if strings.HasPrefix(line, ".") {
			t.Errorf("line starts with a dot: %q", line)
		}
	}
	if got := fill(".x"); got != "\\&.x\n" {
		t.Errorf("fill(.x) = %q", got)
	}
	if got := escape(`a-b\c ·…`); got != `a\-b\ec \[u00B7]\[u2026]` {
		t.Errorf("escape = %q", got)
	}
}

// TestWritesOnlyItsFiles: the files are replaced whole, with no temporary
// file left beside them, mode 0644 whatever they were.
func TestWritesOnlyItsFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "man"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "man", "eich.1"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := write(dir, "1.2.3", testDate); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		got = append(got, rel+" "+info.Mode().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"completions/_eich -rw-r--r--", "completions/eich.bash -rw-r--r--", "completions/eich.fish -rw-r--r--",
		"man/eich.1 -rw-r--r--", "man/eich.1.gz -rw-r--r--"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files written:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
