package state

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrCorrupt marks a ledger that cannot be decoded.
var ErrCorrupt = errors.New("corrupt ledger")

const (
	ledgerName   = "ledger"
	ledgerHeader = "eich-ledger 1"
	// Retention is how long an entry for a key no longer in the agent is
	// kept. A key that comes back within it keeps its history.
	Retention = 7 * 24 * time.Hour
	// MaxEntries bounds the ledger; keys present in the agent are never
	// dropped to make room.
	MaxEntries = 4096
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
}

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
		e.LastSeen = now
	}
}

// MarkEIC records fp as an EIC key.
func (l *Ledger) MarkEIC(fp string, now time.Time) {
	l.Seen([]string{fp}, now)
	l.Entries[fp].EIC = true
}

// Compact drops entries of keys absent from the agent (present holds the
// fingerprints now in it) for longer than Retention, then the oldest
// absent ones beyond MaxEntries.
func (l *Ledger) Compact(present map[string]bool, now time.Time) {
	var absent []*Entry
	for fp, e := range l.Entries {
		if present[fp] {
			continue
		}
		if now.Sub(e.LastSeen) > Retention {
			delete(l.Entries, fp)
			continue
		}
		absent = append(absent, e)
	}
	if extra := len(l.Entries) - MaxEntries; extra > 0 {
		sort.Slice(absent, func(i, j int) bool { return absent[i].LastSeen.Before(absent[j].LastSeen) })
		for i := 0; i < extra && i < len(absent); i++ {
			delete(l.Entries, absent[i].Fingerprint)
		}
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
	sort.Strings(fps)
	var b bytes.Buffer
	b.WriteString(ledgerHeader + "\n")
	for _, fp := range fps {
		e := l.Entries[fp]
		kind := "seen"
		if e.EIC {
			kind = "eic"
		}
		fmt.Fprintf(&b, "%s %s %d %d\n", fp, kind, e.FirstSeen.Unix(), e.LastSeen.Unix())
	}
	fmt.Fprintf(&b, "end %d\n", len(fps))
	return b.Bytes()
}

// DecodeLedger parses what Encode wrote. Empty input is an empty ledger;
// anything else that is not exactly that format is ErrCorrupt.
func DecodeLedger(data []byte) (*Ledger, error) {
	l := NewLedger()
	if len(data) == 0 {
		return l, nil
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("%w: truncated (no final newline)", ErrCorrupt)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != ledgerHeader {
		return nil, fmt.Errorf("%w: unknown header %.40q", ErrCorrupt, lines[0])
	}
	if len(lines) < 2 {
		return nil, fmt.Errorf("%w: truncated (no trailer)", ErrCorrupt)
	}
	last := lines[len(lines)-1]
	body := lines[1 : len(lines)-1]
	if last != "end "+strconv.Itoa(len(body)) {
		return nil, fmt.Errorf("%w: truncated (trailer %.40q, %d entries)", ErrCorrupt, last, len(body))
	}
	for i, line := range body {
		e, err := decodeEntry(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCorrupt, i+2, err)
		}
		if l.Entries[e.Fingerprint] != nil {
			return nil, fmt.Errorf("%w: line %d: duplicate %s", ErrCorrupt, i+2, e.Fingerprint)
		}
		l.Entries[e.Fingerprint] = e
	}
	return l, nil
}

func decodeEntry(line string) (*Entry, error) {
	f := strings.Split(line, " ")
	if len(f) != 4 {
		return nil, fmt.Errorf("want 4 fields, got %d", len(f))
	}
	if !ValidFingerprint(f[0]) {
		return nil, fmt.Errorf("bad fingerprint %.60q", f[0])
	}
	e := &Entry{Fingerprint: f[0]}
	switch f[1] {
	case "eic":
		e.EIC = true
	case "seen":
	default:
		return nil, fmt.Errorf("bad kind %.20q", f[1])
	}
	first, err1 := strconv.ParseInt(f[2], 10, 64)
	last, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return nil, fmt.Errorf("bad times %.20q %.20q", f[2], f[3])
	}
	e.FirstSeen, e.LastSeen = time.Unix(first, 0), time.Unix(last, 0)
	return e, nil
}

// ValidFingerprint reports whether s is an OpenSSH SHA256 fingerprint:
// "SHA256:" and 43 characters of unpadded base64.
func ValidFingerprint(s string) bool {
	const prefix = "SHA256:"
	if len(s) != len(prefix)+43 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for _, c := range s[len(prefix):] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// LoadLedger reads the ledger. A corrupt one is returned as ErrCorrupt
// (wrapped) together with an empty ledger; see RecoverLedger.
func (d *Dir) LoadLedger() (*Ledger, error) {
	data, err := d.readPrivate(ledgerName)
	if err != nil {
		return NewLedger(), err
	}
	l, err := DecodeLedger(data)
	if err != nil {
		return NewLedger(), fmt.Errorf("%s: %w", d.file(ledgerName), err)
	}
	return l, nil
}

// SetAsideLedger moves a corrupt ledger out of the way and returns where.
func (d *Dir) SetAsideLedger(now time.Time) (string, error) {
	return d.setAside(ledgerName, now)
}

// SaveLedger replaces the ledger atomically. Hold the lock.
func (d *Dir) SaveLedger(l *Ledger) error {
	return d.writeAtomic(ledgerName, l.Encode())
}
