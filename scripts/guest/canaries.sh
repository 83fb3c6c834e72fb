# SPDX-License-Identifier: GPL-2.0
# Every detector the checks rely on, shown alive in this boot: each canary
# (scripts/canaries/) trips one on purpose and goes through the same
# check as a sample (judge: load, unload, nothing left behind); the host
# passes a canary only when the check failed for the canary's reason.
# Runs last: lockdep turns itself off after its first report, and KASAN's
# report turns it off too; so lockdep is checked to be still on, then its
# canary's lock inversion must be reported and leave it off, and the
# KASAN canary comes at the very end.  (scripts/lib.sh wqs_canary_plan
# lists these checks for the host.)
. /wqs/lib.sh

# canary NAME ERE: load and unload the canary in its own check.  Only
# the kmemleak canary needs the residue scans (two kmemleak scans, about
# 10 s under emulation); the others report at once.
canary() {
	check_begin "canary $1"
	expect_catch "$2"
	if [ "$1" = kmemleak ]; then
		judge "/wqs/canaries/wqs_canary_$1.ko"
	else
		since_here
		load_module "/wqs/canaries/wqs_canary_$1.ko" ||
			check_fail "loading wqs_canary_$1 failed: $(cat /tmp/modprobe.err)"
		loaded "wqs_canary_$1" && { rmmod "wqs_canary_$1" || check_fail "rmmod wqs_canary_$1 failed"; }
	fi
	check_end
}

canary kmemleak 'kmemleak'
canary odebug 'ODEBUG: free active .*object type: timer_list'
canary atomic 'BUG: sleeping function called from invalid context'
canary ubsan 'UBSAN: shift-out-of-bounds'
check_begin "lockdep still on"
lockdep_on || check_fail "lockdep is off: an earlier report turned it off (see the kernel log)"
check_end
canary lockdep 'possible circular locking dependency detected'
check_begin "lockdep off after the canary's report"
lockdep_on && check_fail "lockdep is still on: the inversion was not reported by lockdep"
check_end
canary kasan 'BUG: KASAN: slab-out-of-bounds'
