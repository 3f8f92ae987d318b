#!/usr/bin/env bash
# Measures what eich costs and prints one Markdown table (docs/BENCHMARKS.md
# holds a copy with the machine it was measured on).
#
#  - whole commands, timed with hyperfine against a real ssh-agent holding
#    8 keys: `eich status` next to `ssh-add -l`, `eich status` with a
#    ledger of 512 (the bound after compaction) and 100,000 entries next
#    to an empty one, `eich hook pre` on an EIC line with nothing to prune
#    (empty and 100,000-entry ledger), `eich --version`, and a minimal
#    static Go program as the floor of any Go binary;
#  - the in-shell cost of the hook per ordinary command, for zsh, bash and
#    fish: an interactive shell in a pty (scripts drive it with python3)
#    types the same ordinary command 100 and 300 times, three ways (bare,
#    empty hooks of eich's mechanism, eich's hook); valgrind's callgrind
#    counts the shell's instructions, and (count(300) - count(100)) / 200
#    is the cost of one command without the shell's start-up and exit;
#  - processes forked per ordinary command, the same way, with strace;
#  - the same for the hook with `--prompt` (EICH_PROMPT refreshed at each
#    prompt from the state dir's prompt file, which is in place): its cost
#    per prompt over eich's hook without it, and its forks; next to it the
#    floor of any such refresh: eich's hook whose one per-prompt function
#    does one existence test of a fixed path in place of the segment's
#    check, in the same shape (zsh: _eich_precmd kept at every prompt,
#    with its state test as the hook has it; bash: the state
#    between EIC commands a function of the segment's shape, keeping $?;
#    fish: the _eich_prompt handler kept at every prompt). Target: at most
#    1.25 times the floor's cost plus 3,000 instructions.
#  - the ssh-level guard (`eich ssh-config guard`), timed with hyperfine:
#    `ssh -G` (ssh's whole config pass, which every ssh makes before it
#    connects) with and without the guard block, for bash, zsh and fish
#    as the $SHELL that ssh's Match exec starts, side by side in one run;
#    fish once more with a config.fish that loads eich's hook outside
#    `status is-interactive`; and `eich guard` alone, for a process that
#    is no EIC login, next to the static Go floor.
#
# Not run in CI (CI runs the Go benchmarks once each). Needs Go, OpenSSH
# client, hyperfine, valgrind, strace, zsh, fish, python3; on Debian it
# installs what is missing when run as root.
#
# Environment: RUNS (hyperfine runs per command, default 300), ROUNDS
# (rounds of the side-by-side ratios to ssh-add -l, default 15), WARMUP
# (default 20), BENCH_SHELLS (default "zsh bash fish"), BENCH_PARTS
# (default "commands shells guard"), BENCH_LINE (the ordinary command, default
# `true status --short`).
# shellcheck disable=SC2016 # backquotes in table cells are Markdown
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-300}
rounds=${ROUNDS:-15}
warmup=${WARMUP:-20}
shells=${BENCH_SHELLS:-zsh bash fish}
parts=${BENCH_PARTS:-commands shells guard}
# The ordinary command typed into the shells: a builtin, so that it forks
# nothing itself, with as many words as a typical command line.
ordinary=${BENCH_LINE:-true status --short}

