package output_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/output"
	"github.com/eich-dev/eich/internal/testbed"
)

// ansi matches the colour codes this package writes (SGR sequences).
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func strip(s string) string { return ansi.ReplaceAllString(s, "") }

// render runs print on a Printer with and without colour, checks that the
// two differ only by colour codes, and returns the coloured output.
func render(t *testing.T, what string, print func(*output.Printer)) string {
	t.Helper()
	var plain, color bytes.Buffer
	print(output.New(&plain, false))
	print(output.New(&color, true))
	if ansi.MatchString(plain.String()) {
		t.Errorf("%s without colour has colour codes:\n%q", what, plain.String())
	}
	if strip(color.String()) != plain.String() {
		t.Errorf("%s in colour is more than the plain text painted:\n%q\n%q", what, color.String(), plain.String())
	}
	return color.String()
}

// writeAll prints keys whose type and comment are text through list,
// prune (done and dry run), status, doctor and list --json.
func writeAll(t *testing.T, text, format string) {
	keys := []hooks.Key{
		{Position: 1, Class: keyclass.User, Type: text, Fingerprint: "SHA256:x", Comment: text},
		{Position: 2, Class: keyclass.Suspect, Type: "ssh-ed25519", Fingerprint: "SHA256:y", Comment: text},
	}
	out := render(t, "list", func(p *output.Printer) { p.List(keys) })
	testbed.AssertPrintable(t, "list", strip(out), 1+len(keys))
	for _, dry := range []bool{false, true} {
		rep := &hooks.Report{Limit: 6, Removed: keys, Planned: keys, Kept: keys[:1], Unsure: keys[:1], NotAsked: keys[1:], DryRun: dry}
		out := render(t, "prune", func(p *output.Printer) { p.Prune(rep) })
		testbed.AssertPrintable(t, "prune", strip(out), len(keys)+4) // the keys, the kept, unconfirmed and not-asked ones, the summary
	}
	c := &hooks.Counts{Keys: 3, Limit: 6}
	testbed.AssertPrintable(t, "status", strip(render(t, "status", func(p *output.Printer) { p.Status(c, format) })), 1)

	doc := &hooks.DoctorReport{
		Findings: []hooks.Finding{{Level: hooks.Info, Text: text}, {Level: hooks.OK, Text: "agent: " + text}, {Level: hooks.Warn, Text: text}},
		Advice:   hooks.Advice{HostPattern: text},
	}
	out = render(t, "doctor", func(p *output.Printer) { p.Doctor(doc) })
	for _, l := range strings.Split(out, "\n") {
		if !safetext.Printable(strip(l)) {
			t.Fatalf("doctor: line not printable: %q", l)
		}
	}

	var buf bytes.Buffer
	if err := output.New(&buf, true).JSON(keys); err != nil {
		t.Fatal(err)
	}
	testbed.AssertPrintable(t, "list --json", strip(buf.String()), 2+2*8) // brackets, and eight lines a key
	var back []struct{ Type, Comment string }
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("list --json: %v\n%s", err, buf.String())
	}
	if utf8.ValidString(text) && (back[0].Type != text || back[1].Comment != text) {
		t.Fatalf("list --json changed %q: type %q, comment %q", text, back[0].Type, back[1].Comment)
	}
}

func TestAgentTextIsPrintedSafely(t *testing.T) {
	for _, h := range testbed.Hostile {
		writeAll(t, h, "{keys} "+h)
	}
}

// FuzzPrintedText checks list, prune, status and doctor output for any
// key type, comment, finding text and status format.
func FuzzPrintedText(f *testing.F) {
	for _, h := range testbed.Hostile {
		f.Add(h, "{keys}/{limit}"+h)
	}
	f.Fuzz(func(t *testing.T, text, format string) {
		writeAll(t, text, format)
	})
}

