# SPDX-License-Identifier: GPL-2.0
# The teardown lesson's wrong way, shown without harm: wq_teardown
# wrong_teardown=1 cancels the report work before stopping the timer that
# queues it, so the next tick queues it again (the sample says so); it
# must then stop everything in the right order itself, so that rmmod
# leaves no splat (the host fails the check on any), nothing behind, and
# the module loads again.  That freeing an armed timer is caught is shown
# by the odebug canary and the nocancel mutant.
. /wqs/lib.sh

check_begin "teardown wrong way shown, then stopped the right way"
residue_before
kmemleak_clear
since_here
dmesg -c >/dev/null
if modprobe wq_teardown wrong_teardown=1 2>/tmp/modprobe.err; then
	sleep 1
	rmmod wq_teardown || check_fail "rmmod failed"
	dmesg >/tmp/teardown.log
	grep -q 'timer re-armed the report work after it was cancelled' /tmp/teardown.log ||
		check_fail "the timer did not queue the cancelled work again"
	grep -q 'kfree() now would free an armed timer' /tmp/teardown.log ||
		check_fail "no line saying what the wrong order would free"
	grep -q 'stopped after [0-9]* ticks' /tmp/teardown.log ||
		check_fail "the right teardown did not follow the wrong one"
	residue_check wq_teardown
	modprobe wq_teardown && sleep 1 && rmmod wq_teardown || check_fail "reload after the wrong teardown failed"
else
	check_fail "modprobe wq_teardown wrong_teardown=1 failed: $(cat /tmp/modprobe.err 2>/dev/null)"
fi
check_end
