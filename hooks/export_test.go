package hooks

// Internal functions under test in package hooks_test.
var (
	CheckHost   = checkHost
	HostPattern = hostPattern
)
