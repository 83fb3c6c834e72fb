# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the scripts of the workqueue samples series.
# Sourced, never run.

# The committed series is authored by this marked placeholder, the same on
# every machine (git am works with it); scripts/gen-patches -o writes a
# series with your own identity, and scripts/send refuses the placeholder.
WQS_PLACEHOLDER_NAME="PLACEHOLDER Set-Your-Name"
WQS_PLACEHOLDER_EMAIL="set-your-address@placeholder.invalid"
wqs_is_placeholder() { [[ $1 == *placeholder.invalid* ]]; }

# (-P: the same spelling as wqs_path's, also through a symlink)
WQS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# Progress and errors: one prefix, to stderr, so stdout stays parseable.
say() { printf '[%s] %s\n' "${WQS_ME:-wq}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${WQS_ME:-wq}" "$*" >&2; exit 1; }

# ---- Arguments and settings: checked before any work ---------------------
#
# wqs_need OPTION "$@" (the option's own "$@" at that point): the option
# has a value, and it is not empty; otherwise the usage and an error that
# names the option.
wqs_need() {
	[ $# -ge 2 ] && [ -n "$2" ] && return 0
	! declare -F usage >/dev/null || usage >&2
	printf '[%s] error: %s needs a value\n' "${WQS_ME:-wq}" "$1" >&2
	exit 2
}
# wqs_path PATH: PATH made absolute from the directory the script was
# started in (scripts change to the checkout before they use paths).
wqs_path() { realpath -m -- "$1"; }
# wqs_int NAME VALUE MIN MAX: VALUE is a decimal number in MIN..MAX.
wqs_int() {
	[[ $2 =~ ^(0|[1-9][0-9]{0,8})$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
		die "$1 '$2': give a number from $3 to $4 (nothing was done)"
}
# wqs_fresh_dir WHAT DIR MARKER: DIR may be written (and what it holds
# replaced) only if it does not exist, is empty, or holds MARKER (a file
# this project left there), and is not inside the checkout.  Under the
# cache, every directory is the scripts' own.
wqs_fresh_dir() {
	case $2/ in
	"$WQS_CACHE"/*) return 0 ;;
	"$WQS_TOP"/*) die "$1 $2 is inside this checkout ($WQS_TOP): give a directory outside it (nothing was done)" ;;
	esac
	[ ! -e "$2" ] && return 0
	[ -d "$2" ] || die "$1 $2 exists and is not a directory (nothing was done)"
	[ -e "$2/$3" ] || [ -z "$(ls -A "$2" 2>/dev/null)" ] ||
		die "$1 $2 exists, is not empty and was not made by these scripts: give a new or empty directory (nothing was done)"
}

# wqs_base_tree DIR: DIR is a mainline checkout to use as the base.
wqs_base_tree() {
	git -C "$1" rev-parse --git-dir >/dev/null 2>&1 ||
		die "--tree $1 is not a git checkout; give the top of a mainline clone (nothing was done)"
	[ -f "$1/Makefile" ] && [ -d "$1/samples/workqueue" ] ||
		die "--tree $1 does not look like a 7.x kernel tree (no samples/workqueue; nothing was done)"
}

# The settings a user may give in the environment: a bad one is an error
# before anything is done, never a silent default.
[ -z "${WQS_CACHE+set}" ] || [ -n "$WQS_CACHE" ] || die "WQS_CACHE is set but empty: unset it or give a directory"
WQS_CACHE=$(wqs_path "${WQS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wq-samples}")
WQS_BASE_PKG=${WQS_BASE_PKG:-linux-source-7.3}
[[ $WQS_BASE_PKG =~ ^linux-source-[0-9][0-9.]*$ ]] ||
	die "WQS_BASE_PKG '$WQS_BASE_PKG': give a Debian package named linux-source-VERSION"
if [ -n "${WQS_JOBS:-}" ]; then
	wqs_int WQS_JOBS "$WQS_JOBS" 1 256
else
	WQS_JOBS=$(nproc)
	[ "$WQS_JOBS" -le 256 ] || WQS_JOBS=256
fi
[ -z "${WQS_QEMU_SLOTS:-}" ] || wqs_int WQS_QEMU_SLOTS "$WQS_QEMU_SLOTS" 1 8
[ -z "${WQS_KUNIT_MIN:-}" ] || wqs_int WQS_KUNIT_MIN "$WQS_KUNIT_MIN" 1 100000
case ${WQS_RERUN:-0} in 0|1) ;; *) die "WQS_RERUN '$WQS_RERUN': give 1 (run every check again) or 0" ;; esac
for _v in WQS_TREE WQS_TREE_BASE; do
	[ -z "${!_v+set}" ] || [ -n "${!_v}" ] || die "$_v is set but empty: unset it or give a directory"
done
unset _v
[ -z "${WQS_TREE:-}" ] || WQS_TREE=$(wqs_path "$WQS_TREE")
[ -z "${WQS_TREE_BASE:-}" ] || WQS_TREE_BASE=$(wqs_path "$WQS_TREE_BASE")

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
	# (>>: opening the lock never empties a file WQS_LOCK points at)
	exec 9>>"$lock"
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
