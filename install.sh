#!/bin/sh
# install.sh: install (or --uninstall) eich, its shell hook, its shell
# completions and its man page.
#
#   curl -fsSL https://github.com/eich-dev/eich/releases/latest/download/install.sh | sh
#   ./install.sh                       # from a checkout: builds with your Go
#
# From a checkout of eich (its go.mod next to this script) or with
# --from-source it builds with the local Go toolchain. Otherwise it
# downloads eich_<version>_<os>_<arch>.tar.gz and checksums.txt from the
# release (or --base-url) and checks the archive's SHA-256 before it
# installs anything. Where ssh-keygen can (OpenSSH 8.1 or later), it first
# checks checksums.txt.sig, the signature over checksums.txt, against the
# release key pinned below (RELEASE_KEY). The completions and the man page come from the
# archive, or from the checkout (internal/command/eichdocs), and go where
# this user's shells and man look. Only this script's functions are
# defined at the top level; the one call is on the last line, so a cut-off
# download runs nothing. Run it with -h for the options.
#
#   sh install.sh --verify-release checksums.txt checksums.txt.sig
#
# checks a release's signature by hand against RELEASE_KEY and installs
# nothing: exit 0 when it is the release key's, 1 when it is not, 2 when
# it cannot be checked here.

usage() {
	cat <<'EOF'
Usage: install.sh [options]
       install.sh --verify-release CHECKSUMS SIGNATURE

Installs eich into a bin directory, its completions for zsh, bash and fish
and its man page under ~/.local/share and ~/.config, and, if you agree,
adds the one line that loads its hook to your shell's rc file.

Options:
  --bin-dir DIR      where to put the eich binary (default ~/.local/bin)
  --version V        install release V (e.g. 0.1.0); default: the latest
  --base-url URL     download from URL/eich_<V>_<os>_<arch>.tar.gz,
                     URL/checksums.txt and URL/checksums.txt.sig (env
                     EICH_INSTALL_BASE_URL, the same; file:// works)
  --from-source      build with the local Go toolchain (automatic in a
                     checkout unless --version or a base URL is given)
  --shell SHELL      zsh, bash or fish (default: from $SHELL)
  --modify-rc        change rc files without asking
  --no-modify-rc     never touch an rc file; print the lines instead
  -y, --yes          answer yes to every question, rc files included
                     (--no-modify-rc still keeps them untouched)
  --sudo             use sudo if the bin directory is not writable
  --uninstall        remove the binary, the completions, the man page and
                     the rc lines this script added; lines that load eich
                     added by hand go too with a yes, else they are listed
  --verify-release CHECKSUMS SIGNATURE
                     install nothing; check that SIGNATURE (a release's
                     checksums.txt.sig) is the eich release key's
                     signature over CHECKSUMS (its checksums.txt). Exit 0:
                     it is; 1: it is not; 2: it cannot be checked here
                     (no ssh-keygen from OpenSSH 8.1 or later). Comes
                     first, with no other option
  -h, --help         show this help

Without a terminal on stdin (curl ... | sh) nothing is asked and no rc
file changes unless --yes or --modify-rc is given.

A download is checked twice: checksums.txt must carry the eich release
key's signature (checksums.txt.sig; checked with ssh-keygen from OpenSSH
8.1 or later, else skipped with a warning), and the archive must have the
SHA-256 that checksums.txt gives it. A release from --base-url without a
signature is installed with a warning; a bad signature never.
EOF
}

# Messages: what was done goes to stdout, problems to stderr.
say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() {
	printf 'install.sh: error: %s\n' "$*" >&2
	exit 1
}

# MARKER ends every line this script adds, so a re-run and --uninstall find it.
MARKER='# added by eich install.sh'

# RELEASE_KEY is the public half of the key that signs each release's
# checksums.txt (checksums.txt.sig: `ssh-keygen -Y sign -n file`, see
# .goreleaser.yaml). scripts/goreleaser.sh signs a release with no other
# key. Pinned here, so that a changed archive with a checksums.txt made
# to match it is refused.
RELEASE_KEY='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIa9t6cXz49y7ZmHvmeKtj/SBIQEfTO0GaiqVk5lDv1z eich release'

# MODULE is eich's Go module path (go.mod's module line), which is also
# its GitHub repository: releases are at https://$MODULE/releases.
MODULE=github.com/eich-dev/eich

