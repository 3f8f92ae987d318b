package state

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// intentLine is one intent as eich writes it, batch telling it apart.
func intentLine(batch int, fp, comment string) string {
	return fmt.Sprintf("2026-01-02T03:04:05Z intent %08x %s class=eic comment=%q reason=\"eich prune\" agent=\"/tmp/a\"\n",
		batch, fp, comment)
}

func outcomeLine(batch int, fp string) string {
	return fmt.Sprintf("2026-01-02T03:04:06Z outcome %08x %s removed\n", batch, fp)
}

func writeLog(t *testing.T, d *Dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(d.file(name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLogReadsPastALongLine: a line of 200 KiB, junk or an intent with a
// long comment as eich wrote it before it cut comments, stops nothing:
// the entries after it are read.
func TestLogReadsPastALongLine(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	for name, c := range map[string]struct {
		line      string
		entries   int
		bad       int
		longEntry bool
	}{
		"junk":             {line: long + "\n", entries: 2, bad: 1},
		"long comment":     {line: intentLine(2, fpA, long), entries: 3, longEntry: true},
		"no final newline": {line: long, entries: 2, bad: 1},
	} {
		t.Run(name, func(t *testing.T) {
			d := mustOpen(t)
			text := intentLine(1, fpA, "first") + outcomeLine(1, fpA) + c.line
			if !strings.HasSuffix(c.line, "\n") {
				// A torn line ends the rotated file; the newest entry
				// is in the current one.
				writeLog(t, d, logName+".1", text)
				writeLog(t, d, logName, intentLine(3, fpB, "last")+outcomeLine(3, fpB))
			} else {
				writeLog(t, d, logName, text+intentLine(3, fpB, "last")+outcomeLine(3, fpB))
			}
			rs, bad, notes, err := d.ReadLog()
			if err != nil || bad != c.bad || len(rs) != c.entries || len(notes) != 0 {
				t.Fatalf("read %d entries, %d bad, notes %q, %v; want %d entries, %d bad", len(rs), bad, notes, err, c.entries, c.bad)
			}
			first, last := rs[0], rs[len(rs)-1]
			if first.Comment != "first" || first.Outcome != Removed || last.Comment != "last" || last.Outcome != Removed {
				t.Errorf("first %+v\nlast %+v", first, last)
			}
			if c.longEntry {
				r := rs[1]
				if r.Comment != long[:MaxLogComment] || r.CommentBytes != len(long) || r.Outcome != Unknown {
					t.Errorf("long entry: %d bytes of comment, CommentBytes %d, outcome %q", len(r.Comment), r.CommentBytes, r.Outcome)
				}
			}
		})
	}
}

// TestLogIntentsCutsLongComments: eich writes at most MaxLogComment bytes
// of a comment, cut between characters, and the whole length beside it,
// so every line it writes stays a few KiB; reading it back gives the
// same cut comment and length.
func TestLogIntentsCutsLongComments(t *testing.T) {
	d := mustOpen(t)
	now := time.Unix(1_800_000_000, 0)
	long := strings.Repeat("é\x1b", 100<<10) // 3 bytes a pair, and escapes in the log
	rs := []Removal{
		{Time: now, Batch: "b1", Fingerprint: fpA, Class: "suspect", Comment: long, Reason: "r", Agent: "/tmp/a"},
		{Time: now, Batch: "b1", Fingerprint: fpB, Class: "eic", Comment: "short", Reason: "r", Agent: "/tmp/a"},
	}
	if err := d.LogIntents(rs); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(d.file(logName))
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if len(line) > 8<<10 {
			t.Errorf("a log line of %d bytes", len(line))
		}
	}
	if strings.Count(string(raw), "comment_bytes=") != 1 {
		t.Errorf("want comment_bytes on the long comment's line alone:\n%.300s", raw)
	}
	got, bad, err := d.Removals()
	if err != nil || bad != 0 || len(got) != 2 {
		t.Fatalf("read back %d entries, %d bad, %v", len(got), bad, err)
	}
	c := got[0].Comment
	if len(c) > MaxLogComment || len(c) < MaxLogComment-3 || !utf8.ValidString(c) || !strings.HasPrefix(long, c) {
		t.Errorf("cut comment: %d bytes, valid UTF-8 %v, a prefix %v", len(c), utf8.ValidString(c), strings.HasPrefix(long, c))
	}
	if got[0].CommentBytes != len(long) || got[1].Comment != "short" || got[1].CommentBytes != 0 {
		t.Errorf("CommentBytes %d (want %d); second %+v", got[0].CommentBytes, len(long), got[1])
	}
	// Logged again as read, the entry keeps the whole length.
	again := got[0]
	again.Batch = "b2"
	if err := d.LogIntents([]Removal{again}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := d.Removals(); len(got) != 3 || got[2].Comment != c || got[2].CommentBytes != len(long) {
		t.Errorf("re-logged: %d entries, last %+v", len(got), got[len(got)-1].CommentBytes)
	}
}

// TestLogReadsTheNewestOfAnOversizedFile: a rotated log larger than eich
// reads is read from its newest full line within MaxLogRead, with a note
// of what was skipped, and the current log is read all the same.
func TestLogReadsTheNewestOfAnOversizedFile(t *testing.T) {
	d := mustOpen(t)
	var old strings.Builder
	n := 0
	for old.Len() < 3<<20 {
		old.WriteString(intentLine(n, fpA, "old") + outcomeLine(n, fpA))
		n++
	}
	writeLog(t, d, logName+".1", old.String())
	writeLog(t, d, logName, intentLine(n, fpB, "newest")+outcomeLine(n, fpB))
	rs, bad, notes, err := d.ReadLog()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[len(rs)-1].Comment != "newest" || rs[len(rs)-1].Outcome != Removed {
		t.Fatalf("the newest removal is missing: %d entries", len(rs))
	}
	// Only a torn outcome's partner can be bad: the read starts at a
	// full line.
	if bad > 1 {
		t.Errorf("%d bad lines: the tail was not read from a line's start", bad)
	}
	if rs[0].Comment != "old" || len(rs) < n/2 || len(rs) >= n {
		t.Errorf("read %d of %d entries, first %+v", len(rs), n+1, rs[0])
	}
	if len(notes) != 1 || !strings.Contains(notes[0], logName+".1") || !strings.Contains(notes[0], "skipped its oldest") {
		t.Errorf("notes %q, want one about the skipped part of %s.1", notes, logName)
	}
}

// TestLogTailStartsAtAFullLine: whether the cut falls on a line's start
// or inside a line, the tail read begins with a whole line and skips
// exactly what lies before it.
func TestLogTailStartsAtAFullLine(t *testing.T) {
	const lineLen = 64
	line := func(i int) string { return fmt.Sprintf("%0*d\n", lineLen-1, i) }
	for _, shift := range []int{0, 1, lineLen - 1} {
		d := mustOpen(t)
		var b strings.Builder
		b.WriteString(strings.Repeat("h", shift)) // moves the cut within a line
		for i := 0; b.Len() < MaxLogRead+10*lineLen; i++ {
			b.WriteString(line(i))
		}
		text := b.String()
		// Make the cut land exactly on a line start when shift is 0.
		cut := len(text) - MaxLogRead
		text = text[cut%lineLen:]
		writeLog(t, d, logName, text)
		data, skipped, size, err := d.readLogTail(logName)
		if err != nil || size != int64(len(text)) {
			t.Fatalf("shift %d: %v, size %d", shift, err, size)
		}
		if string(data) != text[skipped:] || (skipped > 0 && text[skipped-1] != '\n') {
			t.Errorf("shift %d: the tail does not start a line (skipped %d)", shift, skipped)
		}
		if start := int64(len(text) - MaxLogRead); skipped < start || skipped >= start+lineLen {
			t.Errorf("shift %d: skipped %d, want the first line at or after %d", shift, skipped, start)
		}
	}
}

// TestLogReadsTheOtherFile: a log file eich may not trust is a note; the
// other is read. With neither readable, the error is returned.
func TestLogReadsTheOtherFile(t *testing.T) {
	d := mustOpen(t)
	writeLog(t, d, logName+".1", intentLine(1, fpA, "old"))
	os.Chmod(d.file(logName+".1"), 0o644)
	writeLog(t, d, logName, intentLine(2, fpB, "newest"))
	rs, _, notes, err := d.ReadLog()
	if err != nil || len(rs) != 1 || rs[0].Comment != "newest" || len(notes) != 1 || !strings.Contains(notes[0], "chmod") {
		t.Fatalf("read %+v, notes %q, %v", rs, notes, err)
	}
	os.Chmod(d.file(logName), 0o644)
	if _, _, _, err := d.ReadLog(); err == nil {
		t.Error("no error with neither file readable")
	}
}
