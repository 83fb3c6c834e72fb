# SPDX-License-Identifier: GPL-2.0
# Run the workqueue KUnit suites (lib/test_workqueue_patterns.c) in the
# guest: load the module (from /lib/modules, else /wqs/extra), show its KTAP
# output on the console, wait (bounded) for the result of every suite and
# print a summary.  KUnit must be enabled: boot with kunit.enable=1 unless
# the kernel has CONFIG_KUNIT_DEFAULT_ENABLED=y.
# A built-in (=y) suite has already run at boot: its results are used.
# WQS_KUNIT_RUNS=N (default 1) loads and unloads the module N times.
. /wqs/lib.sh

MOD=workqueue_kunit
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

suites_started() { ktap | grep -c "# Subtest: workqueue_"; }
suites_done() { ktap | grep -Ec "^(not )?ok [0-9]+ workqueue_"; }

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

# wait_loaded: wait until the background load has returned: KUnit runs
# every suite of a module inside its load, so then every suite is done.
# (A one-second poll of a file: no program started while the suites run.)
wait_loaded() {
	t=0
	while [ ! -s /tmp/kunit-load.rc ]; do
		[ $t -lt "$TIMEOUT" ] || return 1
		sleep 1
		t=$((t + 1))
	done
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
	[ "$2" -eq 0 ] && [ "$4" -gt 0 ] && [ "$(ktap | grep -Ec '^not ok [0-9]+ workqueue_')" -eq 0 ]
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
# The KTAP lines are KERN_INFO: they stay off the console and reach the
# host in the copy of the whole kernel log, where kunit.py parse reads them.
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
	if [ -z "$builtin" ] && ! wait_loaded; then
		ktap | tail -n 40 | while read -r line; do say "$line"; done
		check_fail "run $RUN: the suites did not finish in $TIMEOUT s (a case hung?)"
		break
	fi
	[ -n "$builtin" ] || wait
	if [ -z "$builtin" ] && [ "$(cat /tmp/kunit-load.rc)" != 0 ]; then
		check_fail "run $RUN: cannot load $MOD"
		break
	fi
	if dmesg | grep -q 'kunit: disabled$'; then
		check_fail "KUnit is disabled: boot with kunit.enable=1"
		break
	fi
	n=$(suites_started)
	[ "$n" -gt 0 ] && [ "$(suites_done)" -ge "$n" ] || {
		ktap | tail -n 40 | while read -r line; do say "$line"; done
		check_fail "run $RUN: $n suites started, not all of them ended"
		break
	}
	summarise || check_fail "run $RUN: a test case failed"
	[ -z "$builtin" ] && rmmod $MOD
	RUN=$((RUN + 1))
done
if [ -e /sys/kernel/debug/kmemleak ]; then
	if kmemleak_check; then
		say "kmemleak: no unreferenced objects"
	else
		check_fail "kmemleak reports unreferenced objects"
	fi
fi
check_end
[ -z "$WQS_WHY" ]
