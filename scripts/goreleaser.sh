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
# in ssh-agent); install.sh checks it with the public key it pins, at
# install and by hand (`install.sh --verify-release`). Without
# EICH_SIGNING_KEY a snapshot is built unsigned, and a release is
# refused; so is a release signed with a key other than the one
# install.sh pins (RELEASE_KEY), which every install would then refuse.
# (A snapshot may be signed with any key: the tests sign theirs with a
# throw-away one.)
set -eu
GORELEASER_VERSION=v2.15.1
cd "$(dirname "$0")/.."
release=0
case " $* " in
*" --snapshot "*) ;;
*" release "*) release=1 ;;
esac
if [ -z "${EICH_SIGNING_KEY-}" ]; then
	if [ "$release" = 1 ]; then
		echo "goreleaser.sh: a release is signed: set EICH_SIGNING_KEY to the signing key's file" >&2
		exit 2
	fi
	case " $* " in
	*" --snapshot "*) set -- "$@" --skip=sign ;;
	esac
elif [ "$release" = 1 ]; then
	# The key's type and base64 blob, from the .pub file or the private key.
	case $EICH_SIGNING_KEY in
	*.pub) signing=$(cut -d ' ' -f 1,2 <"$EICH_SIGNING_KEY") ;;
	*) signing=$(ssh-keygen -y -f "$EICH_SIGNING_KEY" | cut -d ' ' -f 1,2) ;;
	esac
	pinned=$(sed -n "s/^RELEASE_KEY='\([^ ]* [^ ]*\) .*/\1/p" install.sh)
	if [ -z "$pinned" ] || [ "$signing" != "$pinned" ]; then
		echo "goreleaser.sh: $EICH_SIGNING_KEY is not the release key install.sh pins (RELEASE_KEY: $pinned); installs would refuse this release" >&2
		exit 2
	fi
fi
exec go run "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" "$@"
