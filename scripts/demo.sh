#!/bin/sh
# demo.sh: see eich work (about a minute and a half the first time, on 2 cores), with OpenSSH and no AWS account.
#
# It starts, all inside one temp dir: an sshd on 127.0.0.1 with
# MaxAuthTries 6, a throw-away ssh-agent holding two "user" keys, and the
# test bed's `aws` stand-in (internal/testbed/fakeaws), which logs in the
# way `aws ec2-instance-connect ssh` does: a fresh key each time, pushed for
# 60 seconds, and ssh with AddKeysToAgent yes. Then:
#
#   1. without eich, logins in a row until sshd says
#      "Too many authentication failures";
#   2. with eich's hook loaded in an interactive zsh, a dozen logins in a
#      row, `eich list` before and after, the user keys still there.
#
# Your own agent, ~/.ssh and eich state are not touched. Everything it
# started is stopped and removed on exit, also on Ctrl-C.
# Needs: Go, OpenSSH (sshd, ssh, ssh-agent, ssh-add, ssh-keygen), zsh.

LOGINS=12

say() { printf '%s\n' "$*"; }
die() {
	printf 'demo: error: %s\n' "$*" >&2
	exit 1
}

cleanup() {
	[ -n "${sshd_pid:-}" ] && kill "$sshd_pid" 2>/dev/null
	[ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null
	[ -n "${demo:-}" ] && rm -rf "$demo"
	sshd_pid='' agent_pid='' demo=''
}

# find_sshd: sshd must be run by absolute path.
find_sshd() {
	for p in /usr/sbin/sshd /usr/local/sbin/sshd /opt/homebrew/sbin/sshd "$(command -v sshd 2>/dev/null)"; do
		[ -n "$p" ] && [ -x "$p" ] && {
			printf '%s' "$p"
			return 0
		}
	done
	return 1
}

# sed_text TEXT: TEXT escaped for the right-hand side of a sed s|||.
sed_text() {
	printf '%s' "$1" | sed 's/[\\|&]/\\&/g'
}

# start_sshd: try a few random ports until sshd listens, with the test
# bed's own sshd_config (internal/testbed/sshd_config.in) filled in.
start_sshd() {
	tries=0
	while [ "$tries" -lt 10 ]; do
		tries=$((tries + 1))
		port=$(awk -v s="$$$tries" 'BEGIN { srand(s + srand()); print 20000 + int(rand() * 40000) }')
		sed -e "s|@PORT@|$port|" -e "s|@HOST_KEY@|$(sed_text "$demo/host_key")|" \
			-e "s|@AUTHORIZED_KEYS@|$(sed_text "$demo/authorized_keys")|" \
			-e "s|@MAX_AUTH_TRIES@|6|" -e "s|@USER@|$(sed_text "$user")|" \
			"$root/internal/testbed/sshd_config.in" >"$demo/sshd_config" || die "no sshd_config"
		: >"$demo/sshd.log"
		"$sshd" -D -e -f "$demo/sshd_config" 2>"$demo/sshd.log" &
		sshd_pid=$!
		waited=0
		while [ "$waited" -lt 50 ]; do
			grep -q 'Server listening' "$demo/sshd.log" && return 0
			kill -0 "$sshd_pid" 2>/dev/null || break
			sleep 0.1
			waited=$((waited + 1))
		done
		kill "$sshd_pid" 2>/dev/null
		sshd_pid=''
	done
	die "sshd did not start; its last words: $(tail -n 3 "$demo/sshd.log")"
}

# agent_keys: how many keys the demo agent holds.
agent_keys() {
	ssh-add -l 2>/dev/null | grep -c . || true
}

# login: one `aws ec2-instance-connect ssh`, as a user would type it.
login() {
	aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0 </dev/null >"$demo/out" 2>"$demo/err"
}

main() {
	set -u
	root=$(cd "$(dirname "$0")/.." && pwd)
	for tool in go ssh ssh-agent ssh-add ssh-keygen zsh; do
		command -v "$tool" >/dev/null 2>&1 || die "needs $tool (OpenSSH client, Go and zsh)"
	done
	sshd=$(find_sshd) || die "needs sshd (Debian/Ubuntu: apt-get install openssh-server; macOS has it)"
	user=$(id -un)

	demo=$(mktemp -d "${TMPDIR:-/tmp}/eich-demo.XXXXXX") || die "no temp dir"
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT HUP TERM
	mkdir -p "$demo/bin" "$demo/home/.ssh" "$demo/tmp" "$demo/state" "$demo/config"

	say "eich demo, in $demo (removed at the end)"
	say "building eich and the aws stand-in ..."
	(cd "$root" && go build -o "$demo/bin/eich" . && go build -o "$demo/bin/aws" ./internal/testbed/fakeaws) ||
		die "go build failed"

	# Everything below sees only the demo's world.
	PATH=$demo/bin:$PATH
	HOME=$demo/home
	TMPDIR=$demo/tmp
	XDG_STATE_HOME=$demo/state
	XDG_CONFIG_HOME=$demo/config
	SSH_AUTH_SOCK=$demo/agent.sock
	export PATH HOME TMPDIR XDG_STATE_HOME XDG_CONFIG_HOME SSH_AUTH_SOCK
	unset ZDOTDIR SSH_AGENT_PID EICH_MODE EICH_MAX_AUTH_TRIES EICH_CONFIG EICH_QUIET

	if [ "$(id -u)" = 0 ]; then
		mkdir -p /run/sshd 2>/dev/null # the privilege separation dir sshd wants as root
	fi
	ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$demo/host_key" || die "ssh-keygen failed"
	: >"$demo/authorized_keys"
	start_sshd

	ssh-agent -D -a "$SSH_AUTH_SOCK" >/dev/null 2>&1 &
	agent_pid=$!
	n=0
	until [ -S "$SSH_AUTH_SOCK" ]; do
		n=$((n + 1))
		[ "$n" -lt 50 ] || die "ssh-agent did not start"
		sleep 0.1
	done
	for who in alice@laptop alice@work; do
		ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$demo/home/.ssh/id_$who"
		ssh-add -q "$demo/home/.ssh/id_$who" 2>/dev/null || die "ssh-add failed"
	done

	printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d ' ' -f 1,2 "$demo/host_key.pub")" >"$demo/home/.ssh/known_hosts"
	cat >"$demo/home/.ssh/config" <<EOF
Host *
    AddKeysToAgent yes
    UserKnownHostsFile $demo/home/.ssh/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
EOF
	FAKEAWS_PORT=$port
	FAKEAWS_AUTHORIZED_KEYS=$demo/authorized_keys
	FAKEAWS_USER=$user
	FAKEAWS_SSH_CONFIG=$demo/home/.ssh/config
	FAKEAWS_REMOTE_COMMAND='echo logged-in'
	export FAKEAWS_PORT FAKEAWS_AUTHORIZED_KEYS FAKEAWS_USER FAKEAWS_SSH_CONFIG FAKEAWS_REMOTE_COMMAND
	say "sshd on 127.0.0.1:$port (MaxAuthTries 6); ssh-agent with alice@laptop and alice@work"
	say ""

	say "== 1. without eich: aws ec2-instance-connect ssh, again and again"
	failed=''
	i=0
	while [ "$i" -lt 10 ]; do
		i=$((i + 1))
		if login; then
			say "login $i: ok    (the agent now holds $(agent_keys) keys)"
		else
			say "login $i: FAILED: $(grep -m 1 -i 'authentication failures' "$demo/err" || tail -n 1 "$demo/err")"
			failed=$i
			break
		fi
	done
	[ -n "$failed" ] || die "ten logins worked without eich; the demo set-up is wrong"
	say "every login left its throw-away key in the agent; ssh offers those first,"
	say "and sshd gives up after 6 tries before it sees the fresh key."
	say ""

	say "== 2. with eich: the same agent, an interactive zsh with eval \"\$(eich init zsh)\""
	say "\$ eich list"
	eich list
	say ""
	# The zsh reads its commands from a here-doc, one login per command
	# line, so its preexec/precmd hooks run for each as they would when typed.
	mkdir -p "$demo/zdot"
	cat >"$demo/zdot/.zshrc" <<'EOF'
PS1='' PS2='' RPROMPT=''
unsetopt prompt_sp prompt_cr
eval "$(eich init zsh)"
# report N STATUS: one line per login.
report() {
	local keys=$(ssh-add -l 2>/dev/null | grep -c .)
	if [[ $2 == 0 ]]; then
		print -r -- "login $1: ok    (the agent holds $keys keys)"
	else
		print -r -- "login $1: FAILED: $(tail -n 1 $TMPDIR/../err)"
	fi
}
EOF
	{
		i=0
		while [ "$i" -lt "$LOGINS" ]; do
			i=$((i + 1))
			# shellcheck disable=SC2016 # for the zsh to expand
			printf 'aws ec2-instance-connect ssh --instance-id i-0123456789abcdef0 </dev/null >/dev/null 2>$TMPDIR/../err; report %d $?\n' "$i"
		done
	} >"$demo/session.zsh"
	ZDOTDIR=$demo/zdot zsh -i <"$demo/session.zsh" 2>&1 | grep -v '^$'
	say ""
	say "\$ eich list"
	eich list
	say ""
	left=$(ssh-add -l 2>/dev/null)
	case $left in
	*alice@laptop*alice@work* | *alice@work*alice@laptop*) say "alice@laptop and alice@work are still in the agent." ;;
	*) die "a user key is gone from the agent: $left" ;;
	esac
	say "\$ eich log   (what eich removed, and why)"
	eich log | tail -n 5
	say ""
	say "done; stopping sshd and ssh-agent and removing $demo"
}

main "$@"
