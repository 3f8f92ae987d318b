package state

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/eich-dev/eich/hooks/keyclass"
)

const (
	protectName  = "protected"
	refusingName = "agents-refusing-removal"
)

// Protected reads the protect list: one fingerprint a line, # comments.
func (d *Dir) Protected() ([]string, error) {
	data, err := d.readPrivate(protectName)
	if err != nil {
		return nil, err
	}
	return ParseFingerprintList(data, d.file(protectName))
}

// ParseFingerprintList reads one fingerprint a line; blank lines and
// lines starting with # are skipped; anything else is an error.
func ParseFingerprintList(data []byte, name string) ([]string, error) {
	var fps []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !keyclass.ValidFingerprint(line) {
			return nil, fmt.Errorf("%s:%d: not a SHA256 fingerprint: %.60q", name, i+1, line)
		}
		fps = append(fps, line)
	}
	return fps, nil
}

// SetProtected replaces the protect list. Hold the lock.
func (d *Dir) SetProtected(fps []string) error {
	sort.Strings(fps)
	var b bytes.Buffer
	b.WriteString("# eich protect list: these keys are never removed\n")
	prev := ""
	for _, fp := range fps {
		if fp != prev {
			b.WriteString(fp + "\n")
		}
		prev = fp
	}
	return d.writeAtomic(protectName, b.Bytes())
}

// RefusingNoted records that the agent at socket refused (or faked) a
// removal, and reports whether it had been recorded before, so that the
// user is told once.
func (d *Dir) RefusingNoted(socket string) (seenBefore bool, err error) {
	data, err := d.readPrivate(refusingName)
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if line == strconv.Quote(socket) {
			return true, nil
		}
	}
	data = append(data, strconv.Quote(socket)+"\n"...)
	return false, d.writeAtomic(refusingName, data)
}
