package safetext

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"alice@laptop", "alice@laptop"},
		{"", ""},
		{"ssh-ed25519", "ssh-ed25519"},
		{"clé ünïcødé 鍵", "clé ünïcødé 鍵"},
		{"a b\u00a0c", "a b\u00a0c"},                                 // spaces of category Zs stay
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},                           // clear screen
		{"\x1b]52;c;cGF5bG9hZA==\x07", `\x1b]52;c;cGF5bG9hZA==\x07`}, // OSC 52 clipboard write
		{"x\ny", `x\x0ay`},
		{"x\rforged", `x\x0dforged`},
		{"tab\there", `tab\x09here`},
		{"\x7f", `\x7f`},
		{"\u0085", `\u0085`}, // C1 next line
		{"\u009b31m", `\u009b31m`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`}, // right-to-left override
		{"a\u2028b\u2029c", `a\u2028b\u2029c`},     // line, paragraph separators
		{"zero\u200bwidth\ufeff", `zero\u200bwidth\ufeff`},
		{"\u2066isolate\u2069", `\u2066isolate\u2069`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"\ue000private", `\ue000private`},
		{"\U000e0041tag", `\U000e0041tag`},
		{"\ufffd", `\ufffd`},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLineCutsLongText(t *testing.T) {
	got := Line(strings.Repeat("é", 5*MaxRunes))
	if n := utf8.RuneCountInString(got); n != MaxRunes+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("long text: %d runes, ends %q; want %d runes and a final …", n, got[len(got)-8:], MaxRunes+1)
	}
	exact := strings.Repeat("a", MaxRunes)
	if Line(exact) != exact {
		t.Error("text of exactly MaxRunes runes was changed")
	}
}

func TestLines(t *testing.T) {
	in := "one\x1b[2J\ntwo\u202e\n"
	want := "one\\x1b[2J\ntwo\\u202e\n"
	if got := Lines(in); got != want {
		t.Errorf("Lines(%q) = %q, want %q", in, got, want)
	}
}

func TestSafeTextDoesNotAllocate(t *testing.T) {
	s := "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG alice@laptop"
	if n := testing.AllocsPerRun(100, func() { Line(s) }); n != 0 {
		t.Errorf("Line on safe text allocated %v times", n)
	}
}

// FuzzLine checks, for any input, that Line's output is one line of
// graphic runes, that safe text passes unchanged, and that the cap holds.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"alice@laptop", "\x1b]52;c;eA==\x07", "a\u202eb\u2028c\u200b", "\xff\n\r\t", "鍵"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !Printable(out) || !utf8.ValidString(out) {
			t.Fatalf("Line(%q) = %q: not printable", s, out)
		}
		if utf8.RuneCountInString(out) > 10*MaxRunes+1 {
			t.Fatalf("Line gave %d runes for %d input bytes", utf8.RuneCountInString(out), len(s))
		}
		if isSafe(s) && out != s {
			t.Fatalf("safe text changed: %q → %q", s, out)
		}
	})
}

func TestJSON(t *testing.T) {
	cases := map[string]string{ // value: how its JSON string must read
		"alice@laptop":  `"alice@laptop"`,
		"鍵 😀":           `"鍵 😀"`,
		"evil\u202etxt": `"evil\u202etxt"`,
		"del\x7f":       `"del\u007f"`,
		"csi\u009b2J":   `"csi\u009b2J"`,
		"zero\u200bw":   `"zero\u200bw"`,
		"tag\U000e0041": `"tag\udb40\udc41"`,
		"bad\xff":       `"bad\ufffd"`,
		"\x1b[2J\u2028": `"\u001b[2J\u2028"`,
	}
	for value, want := range cases {
		doc, err := json.Marshal(value)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(JSON(doc)); got != want {
			t.Errorf("JSON(%q) = %s, want %s", value, got, want)
		}
	}
}

// FuzzJSON checks, for any string in an indented document, that JSON's
// output is lines of graphic text and decodes to what the encoder's own
// output decodes to.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"alice@laptop", "\x1b]52;c;eA==\x07", "a\u202eb\u2028c\u200b\u0085", "\xff\x7f", "鍵\U000e0041"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := json.MarshalIndent(map[string][]string{"comment": {s, s}}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out := JSON(doc)
		for _, line := range strings.Split(string(out), "\n") {
			if !Printable(line) {
				t.Fatalf("JSON(%q): line not printable: %q", doc, line)
			}
		}
		var want, got any
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("JSON(%q) = %q: %v", doc, out, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("JSON(%q) decodes to %q, want %q", doc, got, want)
		}
	})
}
