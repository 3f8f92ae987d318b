package testbed

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// pollInterval is how often WaitFor checks its condition.
const pollInterval = 20 * time.Millisecond

// ScaleVar names the variable that scales every wait and functional bound
// of the tests, for a loaded machine: EICH_TEST_SCALE=3 triples them. A
// longer wait costs time only when the condition never comes.
const ScaleVar = "EICH_TEST_SCALE"

// Scaled returns d times EICH_TEST_SCALE (a number from 1 to 100; unset,
// empty or out of range means 1).
func Scaled(d time.Duration) time.Duration {
	f, err := strconv.ParseFloat(os.Getenv(ScaleVar), 64)
	if err != nil || f < 1 || f > 100 {
		return d
	}
	return time.Duration(float64(d) * f)
}

// WaitFor polls cond until it is true or the timeout, scaled by Scaled,
// passes; then it fails the test with what it waited for and what diag
// (if any) says about the state.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool, diag func() string) {
	t.Helper()
	timeout = Scaled(timeout)
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
