package testbed

import (
	"testing"
	"time"
)

// pollInterval is how often WaitFor checks its condition.
const pollInterval = 20 * time.Millisecond

// WaitFor polls cond until it is true or timeout passes; then it fails the
// test with what it waited for and what diag (if any) says about the state.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			if diag != nil {
				msg = "\n" + diag()
			}
			t.Fatalf("timed out after %v waiting for %s%s", timeout, what, msg)
		}
		time.Sleep(pollInterval)
	}
}