// everyClass is one key of each class, the user's first: the rows that
// are not coloured and the ones that are.
var everyClass = []hooks.Key{
	{Position: 1, Class: keyclass.User, Type: "ssh-ed25519", Fingerprint: "SHA256:pknZeK5fOTMxjEW/tbg89T1UH4UfxWdom3842zHJ0Ig", Comment: "alice@laptop", FirstSeen: "2026-11-25T08:58:56Z"},
	{Position: 2, Class: keyclass.Protected, Type: "ssh-rsa", Fingerprint: "SHA256:oYZCnRLM4+al3ShTF4T9AvivNJe7szdecKDJihI+iEk", Comment: "alice@work", FirstSeen: "2026-11-25T08:58:56Z"},
	{Position: 3, Class: keyclass.EIC, Type: "ssh-ed25519", Fingerprint: "SHA256:CSbw71GevO5ZXTpxueVgNa62juT+bR0q8de/MagRA/c", FirstSeen: "2026-11-25T08:58:56Z"},
	{Position: 4, Class: keyclass.ExpiredCert, Type: "ssh-ed25519-cert-v01@openssh.com", Fingerprint: "SHA256:jxDQ5DWS+gwr3gfIoi/0BFxgpRZ29eUWh5MToo7aTm4", Comment: "step"},
	{Position: 5, Class: keyclass.Suspect, Type: "ssh-ed25519", Fingerprint: "SHA256:LH5BT9vy+yOv0e/NZ/Y+hHYSNaQgLbbejO3oVf7k4Pw"},
	{Position: 10, Class: keyclass.Suspect, Type: "鍵-ed25519", Fingerprint: "SHA256:8HgxPLlk6AM2g2s5p2HIl8EO5/xeZ3WjjviKmSkSI58", Comment: "wide\u0301 type"},
}

// columnStarts returns the terminal column at which each of cells starts
// in line, looking for each after the one before it.
func columnStarts(t *testing.T, line string, cells []string) []int {
	t.Helper()
	var starts []int
	from := 0
	for _, c := range cells {
		i := strings.Index(line[from:], c)
		if i < 0 {
			t.Fatalf("%q not found in %q after byte %d", c, line, from)
		}
		starts = append(starts, output.Width(line[:from+i]))
		from += i + len(c)
	}
	return starts
}