log() { printf '%s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------
declare -A pkg=([hyperfine]=hyperfine [valgrind]=valgrind [strace]=strace
	[ssh-agent]=openssh-client [ssh-add]=openssh-client [ssh-keygen]=openssh-client
	[zsh]=zsh [bash]=bash [fish]=fish [python3]=python3-minimal [awk]=gawk)
missing=()
for t in "${!pkg[@]}"; do
	command -v "$t" >/dev/null || missing+=("${pkg[$t]}")
done
command -v go >/dev/null || { log "bench.sh: needs Go on PATH"; exit 2; }
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing: ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
			{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
	else
		log "bench.sh: missing Debian packages: ${missing[*]}"
		exit 2
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/eich-bench.XXXXXX")
agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# --- build -----------------------------------------------------------------
# As .goreleaser.yaml builds it: pure Go, statically linked, stripped. The
# cgo build (what a plain `go build` or `go install` makes where a C
# compiler is installed) links libc dynamically; it is measured for
# comparison, and so is a pure-Go build without the tag (`CGO_ENABLED=0 go
# install`), which shows what of the plain build's cost is cgo's.
log "building eich"
mkdir -p "$work/bin" "$work/floor"
CGO_ENABLED=0 go build -trimpath -tags urfave_cli_no_template -ldflags '-s -w' -o "$work/bin/eich" .
CGO_ENABLED=1 go build -o "$work/bin/eich-cgo" . 2>/dev/null || cp "$work/bin/eich" "$work/bin/eich-cgo"
CGO_ENABLED=0 go build -o "$work/bin/eich-nocgo" .
cat >"$work/floor/main.go" <<'EOF'
package main

import "os"

func main() { os.Stdout.WriteString("floor\n") }
EOF
printf 'module floor\n\ngo 1.21\n' >"$work/floor/go.mod"
(cd "$work/floor" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/bin/go-floor" .)
# The floor of any Go program that lists an agent: dial, one List with
# x/crypto/ssh/agent (built against eich's go.mod), print the count.
mkdir -p "$work/lister"
cat >"$work/lister/main.go" <<'EOF'
package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh/agent"
)

func main() {
	conn, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		os.Exit(1)
	}
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		os.Exit(1)
	}
	fmt.Println(len(keys))
}
EOF
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/bin/go-lister" "$work/lister/main.go"
eich=$work/bin/eich
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Uncommitted changes count only in the packages built into eich.
pkgdirs=" $(go list -deps -f '{{if not .Standard}}{{.Dir}}{{end}}' . | sed "s|^$PWD\$|.|; s|^$PWD/||" | tr '\n' ' ')"
for f in $(git diff --name-only HEAD 2>/dev/null | grep -v '_test\.go$' || true); do
	case $pkgdirs in *" $(dirname "$f") "*) commit="$commit (with uncommitted changes)" && break ;; esac
done

# An isolated home: no config file, state under $work.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_STATE_HOME=$work/state
mkdir -p "$HOME" "$XDG_STATE_HOME/eich"
chmod 700 "$XDG_STATE_HOME" "$XDG_STATE_HOME/eich"
# With 8 keys a limit of 10 leaves nothing to prune.
export EICH_MAX_AUTH_TRIES=10
unset EICH_MODE EICH_CONFIG EICH_QUIET

# The agent socket the shells see (the --prompt hook names its file after it).
bench_sock=$work/agent.sock

# Markdown rows, printed together at the end.
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }

# num N: N with thousands separators.
num() {
	awk -v n="$1" 'BEGIN {
		s = sprintf("%d", n < 0 ? -n : n); out = ""
		while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
		print (n < 0 ? "-" : "") s out
	}'
}
# signed N: N with its sign, "+1,234" or "-875".
signed() { if [ "$1" -lt 0 ]; then num "$1"; else printf '+%s\n' "$(num "$1")"; fi; }
fmt_ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE OP LIMIT: "yes" or "**no**"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= l : v == l; print ok ? "yes" : "**no**" }'; }

# median CSV N: the median (seconds) of the Nth command of a hyperfine CSV.
median() { awk -F, -v n="$2" 'NR == n + 1 { print $4 }' "$1"; }
# rounds_ratio A B: the median over the rounds of column A / column B of
# $work/rounds, and the range, as "1.02× (0.95–1.10×)".
rounds_ratio() {
	awk -v a="$1" -v b="$2" '{ print $a / $b }' "$work/rounds" | sort -g |
		awk '{ r[NR] = $1 } END { m = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "%.2f× (%.2f–%.2f×)", m, r[1], r[NR] }'
}

