# SPDX-License-Identifier: GPL-2.0
# Exercise 4's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='cancel while queued'
ex_run() {
	ex_load || return
	ex_expect 5 || return
	ex_unload
	ex_residue
}
