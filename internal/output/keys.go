package output

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/state"
)

// classColor colours a key's class: green for what eich never removes
// because the user protected it, yellow for what it removes when
// pruning, magenta for what it removes only as a last resort. User keys
// stay uncoloured.
var classColor = map[keyclass.Class]string{
	keyclass.Protected:   green,
	keyclass.EIC:         yellow,
	keyclass.ExpiredCert: yellow,
	keyclass.Suspect:     magenta,
}

// cell is one table cell: its text as the terminal shows it, and the
// colour to paint it in (none: "").
type cell struct{ text, color string }

// columnGap is the space between table columns.
const columnGap = 2

// table prints rows as columns, each as wide as its widest cell as the
// terminal shows it (Width), painted after they are padded so that colour
// codes take no room. The last column is not padded.
func (p *Printer) table(rows [][]cell) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Width(c.text))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for i, c := range row {
			b.WriteString(p.paint(c.text, c.color))
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-Width(c.text)+columnGap))
			}
		}
		fmt.Fprintln(p.w, b.String())
	}
}

// List prints keys as a table, oldest first, with a header line. Key
// types and comments come from the agent and are printed through
// safetext.
func (p *Printer) List(keys []hooks.Key) {
	if len(keys) == 0 {
		fmt.Fprintln(p.w, "the agent holds no keys")
		return
	}
	rows := [][]cell{{{text: "#"}, {text: "CLASS"}, {text: "TYPE"}, {text: "FINGERPRINT"}, {text: "FIRST SEEN"}, {text: "COMMENT"}}}
	for _, k := range keys {
		seen := k.FirstSeen
		if seen == "" {
			seen = "-"
		}
		comment := safetext.Line(k.Comment)
		if comment == "" {
			comment = "(none)"
		}
		rows = append(rows, []cell{
			{text: strconv.Itoa(k.Position)},
			{text: k.Class.String(), color: classColor[k.Class]},
			{text: safetext.Line(k.Type)},
			{text: safetext.Line(k.Fingerprint)},
			{text: safetext.Line(seen)},
			{text: comment},
		})
	}
	p.table(rows)
}

// Prune prints what a prune did or, in a dry run, would do, and where it
// leaves the agent. Text from the agent goes through safetext.
func (p *Printer) Prune(rep *hooks.Report) {
	verb := "removed"
	keys := rep.Removed
	if rep.DryRun {
		verb, keys = "would remove", rep.Planned
	}
	for _, k := range keys {
		line := fmt.Sprintf("%s %s %s %s %s", verb, p.paint(k.Class.String(), classColor[k.Class]),
			safetext.Line(k.Type), safetext.Line(k.Fingerprint), safetext.Line(k.Comment))
		fmt.Fprintln(p.w, strings.TrimRight(line, " "))
	}
	for _, k := range rep.Kept {
		fmt.Fprintf(p.w, "agent kept %s %s (it refused or only said it removed it)\n", k.Class, safetext.Line(k.Fingerprint))
	}
	for _, k := range rep.Unsure {
		fmt.Fprintf(p.w, "asked to remove %s %s; the agent could not be listed again to confirm\n", k.Class, safetext.Line(k.Fingerprint))
	}
	for _, k := range rep.NotAsked {
		fmt.Fprintf(p.w, "did not get to %s %s (time budget spent)\n", k.Class, safetext.Line(k.Fingerprint))
	}
	fmt.Fprintf(p.w, "agent: %d → %d keys, MaxAuthTries %d", rep.Decision.Before, rep.After, rep.Limit)
	if rep.InFlight > 0 {
		fmt.Fprintf(p.w, ", %d EIC commands in flight", rep.InFlight)
	}
	if rep.Reachable() {
		fmt.Fprintln(p.w, ": an EIC login's key will be tried in time")
	} else {
		fmt.Fprintln(p.w, ": an EIC login would still fail; see `eich doctor`")
	}
}

// outcomeText says what became of a logged removal.
var outcomeText = map[state.Outcome]string{
	state.Removed:  "removed",
	state.Kept:     "kept by the agent",
	state.NotAsked: "not asked (budget spent)",
	state.Unsure:   "asked, unconfirmed",
	state.Unknown:  "outcome unknown",
}

// Widths of the log's outcome and class columns: the longest outcome
// text, and the longest class name with room to spare.
const (
	logOutcomeWidth = 24
	logClassWidth   = 12
)

// Log prints the removal log, oldest first: one line per key eich meant
// to remove, with its outcome. The log file's text is quoted (reason,
// agent, comment) or passed through safetext (class).
func (p *Printer) Log(removals []state.Removal) {
	if len(removals) == 0 {
		fmt.Fprintln(p.w, "eich has removed no keys yet")
		return
	}
	for _, r := range removals {
		cut := ""
		if r.CommentBytes > len(r.Comment) {
			cut = fmt.Sprintf(" (the first %d of %d bytes)", len(r.Comment), r.CommentBytes)
		}
		fmt.Fprintf(p.w, "%s  %s  %s  %s  reason=%s  agent=%s  comment=%s%s\n",
			r.Time.UTC().Format(time.RFC3339), pad(outcomeText[r.Outcome], logOutcomeWidth), pad(safetext.Line(r.Class), logClassWidth),
			safetext.Line(r.Fingerprint), strconv.QuoteToASCII(r.Reason), strconv.QuoteToASCII(r.Agent), strconv.QuoteToASCII(r.Comment), cut)
	}
}

// Protected prints the protect list as it is after protect or
// unprotect: how many, then one fingerprint a line, as the state file
// holds them (through safetext).
func (p *Printer) Protected(fps []string) {
	fmt.Fprintf(p.w, "protected keys: %d\n", len(fps))
	for _, fp := range fps {
		fmt.Fprintln(p.w, "  "+safetext.Line(fp))
	}
}

// Status prints the status segment: the counts in format (see
// hooks.Counts.Format, which passes the result through safetext).
func (p *Printer) Status(c *hooks.Counts, format string) {
	fmt.Fprintln(p.w, c.Format(format))
}