# ask QUESTION: true with --yes, or if the user answers yes on the
# terminal; false without a terminal on stdin (tty_in, read at the start,
# since loops here read files on stdin).
ask() {
	[ "$opt_yes" = 1 ] && return 0
	[ "$tty_in" = 1 ] || return 1
	{ [ -r /dev/tty ] && [ -w /dev/tty ]; } || return 1
	printf '%s [y/N] ' "$1" >/dev/tty
	read -r answer </dev/tty || return 1
	case $answer in
	[yY] | [yY][eE][sS]) return 0 ;;
	esac
	return 1
}

# rc_ok QUESTION: whether to change an rc file: --modify-rc says yes,
# --no-modify-rc no, else ask.
rc_ok() {
	case $opt_rc in
	yes) return 0 ;;
	no) return 1 ;;
	esac
	ask "$1"
}

# get URL FILE: download with curl or wget (file:// also without them);
# false when that failed.
get() {
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1 && [ "${1#file://}" = "$1" ]; then
		wget -q -O "$2" "$1"
	elif [ "${1#file://}" != "$1" ]; then
		cp "${1#file://}" "$2"
	else
		die "need curl or wget to download $1"
	fi
}

# fetch URL FILE: get, or stop.
fetch() {
	get "$1" "$2" || die "could not download $1"
}

# eich_verify_release FILE SIGNATURE PUBLIC_KEY
#
# Checks that SIGNATURE is the release key's signature over FILE (a
# release's checksums.txt and checksums.txt.sig), made with
#
#   ssh-keygen -Y sign -n file -f KEY checksums.txt
#
# as .goreleaser.yaml's signs section does. PUBLIC_KEY is the key's line
# as in a .pub file ("ssh-ed25519 AAAA… comment"): RELEASE_KEY, for the
# install and for --verify-release. Needs ssh-keygen from OpenSSH 8.1 or
# later, which every supported macOS and Linux has.
#
# Returns 0 when the signature is good, 1 when it is not (a wrong key, a
# changed file, a broken signature), 2 when it cannot be checked here (no
# ssh-keygen, one too old, no temp file); says why on stderr.
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

# check_signature BASE: check BASE/checksums.txt.sig against RELEASE_KEY.
# A bad signature stops the install. Without one, a release from GitHub
# stops too (every release is signed); one from --base-url goes on to the
# SHA-256 check alone, with a warning, as it does where ssh-keygen cannot
# check.
check_signature() {
	if ! get "$1/checksums.txt.sig" "$tmp/checksums.txt.sig" 2>/dev/null; then
		[ -n "$opt_base_url" ] ||
			die "could not download $1/checksums.txt.sig, the release's signature; nothing was installed"
		warn "$1 has no checksums.txt.sig: the release is not signed; checking the archive's SHA-256 only"
		return 0
	fi
	sig_status=0
	eich_verify_release "$tmp/checksums.txt" "$tmp/checksums.txt.sig" "$RELEASE_KEY" 2>"$tmp/sig.err" ||
		sig_status=$?
	case $sig_status in
	0) say "verified checksums.txt (signed by the eich release key)" ;;
	2) warn "$(cat "$tmp/sig.err"); checking the archive's SHA-256 only" ;;
	*)
		cat "$tmp/sig.err" >&2
		die "checksums.txt.sig is not the eich release key's signature over checksums.txt: the release was changed or is not eich's; nothing was installed"
		;;
	esac
}

# sha256 FILE: print the file's SHA-256 in hex.
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d ' ' -f 1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d ' ' -f 1
	elif command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
	else
		die "need sha256sum, shasum or openssl to check the download"
	fi
}

detect_platform() {
	case $(uname -s) in
	Linux) os=linux ;;
	Darwin) os=darwin ;;
	*) die "no release for $(uname -s); build from source with --from-source" ;;
	esac
	case $(uname -m) in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) die "no release for $(uname -m); build from source with --from-source" ;;
	esac
	# An arm64 Mac running this shell under Rosetta still wants arm64.
	if [ "$os/$arch" = darwin/amd64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
		arch=arm64
	fi
}