commands_part() {
	# --- agent with 8 keys ---------------------------------------------------
	# 4 user keys (ssh-add from files with comments) and 4 keys whose
	# comment is a key file under a temp dir that is gone (the legacy mssh
	# tool's), which eich counts as stale suspects.
	log "starting ssh-agent with 8 keys"
	export SSH_AUTH_SOCK=$work/agent.sock
	ssh-agent -D -a "$SSH_AUTH_SOCK" >"$work/agent.log" 2>&1 &
	agent_pid=$!
	for _ in $(seq 100); do [ -S "$SSH_AUTH_SOCK" ] && break; sleep 0.05; done
	mkdir -p "$work/keys"
	for i in 1 2 3 4; do
		ssh-keygen -q -t ed25519 -N '' -C "user$i@laptop" -f "$work/keys/id_user$i"
		ssh-add -q "$work/keys/id_user$i" 2>/dev/null
		d=$work/tmp$i/tmpk$i
		mkdir -p "$d"
		ssh-keygen -q -t ed25519 -N '' -C "$d/private-key" -f "$d/private-key"
		ssh-add -q "$d/private-key" 2>/dev/null
		rm -rf "$work/tmp$i"
	done
	[ "$(ssh-add -l | wc -l)" = 8 ] || { log "agent does not hold 8 keys"; exit 1; }

	# --- ledgers ---------------------------------------------------------
	# Fingerprints need only be well formed: SHA256: and 43 base64 digits.
	now=$(date +%s)
	ledger() {
		awk -v n="$1" -v t="$now" 'BEGIN {
			print "eich-ledger 1"
			for (i = 0; i < n; i++)
				printf "SHA256:%043d %s %d %d\n", i, (i % 10 ? "seen" : "eic"), t - 7200, t - 3600
			print "end " n
		}' >"$work/ledger-$1"
		chmod 600 "$work/ledger-$1"
	}
	ledger 0
	ledger 512
	ledger 100000
	state=$XDG_STATE_HOME/eich
	# hyperfine -N runs --prepare without a shell too: a script sets the
	# ledger up before each run.
	cat >"$work/put" <<EOF
