package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testFingerprint is a valid fingerprint made from i.
func testFingerprint(i int) string {
	return "SHA256:" + strings.Repeat("B", 38) + padInt(i)
}

// TestCompactKeepsTheLedgerReadable: whatever the agent listed, the
// compacted ledger has at most MaxDecoded entries, and what it drops
// goes in order: absent keys, then present keys not known as EIC's
// (oldest first), never an EIC key while another is left to drop.
func TestCompactKeepsTheLedgerReadable(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := NewLedger()
	present := map[string]bool{}
	const eic, absent = 100, 50
	total := MaxDecoded + 1000
	for i := range total {
		fp := testFingerprint(i)
		seen := now.Add(-time.Duration(total-i) * time.Second) // the first ones oldest
		switch {
		case i < absent:
			l.Seen([]string{fp}, seen)
		case i < absent+eic:
			l.MarkEIC(fp, seen.Add(-48*time.Hour)) // the oldest of all, but EIC's
			present[fp] = true
		default:
			l.Seen([]string{fp}, seen)
			present[fp] = true
		}
	}
	l.Compact(present, now)
	if len(l.Entries) != MaxDecoded {
		t.Fatalf("compacted ledger holds %d entries, want %d", len(l.Entries), MaxDecoded)
	}
	for i := range total {
		fp := testFingerprint(i)
		_, kept := l.Entries[fp]
		switch {
		case i < absent && kept:
			t.Fatalf("absent key %d kept while present ones were dropped", i)
		case i >= absent && i < absent+eic && !kept:
			t.Fatalf("EIC key %d dropped while other keys were left", i)
		case i >= absent+eic && i < total-MaxDecoded+eic && kept:
			t.Fatalf("present key %d kept though newer ones were dropped", i)
		}
	}
	back, err := DecodeLedger(l.Encode())
	if err != nil || len(back.Entries) != MaxDecoded {
		t.Fatalf("the compacted ledger does not read back: %v", err)
	}
}

// TestLedgerOverTheBoundIsNotWritten: SaveLedger writes no ledger that
// LoadLedger would refuse; the one on disk stays.
func TestLedgerOverTheBoundIsNotWritten(t *testing.T) {
	d := mustOpen(t)
	now := time.Now()
	small := NewLedger()
	small.MarkEIC(fpA, now)
	if err := d.SaveLedger(small); err != nil {
		t.Fatal(err)
	}
	big := NewLedger()
	for i := range MaxDecoded + 1 {
		big.Seen([]string{testFingerprint(i)}, now)
	}
	if err := d.SaveLedger(big); err == nil {
		t.Fatalf("a ledger of %d entries was written", len(big.Entries))
	}
	l, err := d.LoadLedger()
	if err != nil || len(l.Entries) != 1 || !l.KnownEIC(fpA) {
		t.Fatalf("the ledger on disk changed: %d entries, %v", len(l.Entries), err)
	}
	delete(big.Entries, testFingerprint(0))
	if err := d.SaveLedger(big); err != nil {
		t.Fatalf("a ledger of exactly %d entries: %v", MaxDecoded, err)
	}
	if l, err := d.LoadLedger(); err != nil || len(l.Entries) != MaxDecoded {
		t.Fatalf("a ledger of %d entries does not read back: %v", MaxDecoded, err)
	}
}

// TestCorruptLedgerIsSetAsideOnce: a ledger that is corrupt at every run
// leaves one copy set aside, the latest, not one per run.
func TestCorruptLedgerIsSetAsideOnce(t *testing.T) {
	d := mustOpen(t)
	now := time.Unix(1_800_000_000, 0)
	for i := range 3 {
		bad := []byte("eich-ledger 1\nrun " + padInt(i) + "\n")
		if err := os.WriteFile(d.file(ledgerName), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := d.LoadLedger(); err == nil {
			t.Fatal("a corrupt ledger loaded")
		}
		aside, err := d.SetAsideLedger(now.Add(time.Duration(i) * time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(aside); string(got) != string(bad) {
			t.Errorf("run %d: %s holds %q, want %q", i, aside, got, bad)
		}
	}
	copies, _ := filepath.Glob(d.file(ledgerName) + ".bad*")
	if len(copies) != 1 {
		t.Errorf("three corrupt ledgers left %d copies: %v", len(copies), copies)
	}
	if _, err := os.Lstat(d.file(ledgerName)); !os.IsNotExist(err) {
		t.Errorf("the corrupt ledger is still in place: %v", err)
	}
}

// TestSetAsideLedgerWhenItsSlotIsTaken: a directory where the copy would
// go does not keep a corrupt ledger in place.
func TestSetAsideLedgerWhenItsSlotIsTaken(t *testing.T) {
	d := mustOpen(t)
	if err := os.Mkdir(d.file(badLedgerName), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.file(badLedgerName+"/x"), nil, 0o600)
	os.WriteFile(d.file(ledgerName), []byte("junk\n"), 0o600)
	aside, err := d.SetAsideLedger(time.Unix(1_800_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(aside); string(got) != "junk\n" {
		t.Errorf("%s holds %q", aside, got)
	}
	if _, err := os.Lstat(d.file(ledgerName)); !os.IsNotExist(err) {
		t.Errorf("the corrupt ledger is still in place: %v", err)
	}
}