# build_from_source OUT: go build (checkout) or go install (anywhere).
build_from_source() {
	command -v go >/dev/null 2>&1 ||
		die "building from source needs Go (https://go.dev/dl/); or install a release: --version V"
	if [ -n "$checkout" ]; then
		version=dev commit=none
		if git -C "$checkout" rev-parse --git-dir >/dev/null 2>&1; then
			# The nearest tag (v0.1.0-3-gabc1234); without one, "dev", which
			# eich shows as the pseudo-version Go stamps for the commit.
			version=$(git -C "$checkout" describe --tags --dirty 2>/dev/null) || version=dev
			version=${version#v}
			commit=$(git -C "$checkout" rev-parse --short HEAD 2>/dev/null) || commit=none
		fi
		say "building eich $version from $checkout with $(go version | cut -d ' ' -f 3)"
		(cd "$checkout" && CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_template \
			-ldflags "-X main.version=$version -X main.commit=$commit" -o "$1" .) ||
			die "go build failed in $checkout"
		# The man page and completions, as the release build makes them.
		(cd "$checkout" && go run ./internal/command/eichdocs -out "$docs" -version "$version") ||
			warn "could not make the man page and completions (go run ./internal/command/eichdocs)"
		source_note="built from $checkout"
	else
		version=${opt_version:-latest} commit=none
		say "building eich $version with go install"
		mkdir -p "$tmp/gobin"
		(cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp/gobin" go install -trimpath -tags urfave_cli_no_template \
			-ldflags "-X main.version=${opt_version:-dev} -X main.commit=none" \
			"$MODULE@$(tag_of "$version")") || die "go install failed"
		mv "$tmp/gobin/eich" "$1" || die "go install left no binary"
		# The completions come from the binary itself; the man page needs
		# a checkout or a release.
		if ! { mkdir -p "$docs/completions" &&
			"$1" completion zsh >"$docs/completions/_eich" &&
			"$1" completion bash >"$docs/completions/eich.bash" &&
			"$1" completion fish >"$docs/completions/eich.fish"; }; then
			warn "could not write the completions ('eich completion SHELL')"
		fi
		say "no man page with go install: 'eich --help' and 'eich COMMAND --help' have its text"
		source_note="built with go install"
	fi
}

# tag_of VERSION: the git tag or module query for a version.
tag_of() {
	case $1 in
	latest | v*) printf '%s' "$1" ;;
	*) printf 'v%s' "$1" ;;
	esac
}

# download_release OUT: fetch, verify and unpack the release archive.
download_release() {
	detect_platform
	base=$opt_base_url
	if [ -z "$base" ]; then
		if [ -n "$opt_version" ]; then
			base="https://$MODULE/releases/download/$(tag_of "$opt_version")"
		else
			base="https://$MODULE/releases/latest/download"
		fi
	fi
	base=${base%/}
	fetch "$base/checksums.txt" "$tmp/checksums.txt"
	check_signature "$base"
	if [ -n "$opt_version" ]; then
		archive="eich_${opt_version#v}_${os}_${arch}.tar.gz"
	else
		# The latest release: its checksum file names the archive.
		archive=$(awk -v s="_${os}_${arch}.tar.gz" '
			{ f = $2; sub(/^\*/, "", f) }
			f ~ /^eich_/ && substr(f, length(f) - length(s) + 1) == s { print f }' "$tmp/checksums.txt")
		case $archive in
		"") die "$base/checksums.txt lists no eich archive for $os/$arch" ;;
		*"
"*) die "$base/checksums.txt lists several eich archives for $os/$arch; pick one with --version" ;;
		esac
	fi
	version=${archive#eich_}
	version=${version%_"${os}"_"${arch}".tar.gz}
	want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/checksums.txt")
	[ -n "$want" ] || die "$base/checksums.txt has no entry for $archive"
	fetch "$base/$archive" "$tmp/$archive"
	got=$(sha256 "$tmp/$archive")
	[ "$got" = "$want" ] ||
		die "checksum mismatch for $archive (expected $want, got $got): the download is corrupt or was tampered with; nothing was installed"
	say "verified $archive (sha256 $got)"
	# The whole archive: eich, completions/ and man/eich.1 beside the docs.
	tar -xzf "$tmp/$archive" -C "$docs" || die "could not unpack $archive"
	[ -f "$docs/eich" ] || die "$archive holds no eich"
	mv "$docs/eich" "$1"
	source_note="from $base/$archive"
}

# prepare_bin_dir: make sure bin_dir exists and is writable, or set SUDO.
prepare_bin_dir() {
	SUDO=
	probe=$bin_dir
	while [ ! -d "$probe" ]; do probe=$(dirname "$probe"); done
	if [ -w "$probe" ] && { [ ! -d "$bin_dir" ] || [ -w "$bin_dir" ]; }; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
		if [ "$opt_sudo" = 1 ] || ask "$bin_dir is not writable by you. Use sudo to install there?"; then
			SUDO=sudo
			return 0
		fi
	fi
	die "$bin_dir is not writable; choose another --bin-dir (default ~/.local/bin) or pass --sudo"
}

# rc_file SHELL: the rc file that shell reads at start.
rc_file() {
	case $1 in
	zsh) printf '%s/.zshrc' "${ZDOTDIR:-$HOME}" ;;
	bash) printf '%s/.bashrc' "$HOME" ;;
	fish) printf '%s/fish/config.fish' "$config_home" ;;
	esac
}