#!/bin/sh
cp "$work/ledger-\$1" "\$2/ledger" && rm -rf "\$2/inflight" && sync
EOF
	chmod +x "$work/put"
	put() { printf '%s %s %s' "$work/put" "$1" "${2:-$state}"; }
	"$eich" status >/dev/null

	# --- hyperfine: commands without input ----------------------------------
	# Side by side in one hyperfine run each: first the commands as they
	# run every day (the ledger stays as status found it), then status
	# with ledgers of three sizes, each put in place (and synced) before
	# every run.
	log "timing status, ssh-add -l, --version ($runs runs each)"
	"$work/put" 0 "$state"
	hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-csv "$work/h1.csv" \
		--command-name 'ssh-add -l' 'ssh-add -l' \
		--command-name 'status' "$eich status" \
		--command-name 'status cgo' "$work/bin/eich-cgo status" \
		--command-name 'version' "$eich --version" \
		--command-name 'floor' "$work/bin/go-floor" \
		--command-name 'lister' "$work/bin/go-lister" >&2
	sshadd=$(median "$work/h1.csv" 1)
	st=$(median "$work/h1.csv" 2)
	stcgo=$(median "$work/h1.csv" 3)
	ver=$(median "$work/h1.csv" 4)
	floor=$(median "$work/h1.csv" 5)
	lister=$(median "$work/h1.csv" 6)
	# The ratios to ssh-add -l once more, in rounds: on a shared VM the
	# whole machine slows down and speeds up over minutes, which moves
	# commands timed one after the other. Each round times the five
	# commands side by side ($rounds rounds of 30 runs); the rows give the
	# median of the rounds' ratios and their range.
	log "timing status (three builds), lister and ssh-add -l in $rounds rounds"
	: >"$work/rounds"
	for _ in $(seq "$rounds"); do
		hyperfine -N --style none --warmup 5 --runs 30 --export-csv "$work/r.csv" \
			'ssh-add -l' "$eich status" "$work/bin/eich-cgo status" "$work/bin/go-lister" "$work/bin/eich-nocgo status" >/dev/null 2>&1
		echo "$(median "$work/r.csv" 1) $(median "$work/r.csv" 2) $(median "$work/r.csv" 3) $(median "$work/r.csv" 4) $(median "$work/r.csv" 5)" >>"$work/rounds"
	done
	log "timing status with ledgers of 0, 512 and 100,000 entries ($runs runs each)"
	hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-csv "$work/h2.csv" \
		--prepare "$(put 0)" --command-name 'status 0' "$eich status" \
		--prepare "$(put 512)" --command-name 'status 512' "$eich status" \
		--prepare "$(put 100000)" --command-name 'status 100k' "$eich status" >&2
	st0=$(median "$work/h2.csv" 1)
	st4k=$(median "$work/h2.csv" 2)
	st100k=$(median "$work/h2.csv" 3)

	# --- hyperfine: hook pre (the line comes on stdin, so through sh) -------
	log "timing hook pre ($runs runs each)"
	echo 'aws --profile prod ec2-instance-connect ssh --instance-id i-0123456789abcdef0' >"$work/eic-line"
	pre="$eich hook pre --session 4242 <$work/eic-line"
	shm=
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		shm=$(mktemp -d /dev/shm/eich-bench.XXXXXX)
		mkdir -m 700 "$shm/eich"
	fi
	preargs=(--prepare "$(put 0)" --command-name 'pre' "$pre"
		--prepare "$(put 100000)" --command-name 'pre 100k' "$pre")
	if [ -n "$shm" ]; then
		preargs+=(--prepare "$(put 0 "$shm/eich")" --command-name 'pre tmpfs' "XDG_STATE_HOME=$shm $pre")
	fi
	hyperfine -S sh --style none --warmup "$warmup" --runs "$runs" --export-csv "$work/h3.csv" "${preargs[@]}" >&2
	[ -n "$shm" ] && rm -rf "$shm"
	pre0=$(median "$work/h3.csv" 1)
	pre100k=$(median "$work/h3.csv" 2)

	row '`eich status` vs `ssh-add -l`, agent with 8 keys' "$(fmt_ms "$st") vs $(fmt_ms "$sshadd")" "$(ratio "$st" "$sshadd")×" '≤ 1.00×' "$(verdict "$(ratio "$st" "$sshadd")" '<=' 1.00)"
	row "the same, median of $rounds rounds side by side" "$(rounds_ratio 2 1)" "$rounds rounds of 30 runs, each round side by side; range in brackets" '≤ 1.00×' "$(verdict "$(rounds_ratio 2 1 | sed "s/×.*//")" '<=' 1.00)"
	row '`eich status`, plain `go build`/`go install` (cgo, no build tag) vs `ssh-add -l`' "$(fmt_ms "$stcgo") vs $(fmt_ms "$sshadd")" "$(ratio "$stcgo" "$sshadd")×" '≤ 1.20×' "$(verdict "$(ratio "$stcgo" "$sshadd")" '<=' 1.20)"
	row "the same, median of $rounds rounds side by side" "$(rounds_ratio 3 1)" "$rounds rounds of 30 runs, each round side by side; range in brackets" '≤ 1.20×' "$(verdict "$(rounds_ratio 3 1 | sed "s/×.*//")" '<=' 1.20)"
	row '`eich status`, `CGO_ENABLED=0 go install` (pure Go, no build tag) vs `ssh-add -l`, median of '"$rounds"' rounds side by side' "$(rounds_ratio 5 1)" "$rounds rounds of 30 runs, each round side by side; range in brackets" '(the plain build without cgo)' ''
	row '`eich status` vs a minimal Go agent lister' "$(fmt_ms "$st") vs $(fmt_ms "$lister")" "$(ratio "$st" "$lister")×" '(how close to the floor)' ''
	row "the same, median of $rounds rounds side by side" "$(rounds_ratio 2 4)" "$rounds rounds of 30 runs, each round side by side; range in brackets" '(how close to the floor)' ''
	row '`eich status`, ledger of 100,000 entries vs empty' "$(fmt_ms "$st100k") vs $(fmt_ms "$st0")" "$(ratio "$st100k" "$st0")×" '≤ 1.10×' "$(verdict "$(ratio "$st100k" "$st0")" '<=' 1.10)"
	row '`eich status`, ledger of 512 entries (bound after compaction) vs empty' "$(fmt_ms "$st4k") vs $(fmt_ms "$st0")" "$(ratio "$st4k" "$st0")×" '≤ 1.10×' "$(verdict "$(ratio "$st4k" "$st0")" '<=' 1.10)"
	row '`eich hook pre`, EIC line, nothing to prune' "$(fmt_ms "$pre0")" "$(ratio "$pre0" "$floor")× the Go floor" '≤ 5 ms' "$(verdict "$(awk -v s="$pre0" 'BEGIN { print s * 1000 }')" '<=' 5)"
	if [ -n "$shm" ]; then
		pretmpfs=$(median "$work/h3.csv" 3)
		row '`eich hook pre`, same, state dir on tmpfs' "$(fmt_ms "$pretmpfs")" "$(ratio "$pretmpfs" "$pre0")× of on disk" '(shows the disk'"'"'s share)' ''
	fi
	row '`eich hook pre`, ledger of 100,000 entries vs empty' "$(fmt_ms "$pre100k") vs $(fmt_ms "$pre0")" "$(ratio "$pre100k" "$pre0")×" '≤ 1.10×' "$(verdict "$(ratio "$pre100k" "$pre0")" '<=' 1.10)"
	row '`eich --version`' "$(fmt_ms "$ver")" "$(ratio "$ver" "$floor")× the Go floor" '≤ 2 ms' "$(verdict "$(awk -v s="$ver" 'BEGIN { print s * 1000 }')" '<=' 2)"
	row 'Go floor: a static Go program that prints one line' "$(fmt_ms "$floor")" '1.00×' '(reference)' ''
	row 'Go agent floor: a static Go program that lists the agent' "$(fmt_ms "$lister")" "$(ratio "$lister" "$floor")× the Go floor" '(reference)' ''
	row '`ssh-add -l`' "$(fmt_ms "$sshadd")" "$(ratio "$sshadd" "$floor")× the Go floor" '(reference)' ''
	kill "$agent_pid" 2>/dev/null || true
	agent_pid=
	unset SSH_AUTH_SOCK
}

