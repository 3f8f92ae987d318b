package shells

import (
	"os"
	"os/exec"
	"path/filepath"
)

// BinaryPath is the eich the hook should run: the one found on PATH when
// it is this very executable (so an upgrade in place keeps working), else
// this executable's own resolved path.
func BinaryPath() string {
	self, err := os.Executable()
	if err == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
	}
	onPath, err := exec.LookPath("eich")
	if err != nil {
		return self
	}
	a, errA := os.Stat(onPath)
	b, errB := os.Stat(self)
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		return self
	}
	if abs, err := filepath.Abs(onPath); err == nil {
		return abs
	}
	return self
}
