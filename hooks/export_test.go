package hooks

// Internal functions under test in package hooks_test.
var (
	CheckHost   = checkHost
	HostPattern = hostPattern
)

// KeyFindings is what doctor says about keys.
func KeyFindings(s *Settings, keys []Key) []Finding {
	r := &DoctorReport{}
	r.keyFindings(s, keys)
	return r.Findings
}
