// Command eich keeps `aws ec2-instance-connect ssh` working: before an EC2
// Instance Connect login it removes the stale throw-away keys that would
// otherwise fill ssh-agent and end the login with "Too many authentication
// failures", and never the user's own keys.
//
// This file only stamps the version; the command line is package
// internal/command, the work is in package hooks and the shell scripts in
// package shells.
package main

import (
	"runtime/debug"
	"strings"

	"github.com/eich-dev/eich/internal/command"
)

// Set by the release build: -ldflags "-X main.version=… -X main.commit=…".
var (
	version = "dev"
	commit  = "none"
)

func main() {
	if version == "dev" {
		version = moduleVersion()
	}
	command.Main(version, commit)
}

// moduleVersion is the version `go install github.com/eich-dev/eich@v0.1.0`
// records in the binary ("0.1.0"), or "dev" for a build from a checkout.
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "dev"
	}
	return strings.TrimPrefix(info.Main.Version, "v")
}