# --- shells ----------------------------------------------------------------
drive=$work/drive.py
cat >"$drive" <<'EOF'
# drive.py N LINE ARGV...: runs ARGV in a pty, waits for the prompt (it
# contains @@PROMPT@@), types LINE and Enter N times, each once the prompt
# is back, then types exit and waits for the shell to end.
import os, pty, select, sys

n, line, argv = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3:]
marker = b"@@PROMPT@@"
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = bytearray()

def read_some():
    r, _, _ = select.select([fd], [], [], 600)
    if not r:
        sys.exit("drive.py: timeout; last output: %r" % bytes(out[-300:]))
    try:
        data = os.read(fd, 65536)
    except OSError:
        data = b""
    out.extend(data)
    return bool(data)

for i in range(n + 1):
    while out.count(marker) <= i:
        if not read_some():
            sys.exit("drive.py: the shell ended early; last output: %r" % bytes(out[-300:]))
    os.write(fd, (line if i < n else b"exit") + b"\r")
while read_some():
    pass
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
EOF

# setup_shell SHELL VARIANT: writes the rc file and sets shenv (variables
# for the shell) and shcmd (its command line).
setup_shell() {
	local sh=$1 v=$2 d=$work/sh/$1-$2
	mkdir -p "$d"
	shenv=(LC_ALL=C.UTF-8 TERM=xterm SSH_AUTH_SOCK="$bench_sock")
	case $sh in
	zsh)
		{
			echo "PS1='@@PROMPT@@ '"
			case $v in
			empty) echo 'autoload -Uz add-zsh-hook
