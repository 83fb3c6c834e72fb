# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts (busybox sh).  Every check prints
#   WQS-BEGIN <name>, then WQS-PASS <name> | WQS-FAIL <name>: why |
#   WQS-SKIP <name>: why, then WQS-END <name>;
# the host counts those lines and pins any kernel splat printed between
# BEGIN and END on that check.

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

ms() { usleep $(($1 * 1000)); }

# lines_in_order RE_FILE: 0 when dmesg holds every regex of RE_FILE, in
# order; otherwise prints the first expected line that is missing.
lines_in_order() {
	dmesg | awk -v REF="$1" '
		BEGIN { while ((getline l < REF) > 0) re[n++] = l; i = 0 }
		i < n && $0 ~ re[i] { i++ }
		END { if (i < n) { print "missing: " re[i]; exit 1 } }'
}

# wait_lines RE_FILE SECONDS: wait until lines_in_order holds.
wait_lines() {
	t=0
	while [ $t -lt $(($2 * 4)) ]; do
		lines_in_order "$1" >/dev/null && return 0
		usleep 250000
		t=$((t + 1))
	done
	lines_in_order "$1"
	return 1
}

# wait_dmesg ERE SECONDS: wait until a dmesg line matches.
wait_dmesg() {
	t=0
	while [ $t -lt $(($2 * 4)) ]; do
		dmesg | grep -Eq "$1" && return 0
		usleep 250000
		t=$((t + 1))
	done
	return 1
}

loaded() { grep -q "^$1 " /proc/modules; }

kmemleak_clear() { echo clear >/sys/kernel/debug/kmemleak 2>/dev/null || true; }

# kmemleak_check: objects must be 5 s old before kmemleak reports them;
# scan twice, as Documentation/dev-tools/kmemleak.rst advises, the second
# at least 6 s after the check began (the first scan, slow under
# emulation, usually takes that long by itself).
kmemleak_check() {
	[ -e /sys/kernel/debug/kmemleak ] || return 0
	t0=$(date +%s)
	echo scan >/sys/kernel/debug/kmemleak
	el=$(($(date +%s) - t0))
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
