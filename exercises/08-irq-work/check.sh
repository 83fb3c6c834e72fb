# SPDX-License-Identifier: GPL-2.0
# Exercise 8's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='processed 50 of 50'
ex_run() {
	ex_load || return
	ex_expect 15 || return
	ex_unload
	# rmmod while the interrupt fires, at a few moments.
	for d in 0 100 250; do
		ex_load || return
		ms "$d"
		ex_unload || return
		ex_clean "when rmmod came $d ms after insmod" || return
	done
	ex_residue
}
