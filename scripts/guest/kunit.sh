# SPDX-License-Identifier: GPL-2.0
# Run the workqueue KUnit suites (lib/test_workqueue_patterns.c) in the
# guest: load the module (from /lib/modules, else /wqs/extra), show its KTAP
# output on the console, wait (bounded) for the result of every suite and
# print a summary.  KUnit must be enabled: boot with kunit.enable=1 unless
# the kernel has CONFIG_KUNIT_DEFAULT_ENABLED=y.
# A built-in (=y) suite has already run at boot: its results are used.
# WQS_KUNIT_RUNS=N (default 1) loads and unloads the module N times.
. /wqs/lib.sh

MOD=test_workqueue_patterns
TIMEOUT=${WQS_KUNIT_TIMEOUT:-900}
RUNS=${WQS_KUNIT_RUNS:-1}

# say: a line on the console through the kernel log (NOTICE), so that it
# is never cut into by kernel messages.
say() { echo "<5>wqs: kunit: $*" >/dev/kmsg; }

# ktap: the kernel log without timestamps, from the first suite of ours.
ktap() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' |
		awk '/^KTAP version/ { buf = "" } { buf = buf $0 "\n" }
		     END { printf "%s", buf }'
}

suites_started() { ktap | grep -c "# Subtest: workqueue_patterns_"; }
suites_done() { ktap | grep -Ec "^(not )?ok [0-9]+ workqueue_patterns_"; }

# load: load the module once; 0 when it loaded.
load() {
	if modprobe -q "$MOD" 2>/dev/null; then
		return 0
	fi
	for ko in /wqs/extra/$MOD.ko; do
		[ -f "$ko" ] && insmod "$ko" && return 0
	done
	return 1
}

# wait_results: wait until every suite that started has a result line.
wait_results() {
	t=0
	while [ $t -lt $((TIMEOUT * 4)) ]; do
		if dmesg | grep -q 'kunit: disabled$'; then
			say "KUnit is disabled: boot with kunit.enable=1"
			return 1
		fi
		s=$(suites_started)
		[ "$s" -gt 0 ] && [ "$(suites_done)" -ge "$s" ] && return 0
		# Loaded (or failed to) without running a suite.
		[ "$s" -eq 0 ] && [ -s /tmp/kunit-load.rc ] && return 1
		usleep 250000
		t=$((t + 1))
	done
	return 1
}

# summarise RUN: print the totals; 0 when nothing failed.
summarise() {
	tot=$(ktap | sed -n 's/^ *# Totals: pass:\([0-9]*\) fail:\([0-9]*\) skip:\([0-9]*\) total:\([0-9]*\)$/\1 \2 \3 \4/p' |
		awk '{ p += $1; f += $2; s += $3; t += $4 }
		     END { printf "%d %d %d %d", p, f, s, t }')
	set -- $tot
	say "run $RUN: passed $1, failed $2, skipped $3, total $4, $(($(date +%s) - T0)) s"
	ktap | grep -E '^ *not ok |^ *ok [0-9]+ .*# SKIP' |
		while read -r line; do say "$line"; done
	[ "$2" -eq 0 ] && [ "$4" -gt 0 ] && [ "$(ktap | grep -Ec '^not ok [0-9]+ workqueue_patterns_')" -eq 0 ]
}

check_begin kunit
if [ -d /sys/module/$MOD ] && ! loaded $MOD; then
	# Built in: the suites ran at boot.
	RUNS=1
	builtin=1
else
	builtin=
fi

kmemleak_clear
T0=$(date +%s)
# The KTAP lines are KERN_INFO: show them on the console as they come.
console_level=$(cut -f1 /proc/sys/kernel/printk)
dmesg -n 8
RUN=1
while [ $RUN -le "$RUNS" ]; do
	if [ -z "$builtin" ]; then
		dmesg -c >/dev/null
		rm -f /tmp/kunit-load.rc
		T0=$(date +%s)
		# Loading runs the suites; run it in the background so that the
		# wait below stays bounded even if a case hangs.
		( load; echo $? >/tmp/kunit-load.rc ) &
	fi
	if ! wait_results; then
		ktap | tail -n 40 | while read -r line; do say "$line"; done
		check_fail "run $RUN: no result for every suite (KUnit disabled, load failed, or a case hung for $TIMEOUT s)"
		break
	fi
	[ -n "$builtin" ] || wait
	if [ -z "$builtin" ] && [ "$(cat /tmp/kunit-load.rc 2>/dev/null)" != 0 ]; then
		check_fail "run $RUN: cannot load $MOD"
		break
	fi
	summarise || check_fail "run $RUN: a test case failed"
	[ -z "$builtin" ] && rmmod $MOD
	RUN=$((RUN + 1))
done
dmesg -n "$console_level"
if [ -e /sys/kernel/debug/kmemleak ]; then
	if kmemleak_check; then
		say "kmemleak: no unreferenced objects"
	else
		check_fail "kmemleak reports unreferenced objects"
	fi
fi
check_end
[ -z "$WQS_WHY" ]
