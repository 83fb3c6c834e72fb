# SPDX-License-Identifier: GPL-2.0
# Exercise 3's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='one-shot: ran'
ex_run() {
	# 1. The one-shot runs once, the periodic work keeps running.
	ex_load || return
	ex_expect 15 || return
	ex_unload
	# 2. rmmod at any moment: 6 loads, each unloaded 0 to 400 ms later.
	for d in 0 60 120 180 250 400; do
		ex_load || return
		ms "$d"
		ex_unload || return
		ex_clean "when rmmod came $d ms after insmod" || return
	done
	ex_residue
}