// TestListColumnsAlign: in colour and without, every row's columns start
// at the same column as the header's, as the terminal shows them, for
// coloured rows and plain ones, ASCII and wide text alike.
func TestListColumnsAlign(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		output.New(&buf, color).List(everyClass)
		if got := ansi.MatchString(buf.String()); got != color {
			t.Errorf("colour %v: colour codes written: %v\n%s", color, got, buf.String())
		}
		lines := strings.Split(strings.TrimSuffix(strip(buf.String()), "\n"), "\n")
		if len(lines) != 1+len(everyClass) {
			t.Fatalf("colour %v: %d lines:\n%s", color, len(lines), buf.String())
		}
		header := columnStarts(t, lines[0], []string{"#", "CLASS", "TYPE", "FINGERPRINT", "FIRST SEEN", "COMMENT"})
		for i, k := range everyClass {
			seen, comment := k.FirstSeen, k.Comment
			if seen == "" {
				seen = "-"
			}
			if comment == "" {
				comment = "(none)"
			}
			cells := []string{strings.Fields(lines[i+1])[0], k.Class.String(), k.Type, k.Fingerprint, seen, comment}
			if got := columnStarts(t, lines[i+1], cells); !equal(got, header) {
				t.Errorf("colour %v: row %d starts its columns at %v, the header at %v:\n%s\n%s", color, i+1, got, header, lines[0], lines[i+1])
			}
			if strings.HasSuffix(lines[i+1], " ") {
				t.Errorf("colour %v: row %d ends in spaces: %q", color, i+1, lines[i+1])
			}
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestListColours: each class has its colour, the user's keys none, and
// only the class is painted.
func TestListColours(t *testing.T) {
	var buf bytes.Buffer
	output.New(&buf, true).List(everyClass)
	lines := strings.Split(buf.String(), "\n")
	for i, want := range []string{"", "\x1b[32mprotected\x1b[0m", "\x1b[33meic\x1b[0m", "\x1b[33mexpired-cert\x1b[0m", "\x1b[35msuspect\x1b[0m"} {
		line := lines[i+1]
		codes := ansi.FindAllString(line, -1)
		switch {
		case want == "" && len(codes) > 0:
			t.Errorf("row %d (%s) is coloured: %q", i+1, everyClass[i].Class, line)
		case want != "" && (!strings.Contains(line, want) || len(codes) != 2):
			t.Errorf("row %d: want %q as its only colour, got %q", i+1, want, line)
		}
	}
}

// TestListJSON: list --json is the keys as they were always printed,
// whether the stream is coloured or not.
func TestListJSON(t *testing.T) {
	const want = `[
  {
    "position": 1,
    "class": "user",
    "type": "ssh-ed25519",
    "fingerprint": "SHA256:pknZeK5fOTMxjEW/tbg89T1UH4UfxWdom3842zHJ0Ig",
    "comment": "alice@laptop",
    "first_seen": "2026-11-25T08:58:56Z"
  },
  {
    "position": 3,
    "class": "eic",
    "type": "ssh-ed25519",
    "fingerprint": "SHA256:CSbw71GevO5ZXTpxueVgNa62juT+bR0q8de/MagRA/c",
    "comment": "",
    "first_seen": "2026-11-25T08:58:56Z"
  }
]
`
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := output.New(&buf, color).JSON([]hooks.Key{everyClass[0], everyClass[2]}); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("colour %v: list --json printed\n%s\nwant\n%s", color, buf.String(), want)
		}
	}
}

// TestDoctorFromFindings renders a doctor report given as data: a mark
// per level (none for a fact), the text after it at one column, colour
// only on the marks, and the advice for either state of eich's block.
func TestDoctorFromFindings(t *testing.T) {
	r := &hooks.DoctorReport{
		Findings: []hooks.Finding{
			{Level: hooks.Info, Text: "limit: MaxAuthTries 6"},
			{Level: hooks.OK, Text: "agent: OpenSSH ssh-agent, at /tmp/ssh-x/agent.1"},
			{Level: hooks.Warn, Text: "keys: 6 (user 3): attempt 7 > MaxAuthTries 6"},
			{Level: hooks.Warn, Text: "state: \x1b[2J"},
		},
		Advice: hooks.Advice{HostPattern: "10.1.*.*"},
	}
	out := render(t, "doctor", func(p *output.Printer) { p.Doctor(r) })
	if !strings.Contains(out, "\x1b[32mok\x1b[0m    agent: OpenSSH") || !strings.Contains(out, "\x1b[33mwarn\x1b[0m  keys: 6") {
		t.Errorf("marks not coloured as expected:\n%q", out)
	}
	var plain bytes.Buffer
	output.New(&plain, false).Doctor(r)
	lines := strings.Split(plain.String(), "\n")
	for i, want := range []string{
		"limit: MaxAuthTries 6",
		"ok    agent: OpenSSH ssh-agent, at /tmp/ssh-x/agent.1",
		"warn  keys: 6 (user 3): attempt 7 > MaxAuthTries 6",
		`warn  state: \x1b[2J`,
		"",
		"The root-cause fix, if you can change ~/.ssh/config:",
		"  eich ssh-config prints a block for the top of ~/.ssh/config that applies only while an EIC",
	} {
		if lines[i] != want {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], want)
		}
	}
	for _, want := range []string{"\n    Host 10.1.*.*\n        IdentitiesOnly yes\n        AddKeysToAgent no\n", "AddKeysToAgent 60s", "eich never edits ~/.ssh/config itself."} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("advice lacks %q:\n%s", want, plain.String())
		}
	}

	plain.Reset()
	r.Advice.BlockInPlace = true
	output.New(&plain, false).Doctor(r)
	if !strings.Contains(plain.String(), "the eich ssh-config block is in place") || strings.Contains(plain.String(), "eich ssh-config prints a block") {
		t.Errorf("with the block in place:\n%s", plain.String())
	}
}

