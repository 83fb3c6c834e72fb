# SPDX-License-Identifier: GPL-2.0
# Exercise 11's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='ODEBUG: free active .*work_struct|DEBUG_OBJECTS found'
ex_run() {
	ex_load || return
	ex_expect 15 || return
	ex_clean "at the timeout" || return
	ex_unload
	ex_residue
}
