package state

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/eich-dev/eich/hooks/keyclass"
)

// ErrCorrupt marks a ledger that cannot be decoded.
var ErrCorrupt = errors.New("corrupt ledger")

const (
	ledgerName   = "ledger"
	ledgerHeader = "eich-ledger 1"
	// Retention is how long an entry for a key no longer in the agent is
	// kept. A key that comes back within it keeps its history.
	Retention = 7 * 24 * time.Hour
	// MaxEntries bounds the ledger's entries for keys absent from the
	// agent; keys present in it are not dropped to make room.
	MaxEntries = 512
	// MaxDecoded is the most entries a ledger holds, written or read:
	// Compact keeps to it and SaveLedger writes no more, so a ledger eich
	// wrote is always one eich reads back. In practice a ledger holds far
	// fewer, MaxEntries absent keys and the agent's own, which
	// sshagent.MaxKeys bounds. A larger file is corrupt, told from its
	// size alone.
	MaxDecoded = 16384
	maxLineLen = 50 + len(" seen ") + 20 + 1 + 20 + 1
	// SeenEvery is how stale a last-seen time may get before it is
	// rewritten, so that a command that changes nothing writes nothing.
	SeenEvery = time.Hour
)

// Entry is what eich remembers about one key.
type Entry struct {
	Fingerprint string
	EIC         bool      // appeared in the agent while an EIC command ran
	FirstSeen   time.Time // first time eich saw it in the agent
	LastSeen    time.Time // last time eich saw it in the agent
}

// Ledger maps fingerprints to entries.
type Ledger struct {
	Entries map[string]*Entry
	changed bool
}

// Changed reports whether the ledger differs from what was loaded.
func (l *Ledger) Changed() bool { return l.changed }

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{Entries: map[string]*Entry{}} }

// KnownEIC reports whether fp is recorded as an EIC key.
func (l *Ledger) KnownEIC(fp string) bool {
	e := l.Entries[fp]
	return e != nil && e.EIC
}

// Seen records that the keys in fps are in the agent at now.
func (l *Ledger) Seen(fps []string, now time.Time) {
	for _, fp := range fps {
		e := l.Entries[fp]
		if e == nil {
			e = &Entry{Fingerprint: fp, FirstSeen: now}
			l.Entries[fp] = e
		}
		if e.LastSeen.IsZero() || now.Sub(e.LastSeen) >= SeenEvery {
			e.LastSeen = now
			l.changed = true
		}
	}
}

// MarkEIC records fp as an EIC key.
func (l *Ledger) MarkEIC(fp string, now time.Time) {
	l.Seen([]string{fp}, now)
	if e := l.Entries[fp]; !e.EIC {
		e.EIC = true
		l.changed = true
	}
}

// Compact drops entries of keys absent from the agent (present holds the
// fingerprints now in it) for longer than Retention, then the oldest
// absent ones beyond MaxEntries. Should the keys present still be more
// than MaxDecoded (more than an agent eich talks to may list), it drops
// the oldest of them beyond it, those not known as EIC's first, so that
// the ledger stays one eich can read back.
func (l *Ledger) Compact(present map[string]bool, now time.Time) {
	var absent, kept []*Entry
	for fp, e := range l.Entries {
		if present[fp] {
			kept = append(kept, e)
			continue
		}
		if now.Sub(e.LastSeen) > Retention {
			delete(l.Entries, fp)
			l.changed = true
			continue
		}
		absent = append(absent, e)
	}
	if extra := len(l.Entries) - MaxEntries; extra > 0 {
		slices.SortFunc(absent, oldestFirst)
		l.drop(absent[:min(extra, len(absent))])
	}
	if extra := len(l.Entries) - MaxDecoded; extra > 0 {
		slices.SortFunc(kept, func(a, b *Entry) int {
			if a.EIC != b.EIC {
				if a.EIC {
					return 1
				}
				return -1
			}
			return oldestFirst(a, b)
		})
		l.drop(kept[:extra])
	}
}

// oldestFirst orders entries by when eich last saw them, then first saw
// them, then by fingerprint, so that what Compact drops does not depend
// on map order.
func oldestFirst(a, b *Entry) int {
	if c := a.LastSeen.Compare(b.LastSeen); c != 0 {
		return c
	}
	if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
		return c
	}
	return strings.Compare(a.Fingerprint, b.Fingerprint)
}

func (l *Ledger) drop(entries []*Entry) {
	for _, e := range entries {
		delete(l.Entries, e.Fingerprint)
		l.changed = true
	}
}

// Encode writes the ledger: a header line, one line per entry
// (`fingerprint eic|seen first-unix last-unix`, sorted), and a trailer
// with the count so that a truncated file is recognised.
func (l *Ledger) Encode() []byte {
	fps := make([]string, 0, len(l.Entries))
	for fp := range l.Entries {
		fps = append(fps, fp)
	}
	slices.Sort(fps)
	// One buffer of the right size, no fmt: a ledger is read and written
	// on every EIC command.
	b := make([]byte, 0, len(ledgerHeader)+1+len(fps)*maxLineLen+len("end ")+21)
	b = append(b, ledgerHeader+"\n"...)
	for _, fp := range fps {
		e := l.Entries[fp]
		b = append(b, fp...)
		if e.EIC {
			b = append(b, " eic "...)
		} else {
			b = append(b, " seen "...)
		}
		b = strconv.AppendInt(b, e.FirstSeen.Unix(), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.LastSeen.Unix(), 10)
		b = append(b, '\n')
	}
	b = append(b, "end "...)
	b = strconv.AppendInt(b, int64(len(fps)), 10)
	return append(b, '\n')
}

