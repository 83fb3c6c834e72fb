# SPDX-License-Identifier: GPL-2.0
# Exercise 7's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='still uses a tasklet'
ex_run() {
	# The module's symbol table: a tasklet function is a tasklet left.
	for f in tasklet_setup tasklet_init __tasklet_schedule __tasklet_hi_schedule tasklet_kill; do
		if grep -q "$f" "$EX_KO"; then
			check_fail "your module still uses a tasklet ($f): convert it to BH work (TODO 1-5)"
			break
		fi
	done
	ex_load || return
	ex_expect 15 || return
	ex_unload
	# rmmod while the interrupt fires: the interrupt first, then the BH.
	ex_load || return
	ex_unload
	ex_residue
}
