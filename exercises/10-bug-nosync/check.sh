# SPDX-License-Identifier: GPL-2.0
# Exercise 10's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='ODEBUG: free active .*timer_list|DEBUG_OBJECTS found'
ex_run() {
	# rmmod in the middle of a read (each read takes a second).
	ex_load || return
	ex_expect 15 || return
	ex_unload || return
	ex_clean "when rmmod came during a read" || return
	ex_dmesg_has "$EX_MOD: stopped after " ||
		check_fail "exit did not print what it stopped: keep its pr_info()"
	# ... and while the timer is armed, right after load.
	ex_load || return
	ex_unload || return
	ex_clean "when rmmod came right after insmod" || return
	ex_residue
}
