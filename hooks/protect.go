package hooks

import (
	"errors"
	"fmt"

	"github.com/eich-dev/eich/hooks/keyclass"
	"github.com/eich-dev/eich/hooks/state"
)

// Protect adds fingerprints to the protect list, or with remove set takes
// them off. It returns the list as it is afterwards.
func Protect(s *Settings, fps []string, remove bool) ([]string, error) {
	for _, fp := range fps {
		if !keyclass.ValidFingerprint(fp) {
			return nil, fmt.Errorf("%.60q is not a SHA256 fingerprint (as `ssh-add -l` or `eich list` print it: SHA256: and 43 characters)", fp)
		}
	}
	ss := openSession(s, writeState, false)
	defer ss.close()
	if ss.lock == nil || errors.Is(ss.noRemove, state.ErrUntrusted) {
		return nil, ss.noRemove
	}
	list, err := ss.dir.Protected()
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, fp := range list {
		set[fp] = true
	}
	for _, fp := range fps {
		set[fp] = !remove
	}
	var out []string
	for fp, on := range set {
		if on {
			out = append(out, fp)
		}
	}
	if err := ss.dir.SetProtected(out); err != nil {
		return nil, err
	}
	return ss.dir.Protected()
}