# rc_files: every rc file where a line may load eich, one a line, for
# --uninstall (and ~/.zshenv, where this script puts zsh's fpath line).
rc_files() {
	printf '%s\n' "${ZDOTDIR:-$HOME}/.zshrc" "$HOME/.zshrc" \
		"${ZDOTDIR:-$HOME}/.zshenv" "$HOME/.zshenv" \
		"$HOME/.bashrc" "$HOME/.bash_profile" \
		"$config_home/fish/config.fish" "$HOME/.config/fish/config.fish" |
		awk '!seen[$0]++'
}

# init_line SHELL: the line that loads the hook. By name when the bin dir
# is on PATH, else by absolute path. fish's is inside `if status
# is-interactive` because fish reads config.fish for `fish -c` too, which
# ssh's Match exec runs.
init_line() {
	exe=eich
	if ! on_path "$bin_dir"; then
		exe="'$bin_dir/eich'"
	fi
	# shellcheck disable=SC2016 # the rc file expands $(…), not this script
	case $1 in
	zsh | bash) printf 'eval "$(%s init %s)"' "$exe" "$1" ;;
	fish) printf 'if status is-interactive; %s init fish | source; end' "$exe" ;;
	esac
}

on_path() {
	case ":$PATH:" in
	*":$1:"* | *":$1/:"*) return 0 ;;
	esac
	return 1
}

# eich_lines FILE [WHAT]: the lines of FILE that this script added
# (N:ours:TEXT) and the other lines that run `eich init` or `eich
# completion` (N:hand:TEXT; WHAT: a narrower choice), comments aside.
eich_lines() {
	[ -f "$1" ] || return 0
	awk -v m="$MARKER" -v q="'" -v what="${2:-init|completion}" '
		index($0, m) { print NR ":ours:" $0; next }
		/^[[:space:]]*#/ { next }
		$0 ~ ("eich[" q "\"]?[[:space:]]+(" what ")([[:space:]]|$)") { print NR ":hand:" $0 }' "$1"
}

# delete_lines FILE " N1 N2 … ": rewrite FILE in place (a link stays a
# link, the mode stays) without those lines.
delete_lines() {
	awk -v del="$2" 'index(del, " " NR " ") == 0' "$1" >"$tmp/rc" || die "could not read $1"
	cat "$tmp/rc" >"$1" || die "could not rewrite $1"
}

# add_line FILE LINE: append LINE with the marker, once; an older line of
# ours in FILE that differs is replaced.
add_line() {
	marked="$2 $MARKER"
	if [ -f "$1" ] && grep -qxF "$marked" "$1"; then
		say "$1 already has it (left as is)"
		return 0
	fi
	old=$(eich_lines "$1" | awk -F: '$2 == "ours" { printf "%s ", $1 }')
	[ -z "$old" ] || delete_lines "$1" " $old"
	mkdir -p "$(dirname "$1")" || die "could not create $(dirname "$1")"
	if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then
		printf '\n' >>"$1"
	fi
	printf '%s\n' "$marked" >>"$1" || die "could not write $1"
	say "added to $1: $marked"
}

# doc_file KIND: where this user's shells find eich's completion (zsh,
# bash, fish) and man its page (man: through PATH, ~/.local/bin gives
# ~/.local/share/man).
doc_file() {
	case $1 in
	zsh) printf '%s/zsh/site-functions/_eich' "$data_home" ;;
	bash) printf '%s/bash-completion/completions/eich' "$data_home" ;;
	fish) printf '%s/fish/completions/eich.fish' "$config_home" ;;
	man) printf '%s/man/man1/eich.1' "$data_home" ;;
	esac
}

