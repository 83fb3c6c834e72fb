# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the scripts of the workqueue samples series.
# Sourced, never run.

# The committed series is authored by this marked placeholder, the same on
# every machine (git am works with it); scripts/gen-patches -o writes a
# series with your own identity, and scripts/send refuses the placeholder.
WQS_PLACEHOLDER_NAME="PLACEHOLDER Set-Your-Name"
WQS_PLACEHOLDER_EMAIL="set-your-address@placeholder.invalid"
wqs_is_placeholder() { [[ $1 == *placeholder.invalid* ]]; }

WQS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WQS_CACHE=${WQS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wq-samples}
WQS_BASE_PKG=${WQS_BASE_PKG:-linux-source-7.3}
WQS_JOBS=${WQS_JOBS:-$(nproc)}


# Progress and errors: one prefix, to stderr, so stdout stays parseable.
say() { printf '[%s] %s\n' "${WQS_ME:-wq}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${WQS_ME:-wq}" "$*" >&2; exit 1; }

# console_text LOG: a guest's console log as lines of text: no carriage
# returns, and no line that printk cut short when another CPU took the
# console over (printk then says "** replaying previous printk message **"
# and prints the whole line again), so every reader sees whole lines.
console_text() {
	tr -d '\r' <"$1" | awk '/^\*\* replaying previous printk message \*\*$/ { held = 0; next }
		{ if (held) print prev; prev = $0; held = 1 } END { if (held) print prev }'
}

# Time a step and say how long it took.
step() {
	local what=$1 t0=$SECONDS
	shift
	say "$what ..."
	"$@" || die "$what failed (see the output above)"
	say "$what done in $((SECONDS - t0)) s"
}

# Serialise kernel builds and changes to the patched tree (two builds at
# once on a small machine only make both slower).  WQS_LOCK=none skips it.
wqs_lock() {
	local lock=${WQS_LOCK:-$WQS_CACHE/build.lock}
	[ "$lock" != none ] || return 0
	mkdir -p "$(dirname "$lock")"
	exec 9>"$lock"
	if ! flock -n 9; then
		say "another kernel build is running; waiting for it"
		flock 9
	fi
}

# ---- Recorded results ----------------------------------------------------
#
# A check that passed may be recorded under a key made of everything it
# consumed; while the key is the same, its lines are replayed instead of
# running it again (WQS_RERUN=1 runs everything).  A replay prints the
# recorded lines and "REPLAY <lines> <date>", which scripts/test counts.
# Records are kept only in a git checkout (where the sources' state is
# well defined) and only for passes.
WQS_RESULTS=$WQS_CACHE/results
wqs_can_record() {
	git -C "$WQS_TOP" rev-parse --git-dir >/dev/null 2>&1
}
wqs_record_replay() { # KEY
	local f=$WQS_RESULTS/$1.out
	[ "${WQS_RERUN:-0}" != 1 ] && wqs_can_record && [ -s "$f" ] || return 1
	cat "$f"
	echo "REPLAY $(grep -cE '^(PASS|SKIP) ' "$f") $(date -u -r "$f" +%FT%TZ)"
}
wqs_record_save() { # KEY LINES
	wqs_can_record || return 0
	grep -qE '^(PASS|SKIP) ' <<<"$2" || return 0
	! grep -q '^FAIL ' <<<"$2" || return 0
	mkdir -p "$WQS_RESULTS"
	printf '%s\n' "$2" >"$WQS_RESULTS/$1.tmp" && mv "$WQS_RESULTS/$1.tmp" "$WQS_RESULTS/$1.out"
}
# The scripts and test-only sources (everything under scripts/): any
# change there reruns every check.
wqs_scripts_hash() {
	(cd "$WQS_TOP" && find scripts -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum) | sha256sum | cut -c1-32
}
# The key parts every QEMU check shares: the booted kernel, the busybox
# and QEMU that run it, the boot options and the scripts.
wqs_guest_key() { # ARCH IMAGE EXTRA
	{
		echo "$1 $3 ${WQS_QEMU_SLOTS:-} mem/smp defaults"
		sha256sum <"$2"
		bb=$("$WQS_TOP/scripts/get-busybox" "$1" 2>/dev/null) && sha256sum <"$bb"
		case $1 in x86_64) qemu-system-x86_64 --version ;; arm64) qemu-system-aarch64 --version ;; esac | head -n 1
		wqs_scripts_hash
	} | sha256sum | cut -c1-32
}

# wqs_tools NAME...: the versions of the tools a check consumes, as the
# tools themselves print them (the real compiler and binutils, not
# Debian's metapackages).
wqs_tools() {
	local t
	for t in "$@"; do
		case $t in
		gcc) gcc --version | head -n 1; ld --version | head -n 1 ;;
		aarch64) aarch64-linux-gnu-gcc --version | head -n 1; aarch64-linux-gnu-ld --version | head -n 1 ;;
		python) /usr/bin/python3 --version ;;
		perl) perl -e 'print "perl $^V\n"' ;;
		make) make --version | head -n 1 ;;
		spatch) spatch --version 2>/dev/null | head -n 1 ;;
		git) git --version ;;
		b4) b4 --version 2>/dev/null ;;
		dtc) dtc --version ;;
		codespell) codespell --version 2>/dev/null ;;
		qemu) qemu-system-x86_64 --version | head -n 1; qemu-system-aarch64 --version | head -n 1 ;;
		sid) cat "$WQS_CACHE/dt-schema-root/.wqs-ready" 2>/dev/null ;;
		*) echo "unknown tool $t" >&2; return 1 ;;
		esac
	done
}

# wqs_cached KEY COMMAND...: show the recorded result of COMMAND for KEY,
# or run it (its output goes to stdout as it comes) and record its result
# lines if it exited 0 with no FAIL line and KEY still is what it was.
# KEY is the sha of everything the command consumes; the caller makes it
# with wqs_key.
wqs_cached() {
	local key=$1 tmp rc=0
	shift
	wqs_record_replay "$key" && return 0
	tmp=$(mktemp)
	"$@" | tee "$tmp" || rc=${PIPESTATUS[0]}
	[ "$rc" != 0 ] || wqs_record_save "$key" "$(grep -E '^(PASS|FAIL|SKIP) ' "$tmp")"
	rm -f "$tmp"
	return "$rc"
}
# wqs_key TEXT...: a key from texts (versions, hashes, arguments) and the
# scripts.
wqs_key() {
	{ printf '%s\n' "$@"; wqs_scripts_hash; } | sha256sum | cut -c1-32
}
# wqs_tree_key PATHSPEC...: the content of those paths of the patched tree
# (git's tree objects: the same content gives the same key).
wqs_tree_key() {
	local tree=${WQS_TREE:-$WQS_CACHE/tree}
	git -C "$tree" ls-tree HEAD -- "$@" | sha256sum | cut -c1-32
}
# wqs_canary_plan: the checks scripts/guest/canaries.sh reports, in order
# (the plan of every test boot ends with them).
wqs_canary_plan() {
	printf '%s\n' "canary kmemleak" "canary odebug" "canary atomic" "canary ubsan" \
		"lockdep still on" "canary lockdep" "lockdep off after the canary's report" \
		"canary kasan"
}
# wqs_series NAMES: the patch names of ./series, in order.
wqs_series() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$WQS_TOP/series"; }
