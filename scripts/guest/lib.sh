# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts (busybox sh).  Every check prints
#   WQS-BEGIN <name>, then WQS-PASS <name> | WQS-FAIL <name>: why |
#   WQS-SKIP <name>: why, then WQS-END <name>;
# the host counts those lines and pins any kernel splat printed between
# BEGIN and END on that check.

# Under emulation with every debug option on, starting a program costs
# about 0.15 s of guest CPU time (a shell builtin, a few ms): the helpers
# read files with the shell's own "read", test /sys instead of grepping,
# and wait by blocking on /dev/kmsg rather than polling dmesg.

ARCH=$(uname -m)
KVER=$(uname -r)
MODDIR=/lib/modules/$KVER
WQS_CUR=
WQS_FAILED=0

# Markers go through the kernel log (level NOTICE, so the console shows
# them): printk writes whole lines, while the shell's own output and the
# kernel's could be interleaved in the middle of a line on the console.
mark() { echo "<5>$*" >/dev/kmsg; }
log() { echo "<6>wqs: $*" >/dev/kmsg; }

check_begin() { WQS_CUR=$1; WQS_WHY=; mark "WQS-BEGIN $1"; }
check_fail() { [ -n "$WQS_WHY" ] || WQS_WHY=$*; echo "wqs: $WQS_CUR: $*"; }
check_end() {
	if [ -n "$WQS_WHY" ]; then
		mark "WQS-FAIL $WQS_CUR: $WQS_WHY"
		WQS_FAILED=$((WQS_FAILED + 1))
	else
		mark "WQS-PASS $WQS_CUR"
	fi
	mark "WQS-END $WQS_CUR"
}
check_skip() { mark "WQS-SKIP $1: $2"; }
# The host accepts kernel splats matching ERE in the current check only.
expect_splat() { mark "WQS-EXPECT-SPLAT $1"; }

# ms N: sleep N milliseconds, with the shell's own "read -t" on a FIFO
# that nobody writes (usleep would start a program each time).
ms() {
	[ -p /tmp/ms.fifo ] || mkfifo /tmp/ms.fifo
	set -- $(($1 / 1000)) $((1000 + $1 % 1000))
	read -r -t "$1.${2#1}" _ <>/tmp/ms.fifo
	return 0
}

# lines_in_order RE_FILE: 0 when dmesg holds every regex of RE_FILE, in
# order; otherwise prints the first expected line that is missing.
lines_in_order() {
	dmesg | awk -v REF="$1" '
		BEGIN { while ((getline l < REF) > 0) re[n++] = l; i = 0 }
		i < n && $0 ~ re[i] { i++ }
		END { if (i < n) { print "missing: " re[i]; exit 1 } }'
}

# since_here: start a stretch of the kernel log that kmsg_wait reads (a
# unique record, at debug level so the console does not show it).
WQS_SEQ=0
since_here() {
	WQS_SEQ=$((WQS_SEQ + 1))
	WQS_SINCE="wqs-since $$.$WQS_SEQ"
	echo "<7>$WQS_SINCE" >/dev/kmsg
}

# kmsg_open / kmsg_close: a reader of /dev/kmsg into a FIFO, which hands
# each kernel log record to the reader as it is written, so that waiting
# for a line costs nothing (polling dmesg would start programs all the
# time).  busybox awk cannot read /dev/kmsg itself: it reads in pieces too
# small for a long record, and the kernel refuses those reads.
# A new reader starts at the oldest record; when the log is full, the
# kernel overwrites that record at once and the read fails with EPIPE
# after moving the reader on to the oldest record left.  cat stops at the
# error, so another cat goes on from the same open file, which keeps the
# position: no record is read twice.
KMSG_FIFO=/tmp/kmsg.fifo
kmsg_open() {
	[ -p $KMSG_FIFO ] || mkfifo $KMSG_FIFO
	(
		exec 3</dev/kmsg
		trap 'kill $c 2>/dev/null; exit 0' TERM
		while :; do
			cat <&3 &
			c=$!
			wait $c
		done
	) >$KMSG_FIFO 2>/dev/null &
	KMSG_PID=$!
}
kmsg_close() { kill "$KMSG_PID" 2>/dev/null; wait "$KMSG_PID" 2>/dev/null; }

# kmsg_wait SECONDS RE_FILE: wait until the kernel log, since the last
# since_here, has a line matching each ERE of RE_FILE, in that order;
# "timeout" gives up after SECONDS.
kmsg_wait() {
	kmsg_open
	timeout "$1" awk -v REF="$2" -v START="$WQS_SINCE" '
		BEGIN { i = 0; while ((getline l < REF) > 0) re[n++] = l; if (!n) { ok = 1; exit } }
		/^ / { next }			# a record'"'"'s key=value dictionary
		{ sub(/^[^;]*;/, "") }		# its level, sequence, time, flags
		!go { go = ($0 == START); next }
		$0 ~ re[i] { if (++i == n) { ok = 1; exit } }
		END { exit !ok }' <$KMSG_FIFO 2>/dev/null
	set -- $?
	kmsg_close
	return "$1"
}

# wait_lines RE_FILE SECONDS: wait (from the last since_here) until every
# line of RE_FILE has come, in order; if not, print the first missing one
# (from dmesg, which the caller cleared when it called since_here).
wait_lines() {
	kmsg_wait "$2" "$1" && return 0
	lines_in_order "$1"
	return 1
}

# wait_dmesg ERE SECONDS: wait (from the last since_here) for a line.
wait_dmesg() {
	echo "$1" >/tmp/wait.re
	kmsg_wait "$2" /tmp/wait.re
}

# A loadable module is loaded while its /sys/module/NAME/initstate exists.
loaded() { [ -e "/sys/module/$1/initstate" ]; }

kmemleak_clear() { echo clear >/sys/kernel/debug/kmemleak 2>/dev/null || true; }

# kmemleak_check: objects must be 5 s old before kmemleak reports them;
# scan twice, as Documentation/dev-tools/kmemleak.rst advises, the second
# at least 6 s after the check began (the first scan, slow under
# emulation, usually takes that long by itself).
uptime_s() { read -r up _ </proc/uptime; echo "${up%.*}"; }
kmemleak_check() {
	[ -e /sys/kernel/debug/kmemleak ] || return 0
	t0=$(uptime_s)
	echo scan >/sys/kernel/debug/kmemleak
	el=$(($(uptime_s) - t0))
	[ "$el" -ge 6 ] || sleep $((6 - el))
	echo scan >/sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		head -n 30 /sys/kernel/debug/kmemleak
		kmemleak_clear
		return 1
	fi
	return 0
}

wq_devices() { ls /sys/bus/workqueue/devices 2>/dev/null | sort; }
# /proc/PID/comm shows a worker's full name (ps cuts it to 15 characters).
rescuers() { cat /proc/[0-9]*/comm 2>/dev/null | grep '^kworker/R-' | sort; }
