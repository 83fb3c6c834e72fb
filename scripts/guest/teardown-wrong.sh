# SPDX-License-Identifier: GPL-2.0
# The teardown lesson's wrong way must be caught by the debug options:
# wq_teardown wrong_teardown=1 cancels the report work before stopping
# the timer that queues it, so the next tick re-arms it and kfree() frees
# an armed timer; CONFIG_DEBUG_OBJECTS_TIMERS with _FREE must report
# "ODEBUG: free active" for it and stop the timer, so the kernel survives
# and the module loads again.  (debugobjects reports only its first five
# problems in a boot: this check runs after the samples.)
. /wqs/lib.sh

check_begin "teardown wrong way caught by DEBUG_OBJECTS"
# The host accepts these splats in this check only, and only these.
expect_splat "ODEBUG: free active \(active state [0-9]\) object: [0-9a-f]+ object type: (timer_list|work_struct) hint: (wqt_[a-z_]+|delayed_work_timer_fn)"
expect_splat "WARNING: .*lib/debugobjects.c:[0-9]+ .*debug_print_object"
expect_splat "^Call (Trace|trace):"
since_here
dmesg -c >/dev/null
if modprobe wq_teardown wrong_teardown=1; then
	sleep 1
	rmmod wq_teardown || check_fail "rmmod failed"
	wait_dmesg 'ODEBUG: free active .*object type: (timer_list|work_struct)' 30 ||
		check_fail "no ODEBUG report for the wrong teardown"
	dmesg | grep -q 'timer re-armed the report work after it was cancelled' ||
		check_fail "the chain did not re-arm the cancelled work"
	# The fixup stopped the timer: the module loads and unloads again.
	modprobe wq_teardown && sleep 1 && rmmod wq_teardown || check_fail "reload after the wrong teardown failed"
else
	check_fail "modprobe wq_teardown wrong_teardown=1 failed"
fi
check_end