_bench_preexec() { }
_bench_precmd() { }
add-zsh-hook preexec _bench_preexec
add-zsh-hook precmd _bench_precmd' ;;
			eich) echo "source $work/hook.zsh" ;;
			prompt) echo "source $work/hook-prompt.zsh" ;;
			floor) echo "source $work/hook.zsh
_eich_seen=$floor_path
_eich_read() { : }
_eich_precmd() { [[ -z \${_eich_at:+\${_eich_s::=\$?}x} && -e $floor_path ]] || _eich_step }" ;;
			esac
		} >"$d/.zshrc"
		shenv+=(ZDOTDIR="$d")
		shcmd=(zsh -d -i)
		;;
	bash)
		{
			echo "PS1='@@PROMPT@@ '"
			echo 'unset HISTFILE'
			case $v in
			empty) echo '_bench_debug() { :; }
_bench_prompt() { :; }
trap _bench_debug DEBUG
PROMPT_COMMAND=_bench_prompt' ;;
			eich) echo "source $work/hook.bash" ;;
			prompt) echo "source $work/hook-prompt.bash" ;;
			floor) echo "source $work/hook.bash
_eich_floor() {
	case \$? in
	0) [[ -e $floor_path ]] ;;
	*) _eich_s=\$?; _eich_floor; return \"\$_eich_s\" ;;
	esac
}
_eich_rest=_eich_floor" ;;
			esac
		} >"$d/bashrc"
		shenv+=(INPUTRC=/dev/null)
		shcmd=(bash --noprofile --rcfile "$d/bashrc" -i)
		;;
	fish)
		{
			echo "function fish_prompt; printf '@@PROMPT@@ '; end"
			echo "function fish_right_prompt; end"
			echo "set -g fish_greeting ''"
			case $v in
			empty) echo 'function _bench_preexec --on-event fish_preexec; end
function _bench_postexec --on-event fish_postexec; end' ;;
			eich) echo "source $work/hook.fish" ;;
			prompt) echo "source $work/hook-prompt.fish" ;;
			floor) echo "source $work/hook.fish
function _eich_read; set -g _eich_seen $floor_path; end" ;;
			esac
		} >"$d/init.fish"
		shcmd=(fish -N -P -i -C "source $d/init.fish")
		;;
	esac
}

