package policy

import (
	"fmt"
	"testing"

	"github.com/eich-dev/eich/hooks/keyclass"
)

// benchClasses returns n keys, oldest first: two user keys, then stale
// keys (known EIC, with a suspect every third), then more user keys, so
// that n/100 (at least two) are the user's: 1,000 keys are 990 stale.
func benchClasses(n int) []keyclass.Class {
	cs := make([]keyclass.Class, 0, n)
	cs = append(cs, keyclass.User, keyclass.User)
	users := max(n/100, 2)
	for len(cs) < n-(users-2) {
		if len(cs)%3 == 0 {
			cs = append(cs, keyclass.Suspect)
		} else {
			cs = append(cs, keyclass.EIC)
		}
	}
	for len(cs) < n {
		cs = append(cs, keyclass.User)
	}
	return cs
}

func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{8, 1000, 100_000} {
		for _, mode := range []Mode{Auto, Always} {
			in := Input{Classes: benchClasses(n), Limit: 6, Mode: mode, Phase: Before}
			b.Run(fmt.Sprintf("keys=%d/mode=%s", n, mode), func(b *testing.B) {
				b.ReportAllocs()
				var d Decision
				for b.Loop() {
					d = Decide(in)
				}
				b.ReportMetric(float64(len(d.Remove)), "removed/op")
			})
		}
	}
}
