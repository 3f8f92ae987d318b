// Package safetext makes text that eich did not write safe to print on a
// terminal: key comments and key types from the agent, words from the
// command line, paths from the environment, lines of the state files.
//
// Such text may hold escape sequences (clear the screen, write the
// clipboard with OSC 52, retitle the window), line breaks that forge a
// line of output, or invisible Unicode that changes how the rest reads
// (U+202E right-to-left override, U+200B zero-width space, U+2028 line
// separator). Line shows every such character as a visible escape (\x1b,
// \u202e) instead, and cuts very long text, so what reaches the terminal
// is one line of graphic characters and spaces. Every place that prints
// such text goes through this package, JSON output too (see JSON).
package safetext

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxRunes is how much of one text Line shows; the rest becomes "…".
// Agent comments and state lines are far shorter in practice; the cap
// keeps a hostile megabyte from flooding the terminal.
const MaxRunes = 1024

// Line returns s as one printable line: every rune that is not graphic
// (letters, marks, numbers, punctuation, symbols, spaces) is written as
// a Go-style escape, invalid UTF-8 bytes as \xNN, and text past MaxRunes
// is cut and marked with "…". Safe text is returned unchanged without
// allocating.
func Line(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	n := 0
	for i := 0; i < len(s); n++ {
		if n == MaxRunes {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case shown(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// Lines applies Line to each line of s, keeping the line breaks: for text
// that is meant to be several lines, such as the removal log.
func Lines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(l)
	}
	return strings.Join(lines, "\n")
}

// isSafe reports whether Line would return s unchanged.
func isSafe(s string) bool {
	return len(s) <= MaxRunes && Printable(s) // longer text may be over the cap: let Line count
}

// Printable reports whether s holds only runes that may reach the
// terminal as they are: what Line's output always is.
func Printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !shown(r) {
			return false
		}
	}
	return true
}

// shown reports whether r may reach the terminal as it is. Graphic runes
// include the spaces of category Zs but not control (Cc), format (Cf: the
// bidi overrides and zero-width characters), line and paragraph
// separators (Zl, Zp), private-use or unassigned code points.
func shown(r rune) bool {
	return r != unicode.ReplacementChar && unicode.IsGraphic(r)
}

// JSON returns an encoded JSON document with every non-ASCII rune that
// Line would escape written as a JSON \u escape, so that the document
// reaches a terminal as graphic text, spaces and line breaks and still
// decodes to the same values. encoding/json escapes the C0 controls,
// U+2028 and U+2029 but leaves DEL, the C1 controls (U+0080 to U+009F,
// which some terminals obey) and the bidi and zero-width characters raw.
// ASCII is kept as it is: outside strings a JSON document is ASCII, and
// inside them the encoder has already escaped what needs it.
func JSON(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, escapedInJSON) {
		return doc
	}
	out := make([]byte, 0, len(doc)+32)
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		switch {
		case !escapedInJSON(r):
			out = append(out, doc[i:i+size]...)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		default: // invalid UTF-8 is written as U+FFFD, as encoding/json does
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	return out
}

// escapedInJSON reports whether JSON writes r as an escape.
func escapedInJSON(r rune) bool {
	return r == 0x7f || r >= utf8.RuneSelf && !shown(r)
}
