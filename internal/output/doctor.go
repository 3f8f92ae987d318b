package output

import (
	"fmt"
	"strings"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/safetext"
)

// markWidth is the width of doctor's marks ("ok", "warn"), so that the
// findings' text lines up.
const markWidth = 4

// marks are doctor's marks by level, with their colours; an Info finding
// has none and starts at the left margin.
var marks = map[hooks.Level]cell{
	hooks.OK:   {text: "ok", color: green},
	hooks.Warn: {text: "warn", color: yellow},
}

// Doctor prints doctor's findings, one line each behind its mark, then the
// ssh config it advises. The findings quote the environment, ssh and the
// agent, so each goes through safetext.
func (p *Printer) Doctor(r *hooks.DoctorReport) {
	for _, f := range r.Findings {
		text := safetext.Line(f.Text)
		mark, ok := marks[f.Level]
		if !ok {
			fmt.Fprintln(p.w, text)
			continue
		}
		fmt.Fprintf(p.w, "%s%s%s\n", p.paint(mark.text, mark.color), strings.Repeat(" ", markWidth-Width(mark.text)+columnGap), text)
	}
	p.advice(r.Advice)
}

// advice prints the root-cause fix: eich's ssh-config block when ssh does
// not apply it yet, a Host block for the instances' addresses, and a
// lifetime for every host.
func (p *Printer) advice(a hooks.Advice) {
	fmt.Fprintln(p.w, "\nThe root-cause fix, if you can change ~/.ssh/config:")
	if !a.BlockInPlace {
		fmt.Fprintln(p.w, "  eich ssh-config prints a block for the top of ~/.ssh/config that applies only while an EIC")
		fmt.Fprintln(p.w, "  command runs (IdentitiesOnly yes, AddKeysToAgent no). Or, for your instances' addresses:")
	} else {
		fmt.Fprintln(p.w, "  the eich ssh-config block is in place. For ssh logins outside the hook, per address:")
	}
	fmt.Fprintf(p.w, "\n    Host %s\n        IdentitiesOnly yes\n        AddKeysToAgent no\n\n", safetext.Line(a.HostPattern))
	fmt.Fprintln(p.w, "  or, for every host, keep added keys for a minute only:  AddKeysToAgent 60s")
	fmt.Fprintln(p.w, "  eich never edits ~/.ssh/config itself.")
}
