package state

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/keyclass"
)

// The removal log is written ahead: before eich asks the agent to remove
// keys it appends one intent line per key and syncs the file; after it
// has listed the agent again it appends one outcome line per key. So a
// key that left the agent is in the log whatever stops eich in between
// (Ctrl-C, SIGKILL, a hung agent, a full disk), and an intent with no
// outcome reads "outcome unknown".
//
//	2026-12-01T05:40:00Z intent 3f9a0c1e SHA256:… class=eic comment="" reason="…" agent="/tmp/ssh-x/agent.1"
//	2026-12-01T05:40:00Z outcome 3f9a0c1e SHA256:… removed
//
// Strings are quoted in ASCII, so no comment can forge a line or put a
// control character on a terminal that shows the log. A comment longer
// than MaxLogComment is cut, and `comment_bytes=N` after it gives its
// whole length (older readers skip a field they do not know).
const (
	logName = "removals.log"
	// MaxLogBytes is the size at which the removal log is rotated once.
	MaxLogBytes = 1 << 20
	// MaxLogRead is the most eich reads of each of the two log files:
	// of a larger one, its newest part (see ReadLog).
	MaxLogRead = 2 * MaxLogBytes
	// MaxLogComment is the most of a key's comment, in bytes, that a log
	// line holds. An agent key's comment may be any length; whole in the
	// log, a long one made lines of hundreds of KiB and the log rotate
	// early, and it says nothing more about which key left.
	MaxLogComment = 1024
)

// Outcome is what became of a key eich asked the agent to remove.
type Outcome string

const (
	Unknown  Outcome = ""          // no outcome was written: eich stopped, or could not tell
	Removed  Outcome = "removed"   // gone from the agent when listed again
	Kept     Outcome = "kept"      // still there: the agent refused, or only said it removed it
	NotAsked Outcome = "not-asked" // the hook's time budget ran out before eich asked
	Unsure   Outcome = "unknown"   // asked, but the agent could not be listed again
)

// Removal is one key eich meant to remove, and what became of it.
type Removal struct {
	Time        time.Time
	Batch       string // pairs an intent with its outcome
	Fingerprint string
	Class       string
	Comment     string
	// CommentBytes is the whole comment's length when Comment holds only
	// its first MaxLogComment bytes; 0 when Comment is whole.
	CommentBytes int
	Reason       string
	Agent        string
	Outcome      Outcome
}

// NewBatch returns a fresh id for one prune's log lines.
func NewBatch() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// LogIntents appends an intent line for each removal and syncs the log.
// Until it returns nil, no key may be asked to leave the agent. Hold the
// lock.
func (d *Dir) LogIntents(rs []Removal) error {
	var b bytes.Buffer
	for _, r := range rs {
		comment, whole := cutComment(r.Comment, r.CommentBytes)
		fmt.Fprintf(&b, "%s intent %s %s class=%s comment=%s", r.Time.UTC().Format(time.RFC3339),
			r.Batch, r.Fingerprint, r.Class, strconv.QuoteToASCII(comment))
		if whole > 0 {
			fmt.Fprintf(&b, " comment_bytes=%d", whole)
		}
		fmt.Fprintf(&b, " reason=%s agent=%s\n", strconv.QuoteToASCII(r.Reason), strconv.QuoteToASCII(r.Agent))
	}
	return d.appendLog(b.Bytes(), true)
}

// LogOutcomes appends each removal's outcome. Hold the lock.
func (d *Dir) LogOutcomes(rs []Removal, now time.Time) error {
	var b bytes.Buffer
	for _, r := range rs {
		outcome := r.Outcome
		if outcome == Unknown {
			outcome = Unsure
		}
		fmt.Fprintf(&b, "%s outcome %s %s %s\n", now.UTC().Format(time.RFC3339), r.Batch, r.Fingerprint, outcome)
	}
	return d.appendLog(b.Bytes(), false)
}

// appendLog appends to the log, rotating it first once it passes
// MaxLogBytes (an intent and its outcome land in the same file).
func (d *Dir) appendLog(data []byte, rotate bool) error {
	if rotate {
		var st unix.Stat_t
		if err := unix.Fstatat(d.fd, logName, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil && st.Size > MaxLogBytes {
			if err := unix.Renameat(d.fd, logName, d.fd, logName+".1"); err != nil {
				return fmt.Errorf("removal log: rotate: %w", err)
			}
		}
	}
	f, err := d.open(logName, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT)
	if err != nil {
		return fmt.Errorf("removal log: %w", err)
	}
	if err := writeAll(f, data, true); err != nil {
		return fmt.Errorf("removal log %s: %w", d.file(logName), err)
	}
	return nil
}

// Removals reads the log, oldest first, each intent joined with its
// outcome. Lines it cannot read are counted in bad, not returned. It is
// ReadLog without the notes.
func (d *Dir) Removals() (rs []Removal, bad int, err error) {
	rs, bad, _, err = d.ReadLog()
	return rs, bad, err
}

// ReadLog reads both log files, the rotated one first, oldest entry
// first, each intent joined with its outcome; lines it cannot read are
// counted in bad. Every entry is read, however long a line, up to
// MaxLogRead bytes of each file: of a larger one, eich reads the newest
// part from the first line that starts within it, and a note says how
// much older text it skipped. A file that cannot be read (untrusted, say)
// is a note too, when the other one was read; when neither was, because
// one failed and the other is missing or failed too, err is that
// failure.
func (d *Dir) ReadLog() (rs []Removal, bad int, notes []string, err error) {
	var data []byte
	read := 0
	var failed error
	for _, name := range []string{logName + ".1", logName} {
		part, skipped, size, err := d.readLogTail(name)
		if err != nil {
			notes = append(notes, err.Error())
			if failed == nil {
				failed = err
			}
			continue
		}
		if part != nil {
			read++
		}
		if skipped > 0 {
			notes = append(notes, fmt.Sprintf("%s is %s, more than the %s eich reads: skipped its oldest %s",
				d.file(name), kib(size), kib(MaxLogRead), kib(skipped)))
		}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n') // a torn last line ends where the next file starts
		}
		data = append(data, part...)
	}
	if read == 0 && failed != nil {
		return nil, 0, nil, failed
	}
	rs, bad = ParseRemovals(data)
	return rs, bad, notes, nil
}

