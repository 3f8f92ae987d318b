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

fuzztime=${EICH_FUZZTIME:-10s}

# step starts a step: it says how long the step before it took (a figure
# for the reader, not a check), then names the new one, if any.
step() {
	[ -z "${step_name-}" ] || echo "   ($step_name: $((SECONDS - step_at)) s)"
	step_name=$1 step_at=$SECONDS
	[ -z "$1" ] || echo "== $1"
}

# The release snapshot, the install tests and the packaging tests run in
# the background, beside every step below: on a fresh machine the
# snapshot spends minutes compiling GoReleaser (pinned in
# scripts/goreleaser.sh; `go run` keeps it in the Go build cache), and
# nothing else waits for it but those tests, which read its dist/
# (EICH_RELEASE_DIST; packaging also builds two snapshots of its own). Its output is printed at the end. With job
# control on, the job is a process group of its own, stopped as a whole
# if this script ends first.
release_log=$(mktemp "${TMPDIR:-/tmp}/eich-release.XXXXXX")
set -m
(
	step "release snapshot (GoReleaser, .goreleaser.yaml)"
	# Every release artifact into dist/, nothing published.
	scripts/goreleaser.sh release --snapshot --clean
	step "install and packaging tests, on that snapshot"
	# packaging builds two more snapshots of its own (reproducible bytes),
	# with the GoReleaser the first one compiled.
	EICH_RELEASE_DIST="$PWD/dist" go test -count=1 -timeout 60m ./internal/installtest/ ./packaging/
	step ""
) >"$release_log" 2>&1 &
release_pid=$!
set +m
trap 'kill -- "-$release_pid" 2>/dev/null || true; rm -f "$release_log"' EXIT

step "gofmt, go vet"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed:" "$unformatted" >&2
	exit 1
fi
go vet ./...

step "go.mod's go line: the lowest the modules eich builds with allow"
# x/crypto, x/sys and x/term say go 1.26.0: no lower line builds, and a
# higher one would turn away toolchains that do (a patch release adds no
# API, and the compiler holds eich's own code to go.mod's language version).
need=$(go list -m -f '{{if not .Main}}{{.GoVersion}}{{end}}' all | sort -V | tail -n 1)
have=$(go list -m -f '{{.GoVersion}}')
if [ "$have" != "$need" ]; then
	echo "go.mod says go $have; the modules eich builds with need go $need: make it that" >&2
	exit 1
fi

step "build for macOS"
# Every package, as `GOOS=darwin go build ./...` here builds it (Intel);
# the release snapshot builds the binary for Apple silicon beside it.
GOOS=darwin GOARCH=amd64 go build -o /dev/null ./...

step "fuzz ($fuzztime each)"
# A target that is not there would pass quietly ("no fuzz tests to fuzz"):
# each is looked up first.
fuzz() {
	go test -list "^$2\$" "$1" | grep -x "$2" >/dev/null || { echo "no fuzz target $2 in $1" >&2; exit 1; }
	go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" "$1"
}
fuzz ./hooks/cmdline FuzzIsEIC
fuzz ./hooks/state FuzzDecodeLedger
fuzz ./hooks/settings FuzzParse
fuzz ./hooks/safetext FuzzLine
fuzz ./hooks/safetext FuzzJSON
fuzz ./internal/output FuzzPrintedText
fuzz ./hooks FuzzDoctorHost
fuzz ./hooks/proc FuzzParseProcArgs2
fuzz ./hooks/sshargs FuzzParse
fuzz ./hooks/sshargs FuzzComment

step "benchmarks, once each (not timed)"
go test -run '^$' -bench . -benchtime 1x ./...

step "tests (but the install and packaging tests, which run with the snapshot)"
# shellcheck disable=SC2046 # one word a package path
go test -count=1 -timeout 60m $(go list ./... | grep -v -e '/internal/installtest$' -e '/packaging$')

step "waiting for the release snapshot and the install and packaging tests"
release_status=0
wait "$release_pid" || release_status=$?
step ""
cat "$release_log"
if [ "$release_status" -ne 0 ]; then
	echo "release snapshot, install or packaging tests failed (exit $release_status)" >&2
	exit "$release_status"
fi