// DecodeLedger parses what Encode wrote. Empty input is an empty ledger;
// anything else that is not exactly that format is ErrCorrupt.
//
// It walks the text once without splitting it: the fingerprints are
// substrings of one copy of data, and the entries share one allocation.
func DecodeLedger(data []byte) (*Ledger, error) {
	if len(data) == 0 {
		return NewLedger(), nil
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("%w: truncated (no final newline)", ErrCorrupt)
	}
	text = text[:len(text)-1]
	first, rest, more := strings.Cut(text, "\n")
	if first != ledgerHeader {
		return nil, fmt.Errorf("%w: unknown header %.40q", ErrCorrupt, first)
	}
	if !more {
		return nil, fmt.Errorf("%w: truncated (no trailer)", ErrCorrupt)
	}
	body, last, n := "", rest, 0
	if j := strings.LastIndexByte(rest, '\n'); j >= 0 {
		body, last = rest[:j], rest[j+1:]
		n = strings.Count(body, "\n") + 1
	}
	if last != "end "+strconv.Itoa(n) {
		return nil, fmt.Errorf("%w: truncated (trailer %.40q, %d entries)", ErrCorrupt, last, n)
	}
	if n > MaxDecoded {
		return nil, fmt.Errorf("%w: %d entries, more than eich keeps", ErrCorrupt, n)
	}
	l := &Ledger{Entries: make(map[string]*Entry, n)}
	entries := make([]Entry, n)
	for i := range n {
		line, next, _ := strings.Cut(body, "\n")
		body = next
		e := &entries[i]
		if err := parseEntry(e, line); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCorrupt, i+2, err)
		}
		if l.Entries[e.Fingerprint] != nil {
			return nil, fmt.Errorf("%w: line %d: duplicate %s", ErrCorrupt, i+2, e.Fingerprint)
		}
		l.Entries[e.Fingerprint] = e
	}
	return l, nil
}

// parseEntry reads one line, `fingerprint eic|seen first-unix last-unix`.
func parseEntry(e *Entry, line string) error {
	if n := strings.Count(line, " "); n != 3 {
		return fmt.Errorf("want 4 fields, got %d", n+1)
	}
	fp, rest, _ := strings.Cut(line, " ")
	kind, rest, _ := strings.Cut(rest, " ")
	firstText, lastText, _ := strings.Cut(rest, " ")
	if !keyclass.ValidFingerprint(fp) {
		return fmt.Errorf("bad fingerprint %.60q", fp)
	}
	*e = Entry{Fingerprint: fp}
	switch kind {
	case "eic":
		e.EIC = true
	case "seen":
	default:
		return fmt.Errorf("bad kind %.20q", kind)
	}
	first, err1 := strconv.ParseInt(firstText, 10, 64)
	last, err2 := strconv.ParseInt(lastText, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return fmt.Errorf("bad times %.20q %.20q", firstText, lastText)
	}
	e.FirstSeen, e.LastSeen = time.Unix(first, 0), time.Unix(last, 0)
	return nil
}

// LoadLedger reads the ledger. A corrupt one is returned as ErrCorrupt
// (wrapped) together with an empty ledger; see SetAsideLedger.
func (d *Dir) LoadLedger() (*Ledger, error) {
	data, err := d.readPrivateMax(ledgerName, int64(len(ledgerHeader)+1+MaxDecoded*maxLineLen+len("end ")+21))
	if errors.Is(err, ErrTooLarge) {
		return NewLedger(), fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err != nil {
		return NewLedger(), err
	}
	l, err := DecodeLedger(data)
	if err != nil {
		return NewLedger(), fmt.Errorf("%s: %w", d.file(ledgerName), err)
	}
	return l, nil
}

// badLedgerName is where a corrupt ledger is set aside.
const badLedgerName = ledgerName + ".bad"

// SetAsideLedger moves a corrupt ledger out of the way and returns where:
// to ledger.bad, in place of the copy an earlier run set aside there, so
// that a ledger that goes bad again and again leaves one copy, the
// latest, not one more at every EIC command. Only when that name cannot
// be replaced (something other than a file holds it) does the ledger go
// to a name of its own, stamped with now.
func (d *Dir) SetAsideLedger(now time.Time) (string, error) {
	err := unix.Renameat(d.fd, ledgerName, d.fd, badLedgerName)
	switch {
	case err == nil:
		return d.file(badLedgerName), nil
	case errors.Is(err, unix.EISDIR), errors.Is(err, unix.ENOTEMPTY), errors.Is(err, unix.EEXIST):
		return d.setAside(ledgerName, now)
	}
	return "", fmt.Errorf("set aside %s: %w", d.file(ledgerName), err)
}

// SaveLedger replaces the ledger atomically. Hold the lock. A ledger of
// more than MaxDecoded entries is not written: eich could not read it
// back, and would set it aside at its next run (Compact keeps to the
// bound).
func (d *Dir) SaveLedger(l *Ledger) error {
	if n := len(l.Entries); n > MaxDecoded {
		return fmt.Errorf("ledger of %d entries not written: more than the %d eich reads back", n, MaxDecoded)
	}
	if err := d.writeAtomic(ledgerName, l.Encode()); err != nil {
		return err
	}
	l.changed = false
	return nil
}