// kib writes a byte count for a note.
func kib(n int64) string {
	if n < 10<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// readLogTail reads a log file whole, or when it holds more than
// MaxLogRead bytes its newest MaxLogRead from the first full line on, and
// says how many bytes it skipped of the size it found. A missing file
// reads as nil, a file that exists as non-nil. It reads no further than
// the size it found, so a line appended meanwhile is left for the next
// reader.
func (d *Dir) readLogTail(name string) (data []byte, skipped, size int64, err error) {
	f, err := d.open(name, unix.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, 0, nil
	}
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	size = fi.Size()
	start := max(size-MaxLogRead, 0)
	// From one byte before start: a newline there means a line starts at start.
	from := max(start-1, 0)
	buf := make([]byte, size-from)
	n, err := f.ReadAt(buf, from)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, 0, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	buf = buf[:n]
	if start == 0 {
		return buf, 0, size, nil
	}
	i := bytes.IndexByte(buf, '\n')
	if i < 0 { // one line longer than all eich reads
		return buf[:0], size, size, nil
	}
	return buf[i+1:], from + int64(i) + 1, size, nil
}

// ParseRemovals reads log text: intents joined with their outcomes, and
// the lines of eich 0.1's log (`TIME removed FP class=… …`), which were
// written after the key was gone. It reads every line whatever its
// length; a comment longer than MaxLogComment, as eich wrote before it
// cut them, is cut here.
func ParseRemovals(data []byte) (rs []Removal, bad int) {
	index := map[string]int{} // batch+fingerprint → position in rs
	text := string(data)
	for text != "" {
		line, rest, _ := strings.Cut(text, "\n")
		text = rest
		if line == "" {
			continue
		}
		r, kind, ok := parseLogLine(line)
		switch {
		case !ok:
			bad++
		case kind == "outcome":
			if i, found := index[r.Batch+r.Fingerprint]; found {
				rs[i].Outcome = r.Outcome
			} else {
				bad++
			}
		default:
			index[r.Batch+r.Fingerprint] = len(rs)
			rs = append(rs, r)
		}
	}
	return rs, bad
}

// cutComment returns what a log line holds of comment: all of it, or its
// first MaxLogComment bytes (never half a UTF-8 sequence) and the whole
// length. whole, when set, is the length of a comment cut before.
func cutComment(comment string, whole int) (string, int) {
	if len(comment) <= MaxLogComment {
		if whole <= len(comment) {
			whole = 0
		}
		return comment, whole
	}
	n := MaxLogComment
	for n > 0 && !utf8.RuneStart(comment[n]) {
		n--
	}
	if n == 0 {
		n = MaxLogComment // not UTF-8: cut at the byte
	}
	return comment[:n], max(whole, len(comment))
}

func parseLogLine(line string) (r Removal, kind string, ok bool) {
	fields := strings.SplitN(line, " ", 3)
	if len(fields) < 3 {
		return r, "", false
	}
	t, err := time.Parse(time.RFC3339, fields[0])
	if err != nil {
		return r, "", false
	}
	r.Time, kind = t, fields[1]
	rest := fields[2]
	switch kind {
	case "removed": // eich 0.1: FP class=… comment=… reason=… agent=…
		r.Fingerprint, rest, _ = strings.Cut(rest, " ")
		r.Outcome = Removed
	case "intent":
		r.Batch, rest, _ = strings.Cut(rest, " ")
		r.Fingerprint, rest, _ = strings.Cut(rest, " ")
	case "outcome":
		var outcome string
		r.Batch, rest, _ = strings.Cut(rest, " ")
		r.Fingerprint, outcome, _ = strings.Cut(rest, " ")
		r.Outcome = Outcome(outcome)
		switch r.Outcome {
		case Removed, Kept, NotAsked, Unsure:
			return r, kind, keyclass.ValidFingerprint(r.Fingerprint)
		}
		return r, kind, false
	default:
		return r, "", false
	}
	if !keyclass.ValidFingerprint(r.Fingerprint) {
		return r, "", false
	}
	for rest != "" {
		var key, value string
		key, rest, ok = strings.Cut(rest, "=")
		if !ok {
			return r, "", false
		}
		if strings.HasPrefix(rest, `"`) {
			quoted, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return r, "", false
			}
			value, _ = strconv.Unquote(quoted)
			rest = rest[len(quoted):]
		} else {
			value, rest, _ = strings.Cut(rest, " ")
		}
		rest = strings.TrimPrefix(rest, " ")
		switch key {
		case "class":
			r.Class = value
		case "comment":
			r.Comment = value
		case "comment_bytes":
			r.CommentBytes, _ = strconv.Atoi(value) // a bad count reads as none
		case "reason":
			r.Reason = value
		case "agent":
			r.Agent = value
		}
	}
	r.Comment, r.CommentBytes = cutComment(r.Comment, r.CommentBytes)
	return r, kind, true
}
