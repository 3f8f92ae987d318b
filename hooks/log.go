package hooks

import "github.com/eich-dev/eich/hooks/state"

// Log returns every removal eich logged, oldest first, with its outcome,
// and how many log lines could not be read; nothing before eich has
// written any state. What the log's reader has to say about the files
// themselves (older text of an oversized file skipped, one file it could
// not read while it read the other) goes to stderr, one line each.
func Log(s *Settings) ([]state.Removal, int, error) {
	ss := openSession(s, readNoLedger, false)
	defer ss.close()
	if ss.dir == nil {
		return nil, 0, ss.noRemove
	}
	rs, bad, notes, err := ss.dir.ReadLog()
	for _, n := range notes {
		say(s, n)
	}
	return rs, bad, err
}
