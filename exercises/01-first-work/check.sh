# SPDX-License-Identifier: GPL-2.0
# Exercise 1's check (sourced by scripts/guest/exercise.sh in the guest).
EX_SKELETON_CATCH='queued: true'
ex_run() {
	# 1. The handler runs in a kworker and prints the message.
	ex_load || return
	ex_expect 15 || return
	ex_unload
	# 2. rmmod while the handler still sleeps: exit must wait for it.
	ex_load || return
	ex_unload
	ex_residue
}
