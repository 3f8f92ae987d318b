// Package output turns what eich's commands return (package hooks: keys,
// prune reports, the removal log, doctor's findings, the status counts)
// into what reaches the user: lines and tables of text, coloured on a
// terminal, or JSON.
//
// It is the one place that writes ANSI colour codes and the one place that
// decides whether to: on a terminal, unless NO_COLOR is set (see For).
// Tables are aligned by the columns the terminal shows, not by bytes, so
// colour codes and wide characters do not shift the columns after them.
// Text from the agent, the state files, ssh and the environment goes
// through safetext on its way out, here, whatever the engine did before.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"

	"github.com/eich-dev/eich/hooks/safetext"
)

// Printer writes one command's results to one stream.
type Printer struct {
	w     io.Writer
	color bool
}

// New returns a Printer that writes to w, in colour when color is set.
func New(w io.Writer, color bool) *Printer { return &Printer{w: w, color: color} }

// For returns a Printer for f, in colour when f is a terminal and
// NO_COLOR (no-color.org) is not set.
func For(f *os.File) *Printer { return New(f, Color(f)) }

// Color reports whether output to f may be coloured: f is a terminal and
// NO_COLOR is not set to a non-empty value.
func Color(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// JSON prints v as indented JSON. Strings in it may come from the agent,
// so the document goes through safetext.JSON: the values decode as they
// are, and what reaches a terminal is graphic text. JSON is never
// coloured.
func (p *Printer) JSON(v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err = p.w.Write(append(safetext.JSON(doc), '\n'))
	return err
}

// ANSI colour codes (SGR).
const (
	green   = "\x1b[32m"
	yellow  = "\x1b[33m"
	magenta = "\x1b[35m"
	reset   = "\x1b[0m"
)

// paint wraps s in color when the printer colours and color is set. It is
// applied after a cell is padded or measured, never before.
func (p *Printer) paint(s, color string) string {
	if !p.color || color == "" || s == "" {
		return s
	}
	return color + s + reset
}
