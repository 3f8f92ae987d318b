package testbed

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Wrapper replaces the bed's eich (the path `eich init` baked into the
// hooks) by a script that logs each start and execs the real binary, so a
// test can count the eich processes a shell starts.
type Wrapper struct {
	Log string
}

// WrapEich installs the wrapper; call it after the shell has loaded its
// hook, so the hook keeps calling the same path.
func (b *Bed) WrapEich(t testing.TB) *Wrapper {
	t.Helper()
	w := &Wrapper{Log: filepath.Join(b.Root, "eich-starts.log")}
	b.wrapEich(t, func(real string) string {
		return fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\nexec '%s' \"$@\"\n", w.Log, real)
	})
	return w
}

// wrapEich moves the bed's eich aside to eich.real and puts in its place,
// atomically, the script that script(real) returns.
func (b *Bed) wrapEich(t testing.TB, script func(real string) string) {
	t.Helper()
	real := b.Eich + ".real"
	if err := os.Rename(b.Eich, real); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
	tmp := b.Eich + ".tmp"
	if err := os.WriteFile(tmp, []byte(script(real)), 0o755); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
	if err := os.Rename(tmp, b.Eich); err != nil {
		t.Fatalf("wrap eich: %v", err)
	}
}

// Starts returns the argument lists of the eich processes started so far.
func (w *Wrapper) Starts(t testing.TB) []string {
	t.Helper()
	return ReadLines(t, w.Log)
}

// StartsDuring runs f and returns the argument lists of the eich
// processes started while it ran.
func (w *Wrapper) StartsDuring(t testing.TB, f func()) []string {
	t.Helper()
	before := len(w.Starts(t))
	f()
	return w.Starts(t)[before:]
}

// ReadLines returns a log file's lines; none when it does not exist yet.
func ReadLines(t testing.TB, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimRight(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// RunLog replaces the bed's eich, like Wrapper, by a script that logs both
// the start and the end of each run (with the wrapper's pid and the time),
// so a test can check that every eich it caused also ended, and how long
// each took. The wrapper runs eich as its child instead of exec'ing it.
type RunLog struct {
	Log string
}

// EichRun is one eich run as the RunLog saw it.
type EichRun struct {
	PID    int
	Args   string
	Start  time.Time
	End    time.Time // zero while it runs
	Status int       // valid once ended
}

// Ended reports whether the run has ended.
func (r EichRun) Ended() bool { return !r.End.IsZero() }

// WrapEichRuns installs the logging wrapper (bash, for $EPOCHREALTIME
// without a fork); call it after the shells have loaded their hooks.
func (b *Bed) WrapEichRuns(t testing.TB) *RunLog {
	t.Helper()
	l := &RunLog{Log: filepath.Join(b.Root, "eich-runs.log")}
	bash := Tool(t, "bash")
	b.wrapEich(t, func(real string) string {
		return fmt.Sprintf(`#!%s
printf 'start %%s %%s %%s\n' "$$" "$EPOCHREALTIME" "$*" >> '%s'
'%s' "$@"
s=$?
printf 'end %%s %%s %%s\n' "$$" "$EPOCHREALTIME" "$s" >> '%s'
exit "$s"
`, bash, l.Log, real, l.Log)
	})
	return l
}

// Runs returns the runs logged so far, in order of their starts.
func (l *RunLog) Runs(t testing.TB) []EichRun {
	t.Helper()
	var runs []EichRun
	open := map[int]int{} // pid → index of its running run
	for _, line := range ReadLines(t, l.Log) {
		if line == "" {
			continue
		}
		f := strings.SplitN(line, " ", 4)
		if len(f) < 3 {
			t.Fatalf("run log line %q", line)
		}
		pid, err1 := strconv.Atoi(f[1])
		at, err2 := parseEpoch(f[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("run log line %q: %v %v", line, err1, err2)
		}
		rest := ""
		if len(f) == 4 {
			rest = f[3]
		}
		switch f[0] {
		case "start":
			open[pid] = len(runs)
			runs = append(runs, EichRun{PID: pid, Args: rest, Start: at})
		case "end":
			i, ok := open[pid]
			if !ok {
				t.Fatalf("run log: end without start: %q", line)
			}
			delete(open, pid)
			runs[i].End = at
			var err error
			if runs[i].Status, err = strconv.Atoi(rest); err != nil {
				t.Fatalf("run log line %q: %v", line, err)
			}
		default:
			t.Fatalf("run log line %q", line)
		}
	}
	return runs
}

// parseEpoch reads bash's $EPOCHREALTIME ("1700000000.123456"; the
// decimal point follows the locale, so a comma is accepted too).
func parseEpoch(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	ns := int64(0)
	if frac != "" {
		frac = (frac + "000000000")[:9]
		if ns, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, err
		}
	}
	return time.Unix(n, ns), nil
}
