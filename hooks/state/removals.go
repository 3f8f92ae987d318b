package state

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

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
// control character on a terminal that shows the log.
const (
	logName = "removals.log"
	// MaxLogBytes is the size at which the removal log is rotated once.
	MaxLogBytes = 1 << 20
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
	Reason      string
	Agent       string
	Outcome     Outcome
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
		fmt.Fprintf(&b, "%s intent %s %s class=%s comment=%s reason=%s agent=%s\n",
			r.Time.UTC().Format(time.RFC3339), r.Batch, r.Fingerprint, r.Class,
			strconv.QuoteToASCII(r.Comment), strconv.QuoteToASCII(r.Reason), strconv.QuoteToASCII(r.Agent))
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
// outcome. Lines it cannot read are counted in bad, not returned.
func (d *Dir) Removals() (rs []Removal, bad int, err error) {
	var data []byte
	for _, name := range []string{logName + ".1", logName} {
		part, err := d.readPrivateMax(name, 2*MaxLogBytes)
		if err != nil {
			return nil, 0, err
		}
		data = append(data, part...)
	}
	rs, bad = ParseRemovals(data)
	return rs, bad, nil
}

// ParseRemovals reads log text: intents joined with their outcomes, and
// the lines of eich 0.1's log (`TIME removed FP class=… …`), which were
// written after the key was gone.
func ParseRemovals(data []byte) (rs []Removal, bad int) {
	index := map[string]int{} // batch+fingerprint → position in rs
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
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
	if sc.Err() != nil {
		bad++
	}
	return rs, bad
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
		case "reason":
			r.Reason = value
		case "agent":
			r.Agent = value
		}
	}
	return r, kind, true
}