# install_docs: copy the completions (for the shells this machine has, and
# --shell's) and the man page from $docs to where doc_file says.
install_docs() {
	for kind in zsh bash fish man; do
		case $kind in
		zsh) src=$docs/completions/_eich ;;
		bash) src=$docs/completions/eich.bash ;;
		fish) src=$docs/completions/eich.fish ;;
		man) src=$docs/man/eich.1 ;;
		esac
		[ -f "$src" ] || continue
		if [ "$kind" != man ] && [ "$kind" != "$shell_name" ] && ! command -v "$kind" >/dev/null 2>&1; then
			continue
		fi
		dest=$(doc_file "$kind")
		if ! { mkdir -p "$(dirname "$dest")" && cp "$src" "$dest" && chmod 644 "$dest"; }; then
			die "could not write $dest"
		fi
		case $kind in
		man) say "installed the man page: $dest" ;;
		*) say "installed the $kind completion: $dest" ;;
		esac
	done
	man_page=$(doc_file man)
	if [ -f "$man_page" ] && command -v man >/dev/null 2>&1 &&
		[ "$(man -w eich 2>/dev/null)" != "$man_page" ]; then
		say "  'man eich' finds it once $(dirname "$data_home")/bin is on PATH, or with $data_home/man in MANPATH"
	fi
}

# zsh_fpath: zsh looks for completions only in $fpath, which holds no
# directory of the user's own by default. The line goes into ~/.zshenv,
# which every zsh reads before any compinit (Ubuntu's /etc/zsh/zshrc runs
# one before ~/.zshrc).
zsh_fpath() {
	dir=$(dirname "$(doc_file zsh)")
	[ -f "$dir/_eich" ] || return 0
	if command -v zsh >/dev/null 2>&1 &&
		zsh -c 'print -rl -- $fpath' </dev/null 2>/dev/null | grep -qxF "$dir"; then
		return 0
	fi
	zshenv=${ZDOTDIR:-$HOME}/.zshenv
	line="fpath=('$dir' \$fpath)"
	if rc_ok "Add $dir to zsh's fpath in $zshenv, so that zsh completes eich?"; then
		case $dir in *"'"*) die "cannot write a directory containing ' into $zshenv" ;; esac
		add_line "$zshenv" "$line"
	else
		say "$zshenv left alone; for eich's zsh completion add this line to it:"
		say "  $line"
	fi
}

# check_hook SHELL: run the installed binary's hook through the shell's
# own syntax check, to show it works.
check_hook() {
	"$target" init "$1" >"$tmp/hook.$1" || die "'$target init $1' failed"
	if ! command -v "$1" >/dev/null 2>&1; then
		say "  $target init $1: $(wc -l <"$tmp/hook.$1" | tr -d ' ') lines ($1 is not installed here to check them)"
		return 0
	fi
	case $1 in
	fish) fish --no-execute "$tmp/hook.$1" ;;
	*) "$1" -n "$tmp/hook.$1" ;;
	esac || die "the $1 hook from '$target init $1' does not parse"
	case $1 in
	fish) say "  $target init fish: parses cleanly (fish --no-execute)" ;;
	*) say "  $target init $1: parses cleanly ($1 -n)" ;;
	esac
}

