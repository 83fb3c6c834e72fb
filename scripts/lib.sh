# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the scripts of the workqueue samples series.
# Sourced, never run.

# The one identity the series is authored and signed off by.  A real
# submitter replaces these two lines with their own name and address.
WQS_AUTHOR_NAME="Wren Q. Sample"
WQS_AUTHOR_EMAIL="wren.sample@example.org"

WQS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WQS_CACHE=${WQS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wq-samples}
WQS_BASE_PKG=${WQS_BASE_PKG:-linux-source-7.3}
WQS_JOBS=${WQS_JOBS:-$(nproc)}

wqs_author() { printf '%s <%s>\n' "$WQS_AUTHOR_NAME" "$WQS_AUTHOR_EMAIL"; }

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
