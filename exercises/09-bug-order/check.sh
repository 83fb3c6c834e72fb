# SPDX-License-Identifier: GPL-2.0
# Exercise 9's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='ODEBUG: free active .*timer_list|DEBUG_OBJECTS found'
ex_run() {
	ex_load || return
	ex_expect 15 || return
	ex_unload || return
	ex_clean "during rmmod" || return
	ex_dmesg_has "$EX_MOD: saved: " ||
		check_fail "rmmod did not save the statistics: keep ex09_save_stats() in exit"
	# rmmod at other moments too.
	for d in 0 30 120; do
		ex_load || return
		ms "$d"
		ex_unload || return
		ex_clean "when rmmod came $d ms after insmod" || return
	done
	ex_residue
}
