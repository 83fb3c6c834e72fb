# SPDX-License-Identifier: GPL-2.0
# Exercise 2's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='BUG: sleeping function called from invalid context'
ex_run() {
	# 1. All samples stored, by the work item, and no kernel complaint.
	ex_load || return
	ex_expect 15 || return
	ex_unload
	# 2. rmmod while the timer ticks: exit stops the timer, then the work.
	ex_load || return
	ex_unload
	ex_residue
}
