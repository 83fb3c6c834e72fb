# SPDX-License-Identifier: GPL-2.0
# lockdep alive, in a boot of its own (it turns itself off after its first
# report): on at boot, the canary's lock inversion reported, and off after
# it (so that the report really was lockdep's).
. /wqs/lib.sh
check_begin "lockdep on at boot"
lockdep_on || check_fail "lockdep is off right after boot"
check_end
check_begin "canary lockdep"
expect_catch 'possible circular locking dependency detected'
judge /wqs/canaries/wqs_canary_lockdep.ko
check_end
check_begin "lockdep off after the canary's report"
lockdep_on && check_fail "lockdep is still on: the inversion was not reported by lockdep"
check_end
