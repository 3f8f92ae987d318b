#!/usr/bin/env bash
# Runs every check and test of eich: formatting, vet, the macOS build,
# all Go tests (unit, real ssh-agent, real sshd + zsh/bash/fish end to
# end), a bounded run of each fuzz target, and each benchmark once.
#
# Needs: Go, OpenSSH client and server, zsh, fish, tmux, shellcheck
# (on Debian: apt-get install openssh-server openssh-client zsh fish tmux and
# the linter shellcheck). Tests that need one of these fail, never skip, without it.
#
# EICH_THIRD_PARTY names the folder of real bash builds and shell
# frameworks (../shared/third_party in CI, which sets it): the hooks are
# then also tested inside each of them. Without it those tests do not run,
# and this script says so.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${EICH_THIRD_PARTY-}" ]; then
	if [ ! -d "$EICH_THIRD_PARTY" ]; then
		echo "EICH_THIRD_PARTY=$EICH_THIRD_PARTY: no such folder" >&2
		exit 1
	fi
	echo "== real shells and frameworks: from $EICH_THIRD_PARTY"
else
	echo "== real shells and frameworks: NOT RUN (set EICH_THIRD_PARTY to the third_party folder to run them)"
fi

fuzztime=${EICH_FUZZTIME:-15s}

echo "== gofmt, go vet"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed:" "$unformatted" >&2
	exit 1
fi
go vet ./...

echo "== build for macOS"
GOOS=darwin GOARCH=arm64 go build -o /dev/null ./...
GOOS=darwin GOARCH=amd64 go build -o /dev/null ./...

echo "== release snapshot (GoReleaser, .goreleaser.yaml)"
# Every release artifact into dist/, nothing published. The first run
# compiles GoReleaser (pinned in scripts/goreleaser.sh) into the Go build
# cache; the install tests below build their own snapshot from it.
scripts/goreleaser.sh release --snapshot --clean

echo "== fuzz ($fuzztime each)"
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"; }
fuzz ./hooks/cmdline FuzzIsEIC
fuzz ./hooks/state FuzzDecodeLedger
fuzz ./hooks/config FuzzParse
fuzz ./hooks/safetext FuzzLine
fuzz ./hooks/safetext FuzzJSON
fuzz ./hooks FuzzPrintedText
fuzz ./hooks FuzzDoctorHost

echo "== benchmarks, once each (not timed)"
go test -run '^$' -bench . -benchtime 1x ./...

echo "== tests"
go test -count=1 -timeout 60m ./...
