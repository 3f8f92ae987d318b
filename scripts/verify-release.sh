#!/bin/sh
# eich_verify_release FILE SIGNATURE PUBLIC_KEY
#
# Checks that SIGNATURE is the release key's signature over FILE (a
# release's checksums.txt and checksums.txt.sig), made with
#
#   ssh-keygen -Y sign -n file -f KEY checksums.txt
#
# as .goreleaser.yaml's signs section does. PUBLIC_KEY is the key's line
# as in a .pub file ("ssh-ed25519 AAAA… comment"), which the caller pins.
# Needs ssh-keygen from OpenSSH 8.1 or later, which every supported macOS
# and Linux has.
#
# Returns 0 when the signature is good, 1 when it is not (a wrong key, a
# changed file, a broken signature), 2 when it cannot be checked here (no
# ssh-keygen, one too old, no temp file); says why on stderr.
#
# Source it, then call the function (install.sh carries a copy):
#
#   . scripts/verify-release.sh
#   eich_verify_release checksums.txt checksums.txt.sig "$EICH_RELEASE_KEY"
#
# Run as a script it does the same with its three arguments.
eich_verify_release() {
	if [ "$#" -ne 3 ] || [ -z "$3" ]; then
		echo "eich_verify_release: want FILE SIGNATURE PUBLIC_KEY" >&2
		return 2
	fi
	if ! command -v ssh-keygen >/dev/null 2>&1; then
		echo "cannot check the release signature: no ssh-keygen (OpenSSH 8.1 or later)" >&2
		return 2
	fi
	if [ ! -f "$1" ] || [ ! -f "$2" ]; then
		echo "cannot check the release signature: $1 or $2 is missing" >&2
		return 1
	fi
	# The allowed-signers file names the one key that may have signed, for
	# the principal and namespace that signing used.
	_eich_allowed=$(mktemp 2>/dev/null) || {
		echo "cannot check the release signature: no temp file" >&2
		return 2
	}
	printf 'eich-release namespaces="file" %s\n' "$3" >"$_eich_allowed"
	_eich_out=$(ssh-keygen -Y verify -f "$_eich_allowed" -I eich-release -n file -s "$2" <"$1" 2>&1)
	_eich_rc=$?
	rm -f "$_eich_allowed"
	case $_eich_rc in
	0) return 0 ;;
	esac
	# ssh-keygen before 8.1 has no -Y and says so in its usage text.
	case $_eich_out in
	*"unknown option"* | *"illegal option"* | *usage:*)
		echo "cannot check the release signature: this ssh-keygen is older than OpenSSH 8.1" >&2
		return 2
		;;
	esac
	echo "the release signature over $1 is not the eich release key's: $_eich_out" >&2
	return 1
}

case ${0##*/} in
verify-release.sh) eich_verify_release "$@" ;;
esac