// TestDoctorJSON: a doctor report is data, and encodes as such.
func TestDoctorJSON(t *testing.T) {
	var buf bytes.Buffer
	r := &hooks.DoctorReport{Findings: []hooks.Finding{{Level: hooks.Warn, Text: "x"}}, Advice: hooks.Advice{HostPattern: "h"}}
	if err := output.New(&buf, false).JSON(r); err != nil {
		t.Fatal(err)
	}
	const want = `{"findings":[{"level":"warn","text":"x"}],"advice":{"block_in_place":false,"host_pattern":"h"}}`
	var compact bytes.Buffer
	if err := json.Compact(&compact, buf.Bytes()); err != nil || compact.String() != want {
		t.Errorf("doctor JSON: %s (%v), want %s", compact.String(), err, want)
	}
}

// TestLogMarksACutComment: a comment the log holds only the start of
// says so.
func TestLogMarksACutComment(t *testing.T) {
	var out bytes.Buffer
	output.New(&out, false).Log([]state.Removal{{Time: time.Unix(0, 0), Fingerprint: "SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM", Class: "suspect",
		Comment: "abc", CommentBytes: 204800, Outcome: state.Removed}})
	if !strings.Contains(out.String(), `comment="abc" (the first 3 of 204800 bytes)`) {
		t.Errorf("printed %q", out.String())
	}
}

// TestLogColumns: the outcome and class columns are padded by what the
// terminal shows, so the fingerprints line up whatever the outcome and
// however the class is written.
func TestLogColumns(t *testing.T) {
	fp := "SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM"
	var rs []state.Removal
	for i, o := range []state.Outcome{state.Removed, state.Kept, state.NotAsked, state.Unsure, state.Unknown} {
		rs = append(rs, state.Removal{Time: time.Unix(int64(i), 0), Fingerprint: fp, Class: []string{"eic", "suspect", "expired-cert", "クラス", "\x1b"}[i], Outcome: o})
	}
	var out bytes.Buffer
	output.New(&out, false).Log(rs)
	want := -1
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		i := strings.Index(l, fp)
		if i < 0 {
			t.Fatalf("no fingerprint in %q", l)
		}
		if col := output.Width(l[:i]); want < 0 {
			want = col
		} else if col != want {
			t.Errorf("fingerprint at column %d, want %d: %q", col, want, l)
		}
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{
		"":                 0,
		"ssh-ed25519":      11,
		"clé":              3,
		"cle\u0301":        3, // e and a combining acute accent
		"鍵":                2,
		"ｓｓｈ":              6, // fullwidth
		"한국어":              6,
		"🔑":                2,
		`\x1b[2J`:          7, // as safetext shows an escape
		"zero\u200bwidth":  9,
		"\u00a0non-break ": 11,
	} {
		if got := output.Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestColorOffTheTerminal: a file is no terminal, so no colour; and
// NO_COLOR turns it off whatever the stream.
func TestColorOffTheTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if output.Color(f) {
		t.Error("colour for a file")
	}
	t.Setenv("NO_COLOR", "1")
	if output.Color(os.Stdout) {
		t.Error("colour with NO_COLOR set")
	}
}

func TestProtected(t *testing.T) {
	var out bytes.Buffer
	output.New(&out, true).Protected([]string{"SHA256:pknZeK5fOTMxjEW/tbg89T1UH4UfxWdom3842zHJ0Ig", "SHA256:\x1b[2J"})
	const want = "protected keys: 2\n  SHA256:pknZeK5fOTMxjEW/tbg89T1UH4UfxWdom3842zHJ0Ig\n  SHA256:\\x1b[2J\n"
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}