# clean_rc: remove the lines this script added from every rc file it
# knows. A line that runs `eich init` or `eich completion` added by hand
# would fail in every new shell once the binary is gone: it goes with a yes (asked on a terminal,
# or --yes), else $tmp/left lists it as FILE:LINE to remove. It stays when
# another eich on PATH still answers it.
clean_rc() {
	: >"$tmp/left"
	rc_files >"$tmp/rcfiles"
	while IFS= read -r rc; do
		eich_lines "$rc" >"$tmp/hits"
		del=
		while IFS= read -r hit; do
			n=${hit%%:*} hit=${hit#*:}
			kind=${hit%%:*} text=${hit#*:}
			case $kind:$text in
			hand:*"$target"*) ;;
			hand:*) if [ -n "$other" ]; then
				say "left $rc:$n, which runs the eich still at $other"
				continue
			fi ;;
			esac
			if [ "$opt_rc" != no ] && { [ "$kind" = ours ] ||
				rc_ok "$rc:$n loads eich: $text
Remove this line?"; }; then
				del="$del$n "
				say "removed from $rc:$n: $text"
			else
				printf '  %s:%s: %s\n' "$rc" "$n" "$text" >>"$tmp/left"
			fi
		done <"$tmp/hits"
		[ -z "$del" ] || delete_lines "$rc" " $del"
	done <"$tmp/rcfiles"
}

do_uninstall() {
	target=$bin_dir/eich
	if [ -f "$target" ]; then
		case $("$target" --version 2>/dev/null) in
		"eich version"*) ;;
		*) die "$target is not eich; not removing it" ;;
		esac
		prepare_bin_dir
		$SUDO rm -f "$target" || die "could not remove $target"
		say "removed $target"
	else
		say "no eich in $bin_dir"
	fi
	for kind in zsh bash fish man; do
		f=$(doc_file "$kind")
		if [ -f "$f" ]; then
			rm -f "$f" || die "could not remove $f"
			say "removed $f"
		fi
	done
	other=$(command -v eich 2>/dev/null || true)
	[ "$other" != "$target" ] || other=
	clean_rc
	if [ -n "$other" ]; then
		say "another eich is still on your PATH: $other"
	fi
	say "eich's state (ledger, removal log, protect list) is in ${XDG_STATE_HOME:-$HOME/.local/state}/eich"
	say "and its config in $config_home/eich; remove them by hand if you want them gone"
	if [ -s "$tmp/left" ]; then
		warn "these lines still run eich, which every new shell will fail to find; remove them:"
		cat "$tmp/left" >&2
	fi
}

do_install() {
	tmpbin=$tmp/eich.new
	docs=$tmp/docs
	mkdir "$docs" || die "could not make $docs"
	if [ "$mode" = source ]; then
		build_from_source "$tmpbin"
	else
		download_release "$tmpbin"
	fi
	chmod 755 "$tmpbin"
	built=$("$tmpbin" --version 2>&1) || die "the new binary does not run: $built"

	prepare_bin_dir
	target=$bin_dir/eich
	$SUDO mkdir -p "$bin_dir" || die "could not create $bin_dir"
	# Copy next to the target, then rename: a running eich is never half-written.
	if ! { $SUDO cp "$tmpbin" "$bin_dir/.eich.$$" &&
		$SUDO chmod 755 "$bin_dir/.eich.$$" &&
		$SUDO mv -f "$bin_dir/.eich.$$" "$target"; }; then
		$SUDO rm -f "$bin_dir/.eich.$$"
		die "could not install into $bin_dir"
	fi
	say "installed $target ($built, $source_note)"
	install_docs

	if ! on_path "$bin_dir"; then
		warn "$bin_dir is not on your PATH; add it, e.g. in $(rc_file "${shell_name:-bash}"):"
		case $shell_name in
		fish) warn "  fish_add_path $bin_dir" ;;
		*) warn "  export PATH=\"$bin_dir:\$PATH\"" ;;
		esac
	fi

	# The rc file.
	if [ -z "$shell_name" ]; then
		say "your shell (${SHELL:-unknown}) is not zsh, bash or fish; to load the hook add one of:"
		for sh in zsh bash fish; do say "  $(rc_file "$sh"): $(init_line "$sh")"; done
	else
		rc=$(rc_file "$shell_name")
		if [ -f "$rc" ] && eich_lines "$rc" init | grep -q '^[0-9]*:hand:'; then
			say "$rc already runs 'eich init' (left as is)"
		elif rc_ok "Add the eich hook to $rc?"; then
			case $bin_dir in *"'"*) die "cannot write a bin dir containing ' into $rc" ;; esac
			add_line "$rc" "$(init_line "$shell_name")"
			say "open a new $shell_name to load it"
		else
			say "$rc left alone; to load the hook add this line to it:"
			say "  $(init_line "$shell_name")"
		fi
		[ "$shell_name" != zsh ] || zsh_fpath
		if [ "$shell_name" = bash ] && [ "$(uname -s)" = Darwin ]; then
			say "macOS: Terminal starts login shells, which read ~/.bash_profile, not ~/.bashrc;"
			say "  make sure ~/.bash_profile has: [ -f ~/.bashrc ] && . ~/.bashrc"
		fi
	fi

	# Show it working.
	say "checking the installed eich:"
	say "  $target --version: $("$target" --version 2>&1)"
	if [ -n "$shell_name" ]; then
		check_hook "$shell_name"
	fi
	status_line=$("$target" status 2>/dev/null || true)
	say "  $target status: ${status_line:-(empty: no ssh-agent reachable from here)}"
	say "next: 'eich doctor' checks your agent and ssh config; 'eich ssh-config' prints a block for ~/.ssh/config"
}

