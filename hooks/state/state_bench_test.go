package state

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eich-dev/eich/internal/testbed"
)

// benchNow is the clock of the ledger benchmarks.
var benchNow = time.Unix(1_800_000_000, 0)

// benchLedger returns a ledger of n entries, every tenth an EIC key, all
// seen within the retention period.
func benchLedger(n int) *Ledger {
	l := NewLedger()
	for i := range n {
		fp := testbed.FakeFingerprint(i)
		seen := benchNow.Add(-time.Duration(i%1000) * time.Minute)
		l.Entries[fp] = &Entry{Fingerprint: fp, EIC: i%10 == 0, FirstSeen: seen.Add(-time.Hour), LastSeen: seen}
	}
	return l
}

// ledgerSizes run up to the largest ledger eich reads; a larger one is
// rejected unread (BenchmarkLedgerLoadOversized).
var ledgerSizes = []int{0, 1_000, MaxEntries, MaxDecoded}

func BenchmarkLedgerEncode(b *testing.B) {
	for _, n := range ledgerSizes {
		l := benchLedger(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = len(l.Encode())
			}
			b.SetBytes(int64(size))
		})
	}
}

func BenchmarkLedgerDecode(b *testing.B) {
	for _, n := range ledgerSizes {
		data := benchLedger(n).Encode()
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := DecodeLedger(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLedgerLoadOversized: a 100,000-entry ledger (more than eich
// ever writes: SaveLedger refuses it, so it is written here directly) is
// told corrupt from its size, without reading it.
func BenchmarkLedgerLoadOversized(b *testing.B) {
	d := mustOpen(b)
	if err := d.writeAtomic(ledgerName, benchLedger(100_000).Encode()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.LoadLedger(); !errors.Is(err, ErrCorrupt) {
			b.Fatalf("load: %v, want ErrCorrupt", err)
		}
	}
}

func BenchmarkLedgerLoad(b *testing.B) {
	for _, n := range ledgerSizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			d := mustOpen(b)
			if n > 0 {
				if err := d.SaveLedger(benchLedger(n)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				l, err := d.LoadLedger()
				if err != nil || len(l.Entries) != n {
					b.Fatalf("load: %d entries, %v", len(l.Entries), err)
				}
			}
		})
	}
}

// BenchmarkLedgerSave includes the fsync of writeAtomic, so it measures
// the file system as much as eich.
func BenchmarkLedgerSave(b *testing.B) {
	for _, n := range ledgerSizes {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			d := mustOpen(b)
			l := benchLedger(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := d.SaveLedger(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLedgerCompact compacts a ledger of 100,000 entries, none of
// them in the agent and all within the retention period, down to
// MaxEntries, and reports the size of the file that remains.
func BenchmarkLedgerCompact(b *testing.B) {
	const n = 100_000
	present := map[string]bool{testbed.FakeFingerprint(0): true, testbed.FakeFingerprint(1): true}
	var left int
	for b.Loop() {
		b.StopTimer()
		l := benchLedger(n)
		b.StartTimer()
		l.Compact(present, benchNow)
		left = len(l.Entries)
	}
	if left > MaxEntries+len(present) {
		b.Fatalf("compacted ledger has %d entries, want at most %d", left, MaxEntries+len(present))
	}
	b.ReportMetric(float64(left), "entries-left")
	l := benchLedger(n)
	l.Compact(present, benchNow)
	b.ReportMetric(float64(len(l.Encode())), "file-bytes")
}
