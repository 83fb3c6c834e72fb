# SPDX-License-Identifier: GPL-2.0
# The teardown lesson's wrong way must be caught by the debug options:
# wq_delayed wrong_teardown=1 frees an armed timer on rmmod, and
# CONFIG_DEBUG_OBJECTS_TIMERS must report "ODEBUG: free active" for it
# (and fix it up, so the kernel survives).  Runs last in its boot:
# debugobjects reports only the first few problems of a boot.
. /wqs/lib.sh

check_begin "teardown wrong way caught by DEBUG_OBJECTS"
# The host accepts these splats in this check only, and only these.
expect_splat "ODEBUG: free active \(active state 0\) object: [0-9a-f]+ object type: (timer_list|work_struct) hint: wqd_(report|periodic)_fn"
expect_splat "WARNING: .*lib/debugobjects.c:[0-9]+ .*debug_print_object"
since_here
dmesg -c >/dev/null
if modprobe wq_delayed wrong_teardown=1; then
	sleep 1
	rmmod wq_delayed || check_fail "rmmod failed"
	wait_dmesg 'ODEBUG: free active .*object type: (timer_list|work_struct) hint: wqd_' 30 ||
		check_fail "no ODEBUG report for the wrong teardown"
	dmesg | grep -q 'timer re-armed the report work after it was cancelled' ||
		check_fail "the chain did not re-arm the cancelled work"
	# The fixup stopped the timer: the module loads and unloads again.
	modprobe wq_delayed && sleep 1 && rmmod wq_delayed || check_fail "reload after the wrong teardown failed"
else
	check_fail "modprobe wq_delayed wrong_teardown=1 failed"
fi
check_end
