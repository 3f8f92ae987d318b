#!/bin/sh
# Runs GoReleaser at the one version eich pins, with the arguments given:
#
#   scripts/goreleaser.sh release --snapshot --clean   # dist/ as CI builds it
#   EICH_SIGNING_KEY=~/.ssh/eich-release scripts/goreleaser.sh release --clean
#
# `go run pkg@version` builds it from the Go module proxy (checked against
# sum.golang.org) and keeps the binary in the Go build cache, so only the
# first run compiles it. Pinned here rather than as a `tool` in go.mod, so
# that eich's go.mod and go.sum list only what eich itself uses.
#
# A release carries checksums.txt.sig, the signature that
# `ssh-keygen -Y sign -n file` makes over checksums.txt with the key file
# EICH_SIGNING_KEY names (a private key, or its .pub with the private key
# in ssh-agent); install.sh checks it with the public key it pins
# (scripts/verify-release.sh). Without EICH_SIGNING_KEY a snapshot is
# built unsigned, and a release is refused.
set -eu
GORELEASER_VERSION=v2.15.1
cd "$(dirname "$0")/.."
if [ -z "${EICH_SIGNING_KEY-}" ]; then
	case " $* " in
	*" --snapshot "*) set -- "$@" --skip=sign ;;
	*" release "*)
		echo "goreleaser.sh: a release is signed: set EICH_SIGNING_KEY to the signing key's file" >&2
		exit 2
		;;
	esac
fi
exec go run "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" "$@"