# verify_release CHECKSUMS SIGNATURE: --verify-release; exits with
# eich_verify_release's status and installs nothing.
verify_release() {
	if [ "$#" -ne 2 ]; then
		printf 'install.sh: error: --verify-release wants CHECKSUMS SIGNATURE and no other option (see -h)\n' >&2
		exit 2
	fi
	verify_status=0
	eich_verify_release "$1" "$2" "$RELEASE_KEY" || verify_status=$?
	[ "$verify_status" != 0 ] || say "$2 is the eich release key's signature over $1"
	exit "$verify_status"
}

main() {
	set -u
	if [ "${1-}" = --verify-release ]; then
		shift
		verify_release "$@"
	fi
	opt_bin_dir='' opt_version='' opt_base_url='' opt_shell=''
	opt_source=0 opt_rc=ask opt_yes=0 opt_sudo=0 opt_uninstall=0
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help)
			usage
			exit 0
			;;
		--bin-dir | --version | --base-url | --shell)
			[ $# -ge 2 ] || die "$1 needs a value (see -h)"
			opt=$1 val=$2
			shift
			;;
		--bin-dir=* | --version=* | --base-url=* | --shell=*)
			opt=${1%%=*} val=${1#*=}
			;;
		--from-source) opt_source=1 opt= ;;
		--modify-rc) opt_rc=yes opt= ;;
		--no-modify-rc) opt_rc=no opt= ;;
		-y | --yes) opt_yes=1 opt= ;;
		--sudo) opt_sudo=1 opt= ;;
		--uninstall) opt_uninstall=1 opt= ;;
		--verify-release)
			printf 'install.sh: error: --verify-release comes first, with no other option (see -h)\n' >&2
			exit 2
			;;
		*)
			printf 'install.sh: error: unknown option %s (see -h)\n' "$1" >&2
			exit 2
			;;
		esac
		case $opt in
		--bin-dir) opt_bin_dir=$val ;;
		--version) opt_version=${val#v} ;;
		--base-url) opt_base_url=$val ;;
		--shell) opt_shell=$val ;;
		esac
		shift
	done

	[ -n "${HOME:-}" ] || die "HOME is not set"
	# The variable is the option's other spelling, in a checkout too.
	opt_base_url=${opt_base_url:-${EICH_INSTALL_BASE_URL:-}}
	data_home=${XDG_DATA_HOME:-$HOME/.local/share}
	config_home=${XDG_CONFIG_HOME:-$HOME/.config}
	tty_in=0
	if [ -t 0 ]; then tty_in=1; fi
	# No group- or world-writable directories: zsh's compinit refuses
	# completions from one.
	umask 022
	bin_dir=${opt_bin_dir:-$HOME/.local/bin}
	case $bin_dir in
	# A literal ~ (e.g. --bin-dir=~/bin, which the shell does not expand).
	\~) bin_dir=$HOME ;;
	\~/*) bin_dir=$HOME/${bin_dir#\~/} ;;
	/*) ;;
	*) bin_dir=$(pwd)/$bin_dir ;;
	esac
	bin_dir=${bin_dir%/}

	shell_name=${opt_shell:-$(basename "${SHELL:-}")}
	case $shell_name in
	zsh | bash | fish) ;;
	*)
		[ -z "$opt_shell" ] || die "--shell: want zsh, bash or fish, got '$opt_shell'"
		shell_name=
		;;
	esac

	# A checkout: this script sits next to eich's go.mod.
	checkout=
	case $0 in
	*install.sh)
		dir=$(cd "$(dirname "$0")" && pwd)
		if grep -qx "module $MODULE" "$dir/go.mod" 2>/dev/null; then
			checkout=$dir
		fi
		;;
	esac
	mode=release
	if [ "$opt_source" = 1 ] ||
		{ [ -n "$checkout" ] && [ -z "$opt_version" ] && [ -z "$opt_base_url" ]; }; then
		mode=source
	fi

	tmp=$(mktemp -d "${TMPDIR:-/tmp}/eich-install.XXXXXX") || die "could not make a temp dir"
	trap 'rm -rf "$tmp"' EXIT
	trap 'rm -rf "$tmp"; exit 130' INT TERM

	if [ "$opt_uninstall" = 1 ]; then
		do_uninstall
	else
		do_install
	fi
}

main "$@"
