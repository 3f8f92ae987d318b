#!/bin/sh
# Runs GoReleaser at the one version eich pins, with the arguments given:
#
#   scripts/goreleaser.sh release --snapshot --clean   # dist/ as CI builds it
#
# `go run pkg@version` builds it from the Go module proxy (checked against
# sum.golang.org) and keeps the binary in the Go build cache, so only the
# first run compiles it. Pinned here rather than as a `tool` in go.mod, so
# that eich's go.mod and go.sum list only what eich itself uses.
set -eu
GORELEASER_VERSION=v2.15.1
cd "$(dirname "$0")/.."
exec go run "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" "$@"
