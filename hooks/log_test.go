package hooks_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eich-dev/eich/hooks"
	"github.com/eich-dev/eich/hooks/state"
	"github.com/eich-dev/eich/internal/output"
)

const (
	logFpA = "SHA256:Wc+LXtQCyglYTNBFwIBtysg4UAf2CRujO6+YlnoggQM"
	logFpB = "SHA256:No21wtdBQI1f0VHUbJ3TB90RZGzA9HMBQQ+Z6BsG5EE"
)

// logEntry is an intent and its outcome as eich writes them.
func logEntry(batch int, fp, comment string) string {
	return fmt.Sprintf("2026-01-02T03:04:05Z intent %08x %s class=eic comment=%q reason=\"eich prune\" agent=\"/tmp/a\"\n"+
		"2026-01-02T03:04:06Z outcome %08x %s removed\n", batch, fp, comment, batch, fp)
}

// logEnv is settings over a fresh state dir, and the dir.
func logEnv(t *testing.T) (*hooks.Settings, *bytes.Buffer) {
	t.Helper()
	var stderr bytes.Buffer
	s := testSettings(t, "", &stderr)
	d, err := state.Open(s.StateDir, true)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	return s, &stderr
}

func writeStateFile(t *testing.T, s *hooks.Settings, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.StateDir, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLogShowsEntriesAfterALongLine: a 200 KiB line between two entries
// hides neither; eich log shows both and counts the line.
func TestLogShowsEntriesAfterALongLine(t *testing.T) {
	s, stderr := logEnv(t)
	writeStateFile(t, s, "removals.log", logEntry(1, logFpA, "first")+
		strings.Repeat("\x01junk", 40<<10)+"\n"+logEntry(2, logFpB, "second"))
	rs, bad, err := hooks.Log(s)
	if err != nil || bad != 1 || len(rs) != 2 || rs[0].Comment != "first" || rs[1].Comment != "second" {
		t.Fatalf("log: %+v, %d bad, %v; want both entries and 1 bad line", rs, bad, err)
	}
	if stderr.Len() != 0 {
		t.Errorf("notes on stderr: %q", stderr)
	}
	var out bytes.Buffer
	output.New(&out, false).Log(rs)
	if got := out.String(); strings.Count(got, "\n") != 2 || !strings.Contains(got, `comment="second"`) {
		t.Errorf("eich log printed:\n%s", got)
	}
}

// TestLogShowsTheNewestBesideAnOversizedRotatedLog: a rotated log of
// 3 MiB is read from its newest part with one line saying so, and the
// newest removal, in the current log, is shown.
func TestLogShowsTheNewestBesideAnOversizedRotatedLog(t *testing.T) {
	s, stderr := logEnv(t)
	var old strings.Builder
	i := 0
	for ; old.Len() < 3<<20; i++ {
		old.WriteString(logEntry(i, logFpA, "old"))
	}
	writeStateFile(t, s, "removals.log.1", old.String())
	writeStateFile(t, s, "removals.log", logEntry(i, logFpB, "newest"))
	rs, bad, err := hooks.Log(s)
	if err != nil || bad > 1 || len(rs) == 0 {
		t.Fatalf("log: %d entries, %d bad, %v", len(rs), bad, err)
	}
	if last := rs[len(rs)-1]; last.Comment != "newest" || last.Fingerprint != logFpB || last.Outcome != state.Removed {
		t.Errorf("the newest removal is not last: %+v", last)
	}
	note := stderr.String()
	if strings.Count(note, "\n") != 1 || !strings.HasPrefix(note, "eich: ") ||
		!strings.Contains(note, "removals.log.1") || !strings.Contains(note, "skipped its oldest") {
		t.Errorf("want one line on the skipped part, got %q", note)
	}
}
