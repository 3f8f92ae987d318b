package hooks

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/safetext"
	"github.com/eich-dev/eich/hooks/state"
)

// ANSI colours by class; used only when the caller says the output is a
// terminal and NO_COLOR is not set.
var classColor = map[keyclass.Class]string{
	keyclass.User:        "",
	keyclass.Protected:   "\x1b[32m", // green: safe
	keyclass.EIC:         "\x1b[33m", // yellow: removable
	keyclass.ExpiredCert: "\x1b[33m",
	keyclass.Suspect:     "\x1b[35m", // magenta: removable as a last resort
}

func paint(s string, c keyclass.Class, color bool) string {
	if !color || classColor[c] == "" {
		return s
	}
	return classColor[c] + s + "\x1b[0m"
}

// WriteJSON prints v as indented JSON. Strings in it may come from the
// agent, so the document goes through safetext.JSON: the values decode as
// they are, and what reaches a terminal is graphic text.
func WriteJSON(w io.Writer, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	_, err = w.Write(append(safetext.JSON(doc), '\n'))
	return err
}

// WriteList prints keys as a table, oldest first. Key types and comments
// come from the agent and are printed through safetext.
func WriteList(w io.Writer, keys []Key, color bool) {
	if len(keys) == 0 {
		fmt.Fprintln(w, "the agent holds no keys")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCLASS\tTYPE\tFINGERPRINT\tFIRST SEEN\tCOMMENT")
	for _, k := range keys {
		seen := k.FirstSeen
		if seen == "" {
			seen = "-"
		}
		comment := safetext.Line(k.Comment)
		if comment == "" {
			comment = "(none)"
		}
		// Pad before painting so that escape codes do not upset columns.
		class := paint(fmt.Sprintf("%-12s", k.Class), k.Class, color)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", k.Position, class, safetext.Line(k.Type), k.Fingerprint, seen, comment)
	}
	tw.Flush()
}

// WritePrune prints what a prune did or, in a dry run, would do; text
// from the agent and from errors goes through safetext.
func WritePrune(w io.Writer, rep *Report, color bool) {
	verb := "removed"
	keys := rep.Removed
	if rep.DryRun {
		verb, keys = "would remove", rep.Planned
	}
	for _, k := range keys {
		line := fmt.Sprintf("%s %s %s %s %s", verb, paint(k.Class.String(), k.Class, color), safetext.Line(k.Type), k.Fingerprint, safetext.Line(k.Comment))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	for _, k := range rep.Kept {
		fmt.Fprintf(w, "agent kept %s %s (it refused or only said it removed it)\n", k.Class, k.Fingerprint)
	}
	for _, k := range rep.Unsure {
		fmt.Fprintf(w, "asked to remove %s %s; the agent could not be listed again to confirm\n", k.Class, k.Fingerprint)
	}
	for _, k := range rep.NotAsked {
		fmt.Fprintf(w, "did not get to %s %s (time budget spent)\n", k.Class, k.Fingerprint)
	}
	fmt.Fprintf(w, "agent: %d → %d keys, MaxAuthTries %d", rep.Decision.Before, rep.After, rep.Limit)
	if rep.InFlight > 0 {
		fmt.Fprintf(w, ", %d EIC commands in flight", rep.InFlight)
	}
	if rep.Reachable() {
		fmt.Fprintln(w, ": an EIC login's key will be tried in time")
	} else {
		fmt.Fprintln(w, ": an EIC login would still fail; see `eich doctor`")
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

// WriteLog prints the removal log, oldest first: one line per key eich
// meant to remove, with its outcome.
func WriteLog(w io.Writer, removals []state.Removal) {
	if len(removals) == 0 {
		fmt.Fprintln(w, "eich has removed no keys yet")
		return
	}
	for _, r := range removals {
		cut := ""
		if r.CommentBytes > len(r.Comment) {
			cut = fmt.Sprintf(" (the first %d of %d bytes)", len(r.Comment), r.CommentBytes)
		}
		fmt.Fprintf(w, "%s  %-24s  %-12s  %s  reason=%s  agent=%s  comment=%s%s\n",
			r.Time.UTC().Format(time.RFC3339), outcomeText[r.Outcome], safetext.Line(r.Class), r.Fingerprint,
			strconv.QuoteToASCII(r.Reason), strconv.QuoteToASCII(r.Agent), strconv.QuoteToASCII(r.Comment), cut)
	}
}