# instructions SHELL VARIANT N: the shell's instruction count for N commands.
instructions() {
	local out f pid first=
	setup_shell "$1" "$2"
	out=$work/cg/$1-$2-$3
	mkdir -p "$work/cg"
	env "${shenv[@]}" python3 "$drive" "$3" "$ordinary" \
		valgrind -q --tool=callgrind --callgrind-out-file="$out.%p" "${shcmd[@]}" >/dev/null 2>"$out.err" ||
		{ log "$1 $2 $3 failed:"; cat "$out.err" >&2; exit 1; }
	# The shell's own file has the lowest pid; children (if any) have
	# their own.
	for f in "$out".[0-9]*; do
		pid=${f##*.}
		if [ -z "$first" ] || [ "$pid" -lt "${first##*.}" ]; then first=$f; fi
	done
	awk '/^(summary|totals):/ { print $2; exit }' "$first"
}

# instructions_all CMD...: the instructions callgrind counts in CMD and
# every process it starts, summed. Go's asynchronous preemption signals
# crash callgrind (3.19), so Go programs run with them off.
instructions_all() {
	local out=$work/cga/run.$RANDOM
	mkdir -p "$work/cga"
	GODEBUG=asyncpreemptoff=1 valgrind -q --tool=callgrind --trace-children=yes --callgrind-out-file="$out.%p" "$@" >/dev/null 2>&1 || true
	awk '/^(summary|totals):/ { n += $2; nextfile } END { print n + 0 }' "$out".*
	rm -f "$out".*
}

# forks SHELL VARIANT N: processes (not threads) created for N commands.
forks() {
	local out
	setup_shell "$1" "$2"
	out=$work/st-$1-$2-$3
	env "${shenv[@]}" python3 "$drive" "$3" "$ordinary" \
		strace -f -qq -e trace=fork,vfork,clone,clone3 -o "$out" "${shcmd[@]}" >/dev/null 2>&1 ||
		{ log "strace $1 $2 $3 failed"; exit 1; }
	grep -E '(fork|clone3?)\(' "$out" | grep -vc 'CLONE_THREAD' || true
}

shells_part() {
	"$eich" init zsh >"$work/hook.zsh"
	"$eich" init bash >"$work/hook.bash"
	"$eich" init fish >"$work/hook.fish"
	local sh v
	for sh in zsh bash fish; do
		"$eich" init "$sh" --prompt >"$work/hook-prompt.$sh"
	done
	# The prompt file the --prompt hook finds at each prompt (no agent is
	# needed for it: the hook only looks at the file).
	floor_path=$XDG_STATE_HOME/eich/prompt-${bench_sock//\//%}
	printf 'eic 5/6 ·3 stale\n' >"$floor_path"
	for sh in $shells; do
		declare -A per=()
		for v in bare empty eich prompt floor; do
			log "callgrind: $sh, $v hooks, 100 and 300 commands"
			local a b
			a=$(instructions "$sh" "$v" 100)
			b=$(instructions "$sh" "$v" 300)
			per[$v]=$(((b - a) / 200))
		done
		local fa fb
		log "strace: $sh with eich's hook"
		fa=$(forks "$sh" eich 100)
		fb=$(forks "$sh" eich 300)
		local over=$((per[eich] - per[empty])) fk
		fk=$(awk -v a="$fa" -v b="$fb" 'BEGIN { printf "%g", (b - a) / 200 }')
		row "$sh: eich's hook per ordinary command, above empty hooks" \
			"$(num "$over") instructions" \
			"bare shell $(num "${per[bare]}"), empty hooks $(signed $((per[empty] - per[bare]))), eich's hook $(signed "$over")" \
			'≤ 30,000' "$(verdict "$over" '<=' 30000)"
		row "$sh: processes forked per ordinary command with eich's hook" "$fk" "$fa for 100 commands, $fb for 300" '0' "$(verdict "$fk" '==' 0)"
		log "strace: $sh with eich's hook --prompt"
		fa=$(forks "$sh" prompt 100)
		fb=$(forks "$sh" prompt 300)
		over=$((per[prompt] - per[eich]))
		local fl=$((per[floor] - per[eich])) limit
		limit=$((fl * 5 / 4 + 3000))
		fk=$(awk -v a="$fa" -v b="$fb" 'BEGIN { printf "%g", (b - a) / 200 }')
		row "$sh: \`eich init --prompt\` per prompt, above eich's hook without it" \
			"$(num "$over") instructions" \
			"eich's hook $(num "${per[eich]}"), with --prompt $(num "${per[prompt]}"); floor (the hook's per-prompt function testing one fixed path) $(signed "$fl")" \
			"≤ 1.25 × floor + 3,000 = $(num "$limit")" "$(verdict "$over" '<=' "$limit")"
		row "$sh: processes forked per ordinary command with \`--prompt\`" "$fk" "$fa for 100 commands, $fb for 300" '0' "$(verdict "$fk" '==' 0)"
		unset per
	done
}

guard_part() {
	local plain=$work/ssh-plain.conf guard=$work/ssh-guard.conf csv=$work/guard.csv
	printf 'Host *\n    AddKeysToAgent yes\n' >"$plain"
	{ "$eich" ssh-config guard | sed "s|Match exec \"[^ ]* guard\"|Match exec \"$eich guard\"|"; cat "$plain"; } >"$guard"
	grep -q "Match exec \"$eich guard\"" "$guard" || { log "guard block without $eich"; exit 1; }
	# fish reads config.fish for `fish -c`: one that loads the hook as
	# the README says (inside status is-interactive) and one that does not.
	mkdir -p "$HOME/.config/fish"
	local fishrc=$HOME/.config/fish/config.fish
	local cmds=() names=() sh
	for sh in bash zsh fish; do
		cmds+=("env SHELL=$(command -v "$sh") ssh -F $plain -G example.com" "env SHELL=$(command -v "$sh") ssh -F $guard -G example.com")
		names+=("$sh: ssh -G" "$sh: ssh -G with the guard block")
	done
	printf 'if status is-interactive\n    %s init fish | source\nend\n' "$eich" >"$fishrc"
	log "hyperfine: ssh -G with and without the guard block"
	local args=() i
	for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
	hyperfine -N -i -r "$runs" -w "$warmup" --export-csv "$csv" "${args[@]}" "$eich guard" "$work/bin/go-floor" >&2
	for sh in 1 3 5; do
		local base with name
		base=$(median "$csv" "$sh")
		with=$(median "$csv" $((sh + 1)))
		name=${names[$((sh - 1))]%%:*}
		row "guard: a non-EIC ssh's config pass, \$SHELL $name" "$(fmt_ms "$with")" \
			"without the block $(fmt_ms "$base"): +$(awk -v a="$with" -v b="$base" 'BEGIN { printf "%.2f ms", (a - b) * 1000 }')" '' ''
	done
	row "guard: \`eich guard\` for a process that is no EIC login" "$(fmt_ms "$(median "$csv" 7)")" \
		"static Go floor $(fmt_ms "$(median "$csv" 8)"): $(ratio "$(median "$csv" 7)" "$(median "$csv" 8)")×" '' ''
	# Instructions, which a loaded machine does not change: every process
	# of one `ssh -G` (ssh, the shell Match exec starts, eich) counted
	# by callgrind, with and without the block.
	for sh in bash zsh fish; do
		local without with
		without=$(instructions_all env SHELL="$(command -v "$sh")" ssh -F "$plain" -G example.com)
		with=$(instructions_all env SHELL="$(command -v "$sh")" ssh -F "$guard" -G example.com)
		row "guard: instructions of a non-EIC ssh's config pass, \$SHELL $sh (every process)" "$(num "$with")" \
			"without the block $(num "$without"): $(signed $((with - without)))" '' ''
	done
	local hello
	hello=$(instructions_all "$work/bin/go-floor")
	row "guard: instructions of \`eich guard\` for a process that is no EIC login" "$(num "$(instructions_all "$eich" guard)")" \
		"static Go floor $(num "$hello")" '' ''
	printf '%s init fish | source\n' "$eich" >"$fishrc"
	log "hyperfine: fish with the hook loaded outside status is-interactive"
	hyperfine -N -i -r "$runs" -w "$warmup" --export-csv "$csv" "env SHELL=$(command -v fish) ssh -F $guard -G example.com" >&2
	row "guard: as above, fish, config.fish loading the hook outside \`status is-interactive\`" "$(fmt_ms "$(median "$csv" 1)")" \
		"$(num "$(instructions_all env SHELL="$(command -v fish)" ssh -F "$guard" -G example.com)") instructions: eich init runs in every ssh's Match exec" '' ''
	rm -f "$fishrc"
}

for p in $parts; do
	"${p}_part"
done

cat <<EOF
| what | median / count | ratio or detail | target | met |
| --- | --- | --- | --- | --- |
$(printf '%s\n' "${rows[@]}")

eich $commit; $(nproc) CPUs, $(awk -F: '/model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo); $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); Linux $(uname -r); $(go version | awk '{ print $3 }'); hyperfine $runs runs after $warmup warm-up; $(date -u '+%Y-%m-%d %H:%M UTC').
EOF
